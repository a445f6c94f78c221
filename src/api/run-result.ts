/**
 * The result of a typed run (`Program.run`), the one shape from the simulated kernel's test run to the
 * CLI: BPF_PROG_TEST_RUN's report (kernel-sim's TestRunResult, which it extends) plus what bpfvm adds,
 * and its JSON form, which `bpfvm run --json` prints as it is (README, "Command line").
 */
import type { TestRunResult } from '../../kernel-sim/progtypes/test-run.js';
import type { StateEscape } from './check-states.js';

/**
 * What one `Program.run` reports: BPF_PROG_TEST_RUN's fields of its last repetition (retval, r0,
 * dataOut, ctxOut, duration, insns, violations, warnings, kernelErrno: see TestRunResult) and bpfvm's
 * own (tier, output, retvalName, escapes).
 */
export interface ProgramRunResult extends TestRunResult {
  /** The tier that ran the last repetition: 'interp' or 'wasm'. */
  tier: string;
  /**
   * trace_printk output of the run, one string per line without its newline (at most the kernel's
   * outputLimit lines, all repetitions together).
   */
  output: string[];
  /** Lines of output past the limit, not kept (absent when none were dropped). */
  outputDropped?: number;
  /**
   * The name of `retval` in the program type's return codes (`XDP_DROP`, `TC_ACT_OK`, `SK_PASS`…); absent
   * for types whose return value is a plain number, and after a violation.
   */
  retvalName?: string;
  /** With `checkStates`: concrete values outside every abstract state of their instruction, all repetitions together. */
  escapes?: StateEscape[];
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The JSON form of a run result, in the field order `bpfvm run --json` documents: r0 as a 64-bit hex
 * string (`"0x1"`), dataOut and ctxOut as hex bytes; optional fields only when present. `escapes` is
 * kept when the run checked states (empty or not).
 */
export function runResultJson(r: ProgramRunResult): Record<string, unknown> {
  return {
    retval: r.retval,
    r0: r.r0 === null ? null : '0x' + BigInt.asUintN(64, r.r0).toString(16),
    dataOut: hex(r.dataOut),
    insns: r.insns,
    tier: r.tier,
    output: r.output,
    ...(r.outputDropped !== undefined && { outputDropped: r.outputDropped }),
    violations: r.violations,
    ...(r.warnings !== undefined && { warnings: r.warnings }),
    // The context after the run where the type gives one back, and the errno 6.1's test run would answer.
    ...(r.ctxOut !== undefined && { ctxOut: hex(r.ctxOut) }),
    ...(r.kernelErrno !== undefined && { kernelErrno: r.kernelErrno }),
    ...(r.escapes !== undefined && { escapes: r.escapes }),
    ...(r.retvalName !== undefined && { retvalName: r.retvalName }),
    duration: r.duration,
  };
}
