/**
 * The realworld yardstick: programs nobody on this project wrote (Linux 6.1's BPF selftests compiled
 * against 6.1's vmlinux.h), each loaded alone from its object as libbpf loads it and verified at log
 * level 1 with every capability, compared with what the real 6.1 kernel answered (`truth-6.1.jsonl`).
 * Node-free: reading the files is load.ts's job.
 */
import { BpfError } from '../errors.js';
import { parseObject } from '../object/index.js';
import { parseCaps } from '../platform/caps.js';
import { loadObjectProgram, prepareObject, type PreparedObject } from '../api/verify-object.js';
import { classifyCause } from './realworld-causes.js';
import type { BpfvmAnswer, Difference, KernelAnswer, RealworldCase, RealworldResult, RefusalStep } from './realworld-case.js';

export type { BpfvmAnswer, Difference, KernelAnswer, RealworldCase, RealworldResult, RefusalStep } from './realworld-case.js';

/** The truth file's env classes as the load steps that refuse for the same reason. */
const ENV_STEPS: readonly [RegExp, RefusalStep][] = [
  [/^section name without/, 'section'],
  [/^map creation failed/, 'maps'],
  [/^attach target missing/, 'attach'],
  [/^kfunc\/ksym missing/, 'externs'],
  [/^unresolved extern/, 'externs'],
  [/bpftool-linked object/, 'object'],
  [/^rejected before the verifier/, 'prog_load'],
];

export function envStep(envClass: string | undefined): RefusalStep | undefined {
  return ENV_STEPS.find(([re]) => re.test(envClass ?? ''))?.[1];
}

/** The program type a line is reported under (env lines without one: the section's word). */
export function progTypeOf(c: RealworldCase): string {
  return c.prog_type ?? 'none';
}

const ALL_CAPS = parseCaps('all');

/** libbpf's object-wide steps for one object; an object that does not parse refuses all its programs. */
export function prepareRealworldObject(bytes: Uint8Array): PreparedObject | BpfError {
  try {
    return prepareObject(parseObject(bytes));
  } catch (e) {
    if (e instanceof BpfError) return e;
    return new BpfError('load', `internal error: ${oneLine(e)}`);
  }
}

function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!;
}

/** bpfvm's answer for one program of a prepared object. Never throws: an internal error is an `error` answer. */
export function judgeProgram(prepared: PreparedObject | BpfError, program: string): BpfvmAnswer {
  if (prepared instanceof BpfError) {
    return prepared.kind === 'load'
      ? { verdict: 'refused', errno: 0, message: prepared.message, processed: 0, step: 'object' }
      : { verdict: 'error', errno: 0, message: prepared.message, processed: 0 };
  }
  try {
    const out = loadObjectProgram(prepared, program, { caps: ALL_CAPS, logLevel: 1 });
    const notes = prepared.notSimulated.length > 0 ? { notSimulated: prepared.notSimulated } : {};
    if (out.stage === 'refused') {
      return { verdict: 'refused', errno: 0, message: out.refusal.error.message, processed: 0, step: out.refusal.step, ...notes };
    }
    const r = out.result;
    const core = out.coreUnresolved > 0 ? { coreUnresolved: out.coreUnresolved } : {};
    if (r.verdict === 'rejected' && r.log === '' && r.processed === 0) {
      // BPF_PROG_LOAD's checks before the verifier: an empty log, as the kernel's
      return { verdict: 'refused', errno: r.errno, message: '', processed: 0, step: 'prog_load', ...core, ...notes };
    }
    return { verdict: r.verdict, errno: r.errno, message: r.message, processed: r.processed, ...core, ...notes };
  } catch (e) {
    return { verdict: 'error', errno: 0, message: `internal error: ${oneLine(e)}`, processed: 0 };
  }
}

export function kernelAnswer(c: RealworldCase): KernelAnswer {
  if (c.category === 'env') {
    const step = envStep(c.env_class);
    return { verdict: 'env', errno: c.errno, message: c.kernel_message, processed: c.processed, ...(step && { step }), ...(c.env_class && { reason: c.env_class }) };
  }
  return { verdict: c.kernel_verdict, errno: c.errno, message: c.kernel_message, processed: c.processed };
}

