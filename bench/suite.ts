/**
 * The benchmark suite: four programs as real BPF bytecode, each with its input and a plain-JavaScript
 * baseline doing the same work. Every tier's time is reported per executed BPF instruction, and the
 * baseline is reported per the same instruction count, so ratios in one run compare like with like.
 */
import { createRequire } from 'node:module';
import type BenchmarkType from 'benchmark';
import { BpfError } from '../src/errors.js';
import { assemble } from '../src/asm/index.js';
import { Interpreter } from '../vm/interpreter.js';
import { WasmEngine, wasmEngine } from '../vm/wasm/tier.js';
import { Image } from '../vm/image.js';
import { Machine, type MachineOptions } from '../vm/machine.js';
import { makeInsn, type Insn } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';
import * as programs from './programs.js';
import { median } from './paths.js';
import type { NativeRunner } from './native.js';
import { TYPED_WORKLOAD } from './typed.js';

export interface BenchProgram {
  name: string;
  source: string;
  /** Fresh input memory for one run (r1 points to it, r2 holds its length). */
  input(): Uint8Array | undefined;
  /** The same computation in plain JavaScript; returns the expected r0. */
  baseline(mem: Uint8Array | undefined): bigint;
}

const MASK64 = (1n << 64n) - 1n;

/** 64 KiB of deterministic bytes. */
function bytes64k(): Uint8Array {
  const b = new Uint8Array(64 * 1024);
  let x = 0x12345678;
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export const PROGRAMS: readonly BenchProgram[] = [
  {
    name: 'sum-squares',
    source: programs.sumSquares,
    input: () => undefined,
    baseline: () => {
      // 64-bit wrap-around arithmetic on two 32-bit halves would be the fair JS idiom; BigUint64Array
      // keeps it simple and exact.
      const acc = new BigUint64Array(1);
      for (let i = 0n; i < 10_000_000n; i++) acc[0] = acc[0]! + i * i;
      return acc[0]!;
    },
  },
  {
    name: 'fnv1a',
    source: programs.fnv1a,
    input: bytes64k,
    baseline: (mem) => {
      const data = mem!;
      let out = 0n;
      for (let r = 0; r < 100; r++) {
        // FNV-1a on 32-bit halves: h ^= b; h *= 2^40 + 0x1b3 (mod 2^64).
        let lo = 0x84222325, hi = 0xcbf29ce4;
        for (let i = 0; i < data.length; i++) {
          lo = (lo ^ data[i]!) >>> 0;
          const p = lo * 0x1b3; // < 2^41: exact
          hi = (Math.imul(hi, 0x1b3) + Math.floor(p / 4294967296) + (lo << 8)) >>> 0;
          lo = p >>> 0;
        }
        out ^= (BigInt(hi) << 32n) | BigInt(lo);
      }
      return out;
    },
  },
  {
    name: 'byte-sum',
    source: programs.byteSum,
    input: bytes64k,
    baseline: (mem) => {
      let s = 0;
      for (let r = 0; r < 100; r++) for (let i = 0; i < mem!.length; i++) s += mem![i]!;
      return BigInt(s);
    },
  },
  {
    name: 'insertion-sort',
    source: programs.insertionSort,
    input: () => new Uint8Array(8000),
    baseline: () => {
      const a = new BigUint64Array(1000);
      let x = 12345n;
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 1000; i++) {
          x = (x * 1103515245n + 12345n) & MASK64;
          a[i] = x;
        }
        for (let i = 1; i < 1000; i++) {
          const key = a[i]!;
          let j = i;
          while (j > 0 && a[j - 1]! > key) {
            a[j] = a[j - 1]!;
            j--;
          }
          a[j] = key;
        }
      }
      return a[0]!;
    },
  },
];

export interface BenchResult {
  name: string;
  tier: string;
  /** BPF instructions executed by one run. */
  insns: number;
  /** Mean time per run divided by `insns`. */
  nsPerInsn: number;
  /** Millions of BPF instructions per second. */
  mips: number;
  /** Relative margin of error of the mean (percent), as the benchmark package reports it. */
  rme: number;
  samples: number;
  /** The native row's result, the r0 its C program computed (checked equal to the BPF program's). */
  result?: bigint;
}

/** A runnable tier: builds a runner for one program. */
export interface Tier {
  name: string;
  prepare(p: BenchProgram): () => { r0: bigint | null; insns: number };
}

