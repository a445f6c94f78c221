/**
 * The reference interpreter: a `switch` over the opcode table's codes, in two parts. A fast loop runs
 * every instruction that calls nothing (arithmetic, jumps, loads and stores through a one-entry region
 * cache); a slow step runs the budget and the step hook, calls, exits, BigInt division, legacy and
 * atomic accesses and whatever the cache misses, one instruction at a time.
 *
 * Registers live in a BigUint64Array (the public bigint view) that is also viewed as 32-bit words, so
 * the common operations (add, logic, shifts, moves, compares, loads and stores) run on plain numbers
 * without allocating a BigInt; only 64-bit division and helper arguments touch BigInt. Every load and
 * store is checked for bounds, permission and liveness: against the cached region (valid until a helper,
 * a hook or a slow access could have changed a region) or by resolving its region of the simulated
 * address space; the step hook and the instruction budget are always in place.
 */
import { LDDW_HI, type Insn } from '../src/isa/insn.js';
import { Op, OP_BY_CODE, OPS } from '../src/isa/opcodes.js';
import type { Violation, ViolationKind } from '../src/violations.js';
import { AddressSpace, MemoryFault, PERM_R, PERM_RW, PERM_W, Region, WINDOW_HI_BASE, hex } from './address-space.js';
import { arsh64, atomic32, atomic64, bswap16, bswap32, lsh64, mulHigh, rsh64 } from './alu.js';
import { CODE_HI, FELL_OFF, Image, JUMPED_OUT } from './image.js';
import { intOption } from '../src/options.js';

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  throw new Error('bpfvm needs a little-endian host (its register file is viewed as 32-bit words)');
}

/** Bytes of BPF stack per frame (Linux's MAX_BPF_STACK). */
export const STACK_SIZE = 512;
/** Linux's MAX_CALL_FRAMES: the main program and 7 nested calls (callbacks count too). */
export const MAX_CALL_FRAMES = 8;
/** Linux 6.1's MAX_TAIL_CALL_CNT. */
export const MAX_TAIL_CALLS = 33;
/** Instructions a run may execute unless told otherwise; past it the run stops with a budget violation. */
export const DEFAULT_BUDGET = 1_000_000;
/** Default wall-clock limit of a run (and of all repeats of a test run), in milliseconds. */
export const DEFAULT_TIME_LIMIT_MS = 10_000;
/** Instructions between two readings of the clock. */
const CLOCK_EVERY = 1 << 16;

/** What a helper or kfunc sees while it runs. The Machine is one. */
export interface HelperContext {
  /** The live register file r0..r10. */
  readonly regs: BigUint64Array;
  readonly space: AddressSpace;
  /** Slot index of the calling instruction. */
  readonly pc: number;
  /** The program being executed. */
  readonly image: Image;
  /** End the program now with this r0 (the conformance suite's "unwind"). */
  stop(r0: bigint): void;
  /** Run a BPF callback (its code address, from lddw BPF_PSEUDO_FUNC) in a new frame; returns its r0. */
  callback(fn: bigint, args: readonly bigint[]): bigint;
  /** Continue in another program after this helper returns (bpf_tail_call); false past the limit. */
  tailCall(target: Image): boolean;
}

/** A helper or kfunc: receives r1..r5, returns r0. Throws a HelperFault (or MemoryFault) to stop the run. */
export type HelperFn = (ctx: HelperContext, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint) => bigint;

/** A run-time violation raised by a helper, kfunc or the simulated kernel. */
export class HelperFault extends Error {
  constructor(readonly kind: ViolationKind, message: string) {
    super(message);
  }
}

/** A packet for the legacy LD_ABS / LD_IND loads (read big-endian; out of range ends the program with 0). */
export interface LegacyPacket {
  /** From skb->data: non-negative offsets. */
  bytes: Uint8Array;
  /** From the MAC and the network header: offsets from SKF_LL_OFF and from SKF_NET_OFF. */
  mac?: Uint8Array;
  network?: Uint8Array;
}

/** Linux's SKF_NET_OFF and SKF_LL_OFF: negative legacy-load offsets relative to the network / MAC header. */
const SKF_NET_OFF = -0x100000;
const SKF_LL_OFF = -0x200000;

/** Another execution tier: runs an image it accepts from its first instruction in frame 0; returns r0. */
export interface TierEngine {
  readonly name: string;
  accepts(image: Image): boolean;
  /** `mem` is the region of RunInput.mem when the run has one. */
  run(machine: Machine, image: Image, mem: Region | undefined): bigint;
  /** Told of each run of `image` the interpreter made instead (its instruction count). */
  observe?(image: Image, insns: number): void;
}

/** Called before each instruction executes. */
export type StepHook = (pc: number, regs: BigUint64Array, frame: number) => void;

/** How a Machine is built: its helpers, kfuncs, limits and address space. */
export interface MachineOptions {
  /** Helpers by id. */
  helpers?: ReadonlyMap<number, HelperFn> | ReadonlyArray<HelperFn | undefined>;
  /** Kfuncs by BTF id (call with src_reg 2). */
  kfuncs?: ReadonlyMap<number, HelperFn>;
  /** Default instruction budget per run (1,000,000): an integer from 0 to 2^53 - 1. */
  budget?: number;
  /** Wall-clock limit of a run in milliseconds (10,000 by default): past it the run stops as a budget violation. */
  timeLimit?: number;
  /** The simulated kernel's address space (a fresh one by default). */
  space?: AddressSpace;
}

/** What one run starts from: r1..r5, input memory, a legacy packet, a step hook and limits. */
export interface RunInput {
  /** Initial r1..r5 (after `mem`, which sets r1 and r2). */
  args?: readonly bigint[];
  /** Input memory, mapped read-write for the run; r1 points to it and r2 holds its length. */
  mem?: Uint8Array;
  /** Packet for LD_ABS / LD_IND. */
  packet?: LegacyPacket;
  /** Called before each instruction (it selects the interpreter tier). */
  hook?: StepHook;
  /** This run's instruction budget (the machine's by default). */
  budget?: number;
  /** The `performance.now()` past which the run stops (a test run's repeats share one); now + timeLimit by default. */
  deadline?: number;
}

/** What one run of a Machine gives: r0, the instructions executed, violations and BPF_PROBE_MEM warnings. */
export interface RunResult {
  /** r0 at exit, or null when a violation stopped the run. */
  r0: bigint | null;
  /** Instructions executed (all frames, callbacks and tail calls included). */
  insns: number;
  /** What stopped the run (at most one), each naming its instruction. */
  violations: Violation[];
  /** BPF_PROBE_MEM loads that faulted and read 0, as the kernel's exception table makes them (at most 64 kept). */
  warnings?: RunWarning[];
}

export interface RunWarning {
  insn: number;
  message: string;
}

/** Most BPF_PROBE_MEM warnings a run keeps (the rest are counted). */
export const MAX_WARNINGS = 64;

/** Stops the run with a violation. `at` names the instruction when it is not the executing one. */
class Stop extends Error {
  constructor(readonly kind: ViolationKind, message: string, readonly at?: number) {
    super(message);
  }
}

