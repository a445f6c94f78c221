/**
 * One fuzzing step and a campaign loop: a generated program (src/fuzz/generate.ts) is verified as Linux 6.1
 * would; an accepted one runs on random packets and map contents with state checks (every executed
 * instruction's registers and stack inside a state the verifier recorded) and random NULL injection. A
 * finding is an accepted program that then hits a run-time violation (`violation`) or leaves the
 * verifier's states (`escape`), or bpfvm itself throwing something other than a BpfError (`crash`) or
 * taking longer than the hang limit (`hang`). Findings are minimized (delta debugging over the program's
 * lines, then over the input) keeping their kind.
 *
 * Seeds: program `index` of a campaign seeded S has seed mix32(S + index) (a bijection, so distinct
 * indices never share a seed); everything about it (type, text, inputs, NULL injection) follows from that.
 */
import { assemble } from '../asm/assemble.js';
import { loadProgram, type Program } from '../api/collection.js';
import { BpfError } from '../errors.js';
import { Kernel } from '../../kernel-sim/kernel.js';
import { createMap, type BpfMap } from '../../kernel-sim/maps/index.js';
import { generateProgram, KFUNCS, LOAD_TYPE, VALUE_SIZE, type FuzzProgType } from './generate.js';
import { programSeed, Rng } from './rng.js';

export type FindingKind = 'violation' | 'escape' | 'crash' | 'hang';
export const FINDING_KINDS: readonly FindingKind[] = ['violation', 'escape', 'crash', 'hang'];

/** What one run is given: the packet and the maps' contents (hex), and the NULL injection seed. */
export interface FuzzInput {
  data: string;
  /** Values of the array map's 4 entries. */
  array: string[];
  /** Elements of the hash map: [key (u32), value]. */
  hash: [number, string][];
  nullSeed: number;
}

export interface Finding {
  kind: FindingKind;
  type: FuzzProgType;
  /** The program's seed (its campaign's seed and index are in `campaign`). */
  seed: number;
  campaign?: { seed: number; index: number };
  program: string;
  /** The input of the run that found it. */
  input: FuzzInput;
  /**
   * The runs before it, in order (the kernel's state carries over between runs: bpf_get_prandom_u32,
   * NULL injection, map contents a run wrote): a reproduction runs these first, then `input`.
   */
  before: FuzzInput[];
  /** What happened: the violation, the escapes, or the error. */
  detail: Record<string, unknown>;
  /** Lines of the program before minimizing. */
  originalLines?: number;
}

export interface StepResult {
  accepted: boolean;
  runs: number;
  finding?: Finding;
}

