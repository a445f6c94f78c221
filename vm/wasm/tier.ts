/**
 * The wasm tier at run time: a TierEngine for Machine. Each machine gets one linear memory holding the
 * register exchange area, its eight stack regions (rebound there once) and, for a run, a copy of the input
 * memory (rebound for the run and copied back at its end); each image is compiled once to a module
 * (vm/wasm/compile.ts) and instantiated once per machine. Everything the compiled code does not do inline
 * goes through imports into the machine's own code: helper calls, slow and faulting accesses, atomics,
 * the budget past its limit (the interpreter resumes and stops exactly where it would have), the clock.
 */
import { PERM_R, PERM_W, type Region } from '../address-space.js';
import type { Image } from '../image.js';
import { MAX_CALL_FRAMES, STACK_SIZE, type Machine, type TierEngine } from '../machine.js';
import { WA, type WasmGlobal, type WasmMemory, type WasmModule } from './wasm-api.js';
import { COUNT_AT, DYN_ENTRIES, ENTRIES, ENTRY_LIN, EXIT_PC_AT, FAULT_AT, G_LIN_FIELD, LIMIT_AT, MEM_AT, REGS_AT, STACKS_AT, Unsupported, compileImage, globalName } from './compile.js';

/** Instructions between two readings of the clock (as the interpreter). */
const CLOCK_EVERY = 1 << 16;
/** Programs longer than this stay in the interpreter (compile time and code size). */
export const MAX_WASM_INSNS = 1 << 16;
const PAGE = 65536;
/** A dynamic entry's room in linear memory: larger regions stay on the slow path. */
const DYN_SLOT = 65536;

interface Entry {
  base: WasmGlobal;
  lim: WasmGlobal[]; // read 1,2,4,8 then write 1,2,4,8
  /** Dynamic entries: the region's place in linear memory. */
  lin: WasmGlobal | null;
  region: Region | null;
  /** Dynamic entries: the region's own bytes while it lives in linear memory (null: it lives there anyway). */
  orig: Uint8Array | null;
}

interface Inst {
  main: () => bigint;
  entries: Entry[];
  /** The first 32-bit word of each register the code writes (the only ones that may differ from the machine's). */
  written: Int32Array;
}

/** Per machine: the linear memory and the instances of each image's module. */
class MachineState {
  readonly memory: WasmMemory = new WA!.Memory({ initial: 2, maximum: 65536 });
  regs!: BigUint64Array;
  /**
   * The registers as 32-bit words, here and in the machine, copied word by word (TypedArray.set between
   * two buffers, BigUint64Array's or Uint32Array's, was measured at about a third of a helper call's cost).
   */
  regs32!: Uint32Array;
  readonly mRegs32: Uint32Array;
  /** A count (a non-negative integer, at most 2^52 kept) as the i64 at `at`. */
  setWord64(at: number, n: number): void {
    const v = Math.min(n, 2 ** 52);
    this.i32[at / 4] = v % 4294967296;
    this.i32[at / 4 + 1] = Math.floor(v / 4294967296);
  }
  /** The machine's registers from the exchange area, and back. */
  toMachine(): void {
    const a = this.regs32, b = this.mRegs32;
    for (let k = 0; k < 22; k++) b[k] = a[k]!;
  }
  fromMachine(): void {
    const a = this.mRegs32, b = this.regs32;
    for (let k = 0; k < 22; k++) b[k] = a[k]!;
  }
  i32!: Int32Array;
  /** Regions living in linear memory, with their offset. */
  readonly linear = new Map<Region, number>();
  readonly instances = new WeakMap<WasmModule, Inst>();
  /** Set when an import ended the run (a helper stopped it, a tail call or a deopt ran it on). */
  finished = false;
  image!: Image;
  inst: Inst | null = null;
  /** The exception of a slow access that faulted, until the compiled code raises it. */
  fault: unknown = null;
  /** The count past which the gate reads the clock. */
  clockAt = 0;

  constructor(readonly m: Machine, readonly engine: WasmEngine) {
    this.mRegs32 = new Uint32Array(m.regs.buffer, m.regs.byteOffset, 22);
    if (m.stacks.length > MAX_CALL_FRAMES) throw new Unsupported('more stacks than frames');
    m.stacks.forEach((s, f) => this.linear.set(s, STACKS_AT + f * STACK_SIZE));
    this.refresh();
  }

