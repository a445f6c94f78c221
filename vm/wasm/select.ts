/**
 * Tier selection: `interp`, `wasm` or `auto`. `auto` stays in the interpreter unless a run is repeated
 * often enough to repay compiling (AUTO_MIN_REPEAT, measured in `bpfvm bench`), and a step hook (--trace,
 * state checks) always means the interpreter (Machine.run enforces it whatever the tier).
 */
import type { TierEngine } from '../machine.js';
import { wasmEngine } from './tier.js';

export const TIERS = ['interp', 'wasm', 'auto'] as const;
export type TierName = (typeof TIERS)[number];

/**
 * Repeats from which `auto` compiles: compiling and instantiating a small program costs about what the
 * interpreter spends on 10^5 instructions (bench: "compile"), so a run repeated this often repays it even
 * for short programs.
 */
export const AUTO_MIN_REPEAT = 100;

/** The engine a run uses: null for the interpreter. */
export function engineFor(tier: TierName | undefined, repeat = 1): TierEngine | null {
  const t = tier ?? 'auto';
  if (t === 'interp' || wasmEngine === null) return null;
  if (t === 'wasm') return wasmEngine;
  return repeat >= AUTO_MIN_REPEAT ? wasmEngine : null;
}
