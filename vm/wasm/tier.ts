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
import { COUNT_AT, ENTRY_LIN, EXIT_PC_AT, LIMIT_AT, MEM_AT, REGS_AT, STACKS_AT, Unsupported, compileImage, globalName } from './compile.js';

/** Instructions between two readings of the clock (as the interpreter). */
const CLOCK_EVERY = 1 << 16;
/** Programs longer than this stay in the interpreter (compile time and code size). */
export const MAX_WASM_INSNS = 1 << 16;
const PAGE = 65536;

interface Entry {
  base: WasmGlobal;
  lim: WasmGlobal[]; // read 1,2,4,8 then write 1,2,4,8
  region: Region | null;
}

interface Inst {
  main: () => bigint;
  entries: Entry[];
}

/** Per machine: the linear memory and the instances of each image's module. */
class MachineState {
  readonly memory: WasmMemory = new WA!.Memory({ initial: 2, maximum: 65536 });
  regs!: BigUint64Array;
  f64!: Float64Array;
  i32!: Int32Array;
  /** Regions living in linear memory, with their offset. */
  readonly linear = new Map<Region, number>();
  readonly instances = new WeakMap<WasmModule, Inst>();
  /** Set when an import ended the run (a helper stopped it, a tail call or a deopt ran it on). */
  finished = false;
  image!: Image;
  inst: Inst | null = null;
  /** The count past which the gate reads the clock. */
  clockAt = 0;

  constructor(readonly m: Machine, readonly engine: WasmEngine) {
    if (m.stacks.length > MAX_CALL_FRAMES) throw new Unsupported('more stacks than frames');
    m.stacks.forEach((s, f) => this.linear.set(s, STACKS_AT + f * STACK_SIZE));
    this.refresh();
  }

  /** New views after the memory grew (the old buffer is detached). */
  refresh(): void {
    const buf = this.memory.buffer;
    this.regs = new BigUint64Array(buf, REGS_AT, 11);
    this.f64 = new Float64Array(buf, 0, 16);
    this.i32 = new Int32Array(buf, 0, 32);
    for (const [r, at] of this.linear) {
      const view = new Uint8Array(buf, at, r.size);
      if (r.bytes.buffer !== buf) view.set(r.bytes);
      r.rebind(view);
    }
  }

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
    for (const e of inst.entries) {
      if (e.region === null) continue;
      e.region = null;
      for (const g of e.lim) g.value = 0n;
    }
  }

  /**
   * A slow access to `addr`: fill the cache entry whose fixed place in linear memory the region occupies
   * (the first frame's stack, the input memory) when the region may use the fast path.
   */
  miss(addr: bigint): void {
    const r = this.m.space.regionAt(addr);
    if (r === undefined) return;
    const lin = this.linear.get(r);
    const e = ENTRY_LIN.indexOf(lin as never);
    if (e >= 0 && r.fastPerms !== 0) this.fill(this.inst!.entries[e]!, r);
    else if (r.virt !== null) this.invalidate(this.inst!); // as the interpreter: a virtual region's code may change others
  }

  instantiate(mod: WasmModule): Inst {
    const m = this.m;
    const imports = {
      env: {
        mem: this.memory,
        ld: (addr: bigint, kind: number, at: number, cnt: number): bigint => {
          const a = BigInt.asUintN(64, addr);
          this.miss(a);
          return m.tierLoad(this.image, at, cnt, a, (kind & 15) as 1 | 2 | 4 | 8, kind >= 16);
        },
        st: (addr: bigint, size: number, val: bigint, at: number, cnt: number): void => {
          const a = BigInt.asUintN(64, addr);
          this.miss(a);
          m.tierStore(at, cnt, a, size as 1 | 2 | 4 | 8, val);
        },
        call: (at: number, cnt: number): number => {
          m.regs.set(this.regs);
          const status = m.tierCall(this.image, at, cnt);
          if (status !== 0) {
            this.finished = true;
            this.regs[0] = m.tierResult;
            return 1;
          }
          this.regs.set(m.regs);
          this.f64[COUNT_AT / 8] = m.executed;
          // the compiled code empties its caches itself
          for (const e of this.inst!.entries) e.region = null;
          return 0;
        },
        deopt: (pc: number, cnt: number): bigint => {
          this.engine.stats.deopts++;
          m.regs.set(this.regs);
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
          this.f64[LIMIT_AT / 8] = Math.min(budget, this.clockAt);
          return 0;
        },
        atomic: (at: number, cnt: number): void => {
          m.regs.set(this.regs);
          m.tierAtomic(this.image, at, cnt);
          this.regs.set(m.regs);
        },
      },
    };
    const instance = new WA!.Instance(mod, imports);
    const ex = instance.exports as Record<string, unknown>;
    const entries: Entry[] = [];
    for (let e = 0; e < 2; e++) {
      const gl = (f: number): WasmGlobal => ex[globalName(e, f)] as WasmGlobal;
      entries.push({ base: gl(0), lim: [1, 2, 3, 4, 5, 6, 7, 8].map(gl), region: null });
    }
    return { main: ex.main as () => bigint, entries };
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
  private readonly modules = new WeakMap<Image, { mod: WasmModule; info: WasmCompileInfo } | null>();
  private readonly states = new WeakMap<Machine, MachineState>();
  /** Runs started, and runs handed to the interpreter part-way (a deopt: budget end, bpf-to-bpf call…). */
  readonly stats = { runs: 0, deopts: 0 };
  /** Set for tests: always use the dispatch loop. */
  forceDispatch = false;

  /** The compiled module of `image`, or null when the tier leaves it to the interpreter. */
  compiled(image: Image): { mod: WasmModule; info: WasmCompileInfo } | null {
    let c = this.modules.get(image);
    if (c === undefined) {
      c = null;
      if (image.length <= MAX_WASM_INSNS) {
        const t0 = performance.now();
        try {
          const out = compileImage(image, { forceDispatch: this.forceDispatch });
          const mod = new WA!.Module(out.bytes);
          c = { mod, info: { structured: out.structured, blocks: out.blocks, moduleBytes: out.bytes.length, compileMs: performance.now() - t0 } };
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
    let inst = st.instances.get(mod);
    if (inst === undefined) {
      inst = st.instantiate(mod);
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
    const prevImage = st.image, prevInst = st.inst, prevClock = st.clockAt;
    st.clockAt = m.executed + CLOCK_EVERY;
    st.image = image;
    st.inst = inst;
    st.finished = false;
    st.invalidate(inst);
    st.regs.set(m.regs);
    st.f64[COUNT_AT / 8] = m.executed;
    try {
      const r0 = inst.main();
      if (!st.finished) {
        m.at(st.i32[EXIT_PC_AT / 4]!, st.f64[COUNT_AT / 8]!);
        m.regs.set(st.regs);
      }
      return BigInt.asUintN(64, r0);
    } finally {
      st.invalidate(inst);
      st.image = prevImage;
      st.inst = prevInst;
      st.clockAt = prevClock;
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