export const INTERP_TIER: Tier = {
  name: 'interp',
  prepare(p) {
    const vm = new Interpreter(assemble(p.source), { budget: 1e9 });
    return () => {
      const r = vm.run({ mem: p.input() });
      if (r.violations.length > 0) throw new Error(`${p.name}: ${r.violations[0]!.message}`);
      return { r0: r.r0, insns: r.insns };
    };
  },
};

/** The wasm tier: the same bytecode compiled to WebAssembly (vm/wasm), every memory check kept. */
export const WASM_TIER: Tier = {
  name: 'wasm',
  prepare(p) {
    const vm = new Interpreter(assemble(p.source), { budget: 1e9 });
    vm.machine.engine = wasmEngine;
    return () => {
      const r = vm.run({ mem: p.input() });
      if (vm.machine.lastTier !== 'wasm') throw new Error(`${p.name}: the wasm tier did not run it`);
      if (r.violations.length > 0) throw new Error(`${p.name}: ${r.violations[0]!.message}`);
      return { r0: r.r0, insns: r.insns };
    };
  },
};

export interface SuiteOptions {
  tiers?: readonly Tier[];
  /** Only these programs. */
  only?: readonly string[];
  /** Seconds the benchmark package may spend per measurement (default 2). */
  maxTime?: number;
  /** Also time the plain-JavaScript baseline (tier "js"). */
  baseline?: boolean;
  /** Also run the C programs of bench/native/ (tier "native"), compiled with gcc -O2. */
  native?: NativeRunner;
  onResult?: (r: BenchResult) => void;
}

/** The bench's workloads: the four bytecode programs, then the typed XDP program (run through Program.run). */
export const WORKLOAD_NAMES: readonly string[] = [...PROGRAMS.map((p) => p.name), TYPED_WORKLOAD.name];

/**
 * benchmark.js, loaded when a measurement starts: it serves `bpfvm bench` alone, so it is a development
 * dependency, and an installation without it says what to install.
 */
function loadBenchmark(): typeof BenchmarkType {
  try {
    return createRequire(import.meta.url)('benchmark') as typeof BenchmarkType;
  } catch {
    throw new BpfError('usage', 'bpfvm bench measures with the benchmark package, which is not installed: run `npm install benchmark` (it is a development dependency of bpfvm)');
  }
}

type Runner = () => { r0: bigint | null; insns: number };

/** One workload as the suite measures it: its expected r0, a runner per tier, its baseline (if any). */
interface Entry {
  name: string;
  expected: bigint;
  runners: { tier: string; run: Runner }[];
  baseline?: () => void;
}

/**
 * Run the suite. Each tier's r0 is checked against the baseline's before timing, so a fast wrong answer
 * never counts; so is the native program's.
 */
export function runSuite(opts: SuiteOptions = {}): BenchResult[] {
  const Benchmark = loadBenchmark();
  const tiers = opts.tiers ?? [INTERP_TIER];
  const results: BenchResult[] = [];
  const wanted = (name: string): boolean => opts.only === undefined || opts.only.includes(name);
  const entries: (() => Entry)[] = [];
  for (const p of PROGRAMS) {
    if (!wanted(p.name)) continue;
    entries.push(() => ({
      name: p.name, expected: p.baseline(p.input()), runners: tiers.map((t) => ({ tier: t.name, run: t.prepare(p) })),
      baseline: () => void p.baseline(p.input()),
    }));
  }
  if (wanted(TYPED_WORKLOAD.name)) {
    entries.push(() => ({
      name: TYPED_WORKLOAD.name, expected: TYPED_WORKLOAD.expected,
      runners: tiers.filter((t) => t.name === 'interp' || t.name === 'wasm').map((t) => ({ tier: t.name, run: TYPED_WORKLOAD.prepare(t.name as 'interp' | 'wasm') })),
    }));
  }
  for (const make of entries) {
    const e = make();
    let insns = 0;
    const cases: { tier: string; fn: () => void }[] = [];
    for (const { tier, run } of e.runners) {
      const first = run();
      if (first.r0 !== e.expected) throw new Error(`${e.name} (${tier}): r0 = ${first.r0}, expected ${e.expected}`);
      insns = first.insns;
      cases.push({ tier, fn: () => void run() });
    }
    if ((opts.baseline ?? true) && e.baseline !== undefined) cases.push({ tier: 'js', fn: e.baseline });
    for (const c of cases) {
      const b = new Benchmark(`${e.name}/${c.tier}`, c.fn, { maxTime: opts.maxTime ?? 2, minSamples: 5 });
      b.run({ async: false });
      const mean = b.stats.mean; // seconds per run
      const r: BenchResult = {
        name: e.name, tier: c.tier, insns, nsPerInsn: (mean * 1e9) / insns, mips: insns / mean / 1e6,
        rme: b.stats.rme, samples: b.stats.sample.length,
      };
      results.push(r);
      opts.onResult?.(r);
    }
    if (opts.native?.has(e.name) === true && insns > 0) {
      // the C program: its result must be the BPF program's; it times its own runs (no process start)
      const n = opts.native.run(e.name, opts.maxTime ?? 2);
      if (n.result !== e.expected) throw new Error(`${e.name} (native): result ${n.result}, expected ${e.expected}`);
      const r: BenchResult = {
        name: e.name, tier: 'native', insns, nsPerInsn: n.nsPerRun / insns, mips: insns / n.nsPerRun * 1e3, rme: 0, samples: n.runs,
        result: n.result,
      };
      results.push(r);
      opts.onResult?.(r);
    }
  }
  return results;
}

