/**
 * `bpfvm kernel-diff <obj.o|dir|prog.s|corpus.jsonl|fuzz-dir> --kernel qemu:6.1|qemu:6.12|host`: the same
 * programs loaded into a real Linux kernel (../shared/oracle: Debian's kernel under qemu, one VM per batch;
 * or the host's kernel) and into bpfvm; verdict, errno, the last log line and the test run's return value
 * compared. Prints an agreement table; with --json one line per program
 * `{"id","bpfvm":{"verdict","errno","message","retval"},"kernel":{…},"agree":{"verdict","errno","message","retval"}}`
 * and a summary line `{"programs","kernel","release","agree":{per field},"allAgree","disagree","ran","seconds",
 * "kernelSeconds","programsPerSecond"}`. Exit 0 when every program agrees in every field, 1 when one does not, 2 on a usage
 * or input error (or no kernel to compare with).
 */
import { UsageError } from '../../errors.js';
import { maskIds } from '../../corpus/runner.js';
import { EXIT, type Io } from '../io.js';
import { progress } from '../progress.js';
import { progTypeOption } from '../options.js';
import { kernelRunner, lastLogLine, parseKernelTarget, targetName, type KernelResult, type KernelRunner } from '../kernel/runner.js';
import { programsOf, type DiffProgram, type Side } from '../kernel/programs.js';

export interface KernelDiffOptions {
  kernel?: string;
  oracle?: string;
  progType?: string;
  data?: string;
  batch?: number;
  json?: boolean;
}

export const FIELDS = ['verdict', 'errno', 'message', 'retval'] as const;
export type Field = (typeof FIELDS)[number];
export type Agreement = Record<Field, boolean>;

/** The kernel's answer as a Side: the loader's verdict, errno, last non-statistics log line, test-run retval. */
export function kernelSide(r: KernelResult): Side {
  const accepted = r.verdict === 'accepted';
  const loaded = r.verdict === 'accepted' || r.verdict === 'rejected';
  const message = accepted ? '' : loaded ? lastLogLine(r.verifier_log) : lastLogLine(r.verifier_log) || (typeof r.err === 'string' ? r.err : typeof r.kfunc === 'string' ? `kfunc ${r.kfunc} not found` : '');
  const tr = r.test_run;
  return { verdict: r.verdict, errno: accepted ? 0 : r.errno ?? 0, message, retval: tr?.ok === true && typeof tr.retval === 'number' ? tr.retval >>> 0 : null };
}

export function agreement(a: Side, k: Side): Agreement {
  return {
    verdict: a.verdict === k.verdict, errno: a.errno === k.errno,
    message: maskIds(a.message) === maskIds(k.message), retval: a.retval === k.retval,
  };
}

export interface DiffLine {
  id: string;
  bpfvm: Side;
  kernel: Side;
  agree: Agreement;
}

/** Compares programs in batches of `batch` (one VM each); `onLine` gets each program's comparison in order. */
export function diffPrograms(runner: KernelRunner, progs: readonly DiffProgram[], batch: number,
  onLine: (l: DiffLine, raw: KernelResult) => void, onBatch?: (done: number) => void): { kernelMs: number; release?: string } {
  let kernelMs = 0;
  let release: string | undefined;
  for (let i = 0; i < progs.length; i += batch) {
    const chunk = progs.slice(i, i + batch);
    const t0 = performance.now();
    const results = runner.run(chunk.map((p) => p.job));
    kernelMs += performance.now() - t0;
    chunk.forEach((p, j) => {
      const raw = results[j]!;
      release ??= typeof raw.kernel === 'string' ? raw.kernel : undefined;
      const kernel = kernelSide(raw);
      const bpfvm = p.bpfvm();
      onLine({ id: p.id, bpfvm, kernel, agree: agreement(bpfvm, kernel) }, raw);
    });
    onBatch?.(Math.min(progs.length, i + batch));
  }
  return { kernelMs, ...(release !== undefined && { release }) };
}

function checkHex(flag: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim().replace(/^0x/i, '');
  if (!/^([0-9a-f]{2})+$/i.test(t)) throw new UsageError(`${flag}: expected hex bytes, got '${v}'`);
  return t.toLowerCase();
}

const show = (s: Side): string => `${s.verdict}${s.errno ? ` errno ${s.errno}` : ''}${s.message ? `: ${s.message}` : ''}${s.retval !== null ? ` retval ${s.retval}` : ''}`;

export function kernelDiffCommand(io: Io, input: string, opts: KernelDiffOptions): number {
  if (opts.kernel === undefined) throw new UsageError('kernel-diff needs --kernel qemu:6.1, qemu:6.12 or host');
  const target = parseKernelTarget(opts.kernel);
  const data = checkHex('--data', opts.data);
  progTypeOption('--prog-type', opts.progType);
  const batch = opts.batch ?? 2000;
  const progs = programsOf(input, { ...(opts.progType !== undefined && { progType: opts.progType }), ...(data !== undefined && { data }) });
  const runner = kernelRunner(target, opts.oracle);
  const start = performance.now();
  const bar = progress(io, { total: progs.length, label: 'kernel-diff', json: opts.json });
  const counts: Record<Field, number> = { verdict: 0, errno: 0, message: 0, retval: 0 };
  let all = 0;
  let ran = 0;
  const bad: DiffLine[] = [];
  const { kernelMs, release } = diffPrograms(runner, progs, batch, (l) => {
    for (const f of FIELDS) if (l.agree[f]) counts[f]++;
    if (l.bpfvm.retval !== null || l.kernel.retval !== null) ran++;
    if (FIELDS.every((f) => l.agree[f])) all++;
    else bad.push(l);
    if (opts.json) io.out(JSON.stringify(l) + '\n');
  }, (done) => bar.update(done));
  bar.stop();
  const seconds = Math.round(performance.now() - start) / 1000;
  const perSecond = kernelMs > 0 ? Math.round((progs.length * 10_000) / kernelMs) / 10 : 0;
  const n = progs.length;
  if (opts.json) {
    io.out(JSON.stringify({
      programs: n, kernel: targetName(target), release: release ?? null, agree: counts, allAgree: all, disagree: n - all, ran, seconds, kernelSeconds: Math.round(kernelMs) / 1000, programsPerSecond: perSecond,
    }) + '\n');
  } else {
    const pct = (a: number) => (n ? `${((100 * a) / n).toFixed(1)}%` : '-');
    io.out(`${n} programs against ${targetName(target)}${release ? ` (${release})` : ''} in ${seconds} s (kernel ${Math.round(kernelMs) / 1000} s, ${perSecond} programs/s)\n`);
    io.out('field     agree\n');
    for (const f of FIELDS) io.out(`${f.padEnd(9)} ${`${counts[f]}/${n}`.padStart(12)}  ${pct(counts[f])}${f === 'retval' ? `  (${ran} test-run on either side)` : ''}\n`);
    io.out(`${'all'.padEnd(9)} ${`${all}/${n}`.padStart(12)}  ${pct(all)}\n`);
    for (const l of bad) {
      const fields = FIELDS.filter((f) => !l.agree[f]).join(',');
      io.out(`differs  ${l.id}  [${fields}]\n  bpfvm:  ${show(l.bpfvm)}\n  kernel: ${show(l.kernel)}\n`);
    }
  }
  return all === n ? EXIT.OK : EXIT.REJECTED;
}
