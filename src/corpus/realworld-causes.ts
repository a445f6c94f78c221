/**
 * Why bpfvm's answer on a realworld program differs from the real kernel's: a short cause class per
 * disagreeing program, by rules read in order (the first that matches names the cause). Each rule looks
 * at the kernel's answer, bpfvm's, and the program's section; none names a program.
 */
import type { BpfvmAnswer, RealworldCase } from './realworld.js';

export interface CauseRule {
  cause: string;
  /** What the class means, for `bpfvm corpus --causes`. */
  means: string;
  test: (c: RealworldCase, b: BpfvmAnswer) => boolean;
}

/** The instruction libbpf writes where a CO-RE relocation found no target (`call 0xbad2310`). */
const POISON = 'invalid func unknown#195896080';

export const CAUSE_RULES: readonly CauseRule[] = [
  {
    cause: 'internal-error', means: 'bpfvm threw an internal error',
    test: (_c, b) => b.verdict === 'error',
  },
  {
    cause: 'core-unresolved',
    means: 'an instruction CO-RE poisoned because the simulated kernel BTF lacks the type or field the kernel has',
    test: (c, b) => b.message === POISON && c.kernel_message !== POISON,
  },
];

export function classifyCause(c: RealworldCase, b: BpfvmAnswer): string {
  return CAUSE_RULES.find((r) => r.test(c, b))?.cause ?? 'unclassified';
}

export function causeMeaning(cause: string): string {
  return CAUSE_RULES.find((r) => r.cause === cause)?.means ?? 'not classified yet';
}