const TWO32 = 4294967296;
/** Most instructions one pass of the fast loop runs (its counter stays a small integer). */
export const MAX_STEPS = 1 << 20;
/** Bytes a load or store accesses, by operation code. */
const ACCESS_SIZE = new Uint8Array(0x10000);
for (const op of OPS) if (op.size !== undefined && (op.kind === 'ldx' || op.kind === 'st' || op.kind === 'stx')) ACCESS_SIZE[op.code] = op.size;
const ACCESS_SIZE_ATOMIC_DW: ReadonlySet<number> = new Set([Op.ATOMIC_ADD_DW, Op.ATOMIC_OR_DW, Op.ATOMIC_AND_DW, Op.ATOMIC_XOR_DW,
  Op.ATOMIC_FADD_DW, Op.ATOMIC_FOR_DW, Op.ATOMIC_FAND_DW, Op.ATOMIC_FXOR_DW, Op.ATOMIC_XCHG_DW, Op.ATOMIC_CMPXCHG_DW]);
const NO_BYTES: Uint8Array = new Uint8Array(0);
const NO_VIEW: DataView = new DataView(NO_BYTES.buffer);

/**
 * The execution engine: registers, one 512-byte stack region per call frame, helper and kfunc tables.
 * `run` executes an Image; helpers may re-enter it for callbacks.
 */
export class Machine implements HelperContext {
  readonly space: AddressSpace;
  readonly regs = new BigUint64Array(11);
  private readonly U = new Uint32Array(this.regs.buffer);
  private readonly S = new Int32Array(this.regs.buffer);
  private readonly RS = new BigInt64Array(this.regs.buffer);
  readonly stacks: Region[] = [];
  private readonly helpers: (HelperFn | undefined)[] = [];
  readonly kfuncs: Map<number, HelperFn>;
  readonly budget: number;
  /** Wall-clock limit of a run (ms). */
  readonly timeLimit: number;
  private deadline = 0;
  // Run state shared with helpers and nested callback executions.
  pc = 0;
  image!: Image;
  private count = 0;
  private runBudget = 0;
  private frame = 0;
  private halted = false;
  private haltR0 = 0n;
  private pendingTail: Image | null = null;
  private warnings: RunWarning[] = [];
  private droppedWarnings = 0;
  private tailCalls = 0;
  private hook: StepHook | null = null;
  /** A step hook for every run that names none (a tracer attached to a program). */
  traceHook: StepHook | null = null;
  private input: RunInput = {};
  // Per frame: return pc, the image to return to, callee-saved r6..r9 as 32-bit words.
  private readonly retPc = new Int32Array(MAX_CALL_FRAMES);
  private readonly retImage: (Image | null)[] = new Array(MAX_CALL_FRAMES).fill(null);
  private readonly saved = new Uint32Array(MAX_CALL_FRAMES * 8);

