/**
 * Long-mode fuzzing: `npm run fuzz -- --seconds N [--suite loader,asm,…] [--seed S] [--json] [--accepted M]`. Each
 * suite runs for N seconds (a share of them when `--total`); printed per suite: inputs tried,
 * throughput, outcomes by class, the slowest input, peak memory and every failure with its shrunk
 * reproducer (seed and path replay it with fast-check). Exit code 1 when any suite failed. `--accepted M`
 * ends the soundness suite once M generated programs were accepted (within its seconds).
 *
 * Sample objects come from $BPFVM_SHARED/ebpf-samples (else ../shared beside the project) and the
 * project's test/fixtures; without the shared folder the loader fuzzes the fixtures alone, and says so.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main as cliMain } from '../../src/cli/main.js';
import { formatReport, runFor, type Suite, type SuiteReport } from './harness.js';
import { asmSuite, cliFiles, cliRunner, cliSuite, decoderSuite, interpreterSuite, loaderSuite, programRunSuite, readCorpus, verifierSuite } from './suites.js';
import { soundnessSuite } from './soundness.js';
import { sharedDir } from '../paths.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

function args(): { seconds: number; suites?: string[]; seed: number; json: boolean; accepted?: number } {
  const a = process.argv.slice(2);
  const get = (n: string): string | undefined => {
    const i = a.indexOf(n);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const seconds = Number(get('--seconds') ?? '10');
  if (!Number.isFinite(seconds) || seconds <= 0) {
    process.stderr.write(`fuzz: --seconds takes a positive number, got '${get('--seconds')}'\n`);
    process.exit(2);
  }
  const accepted = get('--accepted') === undefined ? undefined : Number(get('--accepted'));
  return { seconds, suites: get('--suite')?.split(','), seed: Number(get('--seed') ?? '1'), json: a.includes('--json'), ...(accepted !== undefined && { accepted }) };
}

const opt = args();
const shared = sharedDir();
const samples = shared !== undefined && existsSync(resolve(shared, 'ebpf-samples')) ? resolve(shared, 'ebpf-samples') : undefined;
if (samples === undefined) process.stderr.write('fuzz: no shared ebpf-samples folder (set BPFVM_SHARED): the loader fuzzes test/fixtures alone\n');
const corpus = readCorpus([resolve(ROOT, 'test', 'fixtures'), ...(samples !== undefined ? [samples] : [])], 1 << 20);
const tmp = mkdtempSync(join(tmpdir(), 'bpfvm-fuzz-'));
const cliRun = cliRunner(cliMain); // output kept bounded (a --trace run prints a line per instruction)
const soundStats = { accepted: 0, runs: 0 };
const all: Suite<any>[] = [
  loaderSuite(corpus), decoderSuite(), verifierSuite(), interpreterSuite(), programRunSuite(), asmSuite(),
  cliSuite(cliFiles(tmp, corpus.filter((s) => s.name.includes('fixtures'))), cliRun), soundnessSuite(soundStats),
];
const chosen = opt.suites === undefined ? all : all.filter((s) => opt.suites!.includes(s.name));
if (chosen.length === 0) {
  process.stderr.write(`fuzz: no suite named ${opt.suites?.join(',')}; suites: ${all.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
process.stdout.write(`fuzz: ${chosen.length} suites, ${opt.seconds} s each, seed ${opt.seed}, ${corpus.length} sample objects\n`);
let failed = 0;
const reports: SuiteReport[] = [];
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
for (const s of chosen) {
  const done = s.name === 'soundness' && opt.accepted !== undefined ? () => soundStats.accepted >= opt.accepted! : undefined;
  let lastNote = 0;
  const progress = (tried: number, elapsed: number): void => {
    if (elapsed - lastNote < 30) return;
    lastNote = elapsed;
    process.stderr.write(`  ${s.name}: ${tried} inputs after ${elapsed.toFixed(0)} s${s.name === 'soundness' ? `, ${soundStats.accepted} accepted, ${soundStats.runs} runs` : ''}\n`);
  };
  const r = runFor(s, opt.seconds, opt.seed, 20, done, progress);
  peakRss = Math.max(peakRss, r.peakRss);
  reports.push(r);
  failed += r.failures.length;
  process.stdout.write(formatReport(r) + `\n  peak RSS so far ${(peakRss / 2 ** 20).toFixed(0)} MiB\n`);
  if (s.name === 'soundness') process.stdout.write(`  soundness: ${soundStats.accepted} accepted programs, ${soundStats.runs} runs on random packets, 0 violations unless listed above\n`);
  if (opt.json) process.stdout.write(JSON.stringify({ ...r, outcomes: Object.fromEntries(r.outcomes) }) + '\n');
}
clearInterval(rssTimer);
rmSync(tmp, { recursive: true, force: true });
const total = reports.reduce((n, r) => n + r.tried, 0);
process.stdout.write(`fuzz: ${total} inputs, ${failed} failures\n`);
process.exit(failed > 0 ? 1 : 0);
