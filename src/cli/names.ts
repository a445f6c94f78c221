import type { CallNames } from '../asm/index.js';
import { helperId, helperName } from '../../kernel-sim/helpers/index.js';

/** Names the simulated 6.1 kernel gives to helper calls, for printing and assembling. */
export const KERNEL_NAMES: CallNames = { helperName };

/** The assembler's `call bpf_map_lookup_elem` resolves helper names against the same catalogue. */
export const ASSEMBLE_NAMES = { helperId };
