/**
 * `bpfvm fuzz`: generated programs against the verifier's own claims (issue 12 §2). Each generated program
 * is verified; each accepted one runs on random inputs with state checks and random NULL injection. A
 * finding (a run-time violation or state escape of an accepted program, a crash or hang of bpfvm) is saved
 * minimized in --out. With --json the last stdout line is the summary
 * `{"programs","accepted","runs","findings","byKind","seconds","seed"}`.
 *
 * Seeds and shards: program index k of a campaign seeded S has seed mix32(S + k) (a bijection, so no two
 * indices share one). `--shard i/n` (1 ≤ i ≤ n) takes the indices k ≡ i-1 (mod n), so the n shards of
 * one seed never run the same program; --count N is per shard. `--workers K` splits a shard's indices
 * round-robin over K worker threads.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { UsageError } from '../../errors.js';
import { emptyTally, runSlice, type Finding, type FuzzInput, type Tally, type Slice } from '../../fuzz/campaign.js';
import { FUZZ_PROG_TYPES, KFUNCS, LOAD_TYPE, type FuzzProgType } from '../../fuzz/generate.js';
import type { WorkerMessage } from '../../fuzz/worker.js';
import { EXIT, type Io } from '../io.js';
import { progress } from '../progress.js';
import { kernelRunner, parseKernelTarget, targetName } from '../kernel/runner.js';
import { kernelCampaign, type KernelTally } from '../kernel/fuzz-kernel.js';

export interface FuzzOptions {
  progType?: string;
  seconds?: string;
  count?: string;
  seed?: string;
  workers?: string;
  shard?: string;
  out?: string;
  json?: boolean;
  kernel?: string;
  oracle?: string;
  batch?: number;
  runs?: string;
}

const TYPE_NAMES: Record<string, FuzzProgType> = {
  socket: 'socket', socket_filter: 'socket', xdp: 'xdp', tc: 'tc', sched_cls: 'tc', classifier: 'tc',
};

function positiveInt(flag: string, v: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0 || n > max) throw new UsageError(`${flag}: expected a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got '${v}'`);
  return n;
}

export function parseProgTypes(text: string | undefined): FuzzProgType[] {
  if (text === undefined) return [...FUZZ_PROG_TYPES];
  const out: FuzzProgType[] = [];
  for (const part of text.split(',').map((x) => x.trim().toLowerCase())) {
    const t = TYPE_NAMES[part.replace(/^bpf_prog_type_/, '')];
    if (t === undefined) throw new UsageError(`--prog-type: the fuzzer generates ${FUZZ_PROG_TYPES.join(', ')} programs, not '${part}'`);
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

export function parseShard(text: string | undefined): { shard: number; shards: number } {
  if (text === undefined) return { shard: 0, shards: 1 };
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const i = m === null ? Number.NaN : Number(m[1]);
  const n = m === null ? Number.NaN : Number(m[2]);
  if (!(Number.isSafeInteger(i) && Number.isSafeInteger(n) && i >= 1 && n >= 1 && i <= n && n <= 0xffff)) {
    throw new UsageError(`--shard takes i/n with 1 <= i <= n (e.g. 2/4), not '${text}'`);
  }
  return { shard: i - 1, shards: n };
}

export function parseSeed(text: string | undefined): number {
  if (text === undefined) return randomBytes(4).readUInt32LE(0);
  const t = text.trim();
  const n = /^\d+$/.test(t) ? Number(t) : /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t.slice(2), 16) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--seed is a u32 (decimal or 0x hex), not '${text}'`);
  return n;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** Writes a finding's reproducer files into `dir`; returns their common path stem. */