export function geomean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** What the wasm tier costs besides running: compiling, and calling out to a helper. */
export interface WasmCosts {
  /** Instructions of the compiled program, and the time to compile and instantiate it (median of 5). */
  compileInsns: number;
  compileMs: number;
  moduleBytes: number;
  /** The interpreter's time for 10^6 instructions of sum-squares, in the same run. */
  interpMsPer1e6: number;
  /** A helper call from compiled code, and an interpreted instruction, in nanoseconds. */
  wasmHelperCallNs: number;
  interpNsPerInsn: number;
}

/** A 4,096-instruction program: stack stores and loads, arithmetic and forward branches, in blocks of 8. */
export function bigProgram(n = 4096): Insn[] {
  const out: Insn[] = [makeInsn(Op.MOV64_K, { dst: 0, imm: 0 }), makeInsn(Op.MOV64_K, { dst: 1, imm: 1 })];
  while (out.length < n - 8) {
    const k = out.length;
    out.push(
      makeInsn(Op.ADD64_X, { dst: 0, src: 1 }),
      makeInsn(Op.MUL64_K, { dst: 1, imm: 3 + (k & 7) }),
      makeInsn(Op.STXDW, { dst: 10, src: 0, off: -8 * (1 + (k & 31)) }),
      makeInsn(Op.JGT_K, { dst: 1, imm: k, off: 2 }),
      makeInsn(Op.XOR64_X, { dst: 0, src: 1 }),
      makeInsn(Op.RSH64_K, { dst: 1, imm: 1 }),
      makeInsn(Op.LDXDW, { dst: 2, src: 10, off: -8 * (1 + (k & 31)) }),
      makeInsn(Op.ADD64_X, { dst: 0, src: 2 }),
    );
  }
  while (out.length < n - 1) out.push(makeInsn(Op.ADD64_K, { dst: 0, imm: 1 }));
  out.push(makeInsn(Op.EXIT));
  return out;
}

export function measureWasmCosts(): WasmCosts {
  const big = new Image(bigProgram());
  const times: number[] = [];
  let moduleBytes = 0;
  for (let i = 0; i < 5; i++) {
    const engine = new WasmEngine();
    const m = new Machine();
    m.engine = engine;
    const t0 = performance.now();
    m.run(big); // compiles, instantiates and runs (4,096 instructions at most: negligible)
    times.push(performance.now() - t0);
    moduleBytes = engine.compiled(big)!.info.moduleBytes;
  }
  // the interpreter on 10^6 instructions of sum-squares (its budget stops it there)
  const sq = new Image(assemble(programs.sumSquares));
  const im = new Machine({ budget: 1_000_000 });
  const it: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    im.run(sq);
    it.push(performance.now() - t0);
  }
  // helper calls: a loop of 10^5 calls of a helper returning its argument
  const calls = new Image(assemble(`
    r6 = 0
    r7 = 0
l:  r1 = r6
    call 1
    r7 += r0
    r6 += 1
    if r6 < 100000 goto l
    r0 = r7
    exit`));
  const helpers = new Map([[1, (_c: unknown, r1: bigint) => r1]]) as MachineOptions['helpers'];
  const wm = new Machine({ helpers, budget: 1e9 });
  wm.engine = wasmEngine;
  const ct: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    wm.run(calls);
    ct.push(performance.now() - t0);
  }
  const interpMs = median(it);
  return {
    compileInsns: big.length, compileMs: median(times), moduleBytes, interpMsPer1e6: interpMs,
    wasmHelperCallNs: (median(ct) * 1e6) / 100000, interpNsPerInsn: (interpMs * 1e6) / 1e6,
  };
}