  /** New views after the memory grew (the old buffer is detached). */
  refresh(): void {
    const buf = this.memory.buffer;
    this.regs = new BigUint64Array(buf, REGS_AT, 11);
    this.regs32 = new Uint32Array(buf, REGS_AT, 22);
    this.i32 = new Int32Array(buf, 0, 32);
    const move = (r: Region, at: number): void => {
      if (r.bytes.buffer === buf) return;
      const view = new Uint8Array(buf, at, r.size);
      if (r.bytes.buffer.byteLength !== 0) view.set(r.bytes); // else the memory grew: the bytes are in place
      r.rebind(view);
    };
    for (const [r, at] of this.linear) move(r, at);
    if (this.inst !== null) {
      for (const e of DYN_ENTRIES) {
        const d = this.inst.entries[e]!;
        if (d.region !== null && d.orig !== null) move(d.region, Number(d.lin!.value));
      }
    }
  }

  /** Where the dynamic entries' copies start in linear memory (after the input memory). */
  dynAt = MEM_AT;

  ensure(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    try {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      return false;
    }
    this.refresh();
    return true;
  }

  fill(e: Entry, r: Region): void {
    e.region = r;
    e.base.value = r.base;
    const p = r.fastPerms;
    for (let k = 0; k < 4; k++) {
      const n = 1 << k;
      e.lim[k]!.value = (p & PERM_R) !== 0 && r.size >= n ? BigInt(r.size - n + 1) : 0n;
      e.lim[k + 4]!.value = (p & PERM_W) !== 0 && r.size >= n ? BigInt(r.size - n + 1) : 0n;
    }
  }

  invalidate(inst: Inst): void {
    for (const e of inst.entries) if (e.region !== null) this.drop(e);
  }

  /** Forget an entry's region and close its window. */
  drop(e: Entry): void {
    this.release(e);
    for (const g of e.lim) g.value = 0n;
  }

  /** Forget an entry's region; a dynamic entry's copy goes back to the region's own bytes. */
  release(e: Entry): void {
    const r = e.region;
    e.region = null;
    if (r === null || e.orig === null) return;
    const orig = e.orig;
    e.orig = null;
    orig.set(r.bytes);
    r.rebind(orig);
  }

  /** Copy every dynamic entry's region back (before code other than the compiled code may read it). */
  releaseDyn(): void {
    const inst = this.inst;
    if (inst === null) return;
    for (const k of DYN_ENTRIES) if (inst.entries[k]!.region !== null) this.drop(inst.entries[k]!);
  }

  private nextDyn = 0;

  /** A dynamic entry for a new region (its index in DYN_ENTRIES): a free one, else the next in turn, emptied. */
  private takeDyn(): number {
    const entries = this.inst!.entries;
    let slot = DYN_ENTRIES.findIndex((k) => entries[k]!.region === null);
    if (slot < 0) {
      slot = this.nextDyn;
      this.nextDyn = (slot + 1) % DYN_ENTRIES.length;
      this.drop(entries[DYN_ENTRIES[slot]!]!);
    }
    return slot;
  }

  /** Put `r` in a dynamic entry whose window starts at `lin` in linear memory. */
  private attach(slot: number, r: Region, lin: number): void {
    const e = this.inst!.entries[DYN_ENTRIES[slot]!]!;
    e.lin!.value = lin;
    this.fill(e, r);
  }

  /** Put `r` (plain, live, outside linear memory, at most DYN_SLOT bytes) in a dynamic entry. */
  fillDyn(r: Region): void {
    const inst = this.inst!;
    const bytes = r.bytes;
    // a region sharing bytes with one held already: that one goes back first (one copy of any byte)
    for (const k of DYN_ENTRIES) {
      const d = inst.entries[k]!;
      if (d.region === null || d.orig === null) continue;
      const o = d.orig;
      if (o.buffer === bytes.buffer && o.byteOffset < bytes.byteOffset + bytes.byteLength && bytes.byteOffset < o.byteOffset + o.byteLength) this.drop(d);
    }
    const slot = this.takeDyn();
    const at = this.dynAt + slot * DYN_SLOT;
    if (!this.ensure(at + DYN_SLOT)) return;
    const e = inst.entries[DYN_ENTRIES[slot]!]!;
    const view = new Uint8Array(this.memory.buffer, at, r.size);
    view.set(r.bytes);
    e.orig = r.bytes;
    r.rebind(view);
    this.attach(slot, r, at);
  }