export function saveFinding(dir: string, f: Finding): string {
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${f.kind}-${f.type}-${hex8(f.seed)}`);
  writeFileSync(`${stem}.s`, f.program);
  writeFileSync(`${stem}.data`, Buffer.from(f.input.data, 'hex'));
  const run = (i: FuzzInput) => ({ data: i.data, contents: { 'map_fd(0)': i.array, 'map_fd(1)': i.hash } });
  writeFileSync(`${stem}.input.json`, JSON.stringify({
    progType: LOAD_TYPE[f.type], kfuncs: KFUNCS[f.type],
    maps: { 'map_fd(0)': { type: 'array', keySize: 4, valueSize: 64, maxEntries: 4 }, 'map_fd(1)': { type: 'hash', keySize: 4, valueSize: 64, maxEntries: 8 } },
    nullInject: `random:${f.input.nullSeed}`,
    // the runs before the one that found it (the kernel's state carries over), then that run
    before: f.before.map(run), ...run(f.input),
  }, null, 1) + '\n');
  const seedLine = f.campaign !== undefined ? `${f.seed} (campaign seed ${f.campaign.seed}, program index ${f.campaign.index})` : `${f.seed}`;
  writeFileSync(`${stem}.seed`, seedLine + '\n');
  writeFileSync(`${stem}.json`, JSON.stringify({
    kind: f.kind, progType: LOAD_TYPE[f.type], seed: f.seed, ...(f.campaign !== undefined && { campaign: f.campaign }),
    lines: f.program.trimEnd().split('\n').length, ...(f.originalLines !== undefined && { originalLines: f.originalLines }),
    what: f.detail,
  }, null, 1) + '\n');
  return stem;
}

interface Live {
  worker: Worker;
  port: MessagePort;
  tally: Tally;
  done: boolean;
}

/** The worker thread's module next to this one (dist/src/fuzz/worker.js). */
function workerUrl(): URL {
  const url = new URL('../../fuzz/worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) throw new UsageError('--workers needs the compiled package (dist/src/fuzz/worker.js): run `npm run build`');
  return url;
}

function sum(ts: readonly Tally[]): Tally {
  const t = emptyTally();
  for (const x of ts) {
    t.programs += x.programs; t.accepted += x.accepted; t.runs += x.runs; t.findings += x.findings;
    for (const [k, v] of Object.entries(x.byKind)) t.byKind[k] = (t.byKind[k] ?? 0) + v;
  }
  return t;
}

export function fuzzCommand(io: Io, opts: FuzzOptions): number {
  if (opts.seconds !== undefined && opts.count !== undefined) throw new UsageError('give --seconds or --count, not both');
  const types = parseProgTypes(opts.progType);
  let seconds: number | undefined;
  if (opts.seconds !== undefined) {
    seconds = /^\s*\d+(\.\d+)?\s*$/.test(opts.seconds) ? Number(opts.seconds) : Number.NaN;
    if (!(seconds > 0 && seconds <= 1e7)) throw new UsageError(`--seconds: expected a positive number, got '${opts.seconds}'`);
  }
  const count = opts.count !== undefined ? positiveInt('--count', opts.count) : undefined;
  if (seconds === undefined && count === undefined) seconds = 10;
  const workers = opts.workers !== undefined ? positiveInt('--workers', opts.workers, 256) : 1;
  const runs = opts.runs !== undefined ? positiveInt('--runs', opts.runs, 1000) : 4;
  const { shard, shards } = parseShard(opts.shard);
  const seed = parseSeed(opts.seed);
  const out = opts.out ?? 'bpfvm-fuzz';
  // the kernel is checked first: a missing oracle is an error before the campaign, not after it
  const runner = opts.kernel !== undefined ? kernelRunner(parseKernelTarget(opts.kernel), opts.oracle) : undefined;

  const start = performance.now();
  const deadline = seconds !== undefined ? start + seconds * 1000 : undefined;
  const bar = progress(io, { total: count ?? Math.ceil(seconds!), label: 'fuzz', suffix: '{rate} programs/s | accepted {acc}% | findings {found}', json: opts.json });
  const show = (t: Tally) => {
    const el = (performance.now() - start) / 1000;
    bar.update(count !== undefined ? t.programs : Math.min(Math.floor(el), Math.ceil(seconds!)), {
      rate: el > 0 ? Math.round(t.programs / el) : 0, acc: t.programs > 0 ? Math.round((100 * t.accepted) / t.programs) : 0, found: t.findings,
    });
  };
  show(emptyTally());
  const found = (f: Finding) => {
    const stem = saveFinding(out, f);
    const at = Math.round((performance.now() - start) / 100) / 10;
    if (opts.json) io.out(JSON.stringify({ finding: { kind: f.kind, progType: LOAD_TYPE[f.type], seed: f.seed, at, lines: f.program.trimEnd().split('\n').length, files: `${stem}.{s,data,input.json,json,seed}` } }) + '\n');
    else io.err(`finding: ${f.kind} (${LOAD_TYPE[f.type]}, seed ${f.seed}) saved as ${stem}.s\n`);
  };

  let total: Tally;
  const base: Omit<Slice, 'worker' | 'workers'> = { seed, shard, shards };
  const loop = { types, runs, ...(count !== undefined && { count }) };
  if (workers === 1) {
    total = runSlice({ ...base, worker: 0, workers: 1 }, { ...loop, ...(deadline !== undefined && { deadline }), onProgress: show, onFinding: found });
  } else {
    const url = workerUrl();
    const deadlineEpoch = seconds !== undefined ? Date.now() + seconds * 1000 : undefined;
    const live: Live[] = [];
    for (let w = 0; w < workers; w++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(url, {
        workerData: { slice: { ...base, worker: w, workers }, opts: { ...loop, ...(deadlineEpoch !== undefined && { deadlineEpoch }) }, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      live.push({ worker, port: port1, tally: emptyTally(), done: false });
    }
    // The command is synchronous (main returns its exit code): poll the ports, sleeping between polls.
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    let failure: string | undefined;
    while (live.some((l) => !l.done)) {
      let got = false;
      for (const l of live) {
        for (let m = receiveMessageOnPort(l.port); m !== undefined; m = receiveMessageOnPort(l.port)) {
          got = true;
          const msg = m.message as WorkerMessage;
          if (msg.type === 'finding') found(msg.finding);
          else if (msg.type === 'progress') l.tally = msg.tally;
          else if (msg.type === 'done') { l.tally = msg.tally; l.done = true; }
          else { failure = msg.message; l.done = true; }
        }
      }
      show(sum(live.map((l) => l.tally)));
      if (!got) Atomics.wait(sleeper, 0, 0, 50);
    }
    for (const l of live) { l.port.close(); void l.worker.terminate(); }
    if (failure !== undefined) throw new Error(`a fuzz worker failed: ${failure}`);
    total = sum(live.map((l) => l.tally));
  }
  bar.stop();
  let kernel: KernelTally | undefined;
  if (runner !== undefined) {
    // the shard's first programs (all of them with --count; with --workers and --seconds the same number)
    const kbar = progress(io, { total: total.programs, label: `fuzz ${targetName(runner.target)}`, json: opts.json });
    kernel = kernelCampaign(runner, base, types, total.programs, opts.batch ?? 2000, out, (stem, b, k) => {
      if (opts.json) io.out(JSON.stringify({ finding: { kind: 'verdict-mismatch', bpfvm: b, kernel: k, files: `${stem}.{s,input.json,json}` } }) + '\n');
      else io.err(`finding: verdict-mismatch (bpfvm ${b.verdict}, kernel ${k.verdict}${k.message ? `: ${k.message}` : ''}) saved as ${stem}.s\n`);
    }, (done) => kbar.update(done));
    kbar.stop();
    total.findings += kernel.mismatches;
    if (kernel.mismatches > 0) total.byKind['verdict-mismatch'] = kernel.mismatches;
  }
  const elapsed = Math.round((performance.now() - start) / 10) / 100;
  const summary = { programs: total.programs, accepted: total.accepted, runs: total.runs, findings: total.findings, byKind: total.byKind, seconds: elapsed, seed, ...(kernel !== undefined && { kernel: { target: targetName(runner!.target), ...kernel } }) };
  if (opts.json) io.out(JSON.stringify(summary) + '\n');
  else {
    const pct = total.programs > 0 ? ((100 * total.accepted) / total.programs).toFixed(1) : '0';
    io.out(`${total.programs} programs (${pct}% accepted), ${total.runs} runs, ${total.findings} findings in ${elapsed} s (seed ${seed}${shards > 1 ? `, shard ${shard + 1}/${shards}` : ''})\n`);
    for (const [k, v] of Object.entries(total.byKind)) io.out(`  ${k}: ${v}\n`);
    if (kernel !== undefined) {
      const nc = Object.entries(kernel.notComparable).map(([k, v]) => `${v} ${k}`).join(', ');
      io.out(`kernel ${targetName(runner!.target)}${kernel.release ? ` (${kernel.release})` : ''}: ${kernel.programs} programs in ${kernel.kernelSeconds} s (${kernel.kernelSeconds > 0 ? Math.round(kernel.programs / kernel.kernelSeconds) : 0} programs/s); verdicts agree ${kernel.agree}/${kernel.comparable}${nc ? `; not comparable: ${nc}` : ''}\n`);
      for (const [k, v] of Object.entries(kernel.byClass)) io.out(`  ${v}  ${k}\n`);
    }
    if (total.findings > 0) io.out(`reproducers in ${out}\n`);
  }
  return total.findings > 0 ? EXIT.REJECTED : EXIT.OK;
}
