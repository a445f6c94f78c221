/**
 * The wasm tier's differential test: random programs (valid and faulting accesses to the stack, the input
 * memory and helper-made regions held in the tier's dynamic cache entries, every row of the opcode table —
 * ALU, JMP, LD, ST, atomics —, helper calls that write memory, stop the run or run a callback, budget ends,
 * raw instruction streams) run in the interpreter and in the wasm tier (structured, and through the dispatch
 * loop for every fourth): r0, registers, instruction counts, violations, warnings and every region's bytes
 * after the run must be equal. The test suite runs a fixed-seed slice; `node dist/bench/wasm-diff.js N [seed]`
 * runs N programs (scripts/wasm-diff.mjs; a third argument starts at that case, to split a run).
 */
import fc from 'fast-check';
import { decode, makeInsn, makeLddw, type Insn } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';
import { PERM_R, PERM_RW, type AddressSpace, type Region } from '../vm/address-space.js';
import { Image } from '../vm/image.js';
import { Machine, type HelperFn, type RunResult } from '../vm/machine.js';
import { WasmEngine } from '../vm/wasm/tier.js';
import { anyInsn, rawProgram } from './fuzz/insns.js';

/** Per address space: a 32-byte region A, a region B over A's bytes 8..24 (aliasing), a read-only 48-byte region C. */
const extra = new WeakMap<AddressSpace, { a: Region; b: Region; c: Region }>();
function regionsOf(space: AddressSpace): { a: Region; b: Region; c: Region } {
  let x = extra.get(space);
  if (x === undefined) {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 5 + 1);
    const a = space.map('map-value', bytes, PERM_RW, 'value A');
    const b = space.map('map-value', bytes.subarray(8, 24), PERM_RW, 'value B');
    const c = space.map('map-value', Uint8Array.from({ length: 48 }, (_, i) => 255 - i), PERM_R, 'value C');
    x = { a, b, c };
    extra.set(space, x);
  }
  return x;
}

/** Helpers: plain, writing memory through the space, stopping the run, running a callback, handing out regions. */
export const DIFF_HELPERS: ReadonlyMap<number, HelperFn> = new Map<number, HelperFn>([
  [1, (_c, r1, r2) => BigInt.asUintN(64, r1 * 3n + r2)],
  [2, (c, r1, r2) => {
    c.space.write(r1, 8, r2);
    return 0n;
  }],
  [3, (c, r1) => {
    if ((r1 & 1n) === 0n) c.stop(r1);
    return 1n;
  }],
  [4, (c, r1, r2) => c.callback(r1, [r2])],
  [5, (c, r1) => regionsOf(c.space).a.base + (r1 & 7n)],
  [6, (c) => regionsOf(c.space).b.base],
  [7, (c, r1) => regionsOf(c.space).c.base + (r1 & 15n)],
]);

