/**
 * The reference interpreter: one aligned `switch` over the opcode table's codes.
 *
 * Registers live in a BigUint64Array (the public, bigint view) that is also viewed as 32-bit words, so
 * the common operations (add, logic, shifts, moves, compares, loads and stores) run on plain numbers
 * without allocating a BigInt; only multiply-high, 64-bit division and helper arguments touch BigInt.
 * Every load and store resolves its region of the simulated address space and is checked for bounds,
 * permission and liveness; the step hook and the instruction budget are always in place.
 */
import { Op } from '../src/isa/opcodes.js';
import { LDDW_HI, type Insn } from '../src/isa/insn.js';
import type { Violation, ViolationKind } from '../src/violations.js';
import { AddressSpace, MemoryFault, PERM_R, PERM_RW, PERM_W, Region, WINDOW_HI_BASE, hex } from '../kernel-sim/address-space.js';
import { LoadError } from '../src/errors.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('bpfvm needs a little-endian host (its register file is viewed as 32-bit words)');
}

export const STACK_SIZE = 512;
export const MAX_CALL_FRAMES = 8;
export const DEFAULT_BUDGET = 1_000_000;

/** What a helper sees: the registers, memory, and a way to end the program. */
export interface HelperContext {
  readonly regs: BigUint64Array;
  readonly space: AddressSpace;
  /** Slot index of the calling instruction. */
  readonly pc: number;
  /** End the program now with this r0 (the conformance suite's "unwind"). */
  stop(r0: bigint): void;
}

/** A helper: receives r1..r5, returns r0. Throw a HelperFault (or MemoryFault) to stop the run. */
export type HelperFn = (ctx: HelperContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

export class HelperFault extends Error {
  constructor(readonly kind: ViolationKind, message: string) {
    super(message);
  }
}

/** A packet for the legacy LD_ABS / LD_IND loads: bytes read big-endian, out of range ends the program. */
export interface LegacyPacket {
  bytes: Uint8Array;
}

/** Called before each instruction executes. `regs` is the live register file (r0..r10). */
export type StepHook = (pc: number, regs: BigUint64Array, frame: number) => void;

export interface VmOptions {
  /** Helper table indexed by helper id. */
  helpers?: ReadonlyArray<HelperFn | undefined> | ReadonlyMap<number, HelperFn>;
  /** Instruction budget per run (default 1,000,000). */
  budget?: number;
  /** The simulated kernel's address space (a fresh one by default). */
  space?: AddressSpace;
  /** Resolves lddw pseudo sources (map fd, map value, BTF id…) to a 64-bit value at load. */
  resolvePseudo?: (insn: Insn, index: number) => bigint;
}

export interface RunInput {
  /** Initial r1..r5 (r1 defaults to the `mem` region's address, r2 to its length). */
  args?: readonly bigint[];
  /** Input memory, mapped read-write; r1 points to it and r2 holds its length (conformance convention). */
  mem?: Uint8Array;
  /** Packet for LD_ABS / LD_IND. */
  packet?: LegacyPacket;
  /** Step hook for this run. */
  hook?: StepHook;
  budget?: number;
}

export interface RunResult {
  /** r0 at exit, or null when the run was stopped by a violation. */
  r0: bigint | null;
  /** Instructions executed. */
  insns: number;
  violations: Violation[];
}

/** Thrown inside the loop to stop the run with a violation. */
class Stop extends Error {
  /** The instruction to blame, when it is not the one executing (budget, leaving the program). */
  constructor(readonly kind: ViolationKind, message: string, readonly at?: number) {
    super(message);
  }
}

const TWO32 = 4294967296;

function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}
function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * A loaded program, ready to run many times. Decoded fields are copied into flat typed arrays once, so
 * the hot loop reads numbers, not objects.
 */
export class Interpreter {
  readonly insns: readonly Insn[];
  readonly space: AddressSpace;
  private readonly code: Int32Array;
  private readonly dst: Uint8Array;
  private readonly src: Uint8Array;
  private readonly off: Int32Array;
  private readonly imm: Int32Array;
  /** lddw: upper 32 bits; K-form 64-bit ops: the immediate's sign word (0 or -1). */
  private readonly immHi: Int32Array;
  /** K-form multiply/divide immediates, sign-extended, as bigint. */
  private readonly immBig: BigInt64Array;
  private readonly helpers: (HelperFn | undefined)[];
  private readonly budget: number;
  private readonly stacks: Region[] = [];
  readonly regs = new BigUint64Array(11);