/** bpfvm's answer against the kernel's: what differs, and why when the verdict or last line does. */
export function compare(c: RealworldCase, b: BpfvmAnswer): RealworldResult {
  const k = kernelAnswer(c);
  const differs: Difference[] = [];
  if (c.category === 'env') {
    if (b.verdict !== 'refused') differs.push('verdict');
    else if (b.step !== k.step) differs.push('step');
  } else {
    if (b.verdict !== k.verdict) differs.push('verdict');
    if (b.errno !== k.errno) differs.push('errno');
    if (k.verdict === 'rejected' && b.message !== k.message) differs.push('message');
    if (b.processed !== k.processed) differs.push('processed');
  }
  const res: RealworldResult = {
    id: `${c.object}:${c.program}`, prog_type: progTypeOf(c), category: c.category, bpfvm: b, kernel: k,
    agree: differs.length === 0, differs,
  };
  if (differs.includes('verdict') || differs.includes('message') || differs.includes('step')) res.cause = classifyCause(c, b);
  return res;
}

/** Figures over a set of programs. */
export interface RealworldTally {
  /** Programs the kernel's verifier judged. */
  judged: number;
  verdictAgree: number;
  errnoAgree: number;
  /** The kernel's rejections, and those where bpfvm's last line is the kernel's, exactly. */
  rejected: number;
  lastLineAgree: number;
  /** `processed N insns` equal to the kernel's (judged programs, accepted or rejected). */
  processedAgree: number;
  /** Programs the kernel never judged (env), those bpfvm refuses before its verifier too, and for the same reason. */
  env: number;
  envRefused: number;
  envSameStep: number;
  /** bpfvm internal errors (counted as disagreeing). */
  errors: number;
}

export interface RealworldSummary {
  total: RealworldTally;
  byType: Record<string, RealworldTally>;
  /** Disagreeing programs by cause, most first. */
  causes: [string, number][];
}

export function emptyTally(): RealworldTally {
  return { judged: 0, verdictAgree: 0, errnoAgree: 0, rejected: 0, lastLineAgree: 0, processedAgree: 0, env: 0, envRefused: 0, envSameStep: 0, errors: 0 };
}

export function tally(t: RealworldTally, r: RealworldResult): void {
  if (r.bpfvm.verdict === 'error') t.errors++;
  if (r.category === 'env') {
    t.env++;
    if (r.bpfvm.verdict === 'refused') t.envRefused++;
    if (r.bpfvm.verdict === 'refused' && !r.differs.includes('step')) t.envSameStep++;
    return;
  }
  t.judged++;
  if (!r.differs.includes('verdict')) t.verdictAgree++;
  if (!r.differs.includes('errno')) t.errnoAgree++;
  if (!r.differs.includes('processed')) t.processedAgree++;
  if (r.kernel.verdict === 'rejected') {
    t.rejected++;
    if (!r.differs.includes('message') && !r.differs.includes('verdict')) t.lastLineAgree++;
  }
}

export function summarize(results: readonly RealworldResult[]): RealworldSummary {
  const total = emptyTally();
  const byType: Record<string, RealworldTally> = {};
  const causes = new Map<string, number>();
  for (const r of results) {
    tally(total, r);
    tally((byType[r.prog_type] ??= emptyTally()), r);
    if (r.cause !== undefined) causes.set(r.cause, (causes.get(r.cause) ?? 0) + 1);
  }
  return { total, byType, causes: [...causes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)) };
}

/**
 * Runs the cases, objects prepared once each (`bytesOf` reads an object by its truth-file path). Cases
 * are visited in file order; `onResult` sees each result as it is made.
 */
export function runRealworld(cases: readonly RealworldCase[], bytesOf: (object: string) => Uint8Array,
  onResult?: (r: RealworldResult) => void, prepared = new Map<string, PreparedObject | BpfError>()): RealworldResult[] {
  const out: RealworldResult[] = [];
  for (const c of cases) {
    let p = prepared.get(c.object);
    if (p === undefined) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = bytesOf(c.object);
      } catch (e) {
        p = new BpfError('input', `cannot read ${c.object}: ${oneLine(e)}`);
      }
      p ??= prepareRealworldObject(bytes!);
      prepared.set(c.object, p);
    }
    const r = compare(c, judgeProgram(p, c.program));
    onResult?.(r);
    out.push(r);
  }
  return out;
}

/** A truth-file line (what `bpfvm corpus` looks for to tell this format from the test_verifier corpus). */
export function isRealworldLine(line: unknown): line is RealworldCase {
  return typeof line === 'object' && line !== null && 'kernel_verdict' in line && 'object' in line && 'program' in line;
}