const R = fc.integer({ min: 0, max: 9 });
const small = fc.integer({ min: -12, max: 12 });
/** Instructions that reach memory, loops and calls more often than uniform ones do. */
const targeted: fc.Arbitrary<readonly Insn[]> = fc.oneof(
  fc.tuple(R, fc.integer({ min: -3, max: 40 })).map(([d, imm]) => [makeInsn(Op.MOV64_K, { dst: d, imm })]),
  fc.tuple(R, R).map(([d, s]) => [makeInsn(Op.MOV64_X, { dst: d, src: s })]),
  fc.tuple(fc.constantFrom(Op.ADD64_X, Op.SUB64_X, Op.MUL64_X, Op.DIV64_X, Op.MOD64_X, Op.SDIV64_X, Op.SMOD64_X, Op.DIV32_X, Op.SDIV32_X,
    Op.SMOD32_X, Op.MOD32_X, Op.LSH64_X, Op.ARSH32_X, Op.RSH64_X, Op.XOR32_X), R, R).map(([c, d, s]) => [makeInsn(c, { dst: d, src: s })]),
  fc.tuple(fc.constantFrom(Op.LDXB, Op.LDXH, Op.LDXW, Op.LDXDW, Op.LDXSB, Op.LDXSH, Op.LDXSW), R, fc.constantFrom(0, 1, 10), fc.integer({ min: -520, max: 70 }))
    .map(([c, d, s, off]) => [makeInsn(c, { dst: d, src: s, off })]),
  fc.tuple(fc.constantFrom(Op.LDXB, Op.LDXW, Op.LDXDW, Op.STXDW, Op.STXW, Op.STB), R, fc.integer({ min: -2, max: 50 }), small)
    .map(([c, s, off, imm]) => (c === Op.STXDW || c === Op.STXW || c === Op.STB ? [makeInsn(c, { dst: 0, src: s, off, imm })] : [makeInsn(c, { dst: s, src: 0, off })])),
  fc.tuple(fc.constantFrom(Op.STXB, Op.STXH, Op.STXW, Op.STXDW, Op.STW, Op.STDW), fc.constantFrom(1, 10, 2), R, fc.integer({ min: -520, max: 70 }), small)
    .map(([c, d, s, off, imm]) => [makeInsn(c, { dst: d, src: s, off, imm })]),
  fc.tuple(fc.constantFrom(Op.ATOMIC_ADD_DW, Op.ATOMIC_FADD_W, Op.ATOMIC_XCHG_DW, Op.ATOMIC_CMPXCHG_W), fc.constantFrom(0, 1, 10), R, fc.integer({ min: -16, max: 16 }).map((x) => x * 8))
    .map(([c, d, s, off]) => [makeInsn(c, { dst: d, src: s, off })]),
  fc.tuple(fc.constantFrom(Op.JEQ_K, Op.JNE_K, Op.JGT_K, Op.JSLT_K, Op.JSET_K, Op.JLE32_K, Op.JSGE32_K), R, small, small)
    .map(([c, d, off, imm]) => [makeInsn(c, { dst: d, off, imm })]),
  fc.tuple(fc.constantFrom(Op.JGT_X, Op.JSLE_X, Op.JNE32_X), R, R, small).map(([c, d, s, off]) => [makeInsn(c, { dst: d, src: s, off })]),
  small.map((off) => [makeInsn(Op.JA, { off })]),
  fc.integer({ min: 1, max: 7 }).map((imm) => [makeInsn(Op.CALL, { imm })]),
  fc.tuple(R, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([d, v]) => makeLddw(d, v)),
  fc.constant([makeInsn(Op.EXIT)] as readonly Insn[]),
);

/** A random program: mostly targeted instructions, some of any row of the opcode table; an exit at the end. */
export const diffProgram: fc.Arbitrary<Insn[]> = fc.array(fc.oneof({ weight: 2, arbitrary: anyInsn }, { weight: 5, arbitrary: targeted }), { minLength: 1, maxLength: 40 })
  .map((xs) => [...xs.flat(), makeInsn(Op.EXIT)]);

/** One case: a program (or raw stream) and its input memory. */
export const diffCase: fc.Arbitrary<{ insns: Insn[]; mem: Uint8Array }> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(diffProgram, fc.uint8Array({ minLength: 0, maxLength: 64 })).map(([insns, mem]) => ({ insns, mem })) },
  { weight: 1, arbitrary: rawProgram(40).map((bytes) => {
    try {
      return { insns: decode(bytes), mem: new Uint8Array(32) };
    } catch {
      return { insns: [makeInsn(Op.EXIT)], mem: new Uint8Array(0) };
    }
  }) },
);

function outcome(r: RunResult, m: Machine, mem: Uint8Array | undefined): unknown {
  const x = regionsOf(m.space);
  return { r0: r.r0, insns: r.insns, violations: r.violations, warnings: r.warnings, regs: [...m.regs], mem, a: x.a.bytes.slice(), c: x.c.bytes.slice() };
}