  constructor(insns: readonly Insn[], opts: VmOptions = {}) {
    const n = insns.length;
    this.insns = insns;
    this.space = opts.space ?? new AddressSpace();
    this.budget = opts.budget ?? DEFAULT_BUDGET;
    this.code = new Int32Array(n);
    this.dst = new Uint8Array(n);
    this.src = new Uint8Array(n);
    this.off = new Int32Array(n);
    this.imm = new Int32Array(n);
    this.immHi = new Int32Array(n);
    this.immBig = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const x = insns[i]!;
      this.code[i] = x.code;
      this.dst[i] = x.dst;
      this.src[i] = x.src;
      this.off[i] = x.off;
      this.imm[i] = x.imm;
      this.immHi[i] = x.imm >> 31;
      this.immBig[i] = BigInt(x.imm);
      if (x.code === Op.LDDW) {
        let v = x.imm64 ?? 0n;
        if (x.src !== 0) {
          if (opts.resolvePseudo === undefined) {
            throw new LoadError(`lddw with pseudo source ${x.src} needs a loader to resolve it`, { insn: i });
          }
          v = BigInt.asUintN(64, opts.resolvePseudo(x, i));
        }
        this.imm[i] = Number(v & 0xffffffffn) | 0;
        this.immHi[i] = Number(v >> 32n) | 0;
      }
    }
    const h = opts.helpers;
    this.helpers = [];
    if (h instanceof Map) for (const [id, fn] of h) this.helpers[id] = fn;
    else if (h !== undefined) (h as ReadonlyArray<HelperFn | undefined>).forEach((fn, id) => (this.helpers[id] = fn));
    for (let f = 0; f < MAX_CALL_FRAMES; f++) {
      this.stacks.push(this.space.map('stack', new Uint8Array(STACK_SIZE), PERM_RW, `stack of frame ${f}`));
    }
  }

  run(input: RunInput = {}): RunResult {
    const R = this.regs;
    const U = new Uint32Array(R.buffer);
    R.fill(0n);
    for (const s of this.stacks) s.bytes.fill(0);
    let memRegion: Region | undefined;
    if (input.mem !== undefined) {
      memRegion = this.space.map('mem', input.mem, PERM_RW, 'input memory');
      R[1] = memRegion.base;
      R[2] = BigInt(input.mem.length);
    }
    input.args?.forEach((v, i) => {
      if (i < 5) R[i + 1] = BigInt.asUintN(64, v);
    });
    const top = this.stacks[0]!;
    U[20] = STACK_SIZE;
    U[21] = top.hi;
    try {
      return this.loop(input);
    } finally {
      if (memRegion !== undefined) this.space.unmap(memRegion);
    }
  }

  private loop(input: RunInput): RunResult {
    const R = this.regs;
    const U = new Uint32Array(R.buffer);
    const S = new Int32Array(R.buffer);
    const RS = new BigInt64Array(R.buffer);
    const code = this.code, dst = this.dst, src = this.src, off = this.off, imm = this.imm, immHi = this.immHi;
    const immBig = this.immBig;
    const windows = this.space.windows;
    const space = this.space;
    const helpers = this.helpers;
    const hook = input.hook ?? null;
    const budget = input.budget ?? this.budget;
    const n = code.length;
    const stacks = this.stacks;
    // Call frames: return pc and callee-saved r6..r9 (as 32-bit words) per frame.
    const retPc = new Int32Array(MAX_CALL_FRAMES);
    const saved = new Uint32Array(MAX_CALL_FRAMES * 8);
    let frame = 0;
    let pc = 0;
    let count = 0;
    let stopped = false;
    let stopR0 = 0n;
    // Hot locals (pc, count, frame) are never captured by a closure, so they stay in machine registers.
    /**
     * The region of the access [reg + offset, +size) (fast path: alive, in bounds, permitted). The byte
     * offset inside it is `(U[reg * 2] + offset) >>> 0`, which the caller computes.
     */
    const region = (reg: number, offset: number, size: number, perm: number): Region => {
      let lo = U[reg * 2]! + offset;
      let hi = U[reg * 2 + 1]!;
      if (lo < 0) {
        lo += TWO32;
        hi = (hi - 1) >>> 0;
      } else if (lo >= TWO32) {
        lo -= TWO32;
        hi = (hi + 1) >>> 0;
      }
      const r = windows[hi - WINDOW_HI_BASE];
      if (r === undefined || (r.perms & perm) !== perm || lo + size > r.size) {
        slowFault(r, hi, lo, size, perm);
      }
      return r!;
    };
    const slowFault = (r: Region | undefined, hi: number, lo: number, size: number, perm: number): never => {
      const addr = (BigInt(hi) << 32n) | BigInt(lo);
      if (r === undefined) space.resolve(addr, size, perm); // throws with the right kind
      else space.check(r, lo, size, perm, addr);
      throw new Stop('out-of-bounds', `access of ${size} bytes at ${hex(addr)}`);
    };
    const helperCtx = {
      regs: R,
      space,
      pc: 0,
      stop(r0: bigint) {
        stopped = true;
        stopR0 = r0;
      },
    };
    const callHelper = (id: number, at: number): void => {
      const fn = id >= 0 ? helpers[id] : undefined;
      if (fn === undefined) throw new Stop('unknown-helper', `call to unknown helper ${id}`);
      helperCtx.pc = at;
      R[0] = fn(helperCtx, R[1]!, R[2]!, R[3]!, R[4]!, R[5]!);
    };
    const ldPacket = (offset: number, size: number): void => {
      const pkt = input.packet;
      if (pkt === undefined) throw new Stop('out-of-bounds', 'legacy packet load without a packet');
      if (offset < 0 || offset + size > pkt.bytes.length) {
        // The kernel ends the program with r0 = 0 when a legacy load is out of range.
        stopped = true;
        stopR0 = 0n;
        return;
      }
      const b = pkt.bytes;
      const v = size === 1 ? b[offset]! : size === 2 ? (b[offset]! << 8) | b[offset + 1]!
        : ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
      U[0] = v;
      U[1] = 0;
    };

    try {
      for (;;) {
        if (pc >= n || pc < 0) throw new Stop('bad-jump', `execution left the program (next pc ${pc})`, pc - 1);
        if (count >= budget) throw new Stop('budget', `instruction budget of ${budget} exhausted`, pc);
        count++;
        if (hook !== null) hook(pc, R, frame);
        const i = pc++;
        const d = dst[i]! * 2;
        switch (code[i]) {
          // ---- ALU64 ----------------------------------------------------------------------------
          case Op.ADD64_K: { const lo = U[d]! + (imm[i]! >>> 0); U[d] = lo; U[d + 1] = U[d + 1]! + immHi[i]! + (lo >= TWO32 ? 1 : 0); break; }
          case Op.ADD64_X: { const s = src[i]! * 2; const lo = U[d]! + U[s]!; U[d] = lo; U[d + 1] = U[d + 1]! + U[s + 1]! + (lo >= TWO32 ? 1 : 0); break; }
          case Op.SUB64_K: { const lo = U[d]! - (imm[i]! >>> 0); U[d] = lo; U[d + 1] = U[d + 1]! - immHi[i]! - (lo < 0 ? 1 : 0); break; }
          case Op.SUB64_X: { const s = src[i]! * 2; const lo = U[d]! - U[s]!; U[d] = lo; U[d + 1] = U[d + 1]! - U[s + 1]! - (lo < 0 ? 1 : 0); break; }
          case Op.MUL64_K: mul64(U, d, imm[i]! >>> 0, immHi[i]! >>> 0); break;
          case Op.MUL64_X: { const s = src[i]! * 2; mul64(U, d, U[s]!, U[s + 1]!); break; }
          case Op.DIV64_K: { const k = BigInt.asUintN(64, immBig[i]!); R[d >> 1] = k === 0n ? 0n : R[d >> 1]! / k; break; }
          case Op.DIV64_X: {
            const s = src[i]! * 2;
            if (U[d + 1] === 0 && U[s + 1] === 0) { const b = U[s]!; U[d] = b === 0 ? 0 : Math.floor(U[d]! / b); }
            else { const b = R[s >> 1]!; R[d >> 1] = b === 0n ? 0n : R[d >> 1]! / b; }
            break;
          }
          case Op.SDIV64_K: { const k = immBig[i]!; RS[d >> 1] = k === 0n ? 0n : RS[d >> 1]! / k; break; }
          case Op.SDIV64_X: { const k = RS[src[i]!]!; RS[d >> 1] = k === 0n ? 0n : RS[d >> 1]! / k; break; }
          case Op.MOD64_K: { const k = BigInt.asUintN(64, immBig[i]!); if (k !== 0n) R[d >> 1] = R[d >> 1]! % k; break; }
          case Op.MOD64_X: {
            const s = src[i]! * 2;
            if (U[d + 1] === 0 && U[s + 1] === 0) { const b = U[s]!; if (b !== 0) U[d] = U[d]! % b; }
            else { const b = R[s >> 1]!; if (b !== 0n) R[d >> 1] = R[d >> 1]! % b; }
            break;
          }
          case Op.SMOD64_K: { const k = immBig[i]!; if (k !== 0n) RS[d >> 1] = RS[d >> 1]! % k; break; }
          case Op.SMOD64_X: { const k = RS[src[i]!]!; if (k !== 0n) RS[d >> 1] = RS[d >> 1]! % k; break; }
          case Op.OR64_K: U[d] = U[d]! | imm[i]!; U[d + 1] = U[d + 1]! | immHi[i]!; break;
          case Op.OR64_X: { const s = src[i]! * 2; U[d] = U[d]! | U[s]!; U[d + 1] = U[d + 1]! | U[s + 1]!; break; }
          case Op.AND64_K: U[d] = U[d]! & imm[i]!; U[d + 1] = U[d + 1]! & immHi[i]!; break;
          case Op.AND64_X: { const s = src[i]! * 2; U[d] = U[d]! & U[s]!; U[d + 1] = U[d + 1]! & U[s + 1]!; break; }
          case Op.XOR64_K: U[d] = U[d]! ^ imm[i]!; U[d + 1] = U[d + 1]! ^ immHi[i]!; break;
          case Op.XOR64_X: { const s = src[i]! * 2; U[d] = U[d]! ^ U[s]!; U[d + 1] = U[d + 1]! ^ U[s + 1]!; break; }
          case Op.LSH64_K: lsh64(U, d, imm[i]! & 63); break;
          case Op.LSH64_X: lsh64(U, d, U[src[i]! * 2]! & 63); break;
          case Op.RSH64_K: rsh64(U, d, imm[i]! & 63); break;
          case Op.RSH64_X: rsh64(U, d, U[src[i]! * 2]! & 63); break;
          case Op.ARSH64_K: arsh64(U, S, d, imm[i]! & 63); break;
          case Op.ARSH64_X: arsh64(U, S, d, U[src[i]! * 2]! & 63); break;
          case Op.NEG64: { const lo = U[d]!; U[d] = -lo; U[d + 1] = -U[d + 1]! - (lo !== 0 ? 1 : 0); break; }
          case Op.MOV64_K: U[d] = imm[i]!; U[d + 1] = immHi[i]!; break;
          case Op.MOV64_X: { const s = src[i]! * 2; U[d] = U[s]!; U[d + 1] = U[s + 1]!; break; }
          case Op.MOVSX8_64: { const v = (U[src[i]! * 2]! << 24) >> 24; U[d] = v; U[d + 1] = v >> 31; break; }
          case Op.MOVSX16_64: { const v = (U[src[i]! * 2]! << 16) >> 16; U[d] = v; U[d + 1] = v >> 31; break; }
          case Op.MOVSX32_64: { const v = S[src[i]! * 2]!; U[d] = v; U[d + 1] = v >> 31; break; }
          case Op.BSWAP16: U[d] = bswap16(U[d]!); U[d + 1] = 0; break;
          case Op.BSWAP32: U[d] = bswap32(U[d]!); U[d + 1] = 0; break;
          case Op.BSWAP64: { const lo = U[d]!; U[d] = bswap32(U[d + 1]!); U[d + 1] = bswap32(lo); break; }
          // ---- ALU (32-bit; results zero-extended) ----------------------------------------------
          case Op.ADD32_K: U[d] = U[d]! + imm[i]!; U[d + 1] = 0; break;
          case Op.ADD32_X: U[d] = U[d]! + U[src[i]! * 2]!; U[d + 1] = 0; break;
          case Op.SUB32_K: U[d] = U[d]! - imm[i]!; U[d + 1] = 0; break;
          case Op.SUB32_X: U[d] = U[d]! - U[src[i]! * 2]!; U[d + 1] = 0; break;
          case Op.MUL32_K: U[d] = Math.imul(U[d]!, imm[i]!); U[d + 1] = 0; break;
          case Op.MUL32_X: U[d] = Math.imul(U[d]!, U[src[i]! * 2]!); U[d + 1] = 0; break;
          case Op.DIV32_K: { const b = imm[i]! >>> 0; U[d] = b === 0 ? 0 : Math.floor(U[d]! / b); U[d + 1] = 0; break; }
          case Op.DIV32_X: { const b = U[src[i]! * 2]!; U[d] = b === 0 ? 0 : Math.floor(U[d]! / b); U[d + 1] = 0; break; }
          case Op.SDIV32_K: { const b = imm[i]!; U[d] = b === 0 ? 0 : Math.trunc(S[d]! / b); U[d + 1] = 0; break; }
          case Op.SDIV32_X: { const b = S[src[i]! * 2]!; U[d] = b === 0 ? 0 : Math.trunc(S[d]! / b); U[d + 1] = 0; break; }
          case Op.MOD32_K: { const b = imm[i]! >>> 0; if (b !== 0) U[d] = U[d]! % b; U[d + 1] = 0; break; }
          case Op.MOD32_X: { const b = U[src[i]! * 2]!; if (b !== 0) U[d] = U[d]! % b; U[d + 1] = 0; break; }
          case Op.SMOD32_K: { const b = imm[i]!; if (b !== 0) U[d] = S[d]! % b; U[d + 1] = 0; break; }
          case Op.SMOD32_X: { const b = S[src[i]! * 2]!; if (b !== 0) U[d] = S[d]! % b; U[d + 1] = 0; break; }
          case Op.OR32_K: U[d] = U[d]! | imm[i]!; U[d + 1] = 0; break;
          case Op.OR32_X: U[d] = U[d]! | U[src[i]! * 2]!; U[d + 1] = 0; break;
          case Op.AND32_K: U[d] = U[d]! & imm[i]!; U[d + 1] = 0; break;
          case Op.AND32_X: U[d] = U[d]! & U[src[i]! * 2]!; U[d + 1] = 0; break;
          case Op.XOR32_K: U[d] = U[d]! ^ imm[i]!; U[d + 1] = 0; break;
          case Op.XOR32_X: U[d] = U[d]! ^ U[src[i]! * 2]!; U[d + 1] = 0; break;
          case Op.LSH32_K: U[d] = U[d]! << (imm[i]! & 31); U[d + 1] = 0; break;
          case Op.LSH32_X: U[d] = U[d]! << (U[src[i]! * 2]! & 31); U[d + 1] = 0; break;
          case Op.RSH32_K: U[d] = U[d]! >>> (imm[i]! & 31); U[d + 1] = 0; break;
          case Op.RSH32_X: U[d] = U[d]! >>> (U[src[i]! * 2]! & 31); U[d + 1] = 0; break;
          case Op.ARSH32_K: U[d] = S[d]! >> (imm[i]! & 31); U[d + 1] = 0; break;
          case Op.ARSH32_X: U[d] = S[d]! >> (U[src[i]! * 2]! & 31); U[d + 1] = 0; break;
          case Op.NEG32: U[d] = -U[d]!; U[d + 1] = 0; break;
          case Op.MOV32_K: U[d] = imm[i]!; U[d + 1] = 0; break;
          case Op.MOV32_X: U[d] = U[src[i]! * 2]!; U[d + 1] = 0; break;
          case Op.MOVSX8_32: U[d] = (U[src[i]! * 2]! << 24) >> 24; U[d + 1] = 0; break;
          case Op.MOVSX16_32: U[d] = (U[src[i]! * 2]! << 16) >> 16; U[d + 1] = 0; break;
          case Op.LE16: U[d] = U[d]! & 0xffff; U[d + 1] = 0; break;
          case Op.LE32: U[d + 1] = 0; break;
          case Op.LE64: break;
          case Op.BE16: U[d] = bswap16(U[d]!); U[d + 1] = 0; break;
          case Op.BE32: U[d] = bswap32(U[d]!); U[d + 1] = 0; break;
          case Op.BE64: { const lo = U[d]!; U[d] = bswap32(U[d + 1]!); U[d + 1] = bswap32(lo); break; }
          // ---- JMP (64-bit compares) ------------------------------------------------------------
          case Op.JA: pc += off[i]!; break;
          case Op.JA32: pc += imm[i]!; break;
          case Op.JEQ_K: if (U[d] === (imm[i]! >>> 0) && U[d + 1] === (immHi[i]! >>> 0)) pc += off[i]!; break;
          case Op.JEQ_X: { const s = src[i]! * 2; if (U[d] === U[s] && U[d + 1] === U[s + 1]) pc += off[i]!; break; }
          case Op.JNE_K: if (U[d] !== (imm[i]! >>> 0) || U[d + 1] !== (immHi[i]! >>> 0)) pc += off[i]!; break;
          case Op.JNE_X: { const s = src[i]! * 2; if (U[d] !== U[s] || U[d + 1] !== U[s + 1]) pc += off[i]!; break; }
          case Op.JSET_K: if ((U[d]! & imm[i]!) !== 0 || (U[d + 1]! & immHi[i]!) !== 0) pc += off[i]!; break;
          case Op.JSET_X: { const s = src[i]! * 2; if ((U[d]! & U[s]!) !== 0 || (U[d + 1]! & U[s + 1]!) !== 0) pc += off[i]!; break; }
          case Op.JGT_K: if (cmpU(U[d + 1]!, U[d]!, immHi[i]! >>> 0, imm[i]! >>> 0) > 0) pc += off[i]!; break;
          case Op.JGT_X: { const s = src[i]! * 2; if (cmpU(U[d + 1]!, U[d]!, U[s + 1]!, U[s]!) > 0) pc += off[i]!; break; }
          case Op.JGE_K: if (cmpU(U[d + 1]!, U[d]!, immHi[i]! >>> 0, imm[i]! >>> 0) >= 0) pc += off[i]!; break;
          case Op.JGE_X: { const s = src[i]! * 2; if (cmpU(U[d + 1]!, U[d]!, U[s + 1]!, U[s]!) >= 0) pc += off[i]!; break; }
          case Op.JLT_K: if (cmpU(U[d + 1]!, U[d]!, immHi[i]! >>> 0, imm[i]! >>> 0) < 0) pc += off[i]!; break;
          case Op.JLT_X: { const s = src[i]! * 2; if (cmpU(U[d + 1]!, U[d]!, U[s + 1]!, U[s]!) < 0) pc += off[i]!; break; }
          case Op.JLE_K: if (cmpU(U[d + 1]!, U[d]!, immHi[i]! >>> 0, imm[i]! >>> 0) <= 0) pc += off[i]!; break;
          case Op.JLE_X: { const s = src[i]! * 2; if (cmpU(U[d + 1]!, U[d]!, U[s + 1]!, U[s]!) <= 0) pc += off[i]!; break; }
          case Op.JSGT_K: if (cmpS(S[d + 1]!, U[d]!, immHi[i]!, imm[i]! >>> 0) > 0) pc += off[i]!; break;
          case Op.JSGT_X: { const s = src[i]! * 2; if (cmpS(S[d + 1]!, U[d]!, S[s + 1]!, U[s]!) > 0) pc += off[i]!; break; }
          case Op.JSGE_K: if (cmpS(S[d + 1]!, U[d]!, immHi[i]!, imm[i]! >>> 0) >= 0) pc += off[i]!; break;
          case Op.JSGE_X: { const s = src[i]! * 2; if (cmpS(S[d + 1]!, U[d]!, S[s + 1]!, U[s]!) >= 0) pc += off[i]!; break; }
          case Op.JSLT_K: if (cmpS(S[d + 1]!, U[d]!, immHi[i]!, imm[i]! >>> 0) < 0) pc += off[i]!; break;
          case Op.JSLT_X: { const s = src[i]! * 2; if (cmpS(S[d + 1]!, U[d]!, S[s + 1]!, U[s]!) < 0) pc += off[i]!; break; }
          case Op.JSLE_K: if (cmpS(S[d + 1]!, U[d]!, immHi[i]!, imm[i]! >>> 0) <= 0) pc += off[i]!; break;
          case Op.JSLE_X: { const s = src[i]! * 2; if (cmpS(S[d + 1]!, U[d]!, S[s + 1]!, U[s]!) <= 0) pc += off[i]!; break; }
          // ---- JMP32 (low 32 bits) --------------------------------------------------------------
          case Op.JEQ32_K: if (U[d] === (imm[i]! >>> 0)) pc += off[i]!; break;
          case Op.JEQ32_X: if (U[d] === U[src[i]! * 2]) pc += off[i]!; break;
          case Op.JNE32_K: if (U[d] !== (imm[i]! >>> 0)) pc += off[i]!; break;
          case Op.JNE32_X: if (U[d] !== U[src[i]! * 2]) pc += off[i]!; break;
          case Op.JSET32_K: if ((U[d]! & imm[i]!) !== 0) pc += off[i]!; break;
          case Op.JSET32_X: if ((U[d]! & U[src[i]! * 2]!) !== 0) pc += off[i]!; break;
          case Op.JGT32_K: if (U[d]! > imm[i]! >>> 0) pc += off[i]!; break;
          case Op.JGT32_X: if (U[d]! > U[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JGE32_K: if (U[d]! >= imm[i]! >>> 0) pc += off[i]!; break;
          case Op.JGE32_X: if (U[d]! >= U[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JLT32_K: if (U[d]! < imm[i]! >>> 0) pc += off[i]!; break;
          case Op.JLT32_X: if (U[d]! < U[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JLE32_K: if (U[d]! <= imm[i]! >>> 0) pc += off[i]!; break;
          case Op.JLE32_X: if (U[d]! <= U[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JSGT32_K: if (S[d]! > imm[i]!) pc += off[i]!; break;
          case Op.JSGT32_X: if (S[d]! > S[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JSGE32_K: if (S[d]! >= imm[i]!) pc += off[i]!; break;
          case Op.JSGE32_X: if (S[d]! >= S[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JSLT32_K: if (S[d]! < imm[i]!) pc += off[i]!; break;
          case Op.JSLT32_X: if (S[d]! < S[src[i]! * 2]!) pc += off[i]!; break;
          case Op.JSLE32_K: if (S[d]! <= imm[i]!) pc += off[i]!; break;
          case Op.JSLE32_X: if (S[d]! <= S[src[i]! * 2]!) pc += off[i]!; break;
          // ---- calls ----------------------------------------------------------------------------
          case Op.CALL:
            callHelper(imm[i]!, i);
            if (stopped) return { r0: stopR0, insns: count, violations: [] };
            break;
          case Op.CALLX:
            callHelper(U[d + 1] === 0 ? U[d]! : -1, i);
            if (stopped) return { r0: stopR0, insns: count, violations: [] };
            break;
          case Op.CALL_LOCAL: {
            if (frame + 1 >= MAX_CALL_FRAMES) {
              throw new Stop('call-depth', `the call stack is too deep: more than ${MAX_CALL_FRAMES} frames`);
            }
            const sv = frame * 8;
            for (let k = 0; k < 8; k++) saved[sv + k] = U[12 + k]!;
            retPc[frame] = pc;
            frame++;
            U[20] = STACK_SIZE;
            U[21] = stacks[frame]!.hi;
            stacks[frame]!.bytes.fill(0);
            pc += imm[i]!;
            break;
          }
          case Op.CALL_KFUNC:
            throw new Stop('unknown-helper', `kfunc call (BTF id ${imm[i]}) needs the simulated kernel`);
          case Op.EXIT: {
            if (frame === 0) return { r0: R[0]!, insns: count, violations: [] };
            frame--;
            const sv = frame * 8;
            for (let k = 0; k < 8; k++) U[12 + k] = saved[sv + k]!;
            U[20] = STACK_SIZE;
            U[21] = stacks[frame]!.hi;
            pc = retPc[frame]!;
            break;
          }
          // ---- LD ------------------------------------------------------------------------------
          case Op.LDDW: U[d] = imm[i]!; U[d + 1] = immHi[i]!; pc++; break;
          case Op.LDABS_B: ldPacket(imm[i]!, 1); if (stopped) return { r0: stopR0, insns: count, violations: [] }; break;
          case Op.LDABS_H: ldPacket(imm[i]!, 2); if (stopped) return { r0: stopR0, insns: count, violations: [] }; break;
          case Op.LDABS_W: ldPacket(imm[i]!, 4); if (stopped) return { r0: stopR0, insns: count, violations: [] }; break;
          case Op.LDIND_B: ldPacket(S[src[i]! * 2]! + imm[i]!, 1); if (stopped) return { r0: stopR0, insns: count, violations: [] }; break;
          case Op.LDIND_H: ldPacket(S[src[i]! * 2]! + imm[i]!, 2); if (stopped) return { r0: stopR0, insns: count, violations: [] }; break;
          case Op.LDIND_W: ldPacket(S[src[i]! * 2]! + imm[i]!, 4); if (stopped) return { r0: stopR0, insns: count, violations: [] }; break;
          // ---- LDX -----------------------------------------------------------------------------
          case Op.LDXB: { const b = src[i]!; const r = region(b, off[i]!, 1, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0; U[d] = r.bytes[mo]!; U[d + 1] = 0; break; }
          case Op.LDXH: { const b = src[i]!; const r = region(b, off[i]!, 2, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0; U[d] = r.dv.getUint16(mo, true); U[d + 1] = 0; break; }
          case Op.LDXW: { const b = src[i]!; const r = region(b, off[i]!, 4, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0; U[d] = r.dv.getUint32(mo, true); U[d + 1] = 0; break; }
          case Op.LDXDW: {
            const b = src[i]!; const r = region(b, off[i]!, 8, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0;
            U[d] = r.dv.getUint32(mo, true);
            U[d + 1] = r.dv.getUint32(mo + 4, true);
            break;
          }
          case Op.LDXSB: { const b = src[i]!; const r = region(b, off[i]!, 1, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0; const v = r.dv.getInt8(mo); U[d] = v; U[d + 1] = v >> 31; break; }
          case Op.LDXSH: { const b = src[i]!; const r = region(b, off[i]!, 2, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0; const v = r.dv.getInt16(mo, true); U[d] = v; U[d + 1] = v >> 31; break; }
          case Op.LDXSW: { const b = src[i]!; const r = region(b, off[i]!, 4, PERM_R); const mo = (U[b * 2]! + off[i]!) >>> 0; const v = r.dv.getInt32(mo, true); U[d] = v; U[d + 1] = v >> 31; break; }
          // ---- ST / STX ------------------------------------------------------------------------
          case Op.STB: { const b = dst[i]!; const r = region(b, off[i]!, 1, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0; r.bytes[mo] = imm[i]!; break; }
          case Op.STH: { const b = dst[i]!; const r = region(b, off[i]!, 2, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0; r.dv.setUint16(mo, imm[i]!, true); break; }
          case Op.STW: { const b = dst[i]!; const r = region(b, off[i]!, 4, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0; r.dv.setUint32(mo, imm[i]!, true); break; }
          case Op.STDW: {
            const b = dst[i]!; const r = region(b, off[i]!, 8, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0;
            r.dv.setUint32(mo, imm[i]!, true);
            r.dv.setUint32(mo + 4, immHi[i]!, true);
            break;
          }
          case Op.STXB: { const b = dst[i]!; const r = region(b, off[i]!, 1, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0; r.bytes[mo] = U[src[i]! * 2]!; break; }
          case Op.STXH: { const b = dst[i]!; const r = region(b, off[i]!, 2, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0; r.dv.setUint16(mo, U[src[i]! * 2]!, true); break; }
          case Op.STXW: { const b = dst[i]!; const r = region(b, off[i]!, 4, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0; r.dv.setUint32(mo, U[src[i]! * 2]!, true); break; }
          case Op.STXDW: {
            const b = dst[i]!; const r = region(b, off[i]!, 8, PERM_W); const mo = (U[b * 2]! + off[i]!) >>> 0;
            const s = src[i]! * 2;
            r.dv.setUint32(mo, U[s]!, true);
            r.dv.setUint32(mo + 4, U[s + 1]!, true);
            break;
          }
          // ---- atomics -------------------------------------------------------------------------
          case Op.ATOMIC_ADD_W: case Op.ATOMIC_OR_W: case Op.ATOMIC_AND_W: case Op.ATOMIC_XOR_W:
          case Op.ATOMIC_FADD_W: case Op.ATOMIC_FOR_W: case Op.ATOMIC_FAND_W: case Op.ATOMIC_FXOR_W:
          case Op.ATOMIC_XCHG_W: case Op.ATOMIC_CMPXCHG_W: {
            const b = dst[i]!; const r = region(b, off[i]!, 4, PERM_RW); const mo = (U[b * 2]! + off[i]!) >>> 0;
            atomic32(code[i]!, r.dv, mo, U, src[i]! * 2);
            break;
          }
          case Op.ATOMIC_ADD_DW: case Op.ATOMIC_OR_DW: case Op.ATOMIC_AND_DW: case Op.ATOMIC_XOR_DW:
          case Op.ATOMIC_FADD_DW: case Op.ATOMIC_FOR_DW: case Op.ATOMIC_FAND_DW: case Op.ATOMIC_FXOR_DW:
          case Op.ATOMIC_XCHG_DW: case Op.ATOMIC_CMPXCHG_DW: {
            const b = dst[i]!; const r = region(b, off[i]!, 8, PERM_RW); const mo = (U[b * 2]! + off[i]!) >>> 0;
            atomic64(code[i]!, r.dv, mo, R, src[i]!);
            break;
          }
          case LDDW_HI:
            throw new Stop('invalid-insn', 'execution reached the second half of an lddw');
          default:
            throw new Stop('invalid-insn', `invalid instruction (opcode 0x${(this.insns[i]!.opcode).toString(16)})`);
        }
      }
    } catch (e) {
      const at = e instanceof Stop && e.at !== undefined ? e.at : pc - 1;
      if (e instanceof Stop || e instanceof MemoryFault || e instanceof HelperFault) {
        return { r0: null, insns: count, violations: [{ kind: e.kind, insn: at, message: `instruction ${at}: ${e.message}` }] };
      }
      throw e;
    }
  }
}

/** Unsigned compare of two 64-bit values given as (hi, lo) words. */
function cmpU(ah: number, al: number, bh: number, bl: number): number {
  return ah !== bh ? (ah > bh ? 1 : -1) : al > bl ? 1 : al < bl ? -1 : 0;
}
/** Signed compare: hi words as int32, lo words unsigned. */
function cmpS(ah: number, al: number, bh: number, bl: number): number {
  return ah !== bh ? (ah > bh ? 1 : -1) : al > bl ? 1 : al < bl ? -1 : 0;
}

/** dst *= b (mod 2^64) on 32-bit words, without BigInt. */
function mul64(U: Uint32Array, d: number, bl: number, bh: number): void {
  const al = U[d]!, ah = U[d + 1]!;
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const t = a0 * b0;
  const m = a1 * b0 + a0 * b1 + Math.floor(t / 65536);
  const hiLL = a1 * b1 + Math.floor(m / 65536);
  U[d] = Math.imul(al, bl);
  U[d + 1] = hiLL + Math.imul(ah, bl) + Math.imul(al, bh);
}

function lsh64(U: Uint32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = U[d]!, hi = U[d + 1]!;
  if (n < 32) {
    U[d + 1] = (hi << n) | (lo >>> (32 - n));
    U[d] = lo << n;
  } else {
    U[d + 1] = lo << (n - 32);
    U[d] = 0;
  }
}

function rsh64(U: Uint32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = U[d]!, hi = U[d + 1]!;
  if (n < 32) {
    U[d] = (lo >>> n) | (hi << (32 - n));
    U[d + 1] = hi >>> n;
  } else {
    U[d] = hi >>> (n - 32);
    U[d + 1] = 0;
  }
}

function arsh64(U: Uint32Array, S: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = U[d]!, hi = S[d + 1]!;
  if (n < 32) {
    U[d] = (lo >>> n) | (hi << (32 - n));
    U[d + 1] = hi >> n;
  } else {
    U[d] = hi >> (n - 32);
    U[d + 1] = hi >> 31;
  }
}

function atomic32(code: number, dv: DataView, mo: number, U: Uint32Array, s: number): void {
  const old = dv.getUint32(mo, true);
  const v = U[s]!;
  switch (code) {
    case Op.ATOMIC_ADD_W: dv.setUint32(mo, (old + v) >>> 0, true); return;
    case Op.ATOMIC_OR_W: dv.setUint32(mo, (old | v) >>> 0, true); return;
    case Op.ATOMIC_AND_W: dv.setUint32(mo, (old & v) >>> 0, true); return;
    case Op.ATOMIC_XOR_W: dv.setUint32(mo, (old ^ v) >>> 0, true); return;
    case Op.ATOMIC_FADD_W: dv.setUint32(mo, (old + v) >>> 0, true); break;
    case Op.ATOMIC_FOR_W: dv.setUint32(mo, (old | v) >>> 0, true); break;
    case Op.ATOMIC_FAND_W: dv.setUint32(mo, (old & v) >>> 0, true); break;
    case Op.ATOMIC_FXOR_W: dv.setUint32(mo, (old ^ v) >>> 0, true); break;
    case Op.ATOMIC_XCHG_W: dv.setUint32(mo, v, true); break;
    case Op.ATOMIC_CMPXCHG_W: {
      if (old === U[0]) dv.setUint32(mo, v, true);
      U[0] = old;
      U[1] = 0;
      return;
    }
  }
  // Fetch forms return the old value, zero-extended, in the source register.
  U[s] = old;
  U[s + 1] = 0;
}

function atomic64(code: number, dv: DataView, mo: number, R: BigUint64Array, s: number): void {
  const old = dv.getBigUint64(mo, true);
  const v = R[s]!;
  switch (code) {
    case Op.ATOMIC_ADD_DW: dv.setBigUint64(mo, BigInt.asUintN(64, old + v), true); return;
    case Op.ATOMIC_OR_DW: dv.setBigUint64(mo, old | v, true); return;
    case Op.ATOMIC_AND_DW: dv.setBigUint64(mo, old & v, true); return;
    case Op.ATOMIC_XOR_DW: dv.setBigUint64(mo, old ^ v, true); return;
    case Op.ATOMIC_FADD_DW: dv.setBigUint64(mo, BigInt.asUintN(64, old + v), true); break;
    case Op.ATOMIC_FOR_DW: dv.setBigUint64(mo, old | v, true); break;
    case Op.ATOMIC_FAND_DW: dv.setBigUint64(mo, old & v, true); break;
    case Op.ATOMIC_FXOR_DW: dv.setBigUint64(mo, old ^ v, true); break;
    case Op.ATOMIC_XCHG_DW: dv.setBigUint64(mo, v, true); break;
    case Op.ATOMIC_CMPXCHG_DW: {
      if (old === R[0]) dv.setBigUint64(mo, v, true);
      R[0] = old;
      return;
    }
  }
  R[s] = old;
}
