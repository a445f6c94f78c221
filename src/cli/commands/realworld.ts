/**
 * `bpfvm corpus ../shared/realworld/truth-6.1.jsonl [--json] [--causes]`: every program of the realworld
 * yardstick loaded and verified as libbpf and Linux 6.1 would, compared with the real kernel's answers.
 * A table per program type (verdicts, exact last lines of the kernel's rejections, processed counts, env
 * refusals); `--causes` adds the disagreeing programs by cause. With --json, one line per program
 * (`{"id","prog_type","category","bpfvm":{…},"kernel":{…},"agree","differs":[…][,"cause"]}`) and a last
 * summary line `{"summary":{"total":{…},"byType":{…},"causes":[[cause,count]…]}}`.
 */
import { LoadError } from '../../errors.js';
import { loadRealworld } from '../../corpus/load.js';
import { runRealworld, summarize, type RealworldResult, type RealworldTally } from '../../corpus/realworld.js';
import { causeMeaning } from '../../corpus/realworld-causes.js';
import { EXIT, type Io } from '../io.js';
import { progress } from '../progress.js';

export interface RealworldCliOptions {
  json?: boolean;
  causes?: boolean;
}

const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
const frac = (a: number, b: number): string => (b ? `${a}/${b} ${pct(a, b).padStart(6)}` : '-');

function row(name: string, t: RealworldTally): string {
  return `${name.padEnd(24)} ${frac(t.verdictAgree, t.judged).padStart(16)} ${frac(t.lastLineAgree, t.rejected).padStart(16)} ` +
    `${frac(t.processedAgree, t.judged).padStart(16)} ${(t.env ? `${t.envRefused}/${t.env} (${t.envSameStep})` : '-').padStart(14)}\n`;
}

export function realworldCommand(io: Io, file: string, opts: RealworldCliOptions): number {
  let loaded: ReturnType<typeof loadRealworld>;
  try {
    loaded = loadRealworld(file);
  } catch (e) {
    throw new LoadError(`cannot read the truth file: ${(e as Error).message}`, { file });
  }
  const t0 = Date.now();
  const bar = progress(io, { total: loaded.cases.length, label: 'realworld', json: opts.json });
  let done = 0;
  const results: RealworldResult[] = runRealworld(loaded.cases, loaded.bytesOf, (r) => {
    if (opts.json) io.out(JSON.stringify(r) + '\n');
    bar.update(++done);
  });
  bar.stop();
  const ms = Date.now() - t0;
  const s = summarize(results);
  if (opts.json) {
    io.out(JSON.stringify({ summary: { ...s, ms } }) + '\n');
    return EXIT.OK;
  }
  io.out(`${results.length} programs in ${ms} ms; the kernel's verifier judged ${s.total.judged}, ${s.total.env} failed before it (env)\n\n`);
  io.out(`${'program type'.padEnd(24)} ${'verdict'.padStart(16)} ${'last line'.padStart(16)} ${'processed'.padStart(16)} ${'env refused'.padStart(14)}\n`);
  for (const [type, t] of Object.entries(s.byType).sort((a, b) => b[1].judged + b[1].env - (a[1].judged + a[1].env))) io.out(row(type, t));
  io.out(row('total', s.total));
  io.out(`\nverdict: over the programs the kernel judged; last line: exact, over the kernel's rejections; ` +
    `env refused: bpfvm also refuses before its verifier (same step in parentheses)` +
    `${s.total.errors ? `; ${s.total.errors} internal errors` : ''}\n`);
  if (opts.causes) {
    io.out(`\ncauses of the ${s.causes.reduce((a, [, n]) => a + n, 0)} programs whose verdict or last line differs:\n`);
    for (const [cause, n] of s.causes) {
      io.out(`${String(n).padStart(5)}  ${cause}: ${causeMeaning(cause)}\n`);
      for (const r of results.filter((x) => x.cause === cause)) {
        const b = r.bpfvm.verdict === 'accepted' || r.bpfvm.verdict === 'refused' && r.bpfvm.message === '' ? r.bpfvm.verdict : `${r.bpfvm.verdict}: ${r.bpfvm.message}`;
        const k = r.kernel.verdict === 'accepted' ? 'accepted' : r.kernel.verdict === 'env' ? `env: ${r.kernel.reason ?? ''}` : `rejected: ${r.kernel.message}`;
        io.out(`         ${r.id}\n           bpfvm  ${b}\n           kernel ${k}\n`);
      }
    }
  }
  return EXIT.OK;
}