export interface DiffCase {
  insns: readonly Insn[];
  mem?: Uint8Array;
  helpers?: ReadonlyMap<number, HelperFn>;
  budget?: number;
}

/** Runs a case in the interpreter and in `engine`: both outcomes and the tier that ran. */
export function runBoth(c: DiffCase, engine: WasmEngine): { interp: unknown; wasm: unknown; tier: string } {
  const image = new Image(c.insns, { checkRegisters: false, resolvePseudo: (x) => BigInt(x.imm) * 0x10001n });
  const out: unknown[] = [];
  let tier = '';
  for (const e of [null, engine]) {
    const m = new Machine({ helpers: c.helpers ?? DIFF_HELPERS, budget: c.budget ?? 4000 });
    m.engine = e;
    const mem = c.mem?.slice();
    const r = m.run(image, { mem, args: mem === undefined ? [0n, 0n, 3n, 5n, 7n] : undefined });
    out.push(outcome(r, m, mem));
    if (e !== null) tier = m.lastTier;
  }
  return { interp: out[0], wasm: out[1], tier };
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? [...x] : x));

export interface DiffSummary {
  programs: number;
  /** Runs the wasm tier made (structured and dispatch loop), and runs it handed to the interpreter part-way. */
  wasmRuns: number;
  deopts: number;
  differences: string[];
}

/**
 * `count` cases from `seed` (in chunks of 1,000, chunk k from seed + k, so any slice is reproducible), each in
 * both tiers; every fourth also through the dispatch loop.
 */
export function runDiff(opts: { seed: number; count: number; from?: number; onChunk?: (s: DiffSummary) => void }): DiffSummary {
  const structured = new WasmEngine(), dispatch = new WasmEngine();
  dispatch.forceDispatch = true;
  const s: DiffSummary = { programs: 0, wasmRuns: 0, deopts: 0, differences: [] };
  const CHUNK = 1000;
  const from = opts.from ?? 0;
  for (let k = Math.floor(from / CHUNK); s.programs < opts.count; k++) {
    const cases = fc.sample(diffCase, { seed: opts.seed + k, numRuns: CHUNK });
    for (let i = 0; i < cases.length && s.programs < opts.count; i++) {
      if (k * CHUNK + i < from) continue;
      const c = cases[i]!;
      const input = { insns: c.insns, mem: c.mem.length > 0 ? c.mem : undefined, budget: 3000 };
      for (const engine of (k * CHUNK + i) % 4 === 0 ? [structured, dispatch] : [structured]) {
        const r = runBoth(input, engine);
        const a = json(r.interp), b = json(r.wasm);
        if (a !== b) s.differences.push(`case ${k * CHUNK + i} (seed ${opts.seed}${engine === dispatch ? ', dispatch loop' : ''}): interp ${a} wasm ${b}`);
      }
      s.programs++;
    }
    s.wasmRuns = structured.stats.runs + dispatch.stats.runs;
    s.deopts = structured.stats.deopts + dispatch.stats.deopts;
    opts.onChunk?.(s);
  }
  return s;
}

if (process.argv[1]?.endsWith('wasm-diff.js')) {
  const count = Number(process.argv[2] ?? '1000000');
  const seed = Number(process.argv[3] ?? '1');
  const from = Number(process.argv[4] ?? '0');
  const t0 = performance.now();
  const s = runDiff({
    seed, count, from,
    onChunk: (x) => {
      if (x.programs % 10000 === 0 || x.programs === count) {
        process.stdout.write(JSON.stringify({ from, programs: x.programs, wasmRuns: x.wasmRuns, deopts: x.deopts, differences: x.differences.length, seconds: Math.round((performance.now() - t0) / 1000) }) + '\n');
      }
    },
  });
  for (const d of s.differences.slice(0, 20)) process.stdout.write(d + '\n');
  process.exitCode = s.differences.length === 0 ? 0 : 1;
}
