/**
 * The fuzz harness shared by the CI slices (test/fuzz-*.test.ts) and the long mode (bench/fuzz/main.ts):
 * a suite is an input generator (a fast-check arbitrary) and a step that feeds one input to a public
 * entry point and names the outcome's class. The property every suite checks: nothing but a BpfError
 * subclass with a kind and a location comes out (see `outcomeOf`), and the step ends (each entry point is
 * run with a bounded budget).
 */
import fc from 'fast-check';
import { BpfError } from '../../src/errors.js';

/** A broken property: what came out, and the input's description for the reproducer. */
export class FuzzFailure extends Error {
  constructor(readonly cls: string, message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

/**
 * A class of escaped errors a suite counts as `known:<name>` instead of a failure. None is left: every class
 * issue 10 named is fixed at its root (BpfErrors, bounded runs, limits), so the list is empty and kept only so
 * that a new exclusion has to be written here, with its reason, where a reader sees it.
 */
export interface KnownClass {
  name: string;
  /** Matches the escaped error exactly (class name and the file that raised it). */
  test(e: unknown): boolean;
}

export const KNOWN_CLASSES: readonly KnownClass[] = [];

/**
 * Kinds whose errors carry their location in the message or result rather than `where`; a test run's
 * refusal (`run`: BPF_PROG_TEST_RUN's errno for options the program type does not take) concerns the
 * program the caller ran.
 */
const UNLOCATED_KINDS = new Set(['verifier', 'usage', 'run']);

/**
 * Runs `step`; its result (or the BpfError it threw) is the outcome class. Anything else thrown is a
 * FuzzFailure, unless it is one of `known` (then `known:<name>`).
 */
export function outcomeOf(step: () => string, known: readonly KnownClass[] = []): string {
  try {
    return step();
  } catch (e) {
    return errorClass(e, known);
  }
}

export function errorClass(e: unknown, known: readonly KnownClass[] = []): string {
  if (e instanceof FuzzFailure) throw e;
  if (e instanceof BpfError) {
    const located = Object.values(e.where).some((v) => v !== undefined);
    if (!located && !UNLOCATED_KINDS.has(e.kind)) {
      throw new FuzzFailure(`${e.constructor.name}:unlocated`, `${e.constructor.name} (${e.kind}) without a location: ${e.message}`, e);
    }
    if (e.message.length === 0) throw new FuzzFailure(`${e.constructor.name}:empty`, `${e.constructor.name} with an empty message`, e);
    return e.constructor.name;
  }
  for (const k of known) if (k.test(e)) return `known:${k.name}`;
  const name = e instanceof Error ? e.constructor.name : typeof e;
  const where = e instanceof Error ? (e.stack ?? '').split('\n').find((l) => /\/(src|vm|kernel-sim)\//.test(l))?.trim() : undefined;
  throw new FuzzFailure(name, `${name}: ${e instanceof Error ? e.message : String(e)}${where !== undefined ? ` (${where})` : ''}`, e);
}

export interface Suite<T> {
  name: string;
  /** Why it did not run (missing shared data), or undefined. */
  missing?: string;
  arbitrary: fc.Arbitrary<T>;
  /** Feed one input; returns its outcome class, or throws FuzzFailure. */
  step(input: T): string;
  /** A short text of an input for reports. */
  show?(input: T): string;
}

export interface SuiteReport {
  suite: string;
  tried: number;
  seconds: number;
  outcomes: Map<string, number>;
  failures: { cls: string; message: string; input: string; seed: number; path?: string; count: number }[];
  /** Slowest single input, milliseconds. */
  slowestMs: number;
  /** Peak resident memory of the process during the suite, sampled every 50 inputs (bytes). */
  peakRss: number;
}

/**
 * Long mode: inputs for `seconds`, every outcome counted, failures collected (not stopping the run).
 * Runs in fast-check chunks of 1000 inputs, each with its own seed; a failure is shrunk before it is reported.
 */
export function runFor<T>(suite: Suite<T>, seconds: number, seed: number, maxFailures = 20, done?: () => boolean, progress?: (tried: number, elapsed: number) => void): SuiteReport {
  const outcomes = new Map<string, number>();
  const failures: SuiteReport['failures'] = [];
  let tried = 0;
  let slowestMs = 0;
  let peakRss = process.memoryUsage.rss();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let s = seed;
  while (performance.now() < deadline && failures.length < maxFailures) {
    const r = fc.check(
      fc.property(suite.arbitrary, (input) => {
        if (done?.()) return; // the target is reached: the chunk's remaining runs are skipped
        const t0 = performance.now();
        if (progress !== undefined && tried % 1000 === 0) progress(tried, (t0 - start) / 1000);
        try {
          const c = suite.step(input);
          tried++;
          outcomes.set(c, (outcomes.get(c) ?? 0) + 1);
        } finally {
          slowestMs = Math.max(slowestMs, performance.now() - t0);
          if (tried % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
        }
      }),
      // chunks of 1000 runs, so that a target (`done`) ends the run between chunks
      { seed: s, numRuns: 1000, interruptAfterTimeLimit: Math.max(1, deadline - performance.now()), markInterruptAsFailure: false },
    );
    if (r.failed && r.counterexample !== null) {
      const err = r.errorInstance;
      const cls = err instanceof FuzzFailure ? err.cls : 'harness';
      const message = err instanceof Error ? err.message : String(err);
      const again = failures.find((f) => f.cls === cls && f.message.slice(0, 80) === message.slice(0, 80));
      if (again !== undefined) {
        again.count++;
        s = (s * 1103515245 + 12345) >>> 0;
        continue;
      }
      outcomes.set(`FAIL:${cls}`, (outcomes.get(`FAIL:${cls}`) ?? 0) + 1);
      failures.push({
        cls, message, count: 1,
        input: suite.show ? suite.show(r.counterexample[0] as T) : fc.stringify(r.counterexample[0]).slice(0, 2000),
        seed: r.seed, path: r.counterexamplePath ?? undefined,
      });
    }
    s = (s * 1103515245 + 12345) >>> 0;
    if (done?.()) break;
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return { suite: suite.name, tried, seconds: (performance.now() - start) / 1000, outcomes, failures, slowestMs, peakRss };
}

/** CI mode: a fixed-seed slice; the first failure (shrunk) fails the test with its reproducer. */
export function checkSlice<T>(suite: Suite<T>, numRuns: number, seed = 0x0b9f): Map<string, number> {
  const outcomes = new Map<string, number>();
  fc.assert(
    fc.property(suite.arbitrary, (input) => {
      const c = suite.step(input);
      outcomes.set(c, (outcomes.get(c) ?? 0) + 1);
    }),
    { seed, numRuns, ...(suite.show && { reporter: undefined }) },
  );
  return outcomes;
}

export function formatReport(r: SuiteReport): string {
  const rate = r.seconds > 0 ? r.tried / r.seconds : 0;
  const lines = [`${r.suite}: ${r.tried} inputs in ${r.seconds.toFixed(1)} s (${rate.toFixed(0)}/s), slowest input ${r.slowestMs.toFixed(0)} ms, peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MiB, ${r.failures.length} failures`];
  const sorted = [...r.outcomes].sort((a, b) => b[1] - a[1]);
  lines.push('  outcomes: ' + sorted.map(([k, v]) => `${k} ${v}`).join(', '));
  for (const f of r.failures) lines.push(`  FAILURE ${f.cls} (found ${f.count}×): ${f.message}\n    seed ${f.seed} path ${f.path ?? ''}\n    input ${f.input}`);
  return lines.join('\n');
}