  /**
   * A slow access to `addr`: fill the cache entry whose fixed place in linear memory the region occupies
   * (the first frame's stack, the input memory) when the region may use the fast path.
   */
  miss(addr: bigint): void {
    const r = this.m.space.regionAt(addr);
    if (r === undefined) return;
    if (r.virt !== null) {
      // as the interpreter: a virtual region's code may read or change other regions
      this.invalidate(this.inst!);
      return;
    }
    if (r.fastPerms === 0) return;
    const lin = this.linear.get(r);
    const e = ENTRY_LIN.indexOf(lin as never);
    if (e >= 0) {
      this.fill(this.inst!.entries[e]!, r);
      return;
    }
    const entries = this.inst!.entries;
    if (DYN_ENTRIES.some((k) => entries[k]!.region === r)) return; // in a dynamic entry: an access outside it
    // another frame's stack, or a region made over bytes in linear memory (a view of the input memory or a
    // stack): a dynamic entry without a copy
    if (lin !== undefined) return this.attach(this.takeDyn(), r, lin);
    if (r.bytes.buffer === this.memory.buffer) return this.attach(this.takeDyn(), r, r.bytes.byteOffset);
    if (r.size <= DYN_SLOT && r.size > 0) this.fillDyn(r);
  }

  /** Runs started on this machine's state (a run nested in a helper call changes it). */
  runs = 0;

  instantiate(mod: WasmModule, written: readonly number[]): Inst {
    const m = this.m;
    const imports = {
      env: {
        mem: this.memory,
        // a slow access that faults sets FAULT_AT and returns: the compiled code spills the registers and
        // calls raise, so the registers at the fault are the interpreter's
        ld: (addr: bigint, kind: number, at: number, cnt: number): bigint => {
          const a = BigInt.asUintN(64, addr);
          try {
            this.miss(a);
            return m.tierLoad(this.image, at, cnt, a, (kind & 15) as 1 | 2 | 4 | 8, kind >= 16);
          } catch (e) {
            this.fault = e;
            this.i32[FAULT_AT / 4] = 1;
            return 0n;
          }
        },
        st: (addr: bigint, size: number, val: bigint, at: number, cnt: number): void => {
          const a = BigInt.asUintN(64, addr);
          try {
            this.miss(a);
            m.tierStore(at, cnt, a, size as 1 | 2 | 4 | 8, val);
          } catch (e) {
            this.fault = e;
            this.i32[FAULT_AT / 4] = 1;
          }
        },
        raise: (): void => {
          const e = this.fault;
          this.fault = null;
          this.i32[FAULT_AT / 4] = 0;
          this.toMachine();
          throw e;
        },
        call: (at: number, cnt: number): number => {
          this.releaseDyn();
          // only the registers the code writes can differ from the machine's; a helper changes r0 alone
          // (a callback restores the caller's registers), unless a run nested in it used this state
          const a = this.regs32, b = this.mRegs32, w = this.inst!.written;
          for (let i = 0; i < w.length; i++) {
            const k = w[i]!;
            b[k] = a[k]!;
            b[k + 1] = a[k + 1]!;
          }
          const runs = this.runs;
          const status = m.tierCall(this.image, at, cnt);
          if (status !== 0) {
            this.finished = true;
            this.regs[0] = m.tierResult;
            return 1;
          }
          if (this.runs !== runs) this.fromMachine();
          else {
            a[0] = b[0]!;
            a[1] = b[1]!;
          }
          this.setWord64(COUNT_AT, m.executed);
          // the compiled code empties its caches itself (the dynamic entries went back before the call) but
          // the first frame's stack's: no helper retires a stack or changes its permissions
          const es = this.inst!.entries;
          for (let k = 1; k < es.length; k++) es[k]!.region = null;
          return 0;
        },
        deopt: (pc: number, cnt: number): bigint => {
          this.engine.stats.deopts++;
          this.releaseDyn();
          this.toMachine();
          this.finished = true;
          return m.resume(this.image, pc, cnt);
        },
        gate: (pc: number, len: number, cnt: number): number => {
          const budget = m.currentBudget;
          if (cnt + len > budget) return 1;
          // the clock is read every CLOCK_EVERY instructions, as the interpreter reads it (a short run never does)
          if (cnt + len > this.clockAt) {
            m.tierClock(pc, cnt);
            this.clockAt = cnt + CLOCK_EVERY;
          }
          this.setWord64(LIMIT_AT, Math.min(budget, this.clockAt));
          return 0;
        },
        atomic: (at: number, cnt: number): void => {
          this.toMachine();
          m.tierAtomic(this.image, at, cnt);
          this.fromMachine();
        },
      },
    };
    const instance = new WA!.Instance(mod, imports);
    const ex = instance.exports as Record<string, unknown>;
    const entries: Entry[] = [];
    for (let e = 0; e < ENTRIES; e++) {
      const gl = (f: number): WasmGlobal => ex[globalName(e, f)] as WasmGlobal;
      entries.push({ base: gl(0), lim: [1, 2, 3, 4, 5, 6, 7, 8].map(gl), lin: e >= ENTRY_LIN.length ? gl(G_LIN_FIELD) : null, region: null, orig: null });
    }
    return { main: ex.main as () => bigint, entries, written: Int32Array.from(written, (r) => r * 2) };
  }
}

