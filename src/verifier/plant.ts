/**
 * Planted verifier bugs, for the fuzzer's mutation score (test/fuzz-command.test.ts, bench/fuzz/mutation.ts):
 * each name makes the verifier wrong in one known way, as verifiers have been. Nothing plants a bug
 * unless a test asks: `plantBug(name)` in-process, or the environment variable BPFVM_PLANT_BUG=name
 * (read once, so worker threads and child processes of a test inherit it). Never set it otherwise.
 */
export const PLANTABLE = {
  'tnum-and': 'tnum_and forgets the bits known in one operand but unknown in the other',
  'jmp-narrow-too-far': 'after `if r > K` (or >=), the fall-through branch narrows umax one too far',
  'null-not-marked': 'a helper returning PTR_TO_MAP_VALUE_OR_NULL is not marked possibly-NULL',
  'pkt-not-invalidated': 'packet pointers stay valid after a helper that changes packet data',
  'release-not-cleared': 'registers holding a released reference keep their pointer type',
  'map-value-off-by-one': 'a map value access may end one byte past value_size',
  'no-zext32': 'a 32-bit register move does not zero the upper 32 bits of the destination',
  'prune-ignores-precision': 'state pruning treats precise scalars as equal whatever their ranges',
  'spill-partial-overwrite': 'a partial stack write over a spilled register keeps the spill (its type and bounds)',
  'helper-size-unchecked': 'a helper memory argument is checked against the size register\'s minimum, not its maximum',
} as const;

export type PlantedBug = keyof typeof PLANTABLE;

function fromEnv(): PlantedBug | undefined {
  const v = typeof process === 'undefined' ? undefined : process.env.BPFVM_PLANT_BUG;
  return v !== undefined && v in PLANTABLE ? (v as PlantedBug) : undefined;
}

/** The bug planted now (undefined: the verifier as it should be). */
export let planted: PlantedBug | undefined = fromEnv();

export function plantBug(bug: PlantedBug | undefined): void {
  planted = bug;
}