  constructor(opts: MachineOptions = {}) {
    this.space = opts.space ?? new AddressSpace();
    this.budget = intOption('budget', opts.budget, 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_BUDGET;
    this.timeLimit = intOption('timeLimit', opts.timeLimit, 1, 2 ** 31 - 1) ?? DEFAULT_TIME_LIMIT_MS;
    const h = opts.helpers;
    if (h instanceof Map) for (const [id, fn] of h) this.helpers[id] = fn;
    else if (h !== undefined) (h as ReadonlyArray<HelperFn | undefined>).forEach((fn, id) => (this.helpers[id] = fn));
    // kept as given (it may be made lazily: a kfunc runtime reads the kernel's BTF on the first call)
    this.kfuncs = opts.kfuncs instanceof Map ? opts.kfuncs : new Map(opts.kfuncs ?? []);
    for (let f = 0; f < MAX_CALL_FRAMES; f++) {
      this.stacks.push(this.space.map('stack', new Uint8Array(STACK_SIZE), PERM_RW, `stack of frame ${f}`));
    }
  }

  /** Install (or, with undefined, remove) the helper with BPF_FUNC id `id`. */
  setHelper(id: number, fn: HelperFn | undefined): void {
    this.helpers[id] = fn;
  }

  /**
   * Another execution tier (vm/wasm) to run images that it accepts, inside `run` (same setup, results and
   * violations); runs with a step hook always use the interpreter. `lastTier` names the tier that ran.
   */
  engine: TierEngine | null = null;
  lastTier = 'interp';

  /** Execute `image` from its first instruction. Violations are results, never exceptions. */
  run(image: Image, input: RunInput = {}): RunResult {
    const R = this.regs;
    R.fill(0n);
    for (const s of this.stacks) s.bytes.fill(0);
    this.count = 0;
    this.runBudget = intOption('budget', input.budget, 0, Number.MAX_SAFE_INTEGER) ?? this.budget;
    this.deadline = input.deadline ?? performance.now() + this.timeLimit;
    this.frame = 0;
    this.halted = false;
    this.pendingTail = null;
    this.tailCalls = 0;
    this.warnings = [];
    this.droppedWarnings = 0;
    this.hook = input.hook ?? this.traceHook;
    this.input = input;
    let memRegion: Region | undefined;
    if (input.mem !== undefined) {
      memRegion = this.space.map('mem', input.mem, PERM_RW, 'input memory');
      R[1] = memRegion.base;
      R[2] = BigInt(input.mem.length);
    }
    input.args?.forEach((v, i) => {
      if (i < 5) R[i + 1] = BigInt.asUintN(64, v);
    });
    this.setFramePointer(0);
    const engine = this.engine !== null && this.hook === null && this.engine.accepts(image) ? this.engine : null;
    this.lastTier = engine?.name ?? 'interp';
    try {
      const r0 = engine !== null ? engine.run(this, image, memRegion) : this.exec(image, 0, 0);
      return { r0, insns: this.count, violations: [], ...this.warningsOut() };
    } catch (e) {
      const v = toViolation(e, this.pc);
      if (v === undefined) throw e;
      return { r0: null, insns: this.count, violations: [v], ...this.warningsOut() };
    } finally {
      if (memRegion !== undefined) this.space.unmap(memRegion);
      this.hook = null;
      if (engine === null) this.engine?.observe?.(image, this.count);
    }
  }

  private warningsOut(): { warnings?: RunWarning[] } {
    if (this.warnings.length === 0) return {};
    const w = this.warnings.slice();
    if (this.droppedWarnings > 0) w.push({ insn: -1, message: `${this.droppedWarnings} more BPF_PROBE_MEM faults not listed` });
    return { warnings: w };
  }

  stop(r0: bigint): void {
    this.halted = true;
    this.haltR0 = BigInt.asUintN(64, r0);
  }

  tailCall(target: Image): boolean {
    if (this.tailCalls >= MAX_TAIL_CALLS) return false;
    this.tailCalls++;
    this.pendingTail = target;
    return true;
  }

  callback(fn: bigint, args: readonly bigint[]): bigint {
    const f = BigInt.asUintN(64, fn);
    if (f >> 32n !== BigInt(CODE_HI)) throw new HelperFault('bad-jump', `callback ${hex(f)} is not a function address`);
    const target = Number(f & 0xffffffffn);
    if (target >= this.image.length) throw new HelperFault('bad-jump', `callback target ${target} is outside the program`);
    if (this.frame + 1 >= MAX_CALL_FRAMES) {
      throw new HelperFault('call-depth', `the call stack is too deep: more than ${MAX_CALL_FRAMES} frames`);
    }
    const R = this.regs;
    const keep = R.slice();
    const callerPc = this.pc;
    const callerImage = this.image;
    const frame = ++this.frame;
    this.stacks[frame]!.bytes.fill(0);
    for (let k = 0; k < 5; k++) R[k + 1] = k < args.length ? BigInt.asUintN(64, args[k]!) : 0n;
    this.setFramePointer(frame);
    const r0 = this.exec(callerImage, target, frame);
    this.frame = frame - 1;
    R.set(keep);
    this.pc = callerPc;
    this.image = callerImage;
    return r0;
  }

  private setFramePointer(frame: number): void {
    this.U[20] = STACK_SIZE;
    this.U[21] = this.stacks[frame]!.hi;
  }

  /** Call helper or kfunc `fn` for instruction `at`. */
  private invoke(fn: HelperFn, at: number, count: number, frame: number, image: Image): void {
    const R = this.regs;
    this.pc = at;
    this.count = count;
    this.frame = frame;
    this.image = image;
    try {
      R[0] = fn(this, R[1]!, R[2]!, R[3]!, R[4]!, R[5]!);
    } catch (e) {
      if (e instanceof HelperFault || e instanceof MemoryFault || e instanceof Stop) throw e;
      throw new Stop('helper-error', `helper failed: ${e instanceof Error ? e.message : String(e)}`, at);
    }
  }

  /**
   * The interpreter loop: runs `image` from `startPc` in frame `baseFrame` until that frame exits;
   * returns r0. Hot locals (pc, count, frame and the image's arrays) never escape into closures.
   */
  private exec(image: Image, startPc: number, baseFrame: number): bigint {
    const R = this.regs, U = this.U, S = this.S, RS = this.RS;
    const windows = this.space.windows;
    const helpers = this.helpers;
    const stacks = this.stacks, retPc = this.retPc, retImage = this.retImage, saved = this.saved;
    const hook = this.hook;
    const budget = this.runBudget;
    const limit = hook !== null ? 0 : budget;

    const input = this.input;
    let img = image;
    let P = img.packed, immBig = img.immBig;
    let pc = startPc | 0;
    let count = this.count;
    // The count at which the clock is read next (the fast loop leaves at least every MAX_STEPS instructions).
    let clockAt = count + CLOCK_EVERY;
    let frame = baseFrame;
    this.image = img;
    // A one-entry region cache for loads and stores: window `cHi`, its bytes, and the sizes up to which it
    // may be read (cR) and written (cW), 0 without the permission. Only helpers, kfuncs, virtual regions and
    // step hooks can retire a region or change its permissions or bytes, so the cache is emptied (cR = cW = 0)
    // after each of those; a fast access is then a compare of the window and of the offset.
    let cHi = -1, cR = 0, cW = 0;
    let cBytes = NO_BYTES, cDv = NO_VIEW;
    // The count at which the step hook was last called (it is called once per instruction).
    let hookedAt = -1;

    /** Fast-path region of [reg + offset, +size): plain, alive, in bounds, permitted; else null. */
    const region = (d: number, offset: number, size: number, perm: number): Region | null => {
      let lo = U[d]! + offset;
      let hi = U[d + 1]!;
      if (lo < 0) {
        lo += TWO32;
        hi = (hi - 1) >>> 0;
      } else if (lo >= TWO32) {
        lo -= TWO32;
        hi = (hi + 1) >>> 0;
      }
      const r = windows[hi - WINDOW_HI_BASE];
      if (r === undefined || (r.fastPerms & perm) !== perm || lo + size > r.size) return null;
      return r;
    };

    try {
      for (;;) {
        // The fast loop runs every instruction that calls nothing: arithmetic, jumps, and loads and stores
        // through the cached region. With no call in it, V8 keeps its counters as untagged integers in
        // registers. Anything else (a cache miss, a call, an exit, a division on BigInts, the budget or the
        // step hook) leaves it for one slow step below, with pc and the count unchanged.
        // It runs at most `steps` instructions, counted in `n`: one compare per instruction covers both the
        // budget and the step hook (with a hook attached the limit is 0, and the slow step lets one
        // instruction through after each call of the hook).
        // It reads and writes registers through the Int32 view S only (V8 checks one array, not two, per
        // instruction); `S[x]! >>> 0` reads a word unsigned.
        const left = hookedAt === count ? 1 : limit - count;
        const steps = left <= 0 ? 0 : left < MAX_STEPS ? left | 0 : MAX_STEPS;
        let n = 0;
        fast: for (;;) {
          if (n >= steps) break;
          n++;
          const i = pc++;
          const b4 = i << 2;
          const w = P[b4]!;
          const d = (w >> 16) & 0xff;
          switch (w & 0xffff) {
            // ---- ALU64 ----------------------------------------------------------------------------
            case Op.ADD64_K: { const k = P[b4 + 2]!, a = S[d]!, lo = (a + k) | 0; S[d] = lo; S[d + 1] = (S[d + 1]! + (k >> 31) + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; break; }
            case Op.ADD64_X: { const s = (w >>> 24), a = S[d]!, lo = (a + S[s]!) | 0; S[d] = lo; S[d + 1] = (S[d + 1]! + S[s + 1]! + ((lo >>> 0) < (a >>> 0) ? 1 : 0)) | 0; break; }
            case Op.SUB64_K: { const k = P[b4 + 2]!, a = S[d]!; S[d] = (a - k) | 0; S[d + 1] = (S[d + 1]! - (k >> 31) - ((a >>> 0) < (k >>> 0) ? 1 : 0)) | 0; break; }
            case Op.SUB64_X: { const s = (w >>> 24), a = S[d]!, k = S[s]!; S[d] = (a - k) | 0; S[d + 1] = (S[d + 1]! - S[s + 1]! - ((a >>> 0) < (k >>> 0) ? 1 : 0)) | 0; break; }
            // The product's low word is Math.imul's; its high word comes from the double product (see mulHigh).
            case Op.MUL64_K: {
              const k = P[b4 + 2]!, al = S[d]! >>> 0, ah = S[d + 1]!, lo = Math.imul(al, k);
              S[d + 1] = (mulHigh(al, k >>> 0, lo) + Math.imul(ah, k) + Math.imul(al, k >> 31)) | 0;
              S[d] = lo;
              break;
            }
            case Op.MUL64_X: {
              const s = w >>> 24, al = S[d]! >>> 0, ah = S[d + 1]!, bl = S[s]! >>> 0, bh = S[s + 1]!, lo = Math.imul(al, bl);
              S[d + 1] = (mulHigh(al, bl, lo) + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
              S[d] = lo;
              break;
            }
            case Op.OR64_K: S[d] = S[d]! | P[b4 + 2]!; S[d + 1] = S[d + 1]! | (P[b4 + 2]! >> 31); break;
            case Op.OR64_X: { const s = (w >>> 24); S[d] = S[d]! | S[s]!; S[d + 1] = S[d + 1]! | S[s + 1]!; break; }
            case Op.AND64_K: S[d] = S[d]! & P[b4 + 2]!; S[d + 1] = S[d + 1]! & (P[b4 + 2]! >> 31); break;
            case Op.AND64_X: { const s = (w >>> 24); S[d] = S[d]! & S[s]!; S[d + 1] = S[d + 1]! & S[s + 1]!; break; }
            case Op.XOR64_K: S[d] = S[d]! ^ P[b4 + 2]!; S[d + 1] = S[d + 1]! ^ (P[b4 + 2]! >> 31); break;
            case Op.XOR64_X: { const s = (w >>> 24); S[d] = S[d]! ^ S[s]!; S[d + 1] = S[d + 1]! ^ S[s + 1]!; break; }
            case Op.LSH64_K: lsh64(U, d, P[b4 + 2]! & 63); break;
            case Op.LSH64_X: lsh64(U, d, S[(w >>> 24)]! & 63); break;
            case Op.RSH64_K: rsh64(U, d, P[b4 + 2]! & 63); break;
            case Op.RSH64_X: rsh64(U, d, S[(w >>> 24)]! & 63); break;
            case Op.ARSH64_K: arsh64(U, S, d, P[b4 + 2]! & 63); break;
            case Op.ARSH64_X: arsh64(U, S, d, S[(w >>> 24)]! & 63); break;
            case Op.NEG64: { const lo = S[d]! >>> 0; S[d] = -lo; S[d + 1] = -(S[d + 1]! >>> 0) - (lo !== 0 ? 1 : 0); break; }
            case Op.MOV64_K: S[d] = P[b4 + 2]!; S[d + 1] = (P[b4 + 2]! >> 31); break;
            case Op.MOV64_X: { const s = (w >>> 24); S[d] = S[s]!; S[d + 1] = S[s + 1]!; break; }
            case Op.MOVSX8_64: { const v = ((S[(w >>> 24)]! >>> 0) << 24) >> 24; S[d] = v; S[d + 1] = v >> 31; break; }
            case Op.MOVSX16_64: { const v = ((S[(w >>> 24)]! >>> 0) << 16) >> 16; S[d] = v; S[d + 1] = v >> 31; break; }
            case Op.MOVSX32_64: { const v = S[(w >>> 24)]!; S[d] = v; S[d + 1] = v >> 31; break; }
            case Op.BSWAP16: S[d] = bswap16(S[d]! >>> 0); S[d + 1] = 0; break;
            case Op.BSWAP32: S[d] = bswap32(S[d]! >>> 0); S[d + 1] = 0; break;
            case Op.BSWAP64: { const lo = S[d]! >>> 0; S[d] = bswap32(S[d + 1]! >>> 0); S[d + 1] = bswap32(lo); break; }
            // ---- ALU (32-bit; results zero-extended) ----------------------------------------------
            case Op.ADD32_K: S[d] = S[d]! + P[b4 + 2]!; S[d + 1] = 0; break;
            case Op.ADD32_X: S[d] = S[d]! + S[(w >>> 24)]!; S[d + 1] = 0; break;
            case Op.SUB32_K: S[d] = S[d]! - P[b4 + 2]!; S[d + 1] = 0; break;
            case Op.SUB32_X: S[d] = S[d]! - S[(w >>> 24)]!; S[d + 1] = 0; break;
            case Op.MUL32_K: S[d] = Math.imul((S[d]! >>> 0), P[b4 + 2]!); S[d + 1] = 0; break;
            case Op.MUL32_X: S[d] = Math.imul((S[d]! >>> 0), (S[(w >>> 24)]! >>> 0)); S[d + 1] = 0; break;
            case Op.DIV32_K: { const b = P[b4 + 2]! >>> 0; S[d] = b === 0 ? 0 : Math.floor((S[d]! >>> 0) / b); S[d + 1] = 0; break; }
            case Op.DIV32_X: { const b = S[(w >>> 24)]! >>> 0; S[d] = b === 0 ? 0 : Math.floor((S[d]! >>> 0) / b); S[d + 1] = 0; break; }
            case Op.SDIV32_K: { const b = P[b4 + 2]!; S[d] = b === 0 ? 0 : Math.trunc(S[d]! / b); S[d + 1] = 0; break; }
            case Op.SDIV32_X: { const b = S[(w >>> 24)]!; S[d] = b === 0 ? 0 : Math.trunc(S[d]! / b); S[d + 1] = 0; break; }
            case Op.MOD32_K: { const b = P[b4 + 2]! >>> 0; if (b !== 0) S[d] = (S[d]! >>> 0) % b; S[d + 1] = 0; break; }
            case Op.MOD32_X: { const b = S[(w >>> 24)]! >>> 0; if (b !== 0) S[d] = (S[d]! >>> 0) % b; S[d + 1] = 0; break; }
            case Op.SMOD32_K: { const b = P[b4 + 2]!; if (b !== 0) S[d] = S[d]! % b; S[d + 1] = 0; break; }
            case Op.SMOD32_X: { const b = S[(w >>> 24)]!; if (b !== 0) S[d] = S[d]! % b; S[d + 1] = 0; break; }
            case Op.OR32_K: S[d] = S[d]! | P[b4 + 2]!; S[d + 1] = 0; break;
            case Op.OR32_X: S[d] = S[d]! | S[(w >>> 24)]!; S[d + 1] = 0; break;
            case Op.AND32_K: S[d] = S[d]! & P[b4 + 2]!; S[d + 1] = 0; break;
            case Op.AND32_X: S[d] = S[d]! & S[(w >>> 24)]!; S[d + 1] = 0; break;
            case Op.XOR32_K: S[d] = S[d]! ^ P[b4 + 2]!; S[d + 1] = 0; break;
            case Op.XOR32_X: S[d] = S[d]! ^ S[(w >>> 24)]!; S[d + 1] = 0; break;
            case Op.LSH32_K: S[d] = S[d]! << (P[b4 + 2]! & 31); S[d + 1] = 0; break;
            case Op.LSH32_X: S[d] = S[d]! << (S[(w >>> 24)]! & 31); S[d + 1] = 0; break;
            case Op.RSH32_K: S[d] = S[d]! >>> (P[b4 + 2]! & 31); S[d + 1] = 0; break;
            case Op.RSH32_X: S[d] = S[d]! >>> (S[(w >>> 24)]! & 31); S[d + 1] = 0; break;
            case Op.ARSH32_K: S[d] = S[d]! >> (P[b4 + 2]! & 31); S[d + 1] = 0; break;
            case Op.ARSH32_X: S[d] = S[d]! >> (S[(w >>> 24)]! & 31); S[d + 1] = 0; break;
            case Op.NEG32: S[d] = -(S[d]! >>> 0); S[d + 1] = 0; break;
            case Op.MOV32_K: S[d] = P[b4 + 2]!; S[d + 1] = 0; break;
            case Op.MOV32_X: S[d] = S[(w >>> 24)]!; S[d + 1] = 0; break;
            case Op.MOVSX8_32: S[d] = ((S[(w >>> 24)]! >>> 0) << 24) >> 24; S[d + 1] = 0; break;
            case Op.MOVSX16_32: S[d] = ((S[(w >>> 24)]! >>> 0) << 16) >> 16; S[d + 1] = 0; break;
            case Op.LE16: S[d] = S[d]! & 0xffff; S[d + 1] = 0; break;
            case Op.LE32: S[d + 1] = 0; break;
            case Op.LE64: break;
            case Op.BE16: S[d] = bswap16(S[d]! >>> 0); S[d + 1] = 0; break;
            case Op.BE32: S[d] = bswap32(S[d]! >>> 0); S[d + 1] = 0; break;
            case Op.BE64: { const lo = S[d]! >>> 0; S[d] = bswap32(S[d + 1]! >>> 0); S[d + 1] = bswap32(lo); break; }
            // ---- JMP (64-bit compares) ------------------------------------------------------------
            case Op.JA: pc += P[b4 + 3]!; break;
            case Op.JA32: pc += P[b4 + 3]!; break;
            case Op.JEQ_K: if (S[d] === P[b4 + 2] && S[d + 1] === P[b4 + 2]! >> 31) pc += P[b4 + 3]!; break;
            case Op.JEQ_X: { const s = (w >>> 24); if (S[d] === S[s] && S[d + 1] === S[s + 1]) pc += P[b4 + 3]!; break; }
            case Op.JNE_K: if (S[d] !== P[b4 + 2] || S[d + 1] !== P[b4 + 2]! >> 31) pc += P[b4 + 3]!; break;
            case Op.JNE_X: { const s = (w >>> 24); if (S[d] !== S[s] || S[d + 1] !== S[s + 1]) pc += P[b4 + 3]!; break; }
            case Op.JSET_K: if (((S[d]! >>> 0) & P[b4 + 2]!) !== 0 || ((S[d + 1]! >>> 0) & (P[b4 + 2]! >> 31)) !== 0) pc += P[b4 + 3]!; break;
            case Op.JSET_X: { const s = (w >>> 24); if (((S[d]! >>> 0) & (S[s]! >>> 0)) !== 0 || ((S[d + 1]! >>> 0) & (S[s + 1]! >>> 0)) !== 0) pc += P[b4 + 3]!; break; }
            case Op.JGT_K: { const k = P[b4 + 2]!, ah = S[d + 1]! >>> 0, bh = ((k >> 31) >>> 0); if (ah > bh || (ah === bh && (S[d]! >>> 0) > (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JGT_X: { const s = w >>> 24, ah = S[d + 1]! >>> 0, bh = S[s + 1]! >>> 0; if (ah > bh || (ah === bh && (S[d]! >>> 0) > (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JGE_K: { const k = P[b4 + 2]!, ah = S[d + 1]! >>> 0, bh = ((k >> 31) >>> 0); if (ah > bh || (ah === bh && (S[d]! >>> 0) >= (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JGE_X: { const s = w >>> 24, ah = S[d + 1]! >>> 0, bh = S[s + 1]! >>> 0; if (ah > bh || (ah === bh && (S[d]! >>> 0) >= (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JLT_K: { const k = P[b4 + 2]!, ah = S[d + 1]! >>> 0, bh = ((k >> 31) >>> 0); if (ah < bh || (ah === bh && (S[d]! >>> 0) < (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JLT_X: { const s = w >>> 24, ah = S[d + 1]! >>> 0, bh = S[s + 1]! >>> 0; if (ah < bh || (ah === bh && (S[d]! >>> 0) < (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JLE_K: { const k = P[b4 + 2]!, ah = S[d + 1]! >>> 0, bh = ((k >> 31) >>> 0); if (ah < bh || (ah === bh && (S[d]! >>> 0) <= (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JLE_X: { const s = w >>> 24, ah = S[d + 1]! >>> 0, bh = S[s + 1]! >>> 0; if (ah < bh || (ah === bh && (S[d]! >>> 0) <= (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSGT_K: { const k = P[b4 + 2]!, ah = S[d + 1]!, bh = (k >> 31); if (ah > bh || (ah === bh && (S[d]! >>> 0) > (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSGT_X: { const s = w >>> 24, ah = S[d + 1]!, bh = S[s + 1]!; if (ah > bh || (ah === bh && (S[d]! >>> 0) > (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSGE_K: { const k = P[b4 + 2]!, ah = S[d + 1]!, bh = (k >> 31); if (ah > bh || (ah === bh && (S[d]! >>> 0) >= (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSGE_X: { const s = w >>> 24, ah = S[d + 1]!, bh = S[s + 1]!; if (ah > bh || (ah === bh && (S[d]! >>> 0) >= (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSLT_K: { const k = P[b4 + 2]!, ah = S[d + 1]!, bh = (k >> 31); if (ah < bh || (ah === bh && (S[d]! >>> 0) < (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSLT_X: { const s = w >>> 24, ah = S[d + 1]!, bh = S[s + 1]!; if (ah < bh || (ah === bh && (S[d]! >>> 0) < (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSLE_K: { const k = P[b4 + 2]!, ah = S[d + 1]!, bh = (k >> 31); if (ah < bh || (ah === bh && (S[d]! >>> 0) <= (k >>> 0))) pc += P[b4 + 3]!; break; }
            case Op.JSLE_X: { const s = w >>> 24, ah = S[d + 1]!, bh = S[s + 1]!; if (ah < bh || (ah === bh && (S[d]! >>> 0) <= (S[s]! >>> 0))) pc += P[b4 + 3]!; break; }
            // ---- JMP32 (low 32 bits) --------------------------------------------------------------
            case Op.JEQ32_K: if (S[d] === P[b4 + 2]) pc += P[b4 + 3]!; break;
            case Op.JEQ32_X: if (S[d] === S[(w >>> 24)]) pc += P[b4 + 3]!; break;
            case Op.JNE32_K: if (S[d] !== P[b4 + 2]) pc += P[b4 + 3]!; break;
            case Op.JNE32_X: if (S[d] !== S[(w >>> 24)]) pc += P[b4 + 3]!; break;
            case Op.JSET32_K: if (((S[d]! >>> 0) & P[b4 + 2]!) !== 0) pc += P[b4 + 3]!; break;
            case Op.JSET32_X: if (((S[d]! >>> 0) & (S[(w >>> 24)]! >>> 0)) !== 0) pc += P[b4 + 3]!; break;
            case Op.JGT32_K: if ((S[d]! >>> 0) > P[b4 + 2]! >>> 0) pc += P[b4 + 3]!; break;
            case Op.JGT32_X: if ((S[d]! >>> 0) > (S[(w >>> 24)]! >>> 0)) pc += P[b4 + 3]!; break;
            case Op.JGE32_K: if ((S[d]! >>> 0) >= P[b4 + 2]! >>> 0) pc += P[b4 + 3]!; break;
            case Op.JGE32_X: if ((S[d]! >>> 0) >= (S[(w >>> 24)]! >>> 0)) pc += P[b4 + 3]!; break;
            case Op.JLT32_K: if ((S[d]! >>> 0) < P[b4 + 2]! >>> 0) pc += P[b4 + 3]!; break;
            case Op.JLT32_X: if ((S[d]! >>> 0) < (S[(w >>> 24)]! >>> 0)) pc += P[b4 + 3]!; break;
            case Op.JLE32_K: if ((S[d]! >>> 0) <= P[b4 + 2]! >>> 0) pc += P[b4 + 3]!; break;
            case Op.JLE32_X: if ((S[d]! >>> 0) <= (S[(w >>> 24)]! >>> 0)) pc += P[b4 + 3]!; break;
            case Op.JSGT32_K: if (S[d]! > P[b4 + 2]!) pc += P[b4 + 3]!; break;
            case Op.JSGT32_X: if (S[d]! > S[(w >>> 24)]!) pc += P[b4 + 3]!; break;
            case Op.JSGE32_K: if (S[d]! >= P[b4 + 2]!) pc += P[b4 + 3]!; break;
            case Op.JSGE32_X: if (S[d]! >= S[(w >>> 24)]!) pc += P[b4 + 3]!; break;
            case Op.JSLT32_K: if (S[d]! < P[b4 + 2]!) pc += P[b4 + 3]!; break;
            case Op.JSLT32_X: if (S[d]! < S[(w >>> 24)]!) pc += P[b4 + 3]!; break;
            case Op.JSLE32_K: if (S[d]! <= P[b4 + 2]!) pc += P[b4 + 3]!; break;
            case Op.JSLE32_X: if (S[d]! <= S[(w >>> 24)]!) pc += P[b4 + 3]!; break;
            // ---- LD ------------------------------------------------------------------------------
            case Op.LDDW: S[d] = P[b4 + 2]!; S[d + 1] = P[b4 + 3]!; pc++; break;
            // ---- LDX: the cached region first (a compare of the window and of the offset), else resolve it ----
            case Op.LDXB: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 1) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              S[d] = cBytes[x]!; S[d + 1] = 0;
              break;
            }
            case Op.LDXH: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 2) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              S[d] = cDv.getUint16(x, true); S[d + 1] = 0;
              break;
            }
            case Op.LDXW: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 4) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              S[d] = cDv.getUint32(x, true); S[d + 1] = 0;
              break;
            }
            case Op.LDXDW: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 8) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              S[d] = cDv.getUint32(x, true); S[d + 1] = cDv.getUint32(x + 4, true);
              break;
            }
            case Op.LDXSB: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 1) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              { const v = cDv.getInt8(x); S[d] = v; S[d + 1] = v >> 31; }
              break;
            }
            case Op.LDXSH: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 2) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              { const v = cDv.getInt16(x, true); S[d] = v; S[d + 1] = v >> 31; }
              break;
            }
            case Op.LDXSW: {
              const b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
              if (S[b + 1] !== cHi || (a | x) < 0 || x > cR - 4) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              { const v = cDv.getInt32(x, true); S[d] = v; S[d + 1] = v >> 31; }
              break;
            }
            // ---- ST / STX ------------------------------------------------------------------------
            case Op.STB: {
              const o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 1) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cBytes[x] = P[b4 + 2]!;
              break;
            }
            case Op.STH: {
              const o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 2) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cDv.setUint16(x, P[b4 + 2]!, true);
              break;
            }
            case Op.STW: {
              const o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 4) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cDv.setInt32(x, P[b4 + 2]!, true);
              break;
            }
            case Op.STDW: {
              const o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 8) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cDv.setInt32(x, P[b4 + 2]!, true); cDv.setInt32(x + 4, P[b4 + 2]! >> 31, true);
              break;
            }
            case Op.STXB: {
              const s = w >>> 24, o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 1) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cBytes[x] = S[s]!;
              break;
            }
            case Op.STXH: {
              const s = w >>> 24, o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 2) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cDv.setUint16(x, S[s]!, true);
              break;
            }
            case Op.STXW: {
              const s = w >>> 24, o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 4) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cDv.setInt32(x, S[s]!, true);
              break;
            }
            case Op.STXDW: {
              const s = w >>> 24, o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
              if (S[d + 1] !== cHi || (a | x) < 0 || x > cW - 8) {
                pc = i; n--; break fast; // a miss: the slow step resolves the region
              }
              cDv.setInt32(x, S[s]!, true); cDv.setInt32(x + 4, S[s + 1]!, true);
              break;
            }
            default:
              pc = i;
              n--;
              break fast;
          }
        }
        count += n;

        // ---- the slow step: the budget and the hook, then one instruction the fast loop left ----------
        if (count >= clockAt) {
          clockAt = count + CLOCK_EVERY;
          if (performance.now() > this.deadline) {
            throw new Stop('budget', `wall-clock limit of ${this.timeLimit} ms exceeded after ${count} instructions`, pc);
          }
        }
        if (count >= limit && count !== hookedAt) {
          if (count >= budget) throw new Stop('budget', `instruction budget of ${budget} exhausted`, pc);
          hook!(pc, R, frame);
          cR = cW = 0;
          hookedAt = count;
          continue;
        }
        count++;
        const i = pc++;
        const b4 = i << 2;
        const w = P[b4]!;
        const d = (w >> 16) & 0xff;
        switch (w & 0xffff) {
          case Op.DIV64_K: { const k = BigInt.asUintN(64, immBig[i]!); R[d >> 1] = k === 0n ? 0n : R[d >> 1]! / k; break; }
          case Op.DIV64_X: {
            const s = (w >>> 24);
            if (U[d + 1] === 0 && U[s + 1] === 0) { const b = U[s]!; U[d] = b === 0 ? 0 : Math.floor(U[d]! / b); }
            else { const b = R[s >> 1]!; R[d >> 1] = b === 0n ? 0n : R[d >> 1]! / b; }
            break;
          }
          case Op.SDIV64_K: { const k = immBig[i]!; RS[d >> 1] = k === 0n ? 0n : RS[d >> 1]! / k; break; }
          case Op.SDIV64_X: { const k = RS[w >>> 25]!; RS[d >> 1] = k === 0n ? 0n : RS[d >> 1]! / k; break; }
          case Op.MOD64_K: { const k = BigInt.asUintN(64, immBig[i]!); if (k !== 0n) R[d >> 1] = R[d >> 1]! % k; break; }
          case Op.MOD64_X: {
            const s = (w >>> 24);
            if (U[d + 1] === 0 && U[s + 1] === 0) { const b = U[s]!; if (b !== 0) U[d] = U[d]! % b; }
            else { const b = R[s >> 1]!; if (b !== 0n) R[d >> 1] = R[d >> 1]! % b; }
            break;
          }
          case Op.SMOD64_K: { const k = immBig[i]!; if (k !== 0n) RS[d >> 1] = RS[d >> 1]! % k; break; }
          case Op.SMOD64_X: { const k = RS[w >>> 25]!; if (k !== 0n) RS[d >> 1] = RS[d >> 1]! % k; break; }
          case Op.CALL: case Op.CALLX: case Op.CALL_KFUNC: {
            const c = w & 0xffff;
            const id = c === Op.CALLX ? (U[d + 1] === 0 ? U[d]! : -1) : P[b4 + 2]!;
            const fn = c === Op.CALL_KFUNC ? this.kfuncs.get(id) : id >= 0 ? helpers[id] : undefined;
            if (fn === undefined) {
              throw c === Op.CALL_KFUNC ? new Stop('unknown-helper', `call to unknown kfunc (BTF id ${id})`)
                : new Stop('unknown-helper', `call to unknown helper ${id}`);
            }
            this.invoke(fn, i, count, frame, img);
            cR = cW = 0;
            count = this.count;
            if (this.halted) return this.haltR0;
            if (this.pendingTail !== null) {
              img = this.pendingTail;
              this.pendingTail = null;
              this.image = img;
              P = img.packed;
              immBig = img.immBig;
              pc = 0;
            }
            break;
          }
          case Op.CALL_LOCAL: {
            if (frame + 1 >= MAX_CALL_FRAMES) {
              throw new Stop('call-depth', `the call stack is too deep: more than ${MAX_CALL_FRAMES} frames`);
            }
            const sv = frame * 8;
            for (let k = 0; k < 8; k++) saved[sv + k] = U[12 + k]!;
            retPc[frame] = pc;
            retImage[frame] = img;
            frame++;
            stacks[frame]!.bytes.fill(0);
            U[20] = STACK_SIZE;
            U[21] = stacks[frame]!.hi;
            pc += P[b4 + 3]!;
            break;
          }
          case Op.EXIT: {
            if (frame === baseFrame) {
              this.count = count;
              return R[0]!;
            }
            frame--;
            const sv = frame * 8;
            for (let k = 0; k < 8; k++) U[12 + k] = saved[sv + k]!;
            U[20] = STACK_SIZE;
            U[21] = stacks[frame]!.hi;
            pc = retPc[frame]!;
            if (retImage[frame] !== img) {
              img = retImage[frame]!;
              this.image = img;
              P = img.packed;
              immBig = img.immBig;
            }
            break;
          }
          case Op.LDABS_B: case Op.LDABS_H: case Op.LDABS_W:
          case Op.LDIND_B: case Op.LDIND_H: case Op.LDIND_W:
            this.count = count;
            if (!this.legacyLoad(img.insns[i]!, input.packet)) {
              this.stop(0n);
              return 0n;
            }
            break;
          case Op.ATOMIC_ADD_W: case Op.ATOMIC_OR_W: case Op.ATOMIC_AND_W: case Op.ATOMIC_XOR_W:
          case Op.ATOMIC_FADD_W: case Op.ATOMIC_FOR_W: case Op.ATOMIC_FAND_W: case Op.ATOMIC_FXOR_W:
          case Op.ATOMIC_XCHG_W: case Op.ATOMIC_CMPXCHG_W: {
            const o = P[b4 + 1]!, r = region(d, o, 4, PERM_RW) ?? this.atomicRegion(d, o, 4);
            atomic32(w & 0xffff, r.dv, (U[d]! + o) >>> 0, U, (w >>> 24));
            break;
          }
          case Op.ATOMIC_ADD_DW: case Op.ATOMIC_OR_DW: case Op.ATOMIC_AND_DW: case Op.ATOMIC_XOR_DW:
          case Op.ATOMIC_FADD_DW: case Op.ATOMIC_FOR_DW: case Op.ATOMIC_FAND_DW: case Op.ATOMIC_FXOR_DW:
          case Op.ATOMIC_XCHG_DW: case Op.ATOMIC_CMPXCHG_DW: {
            const o = P[b4 + 1]!, r = region(d, o, 8, PERM_RW) ?? this.atomicRegion(d, o, 8);
            atomic64(w & 0xffff, r.dv, (U[d]! + o) >>> 0, R, w >>> 25);
            break;
          }

          // ---- loads and stores the cache missed: resolve the region; the fast loop retries with it, or the
          // slow path serves a virtual region or raises the fault ------------------------------------------
          case Op.LDXB: case Op.LDXH: case Op.LDXW: case Op.LDXDW: case Op.LDXSB: case Op.LDXSH: case Op.LDXSW: {
            const c = w & 0xffff, n = ACCESS_SIZE[c]! as 1 | 2 | 4 | 8, b = w >>> 24, o = P[b4 + 1]!, a = S[b]!, x = (a + o) | 0;
            const r = region(b, o, n, PERM_R);
            if (r !== null && (a | x) >= 0) {
              cHi = r.hi; cBytes = r.bytes; cDv = r.dv; cR = (r.fastPerms & PERM_R) !== 0 ? r.size : 0; cW = (r.fastPerms & PERM_W) !== 0 ? r.size : 0;
              pc = i;
              count--;
              break;
            }
            cR = cW = 0;
            this.slowLoad(b, o, n, d, c === Op.LDXSB || c === Op.LDXSH || c === Op.LDXSW, img.probeMem !== null && img.probeMem.has(i) ? i : -1);
            break;
          }
          case Op.STB: case Op.STH: case Op.STW: case Op.STDW: case Op.STXB: case Op.STXH: case Op.STXW: case Op.STXDW: {
            const c = w & 0xffff, n = ACCESS_SIZE[c]! as 1 | 2 | 4 | 8, o = P[b4 + 1]!, a = S[d]!, x = (a + o) | 0;
            const r = region(d, o, n, PERM_W);
            if (r !== null && (a | x) >= 0) {
              cHi = r.hi; cBytes = r.bytes; cDv = r.dv; cR = (r.fastPerms & PERM_R) !== 0 ? r.size : 0; cW = (r.fastPerms & PERM_W) !== 0 ? r.size : 0;
              pc = i;
              count--;
              break;
            }
            cR = cW = 0;
            const imm = c === Op.STB || c === Op.STH || c === Op.STW || c === Op.STDW, s = w >>> 24;
            if (imm) this.slowStore(d, o, n, P[b4 + 2]!, P[b4 + 2]! >> 31);
            else this.slowStore(d, o, n, U[s]!, U[s + 1]!);
            break;
          }
          default: {
            const c = w & 0xffff;
            if (OP_BY_CODE.has(c)) {
              // An instruction of the fast loop, which stopped after MAX_STEPS: go on there.
              pc = i;
              count--;
              break;
            }
            // Sentinels and non-instructions, outside the jump table's range.
            if (c === FELL_OFF) throw new Stop('bad-jump', 'execution fell off the end of the program', P[b4 + 2]);
            if (c === JUMPED_OUT) throw new Stop('bad-jump', `jump out of the program (from instruction ${P[b4 + 2]})`, P[b4 + 2]);
            if (c === (LDDW_HI & 0xffff)) throw new Stop('invalid-insn', 'execution reached the second half of an lddw');
            throw new Stop('invalid-insn', `invalid instruction (opcode 0x${img.insns[i]!.opcode.toString(16)})`);
          }
        }
      }
    } catch (e) {
      // The innermost frame names the faulting instruction; outer frames only pass the fault on.
      if (!faultSite.has(e as object) && typeof e === 'object' && e !== null) faultSite.set(e, pc - 1);
      throw e;
    } finally {
      this.count = count;
      this.pc = pc - 1;
      this.frame = frame;
    }
  }

  // ---- the bridge another tier uses: the interpreter's own calls, accesses, budget and faults ----------

  /** Instructions executed so far in this run. */
  get executed(): number {
    return this.count;
  }

  /** Where a fault raised next happens: the instruction index and the instructions executed with it. */
  at(pc: number, count: number): void {
    this.pc = pc;
    this.count = count;
  }

  /** Continue the run in the interpreter at `pc` of `image` in frame 0 (registers in `regs`); returns r0. */
  resume(image: Image, pc: number, count: number): bigint {
    this.count = count;
    return this.exec(image, pc, 0);
  }

  /** The r0 of a run a tier call finished (halted by a helper, or ended in a tail-called program). */
  tierResult = 0n;

  /**
   * The call instruction at `at` of `image` (helper, callx, kfunc), with `count` instructions executed:
   * 0 to go on, 1 when the run is over (r0 in `tierResult`: a helper stopped it, or a tail call ran on).
   */
  tierCall(image: Image, at: number, count: number): number {
    const P = image.packed, w = P[at * 4]!, c = w & 0xffff, d = (w >> 16) & 0xff;
    const U = this.U;
    const id = c === Op.CALLX ? (U[d + 1] === 0 ? U[d]! : -1) : P[at * 4 + 2]!;
    const fn = c === Op.CALL_KFUNC ? this.kfuncs.get(id) : id >= 0 ? this.helpers[id] : undefined;
    this.pc = at;
    this.count = count;
    if (fn === undefined) {
      throw c === Op.CALL_KFUNC ? new Stop('unknown-helper', `call to unknown kfunc (BTF id ${id})`)
        : new Stop('unknown-helper', `call to unknown helper ${id}`);
    }
    this.invoke(fn, at, count, 0, image);
    if (this.halted) {
      this.tierResult = this.haltR0;
      return 1;
    }
    if (this.pendingTail !== null) {
      const img = this.pendingTail;
      this.pendingTail = null;
      this.image = img;
      this.tierResult = this.exec(img, 0, 0);
      return 1;
    }
    return 0;
  }

  /** A load the tier's fast path missed, as the interpreter's slow path makes it. */
  tierLoad(image: Image, at: number, count: number, addr: bigint, size: 1 | 2 | 4 | 8, signed: boolean): bigint {
    this.pc = at;
    this.count = count;
    return this.loadAt(addr, size, signed, image.probeMem !== null && image.probeMem.has(at) ? at : -1);
  }

  /** A store the tier's fast path missed. */
  tierStore(at: number, count: number, addr: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    this.pc = at;
    this.count = count;
    this.space.write(addr, size, BigInt.asUintN(64, value));
  }

  /** The atomic instruction at `at` of `image` on the registers in `regs`. */
  tierAtomic(image: Image, at: number, count: number): void {
    this.pc = at;
    this.count = count;
    const P = image.packed, w = P[at * 4]!, c = w & 0xffff, d = (w >> 16) & 0xff, o = P[at * 4 + 1]!;
    const wide = ACCESS_SIZE_ATOMIC_DW.has(c);
    const r = this.atomicRegion(d, o, wide ? 8 : 4);
    if (wide) atomic64(c, r.dv, (this.U[d]! + o) >>> 0, this.regs, w >>> 25);
    else atomic32(c, r.dv, (this.U[d]! + o) >>> 0, this.U, w >>> 24);
  }

  /** The wall-clock check the interpreter makes every CLOCK_EVERY instructions. */
  tierClock(pc: number, count: number): void {
    if (performance.now() > this.deadline) {
      this.count = count;
      throw new Stop('budget', `wall-clock limit of ${this.timeLimit} ms exceeded after ${count} instructions`, pc);
    }
  }

  /** The budget of the current run. */
  get currentBudget(): number {
    return this.runBudget;
  }

  /** Slow path of a load: virtual regions, or a fault with the right kind. */
  private slowLoad(b: number, offset: number, size: 1 | 2 | 4 | 8, d: number, signed: boolean, probe: number): void {
    const addr = BigInt.asUintN(64, this.regs[b >> 1]! + BigInt(offset));
    this.regs[d >> 1] = this.loadAt(addr, size, signed, probe);
  }

  private loadAt(addr: bigint, size: 1 | 2 | 4 | 8, signed: boolean, probe: number): bigint {
    addr = BigInt.asUintN(64, addr);
    let v: bigint;
    try {
      v = this.space.read(addr, size);
    } catch (e) {
      // BPF_PROBE_MEM: the exception table turns a fault into a load of 0 — but a released or freed
      // object is the program's bug, not the kernel's memory, and stays a violation
      if (probe < 0 || !(e instanceof MemoryFault) || e.kind === 'use-after-release' || e.kind === 'use-after-free') throw e;
      if (this.warnings.length < MAX_WARNINGS) this.warnings.push({ insn: probe, message: `instruction ${probe}: BPF_PROBE_MEM load of ${size} bytes at ${hex(addr)} faulted (${e.message}); read 0` });
      else this.droppedWarnings++;
      v = 0n;
    }
    if (signed) v = BigInt.asUintN(64, BigInt.asIntN(size * 8, v));
    return v;
  }

  /** Slow path of a store of the value (hi:lo) truncated to `size`. */
  private slowStore(d: number, offset: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): void {
    const addr = BigInt.asUintN(64, this.regs[d >> 1]! + BigInt(offset));
    this.space.write(addr, size, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  }

  /** Atomics need plain memory: resolve (faulting as usual) and refuse virtual regions. */
  private atomicRegion(d: number, offset: number, size: number): Region {
    const addr = BigInt.asUintN(64, this.regs[d >> 1]! + BigInt(offset));
    const { region } = this.space.resolve(addr, size, PERM_RW);
    if (region.virt !== null) throw new MemoryFault('permission', `atomic access to ${region.name} at ${hex(addr)}`, addr, size);
    return region;
  }

  /** LD_ABS / LD_IND: big-endian load from the packet into r0; false when out of range (program ends, r0 = 0). */
  private legacyLoad(insn: Insn, packet: LegacyPacket | undefined): boolean {
    if (packet === undefined) throw new Stop('out-of-bounds', 'legacy packet load without a packet');
    const size = insn.code === Op.LDABS_B || insn.code === Op.LDIND_B ? 1
      : insn.code === Op.LDABS_H || insn.code === Op.LDIND_H ? 2 : 4;
    const base = insn.code === Op.LDIND_B || insn.code === Op.LDIND_H || insn.code === Op.LDIND_W ? this.S[insn.src * 2]! : 0;
    let at = base + insn.imm;
    let b: Uint8Array | undefined = packet.bytes;
    if (at < 0) {
      // bpf_internal_load_pointer_neg_helper: relative to the network or the MAC header.
      if (at >= SKF_NET_OFF) {
        b = packet.network;
        at -= SKF_NET_OFF;
      } else if (at >= SKF_LL_OFF) {
        b = packet.mac;
        at -= SKF_LL_OFF;
      } else return false;
    }
    if (b === undefined || at < 0 || at + size > b.length) return false;
    let v = 0;
    for (let k = 0; k < size; k++) v = v * 256 + b[at + k]!;
    this.U[0] = v;
    this.U[1] = 0;
    return true;
  }
}

/** Where a fault was raised (set by the innermost executing frame). */
const faultSite = new WeakMap<object, number>();

function toViolation(e: unknown, pc: number): Violation | undefined {
  if (e instanceof Stop || e instanceof MemoryFault || e instanceof HelperFault) {
    const at = e instanceof Stop && e.at !== undefined ? e.at : faultSite.get(e) ?? pc;
    return { kind: e.kind, insn: at, message: `instruction ${at}: ${e.message}` };
  }
  return undefined;
}
