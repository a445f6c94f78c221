/**
 * The one list of violation kinds. Run-time checks (vm/, kernel-sim/) raise them; the verifier's
 * messages map onto them; tests and the CLI's JSON use the same strings.
 */
export const VIOLATION_KINDS = {
  'out-of-bounds': 'a memory access outside every mapped region, or past the end of its region',
  permission: 'a store to read-only memory (or a load from write-only memory)',
  'use-after-free': 'an access to a region that was freed (map element deleted, object freed)',
  budget: 'the instruction budget ran out (runaway or infinite loop)',
  'call-depth': 'more than 8 nested bpf-to-bpf call frames',
  'unknown-helper': 'a call of a helper id the simulated kernel does not have',
  'invalid-insn': 'execution reached a slot that is not an instruction (half of an lddw, unknown opcode)',
  'bad-jump': 'a jump or call target outside the program',
  'helper-error': 'a helper was called with arguments it cannot accept',
  'tail-call-limit': 'more than 33 chained tail calls',
  'reference-leak': 'an acquired reference still held at program exit',
  'double-release': 'a reference released twice',
  'release-unacquired': 'a release of a pointer that was never acquired',
  'use-after-release': 'a use of a pointer whose reference was released',
  'null-dereference': 'a load or store through NULL (or a NULL-able result passed on unchecked)',
  'untrusted-argument': 'a KF_TRUSTED_ARGS kfunc given a pointer that is not trusted',
  'sleep-in-atomic': 'a sleepable kfunc called where sleeping is not allowed',
  'missing-capability': 'a call that needs a capability the loader does not hold',
  'kfunc-not-allowed': 'a kfunc not registered for the program type',
  'verifier-unsound': 'a concrete value outside every abstract state the verifier recorded at its instruction (--check-states --strict)',
} as const;

/** The kinds of run-time violations (what the interpreter refused and why). */
export type ViolationKind = keyof typeof VIOLATION_KINDS;

/** A run-time violation: what was refused, at which instruction, with the kernel-style message. */
export interface Violation {
  kind: ViolationKind;
  /** Instruction slot index (kernel numbering: lddw takes two). */
  insn: number;
  message: string;
}