export interface StepOptions {
  /** Inputs each accepted program runs on. */
  runs?: number;
  /** Instruction budget of a run. */
  budget?: number;
  /** A step (verification and runs) slower than this is a `hang` (ms). */
  hangMs?: number;
  /** Minimize findings (delta debugging); on by default. */
  minimize?: boolean;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** A random input: a packet of 14…160 bytes (sometimes tiny values in it, to reach small bounds), map contents. */
export function randomInput(rng: Rng, nullSeed: number): FuzzInput {
  const len = 14 + rng.next(rng.chance(3) ? 20 : 147);
  const data = rng.bytes(len);
  if (rng.chance(2)) for (let i = 0; i < len; i++) if (rng.chance(2)) data[i] = rng.next(64);
  // map values: random bytes, or 8-byte words holding small numbers at the edges of the value's size
  const EDGES = [0, 1, 7, 8, 15, 16, 31, 32, 56, 57, 59, 60, 61, 62, 63, 64, 65];
  const value = (): string => {
    const v = rng.bytes(VALUE_SIZE);
    if (rng.chance(3)) return hex(v);
    for (let w = 0; w < VALUE_SIZE; w += 8) {
      if (rng.chance(3)) continue;
      v.fill(0, w, w + 8);
      v[w] = rng.chance(2) ? rng.pick(EDGES) : rng.next(VALUE_SIZE + 2);
      if (rng.chance(8)) v.fill(0xff, w, w + 8); // -1
    }
    return hex(v);
  };
  const array = [value(), value(), value(), value()];
  const hash: [number, string][] = [];
  for (let k = 0; k < 6; k++) if (rng.chance(2)) hash.push([k, value()]);
  return { data: hex(data), array, hash, nullSeed };
}

interface Outcome {
  accepted: boolean;
  runs: number;
  kind?: FindingKind;
  detail?: Record<string, unknown>;
  /** The index of the input whose run found it. */
  at?: number;
}

const keyOf = (k: number) => new Uint8Array([k & 0xff, (k >> 8) & 0xff, (k >> 16) & 0xff, (k >>> 24) & 0xff]);

function makeMaps(kernel: Kernel): BpfMap[] {
  const arr = createMap(kernel.maps, { type: 'array', name: 'arr', keySize: 4, valueSize: VALUE_SIZE, maxEntries: 4 });
  const hash = createMap(kernel.maps, { type: 'hash', name: 'hash', keySize: 4, valueSize: VALUE_SIZE, maxEntries: 8 });
  return [arr, hash];
}

/** The maps hold exactly the input's contents (what an earlier run wrote is gone). */
function fillMaps(maps: readonly BpfMap[], input: FuzzInput): void {
  const [arr, hash] = maps as [BpfMap, BpfMap];
  for (let k = 0; k < 4; k++) arr.updateSys(keyOf(k), input.array[k] !== undefined ? bytes(input.array[k]!) : new Uint8Array(VALUE_SIZE));
  for (let k = 0; k < 8; k++) hash.deleteSys(keyOf(k));
  for (const [k, v] of input.hash) hash.updateSys(keyOf(k), bytes(v));
}

function errorDetail(e: unknown, during: string): Record<string, unknown> {
  const name = e instanceof Error ? e.constructor.name : typeof e;
  const where = e instanceof Error ? (e.stack ?? '').split('\n').find((l) => /\/(src|vm|kernel-sim)\//.test(l))?.trim() : undefined;
  return { during, error: name, message: e instanceof Error ? e.message : String(e), ...(where !== undefined && { where }) };
}

/**
 * Verifies `text` as a `type` program and, if accepted, runs it on each input. Never throws: assembler
 * errors and rejections are plain outcomes, anything else bpfvm throws is a crash.
 */
export function evaluate(type: FuzzProgType, text: string, inputs: readonly FuzzInput[], opts: StepOptions = {}): Outcome & { input?: FuzzInput } {
  const t0 = performance.now();
  const hangMs = opts.hangMs ?? 20_000;
  let p: Program;
  let maps: BpfMap[];
  try {
    const insns = assemble(text);
    const kernel = new Kernel();
    maps = makeMaps(kernel);
    const nullSeed = inputs[0]?.nullSeed ?? 0;
    p = loadProgram(insns, LOAD_TYPE[type], { kernel, maps, kfuncNames: KFUNCS[type], budget: opts.budget ?? 100_000, timeLimit: hangMs, nullInject: { seed: nullSeed } });
    const v = p.verify({ logLevel: 0, recordStates: true });
    if (v.verdict !== 'accepted') return { accepted: false, runs: 0 };
  } catch (e) {
    if (e instanceof BpfError) return { accepted: false, runs: 0 };
    return { accepted: false, runs: 0, kind: 'crash', detail: errorDetail(e, 'verify') };
  }
  if (performance.now() - t0 > hangMs) return { accepted: true, runs: 0, kind: 'hang', detail: { during: 'verify', ms: Math.round(performance.now() - t0) } };
  let runs = 0;
  for (const input of inputs) {
    const t1 = performance.now();
    try {
      fillMaps(maps, input);
      const r = p.run({ data: bytes(input.data), checkStates: true });
      runs++;
      if (r.violations.length > 0) return { accepted: true, runs, at: runs - 1, kind: 'violation', input, detail: { violations: r.violations, retval: r.retval } };
      if (r.escapes !== undefined && r.escapes.length > 0) return { accepted: true, runs, at: runs - 1, kind: 'escape', input, detail: { escapes: r.escapes, retval: r.retval } };
    } catch (e) {
      runs++;
      // a test run's refusal (an errno answer) is the kernel's, not a finding
      if (e instanceof BpfError) continue;
      return { accepted: true, runs, at: runs - 1, kind: 'crash', input, detail: errorDetail(e, 'run') };
    }
    if (performance.now() - t1 > hangMs) return { accepted: true, runs, at: runs - 1, kind: 'hang', input, detail: { during: 'run', ms: Math.round(performance.now() - t1) } };
  }
  return { accepted: true, runs };
}

/** Lines kept by ddmin (Zeller's delta debugging over the complement of each chunk), at most `maxTests` tests. */
export function ddmin<T>(items: readonly T[], keeps: (xs: readonly T[]) => boolean, maxTests = 800): T[] {
  let cur = [...items];
  let n = 2;
  let tests = 0;
  while (cur.length >= 2 && tests < maxTests) {
    const chunk = Math.ceil(cur.length / n);
    let reduced = false;
    for (let start = 0; start < cur.length && tests < maxTests; start += chunk) {
      const rest = [...cur.slice(0, start), ...cur.slice(start + chunk)];
      tests++;
      if (rest.length > 0 && keeps(rest)) {
        cur = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return cur;
}

/** The same kind of finding (a crash: the same error class; a violation: the same violation kind). */
function sameFinding(f: Finding, o: Outcome): boolean {
  if (o.kind !== f.kind) return false;
  if (f.kind === 'crash') return o.detail?.error === f.detail.error;
  if (f.kind === 'violation') {
    const k = (d: Record<string, unknown> | undefined) => (d?.violations as { kind: string }[] | undefined)?.[0]?.kind;
    return k(o.detail) === k(f.detail);
  }
  return true;
}

/** Minimizes a finding: its program's lines, then its packet (shorter, then zeroed bytes); the kind is kept. */
export function minimize(f: Finding, opts: StepOptions = {}): Finding {
  const o = { ...opts, minimize: false };
  const lines = f.program.trimEnd().split('\n');
  let input = f.input;
  const keepsText = (xs: readonly string[]) => sameFinding(f, evaluate(f.type, xs.join('\n') + '\n', [...f.before, input], o));
  const kept = ddmin(lines, keepsText);
  const program = kept.join('\n') + '\n';
  const keepsInput = (i: FuzzInput) => sameFinding(f, evaluate(f.type, program, [...f.before, i], o));
  // the packet: shorter while the finding stays, then bytes zeroed chunk by chunk
  let data = input.data;
  for (let len = 14; len * 2 < data.length; ) {
    const cand = { ...input, data: data.slice(0, len * 2) };
    if (keepsInput(cand)) { data = cand.data; input = cand; break; }
    len = Math.min(data.length / 2, len * 2);
  }
  for (let chunk = 8; chunk >= 1; chunk = chunk >> 1) {
    for (let i = 0; i < data.length / 2; i += chunk) {
      const b = bytes(data);
      if (b.subarray(i, i + chunk).every((x) => x === 0)) continue;
      b.fill(0, i, i + chunk);
      const cand = { ...input, data: hex(b) };
      if (keepsInput(cand)) { data = cand.data; input = cand; }
    }
  }
  const last = evaluate(f.type, program, [...f.before, input], o);
  return { ...f, program, input, detail: last.detail ?? f.detail, originalLines: lines.length };
}

/** The program of a seed: its type (of `types`) and text; `rng` continues to its inputs. */
export function programOf(types: readonly FuzzProgType[], seed: number): { type: FuzzProgType; program: string; rng: Rng } {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const type = types[rng.next(types.length)]!;
  return { type, program: generateProgram(type, seed), rng };
}

/** One program of a campaign: generated from its seed, verified, run; a finding minimized. */
export function fuzzOne(types: readonly FuzzProgType[], seed: number, opts: StepOptions = {}): StepResult {
  const { type, program, rng } = programOf(types, seed);
  const inputs = Array.from({ length: opts.runs ?? 4 }, () => randomInput(rng, seed));
  const o = evaluate(type, program, inputs, opts);
  if (o.kind === undefined) return { accepted: o.accepted, runs: o.runs };
  const at = o.at ?? 0;
  let finding: Finding = { kind: o.kind, type, seed, program, input: o.input ?? inputs[0]!, before: inputs.slice(0, at), detail: o.detail ?? {} };
  if (opts.minimize !== false && o.kind !== 'hang') finding = minimize(finding, opts);
  return { accepted: o.accepted, runs: o.runs, finding };
}

export interface Slice {
  /** The campaign seed. */
  seed: number;
  /** Shard i of n (0-based i here): this shard's program indices are i, i + n, i + 2n, … */
  shard: number;
  shards: number;
  /** Worker w of k within the shard: the shard's j-th index goes to worker j mod k. */
  worker: number;
  workers: number;
}

/** The campaign index of the shard's `j`-th program. */
export function campaignIndex(s: Slice, j: number): number {
  return s.shard + s.shards * j;
}

export interface Tally {
  programs: number;
  accepted: number;
  runs: number;
  findings: number;
  byKind: Record<string, number>;
}

export function emptyTally(): Tally {
  return { programs: 0, accepted: 0, runs: 0, findings: 0, byKind: {} };
}

export interface LoopOptions extends StepOptions {
  types: readonly FuzzProgType[];
  /** Programs of the shard (all workers together), or until the deadline (performance.now() ms). */
  count?: number;
  deadline?: number;
  /** Called every ~100 ms with the tally so far. */
  onProgress?: (t: Tally) => void;
  onFinding?: (f: Finding) => void;
}

/** Runs one worker's share of a shard; returns its tally. */
export function runSlice(s: Slice, opts: LoopOptions): Tally {
  const t = emptyTally();
  let lastReport = performance.now();
  for (let j = s.worker; ; j += s.workers) {
    if (opts.count !== undefined && j >= opts.count) break;
    if (opts.deadline !== undefined && performance.now() >= opts.deadline) break;
    const index = campaignIndex(s, j);
    const seed = programSeed(s.seed, index);
    const r = fuzzOne(opts.types, seed, opts);
    t.programs++;
    if (r.accepted) t.accepted++;
    t.runs += r.runs;
    if (r.finding !== undefined) {
      t.findings++;
      t.byKind[r.finding.kind] = (t.byKind[r.finding.kind] ?? 0) + 1;
      opts.onFinding?.({ ...r.finding, campaign: { seed: s.seed, index } });
    }
    const now = performance.now();
    if (now - lastReport > 100) {
      lastReport = now;
      opts.onProgress?.(t);
    }
  }
  opts.onProgress?.(t);
  return t;
}