/** What compiling cost and gave, per image. */
export interface WasmCompileInfo {
  structured: boolean;
  blocks: number;
  moduleBytes: number;
  compileMs: number;
}

/** The wasm tier. One engine serves any number of machines and images. */
export class WasmEngine implements TierEngine {
  readonly name = 'wasm';
  private readonly modules = new WeakMap<Image, { mod: WasmModule; info: WasmCompileInfo; written: readonly number[] } | null>();
  private readonly states = new WeakMap<Machine, MachineState>();
  /** Runs started, and runs handed to the interpreter part-way (a deopt: budget end, bpf-to-bpf call…). */
  readonly stats = { runs: 0, deopts: 0 };
  /** Set for tests: always use the dispatch loop. */
  forceDispatch = false;

  /** The compiled module of `image`, or null when the tier leaves it to the interpreter. */
  compiled(image: Image): { mod: WasmModule; info: WasmCompileInfo; written: readonly number[] } | null {
    let c = this.modules.get(image);
    if (c === undefined) {
      c = null;
      if (image.length <= MAX_WASM_INSNS) {
        const t0 = performance.now();
        try {
          const out = compileImage(image, { forceDispatch: this.forceDispatch });
          const mod = new WA!.Module(out.bytes);
          c = { mod, info: { structured: out.structured, blocks: out.blocks, moduleBytes: out.bytes.length, compileMs: performance.now() - t0 }, written: out.written };
        } catch (e) {
          if (!(e instanceof Unsupported || e instanceof RangeError || e instanceof WA!.CompileError)) throw e;
        }
      }
      this.modules.set(image, c);
    }
    return c;
  }

  accepts(image: Image): boolean {
    return this.compiled(image) !== null;
  }

  run(m: Machine, image: Image, mem: Region | undefined): bigint {
    this.stats.runs++;
    let st = this.states.get(m);
    if (st === undefined) {
      st = new MachineState(m, this);
      this.states.set(m, st);
    }
    const mod = this.compiled(image)!.mod;
    st.runs++;
    let inst = st.instances.get(mod);
    if (inst === undefined) {
      inst = st.instantiate(mod, this.compiled(image)!.written);
      st.instances.set(mod, inst);
    }
    let orig: Uint8Array | null = null;
    if (mem !== undefined) {
      if (!st.ensure(MEM_AT + mem.size)) return m.resume(image, 0, 0); // no room: the interpreter runs it
      orig = mem.bytes;
      st.linear.set(mem, MEM_AT);
      const view = new Uint8Array(st.memory.buffer, MEM_AT, mem.size);
      view.set(orig);
      mem.rebind(view);
    }
    // a run nested in a helper call (a callback) overwrites the words the outer run's code keeps in memory
    // (the limit, the saved count)
    const prevImage = st.image, prevInst = st.inst, prevClock = st.clockAt, prevDyn = st.dynAt;
    const prevWords = st.i32.slice(LIMIT_AT / 4, 32);
    st.dynAt = (MEM_AT + (mem?.size ?? 0) + 7) & ~7;
    st.clockAt = m.executed + CLOCK_EVERY;
    st.image = image;
    st.inst = inst;
    st.finished = false;
    st.invalidate(inst);
    st.fromMachine();
    st.setWord64(COUNT_AT, m.executed);
    try {
      const r0 = inst.main();
      if (!st.finished) {
        m.at(st.i32[EXIT_PC_AT / 4]!, (st.i32[COUNT_AT / 4]! >>> 0) + st.i32[COUNT_AT / 4 + 1]! * 4294967296);
        st.toMachine();
      }
      return BigInt.asUintN(64, r0);
    } finally {
      st.invalidate(inst);
      st.image = prevImage;
      st.inst = prevInst;
      st.clockAt = prevClock;
      st.dynAt = prevDyn;
      st.i32.set(prevWords, LIMIT_AT / 4);
      if (mem !== undefined && orig !== null) {
        const view = mem.bytes;
        orig.set(view);
        mem.rebind(orig);
        st.linear.delete(mem);
      }
    }
  }
}

/** The process's wasm tier, or null where WebAssembly is missing. */
export const wasmEngine: WasmEngine | null = WA !== undefined ? new WasmEngine() : null;
