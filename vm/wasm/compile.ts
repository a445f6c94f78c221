/**
 * The BPF → WebAssembly compiler of the wasm tier. A program (an Image, as the interpreter runs it) becomes
 * one wasm function:
 *
 * - r0..r10 are i64 locals; ALU64/ALU32, byte swaps, JMP/JMP32 and lddw are native wasm operations with the
 *   ISA's rules (division by zero gives 0, modulo by zero keeps the dividend, INT_MIN / -1 wraps, shift
 *   counts are masked; 32-bit results are zero-extended).
 * - Control flow is recovered from the CFG: for a reducible graph, loops become `loop` and forward branches
 *   nested `block`s (the dominator-tree translation of Ramsey, "Beyond Relooper", 2022); an irreducible
 *   graph runs through a `br_table` dispatch loop over its basic blocks.
 * - The instruction budget is counted per basic block: at a block's entry one compare of count + length
 *   against a limit (the budget, or the next wall-clock check); past the budget the run continues in the
 *   interpreter from that block's first instruction, which stops it exactly where it would have stopped.
 * - Loads and stores: one subtract and one unsigned compare against each of two cached regions (held in
 *   wasm globals: the region's base address, its place in linear memory and, per access size and
 *   permission, the offsets allowed), then a JS import that resolves the access with the interpreter's own
 *   code (faults, virtual regions, BPF_PROBE_MEM) and refills the cache when the region lives in linear
 *   memory. Helper and kfunc calls, atomics and anything else go through imports calling the interpreter's
 *   code; the caches are emptied after each helper call.
 * - Instructions the tier does not compile (bpf-to-bpf calls, legacy packet loads, invalid instructions,
 *   the sentinels past the end) hand the run to the interpreter at that instruction ("deopt"): the result is
 *   the interpreter's, from there on.
 */
import { LDDW_HI } from '../../src/isa/insn.js';
import { Op, OP_BY_CODE, type OpInfo } from '../../src/isa/opcodes.js';
import type { Image } from '../image.js';
import { Bytes, encodeModule, T, W } from './encoder.js';

/** Linear memory layout (bytes). */
export const REGS_AT = 0; // r0..r10, 8 bytes each
export const COUNT_AT = 88; // i64: instructions executed (in and out)
export const LIMIT_AT = 96; // i64: the limit the gate sets (i64s, not f64s: no truncating conversion in the code)
export const EXIT_PC_AT = 104; // i32: the exit instruction
export const FAULT_AT = 108; // i32: set by a slow access that faulted (the code spills the registers and raises it)
export const SAVED_COUNT_AT = 112; // i64: the count local, kept here across an import call
const GATE_COUNT_AT = 120; // i64: the count at a gate, across its call
export const STACKS_AT = 1024; // 8 frames x 512
export const MEM_AT = 8192; // the run's input memory

/** Imported functions, in order. */
export const IMPORTS = ['ld', 'st', 'call', 'deopt', 'gate', 'atomic', 'raise'] as const;
const F_LD = 0, F_ST = 1, F_CALL = 2, F_DEOPT = 3, F_GATE = 4, F_ATOMIC = 5, F_RAISE = 6;

/**
 * Cached-region globals: per entry e, base (i64), then read limits for sizes 1,2,4,8 and write limits,
 * then (dynamic entries) the region's place in linear memory (i32). Entries 0 and 1 hold one region each
 * at a fixed place (ENTRY_LIN, a constant offset in the access itself): the first frame's stack and the
 * run's input memory. Entries 2 and 3 are dynamic: any other plain region (a packet, a map value, a
 * context without rewritten fields…) copied into linear memory on its first access and copied back
 * before anything but the compiled code may read it (a helper call, a deopt, a virtual region's code,
 * the run's end), as the interpreter's region cache is emptied.
 */
export const ENTRY_GLOBALS = 10;
export const ENTRIES = 4;
export const DYN_ENTRIES = [2, 3] as const;
export const ENTRY_LIN = [STACKS_AT, MEM_AT] as const;
export function globalName(e: number, field: number): string {
  return `c${e}_${field}`;
}
const G_BASE = 0, G_RLIM = 1, G_WLIM = 5, G_LIN = 9;
export const G_LIN_FIELD = G_LIN;
const LOG2: Record<number, number> = { 1: 0, 2: 1, 4: 2, 8: 3 };

// Locals: r0..r10, scratch, the count (i64), then i32 scratch. (Copies of the cache in locals were
// measured slower: the register pressure makes TurboFan spill the loop's registers.) The count local
// holds the instructions executed minus the limit the last gate set (LIMIT_AT in memory), so one local
// serves both the count and the gate's compare.
const L_A = 11, L_K = 12, L_CNT = 13, L_PC = 14, L_X = 15;
const L_I64 = 14, L_I32 = 2;

/** A basic block of the CFG. */
interface Node {
  id: number;
  /** First instruction slot. */
  start: number;
  /** Slots of its instructions, in order. */
  pcs: number[];
  /** How it ends. */
  term: 'cond' | 'goto' | 'exit' | 'call' | 'deopt' | 'fall';
  /** Successors: for 'cond' [taken, fallthrough]; for 'goto'/'call'/'fall' [next]. */
  succ: number[];
}

export class Unsupported extends Error {}

/** What the tier compiles inline; anything else is a deopt instruction. */
function compiled(info: OpInfo | undefined, dst: number, src: number): boolean {
  if (info === undefined) return false;
  if (info.fields.dst === 'reg' && dst > 10) return false;
  if (info.fields.src === 'reg' && src > 10) return false;
  switch (info.kind) {
    case 'ldabs': case 'ldind': return false;
    case 'call': return info.code !== Op.CALL_LOCAL;
    default: return true;
  }
}

export interface Compiled {
  bytes: Uint8Array;
  /** Whether the CFG was reducible (structured control flow) or ran through the dispatch loop. */
  structured: boolean;
  blocks: number;
  /** The registers the code writes (the others live in the exchange area only). */
  written: number[];
}

/** Compile `image` to a wasm module (throws Unsupported for what the tier refuses). */
export function compileImage(image: Image, opts: { forceDispatch?: boolean } = {}): Compiled {
  const P = image.packed;
  const insns = image.insns;
  const n = insns.length;
  if (n === 0) throw new Unsupported('empty program');
  const code = (pc: number): number => (pc < n ? P[pc * 4]! & 0xffff : -1);
  const infoAt = (pc: number): OpInfo | undefined => (pc < n ? OP_BY_CODE.get(code(pc)) : undefined);
  const isCompiled = (pc: number): boolean => pc < n && insns[pc]!.code !== LDDW_HI && compiled(infoAt(pc), insns[pc]!.dst, insns[pc]!.src);
  const width = (pc: number): number => (code(pc) === Op.LDDW ? 2 : 1);
  const target = (pc: number): number => pc + 1 + P[pc * 4 + 3]!;

  // Leaders.
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  const extra = new Set<number>(); // sentinel slots (>= n) reached
  const mark = (t: number): void => {
    if (t >= n) extra.add(t);
    else leader[t] = 1;
  };
  for (let pc = 0; pc < n; pc++) {
    const info = infoAt(pc);
    if (!isCompiled(pc)) {
      leader[pc] = 1;
      if (pc + 1 <= n) leader[pc + 1] = 1;
      continue;
    }
    const k = info!.kind;
    if (k === 'jcond' || k === 'ja') {
      mark(target(pc));
      mark(pc + 1);
    } else if (k === 'exit' || k === 'call' || k === 'callx') {
      mark(pc + 1);
    } else if (k === 'lddw') {
      pc++; // its second half; a jump into it makes that slot a leader (a deopt instruction)
    }
  }
  // Blocks.
  const nodes: Node[] = [];
  const nodeAt = new Map<number, number>();
  const newNode = (start: number): Node => {
    const nd: Node = { id: nodes.length, start, pcs: [], term: 'fall', succ: [] };
    nodes.push(nd);
    nodeAt.set(start, nd.id);
    return nd;
  };
  for (let pc = 0; pc < n; pc++) if (leader[pc]) newNode(pc);
  if (n < 0x7fffffff) extra.add(n); // falling off the end lands on the sentinel at n
  for (const t of [...extra].sort((a, b) => a - b)) if (!nodeAt.has(t)) newNode(t);
  const succOf = (t: number): number => nodeAt.get(t)!;
  for (const nd of nodes) {
    if (nd.start >= n || !isCompiled(nd.start)) {
      nd.term = 'deopt';
      continue;
    }
    let pc = nd.start;
    for (;;) {
      nd.pcs.push(pc);
      const k = infoAt(pc)!.kind;
      if (k === 'jcond') {
        nd.term = 'cond';
        nd.succ = [succOf(target(pc)), succOf(pc + 1)];
        break;
      }
      if (k === 'ja') {
        nd.term = 'goto';
        nd.succ = [succOf(target(pc))];
        break;
      }
      if (k === 'exit') {
        nd.term = 'exit';
        break;
      }
      if (k === 'call' || k === 'callx') {
        nd.term = 'call';
        nd.succ = [succOf(Math.min(pc + 1, n))];
        break;
      }
      const next = pc + width(pc);
      if (next >= n || leader[next] || !isCompiled(next)) {
        nd.term = 'fall';
        nd.succ = [succOf(next >= n ? n : next)];
        break;
      }
      pc = next;
    }
  }

  const g = new Gen(image, nodes);
  const structured = !opts.forceDispatch && g.structure();
  if (!structured) g.dispatch();
  const body = g.finish();
  const types = [
    { params: [T.I64, T.I32, T.I32, T.F64], results: [T.I64] },
    { params: [T.I64, T.I32, T.I64, T.I32, T.F64], results: [] },
    { params: [T.I32, T.F64], results: [T.I32] },
    { params: [T.I32, T.F64], results: [T.I64] },
    { params: [T.I32, T.I32, T.F64], results: [T.I32] },
    { params: [T.I32, T.F64], results: [] },
    { params: [], results: [T.I64] },
    { params: [], results: [] },
  ];
  const globals: { name: string; type: T.I32 | T.I64 }[] = [];
  for (let e = 0; e < ENTRIES; e++) {
    for (let f = 0; f < ENTRY_GLOBALS; f++) globals.push({ name: globalName(e, f), type: f === G_LIN ? T.I32 : T.I64 });
  }
  const bytes = encodeModule({
    types,
    imports: IMPORTS.map((name, i) => ({ name, type: i === F_RAISE ? 7 : i })),
    memoryPages: 1,
    func: { type: 6, locals: [{ count: L_I64, type: T.I64 }, { count: L_I32, type: T.I32 }], body },
    globals,
    funcName: 'main',
  });
  const written: number[] = [];
  for (let r = 0; r <= 10; r++) if (!g.inMem[r]) written.push(r);
  return { bytes, structured, blocks: nodes.length, written };
}

type Label = { kind: 'loop' | 'block' | 'if' | 'dispatch'; node: number };

/** The code generator: one function body. */
class Gen {
  readonly b = new Bytes();
  private rpo: number[] = [];
  private order: Int32Array;
  private idom: Int32Array;
  private forwardIn: Int32Array;
  private loopHeader: Uint8Array;
  /**
   * Per block: 0 when it has no gate, else the most instructions the run can execute from its start
   * before it reaches the next gate or leaves compiled code (what its gate checks against the limit).
   */
  private need: Int32Array;
  private children: number[][] = [];

  constructor(readonly image: Image, readonly nodes: Node[]) {
    const N = nodes.length;
    this.order = new Int32Array(N).fill(-1);
    this.idom = new Int32Array(N).fill(-1);
    this.forwardIn = new Int32Array(N);
    this.loopHeader = new Uint8Array(N);
    this.need = new Int32Array(N);
    // Registers the compiled code never writes live in the exchange area only: their reads load them
    // from there (what the interpreter or a helper put there is always their value), and no spill or
    // reload copies them. Fewer live locals in the loops: fewer of them spilled by TurboFan.
    this.inMem = new Uint8Array(11).fill(1);
    for (const nd of nodes) {
      for (const pc of nd.pcs) {
        const k = OP_BY_CODE.get(image.packed[pc * 4]! & 0xffff)!.kind;
        if (k === 'alu' || k === 'end' || k === 'lddw' || k === 'ldx') this.inMem[image.insns[pc]!.dst] = 0;
      }
    }
    // prologue: registers from memory; the limit starts at the count (so the first gate fires and sets it)
    this.reloadRegs();
    this.i32c(0);
    this.i32c(0);
    this.mem(W.i64_load, COUNT_AT);
    this.mem(W.i64_store, LIMIT_AT);
    this.i64c(0n);
    this.set(L_CNT);
    // the body runs in a block a faulting slow access leaves: past it the registers are spilled and the fault raised
    this.b.byte(W.block).byte(T.VOID);
    // the cache fields the program's accesses read, copied into locals at entry and after each import that may fill them
    const used = new Set<number>();
    for (const nd of nodes) {
      for (const pc of nd.pcs) {
        const info = OP_BY_CODE.get(image.packed[pc * 4]! & 0xffff)!;
        if (info.kind !== 'ldx' && info.kind !== 'st' && info.kind !== 'stx') continue;
        const lim = (info.kind === 'ldx' ? G_RLIM : G_WLIM) + LOG2[info.size!]!;
        for (let e = 0; e < ENTRIES; e++) used.add(e * ENTRY_GLOBALS + lim);
      }
    }
    this.used = [...used].sort((a, b) => a - b).map((k) => [Math.floor(k / ENTRY_GLOBALS), k % ENTRY_GLOBALS] as [number, number]);
  }
  /** [entry, limit field] pairs of the cache the code reads. */
  private used: [number, number][] = [];
  /** Per register: 1 when the compiled code never writes it (it lives in the exchange area only). */
  readonly inMem: Uint8Array;

  // ---- emission helpers -------------------------------------------------------------------------------
  op(o: number): this {
    this.b.byte(o);
    return this;
  }
  get_(l: number): void {
    if (l <= 10 && this.inMem[l]) {
      this.i32c(0);
      this.mem(W.i64_load, REGS_AT + l * 8);
    } else this.b.byte(W.local_get).u32(l);
  }
  set(l: number): void {
    if (l <= 10 && this.inMem[l]) throw new Unsupported(`r${l} written`);
    this.b.byte(W.local_set).u32(l);
  }
  /** The limit the last gate set, as i64. */
  limit(): void {
    this.i32c(0);
    this.mem(W.i64_load, LIMIT_AT);
  }
  i32c(v: number): void {
    this.b.byte(W.i32_const).s32(v);
  }
  i64c(v: bigint): void {
    this.b.byte(W.i64_const).s64(v);
  }
  mem(o: number, offset: number): void {
    this.b.byte(o).u32(0).u32(offset);
  }
  gget(i: number): void {
    this.b.byte(W.global_get).u32(i);
  }
  /** count - adj as f64 (the count at an instruction `adj` before the end of its block). */
  countArg(adj: number): void {
    this.countI64(adj);
    this.op(W.f64_convert_i64_s);
  }
  countI64(adj: number): void {
    this.get_(L_CNT);
    if (this.off - adj !== 0) {
      this.i64c(BigInt(this.off - adj));
      this.op(W.i64_add);
    }
    this.limit();
    this.op(W.i64_add);
  }
  /**
   * Instructions executed that the count local does not hold yet: along a path of blocks with one
   * predecessor each the count is a constant away from the local, which is brought up to date only where
   * paths meet (merges, loop headers, the dispatch loop) and after a helper call.
   */
  private off = 0;
  private settle(): void {
    if (this.off === 0) return;
    this.get_(L_CNT);
    this.i64c(BigInt(this.off));
    this.op(W.i64_add);
    this.set(L_CNT);
    this.off = 0;
  }
  spill(): void {
    for (let r = 0; r <= 10; r++) {
      if (this.inMem[r]) continue;
      this.i32c(0);
      this.get_(r);
      this.mem(W.i64_store, REGS_AT + r * 8);
    }
  }
  reloadRegs(): void {
    for (let r = 0; r <= 10; r++) {
      if (this.inMem[r]) continue;
      this.i32c(0);
      this.mem(W.i64_load, REGS_AT + r * 8);
      this.set(r);
    }
  }
  reload(): void {
    this.reloadRegs();
    this.i32c(0);
    this.mem(W.i64_load, COUNT_AT);
    this.limit();
    this.op(W.i64_sub);
    this.set(L_CNT);
  }
  /**
   * Around an import call the locals go to memory and come back from it: no value is live across a call,
   * so TurboFan's register allocator does not spill the loop's registers on the fast path (it spills a
   * value live across a call where the value is made).
   */
  saveAll(): void {
    this.spill();
    this.i32c(0);
    this.get_(L_CNT);
    this.mem(W.i64_store, SAVED_COUNT_AT);
  }
  restoreAll(): void {
    this.reloadRegs();
    this.i32c(0);
    this.mem(W.i64_load, SAVED_COUNT_AT);
    this.set(L_CNT);
  }
  /** Hand the run to the interpreter at `pc` and return its r0. */
  deopt(pc: number, adj: number): void {
    this.spill();
    this.i32c(pc);
    this.countArg(adj);
    this.b.byte(W.call).u32(F_DEOPT);
    this.op(W.return_);
  }
  /**
   * Empty the cache after a helper call: the limits the program's accesses read, but the first frame's
   * stack's (entry 0: no helper retires a stack or changes its permissions, and its bytes live in linear
   * memory, where a helper writes them).
   */
  invalidate(): void {
    for (const [e, f] of this.used) {
      if (e === 0) continue;
      this.i64c(0n);
      this.b.byte(W.global_set).u32(e * ENTRY_GLOBALS + f);
    }
  }

  finish(): Bytes {
    this.op(W.unreachable);
    this.op(W.end);
    this.spill();
    this.b.byte(W.call).u32(F_RAISE);
    this.op(W.unreachable);
    return this.b;
  }

  // ---- structure ----------------------------------------------------------------------------------------
  /** Compute RPO, dominators; false when the CFG is irreducible. */
  structure(): boolean {
    const nodes = this.nodes, N = nodes.length;
    // iterative DFS for postorder
    const post: number[] = [];
    const state = new Uint8Array(N);
    const stack: [number, number][] = [[0, 0]];
    state[0] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      const s = nodes[v]!.succ;
      if (i < s.length) {
        top[1]++;
        const w = s[i]!;
        if (state[w] === 0) {
          state[w] = 1;
          stack.push([w, 0]);
        }
      } else {
        stack.pop();
        post.push(v);
      }
    }
    this.rpo = post.reverse();
    this.rpo.forEach((v, i) => (this.order[v] = i));
    const order = this.order, idom = this.idom;
    const preds: number[][] = nodes.map(() => []);
    for (const v of this.rpo) for (const w of nodes[v]!.succ) preds[w]!.push(v);
    // Cooper, Harvey, Kennedy
    idom[0] = 0;
    let changed = true;
    const intersect = (a: number, b: number): number => {
      while (a !== b) {
        while (order[a]! > order[b]!) a = idom[a]!;
        while (order[b]! > order[a]!) b = idom[b]!;
      }
      return a;
    };
    while (changed) {
      changed = false;
      for (const v of this.rpo) {
        if (v === 0) continue;
        let d = -1;
        for (const p of preds[v]!) {
          if (idom[p] === -1) continue;
          d = d === -1 ? p : intersect(p, d);
        }
        if (d !== idom[v]) {
          idom[v] = d;
          changed = true;
        }
      }
    }
    const dominates = (a: number, b: number): boolean => {
      for (;;) {
        if (a === b) return true;
        if (b === 0) return false;
        b = idom[b]!;
      }
    };
    for (const v of this.rpo) {
      for (const w of nodes[v]!.succ) {
        if (order[w]! <= order[v]!) {
          if (!dominates(w, v)) return false;
          this.loopHeader[w] = 1;
        } else this.forwardIn[w]++;
      }
    }
    // Gates at the entry and at loop headers only (every cycle passes a loop header): a gate checks the
    // longest path to the next gate, so no budget or clock limit can pass between two gates; when the
    // check fails the interpreter runs on from the gate's block and stops exactly where it would.
    const path = new Float64Array(N);
    for (let i = this.rpo.length - 1; i >= 0; i--) {
      const v = this.rpo[i]!;
      let most = 0;
      for (const w of nodes[v]!.succ) if (!this.loopHeader[w] && w !== 0 && order[w]! > order[v]!) most = Math.max(most, path[w]!);
      path[v] = nodes[v]!.pcs.length + most;
    }
    for (const v of this.rpo) if (v === 0 || this.loopHeader[v]) this.need[v] = Math.max(1, Math.min(path[v]!, 0x7fffffff));
    this.children = nodes.map(() => []);
    for (const v of this.rpo) if (v !== 0) this.children[idom[v]!]!.push(v);
    this.doTree(0, []);
    return true;
  }

  private isMerge(v: number): boolean {
    return this.forwardIn[v]! >= 2;
  }

  private doTree(x: number, ctx: Label[]): void {
    const merges = this.children[x]!.filter((c) => this.isMerge(c)).sort((a, b) => this.order[b]! - this.order[a]!);
    if (this.loopHeader[x]) {
      this.settle();
      this.b.byte(W.loop).byte(T.VOID);
      ctx.push({ kind: 'loop', node: x });
      this.nodeWithin(x, merges, 0, ctx);
      ctx.pop();
      this.op(W.end);
    } else this.nodeWithin(x, merges, 0, ctx);
  }

  /** `ctx` is the label stack, pushed and popped in place. */
  private nodeWithin(x: number, ys: number[], from: number, ctx: Label[]): void {
    if (from === ys.length) {
      this.emitNode(x, ctx, (t, c) => this.branch(x, t, c));
      return;
    }
    const y = ys[from]!;
    this.b.byte(W.block).byte(T.VOID);
    ctx.push({ kind: 'block', node: y });
    this.nodeWithin(x, ys, from + 1, ctx);
    ctx.pop();
    this.op(W.end);
    this.off = 0; // only branches reach a merge, each with the count settled
    this.doTree(y, ctx);
  }

  private depth(ctx: Label[], kind: 'loop' | 'block', node: number): number {
    for (let i = ctx.length - 1; i >= 0; i--) if (ctx[i]!.kind === kind && ctx[i]!.node === node) return ctx.length - 1 - i;
    throw new Unsupported(`no label for block ${node}`);
  }

  private branch(src: number, t: number, ctx: Label[]): void {
    if (this.order[t]! <= this.order[src]!) {
      this.settle();
      this.b.byte(W.br).u32(this.depth(ctx, 'loop', t));
    } else if (this.isMerge(t)) {
      this.settle();
      this.b.byte(W.br).u32(this.depth(ctx, 'block', t));
    } else this.doTree(t, ctx);
  }

  /** The dispatch loop: any CFG, one br_table per branch. */
  dispatch(): void {
    const N = this.nodes.length;
    for (let i = 0; i < N; i++) this.need[i] = Math.max(1, this.nodes[i]!.pcs.length); // a gate per block
    this.i32c(0);
    this.set(L_PC);
    this.b.byte(W.loop).byte(T.VOID);
    for (let i = 0; i < N; i++) this.b.byte(W.block).byte(T.VOID);
    this.get_(L_PC);
    this.b.byte(W.br_table).u32(N);
    for (let i = 0; i < N; i++) this.b.u32(i);
    this.b.u32(0);
    for (let i = 0; i < N; i++) {
      this.op(W.end); // block i ends: node i's code
      // inside blocks i+1..N-1 and the loop
      const ctx: Label[] = [{ kind: 'loop', node: -1 }];
      for (let k = N - 1; k > i; k--) ctx.push({ kind: 'block', node: k });
      this.off = 0;
      this.emitNode(i, ctx, (t, c) => {
        this.settle();
        this.i32c(t);
        this.set(L_PC);
        this.b.byte(W.br).u32(this.depth(c, 'loop', -1));
      });
    }
    this.op(W.end);
  }

  // ---- one basic block ----------------------------------------------------------------------------------
  private emitNode(id: number, ctx: Label[], branch: (t: number, ctx: Label[]) => void): void {
    const nd = this.nodes[id]!;
    if (nd.term === 'deopt') {
      this.deopt(nd.start, 0);
      return;
    }
    const L = nd.pcs.length;
    if (this.need[id]! > 0) this.gate(nd.start, this.need[id]!);
    this.off += L;
    const insns = this.image.insns;
    for (let j = 0; j < L; j++) {
      const pc = nd.pcs[j]!;
      const adj = L - 1 - j;
      const x = insns[pc]!;
      const info = OP_BY_CODE.get(this.image.packed[pc * 4]! & 0xffff)!;
      switch (info.kind) {
        case 'alu': case 'end': this.alu(info, x.dst, x.src, x.imm); break;
        case 'lddw': {
          const P = this.image.packed;
          this.i64c((BigInt(P[pc * 4 + 3]! >>> 0) << 32n) | BigInt(P[pc * 4 + 2]! >>> 0));
          this.set(x.dst);
          break;
        }
        case 'ldx': this.access(x.dst, x.src, x.off, info.size!, info.signExtend === true, undefined, pc, adj, ctx.length); break;
        case 'st': this.access(0, x.dst, x.off, info.size!, false, () => this.i64c(BigInt(x.imm)), pc, adj, ctx.length); break;
        case 'stx': this.access(0, x.dst, x.off, info.size!, false, () => this.get_(x.src), pc, adj, ctx.length); break;
        case 'atomic':
          this.saveAll();
          this.i32c(pc);
          this.countArg(adj);
          this.b.byte(W.call).u32(F_ATOMIC);
          this.restoreAll();
          break;
        case 'call': case 'callx':
          this.spill();
          this.i32c(pc);
          this.countArg(0);
          this.b.byte(W.call).u32(F_CALL);
          this.b.byte(W.if_).byte(T.VOID);
          this.i32c(0);
          this.mem(W.i64_load, REGS_AT);
          this.op(W.return_);
          this.op(W.end);
          this.reload();
          this.off = 0;
          this.invalidate();
          branch(nd.succ[0]!, ctx);
          break;
        case 'exit':
          this.spill();
          this.i32c(0);
          this.countI64(0);
          this.mem(W.i64_store, COUNT_AT);
          this.i32c(0);
          this.i32c(pc);
          this.mem(W.i32_store, EXIT_PC_AT);
          this.get_(0);
          this.op(W.return_);
          break;
        case 'ja':
          branch(nd.succ[0]!, ctx);
          break;
        case 'jcond':
          this.cond(info, x.dst, x.src, x.imm);
          this.b.byte(W.if_).byte(T.VOID);
          ctx.push({ kind: 'if', node: -1 });
          {
            const off = this.off;
            branch(nd.succ[0]!, ctx);
            this.op(W.else_);
            this.off = off;
            branch(nd.succ[1]!, ctx);
          }
          ctx.pop();
          this.op(W.end);
          break;
        default:
          throw new Unsupported(`unexpected ${info.name}`);
      }
    }
    if (nd.term === 'fall') branch(nd.succ[0]!, ctx);
  }

  /** The budget and clock gate at a block's entry: `need` more instructions must stay within the limit. */
  private gate(pc: number, need: number): void {
    // count + need > limit, i.e. (count - limit) > -need
    this.get_(L_CNT);
    this.i64c(BigInt(-(this.off + need)));
    this.op(W.i64_gt_s);
    this.b.byte(W.if_).byte(T.VOID);
    this.i32c(pc);
    this.i32c(need);
    // the count, kept in memory across the call
    this.get_(L_CNT);
    if (this.off !== 0) {
      this.i64c(BigInt(this.off));
      this.op(W.i64_add);
    }
    this.limit();
    this.op(W.i64_add);
    this.b.byte(W.local_tee).u32(L_K);
    this.op(W.f64_convert_i64_s);
    this.saveAll();
    this.i32c(0);
    this.get_(L_K);
    this.mem(W.i64_store, GATE_COUNT_AT);
    this.b.byte(W.call).u32(F_GATE);
    this.restoreAll();
    this.b.byte(W.if_).byte(T.VOID);
    this.deopt(pc, 0);
    this.op(W.end);
    // against the new limit
    this.i32c(0);
    this.mem(W.i64_load, GATE_COUNT_AT);
    if (this.off !== 0) {
      this.i64c(BigInt(this.off));
      this.op(W.i64_sub);
    }
    this.limit();
    this.op(W.i64_sub);
    this.set(L_CNT);
    this.op(W.end);
  }

  /**
   * Entries to try for a base register: r10 is the first frame's stack (compiled code runs only there);
   * other registers try the input memory, the dynamic entries, then the stack.
   */
  private entries(base: number): number[] {
    return base === 10 ? [0] : [1, 2, 3, 0];
  }

  /**
   * A load (`value` undefined: the result goes to `d`) or a store of `value()` at base + off. Per cached
   * entry, tried in turn: k = address - base; k < limit (unsigned) means the access lies inside the
   * region with the permission it needs, and it goes straight to linear memory at the entry's place + k.
   * Past both, the `ld`/`st` import resolves it as the interpreter would and the cache copies reload.
   */
  private access(d: number, base: number, off: number, size: number, signed: boolean, value: (() => void) | undefined, pc: number, adj: number, labels: number): void {
    const load = value === undefined;
    this.get_(base);
    if (off !== 0) {
      this.i64c(BigInt(off));
      this.op(W.i64_add);
    }
    this.set(L_A);
    const op = load
      ? (size === 8 ? W.i64_load : size === 4 ? (signed ? W.i64_load32_s : W.i64_load32_u)
        : size === 2 ? (signed ? W.i64_load16_s : W.i64_load16_u) : (signed ? W.i64_load8_s : W.i64_load8_u))
      : (size === 8 ? W.i64_store : size === 4 ? W.i64_store32 : size === 2 ? W.i64_store16 : W.i64_store8);
    const lim = (load ? G_RLIM : G_WLIM) + LOG2[size]!;
    const es = this.entries(base);
    for (const e of es) {
      this.get_(L_A);
      this.gget(e * ENTRY_GLOBALS + G_BASE);
      this.op(W.i64_sub);
      this.b.byte(W.local_tee).u32(L_K);
      this.gget(e * ENTRY_GLOBALS + lim);
      this.op(W.i64_lt_u);
      this.b.byte(W.if_).byte(load ? T.I64 : T.VOID);
      this.get_(L_K);
      this.op(W.i32_wrap_i64);
      if (e < ENTRY_LIN.length) {
        if (!load) value();
        this.mem(op, ENTRY_LIN[e]!);
      } else {
        this.gget(e * ENTRY_GLOBALS + G_LIN);
        this.op(W.i32_add);
        if (!load) value();
        this.mem(op, 0);
      }
      this.op(W.else_);
    }
    this.get_(L_A);
    this.i32c(load ? size | (signed ? 16 : 0) : size);
    if (!load) value();
    this.i32c(pc);
    this.countArg(adj);
    // (around a slow store the same was measured slower: insertion sort 0.31 → 0.7 ns/insn)
    if (load) this.saveAll();
    this.b.byte(W.call).u32(load ? F_LD : F_ST);
    if (load) this.restoreAll();
    // a fault: leave for the raise at the function's end (past the access's ifs and the enclosing labels)
    this.i32c(0);
    this.mem(W.i32_load, FAULT_AT);
    this.b.byte(W.br_if).u32(es.length + labels);
    for (let i = 0; i < es.length; i++) this.op(W.end);
    if (load) this.set(d);
  }

  /** bswap32 of the i32 on the stack. */
  private bswap32(): void {
    this.set(L_X);
    this.get_(L_X);
    this.i32c(0xff00ff00 | 0);
    this.op(W.i32_and);
    this.i32c(8);
    this.op(W.i32_rotl);
    this.get_(L_X);
    this.i32c(0x00ff00ff);
    this.op(W.i32_and);
    this.i32c(8);
    this.op(W.i32_rotr);
    this.op(W.i32_or);
  }

  private bswap16(): void {
    this.set(L_X);
    this.get_(L_X);
    this.i32c(0xff);
    this.op(W.i32_and);
    this.i32c(8);
    this.op(W.i32_shl);
    this.get_(L_X);
    this.i32c(8);
    this.op(W.i32_shr_u);
    this.i32c(0xff);
    this.op(W.i32_and);
    this.op(W.i32_or);
  }

  private alu(info: OpInfo, d: number, s: number, imm: number): void {
    const c = info.code;
    const X = info.srcReg;
    if (info.kind === 'end') {
      const w = info.width;
      if (info.end === 'le') {
        if (w === 64) return;
        this.get_(d);
        this.i64c(w === 16 ? 0xffffn : 0xffffffffn);
        this.op(W.i64_and);
      } else if (w === 16) {
        this.get_(d); this.op(W.i32_wrap_i64); this.bswap16(); this.op(W.i64_extend_i32_u);
      } else if (w === 32) {
        this.get_(d); this.op(W.i32_wrap_i64); this.bswap32(); this.op(W.i64_extend_i32_u);
      } else {
        this.get_(d); this.op(W.i32_wrap_i64); this.bswap32(); this.op(W.i64_extend_i32_u);
        this.i64c(32n); this.op(W.i64_shl);
        this.get_(d); this.i64c(32n); this.op(W.i64_shr_u); this.op(W.i32_wrap_i64); this.bswap32(); this.op(W.i64_extend_i32_u);
        this.op(W.i64_or);
      }
      this.set(d);
      return;
    }
    if (info.width === 64) {
      const src = (): void => (X ? this.get_(s) : this.i64c(BigInt(imm)));
      switch (info.alu) {
        case 'mov':
          src();
          break;
        case 'movsx':
          this.get_(s);
          this.op(c === Op.MOVSX8_64 ? W.i64_extend8_s : c === Op.MOVSX16_64 ? W.i64_extend16_s : W.i64_extend32_s);
          break;
        case 'neg':
          this.i64c(0n); this.get_(d); this.op(W.i64_sub);
          break;
        case 'lsh': case 'rsh': case 'arsh':
          this.get_(d);
          if (X) this.get_(s); else this.i64c(BigInt(imm & 63));
          this.op(info.alu === 'lsh' ? W.i64_shl : info.alu === 'rsh' ? W.i64_shr_u : W.i64_shr_s);
          break;
        case 'div': case 'mod': case 'sdiv': case 'smod':
          this.div64(info.alu, d, s, X, imm);
          return;
        default: {
          const o = { add: W.i64_add, sub: W.i64_sub, mul: W.i64_mul, or: W.i64_or, and: W.i64_and, xor: W.i64_xor }[info.alu as 'add'];
          if (o === undefined) throw new Unsupported(`alu ${info.alu}`);
          this.get_(d); src(); this.op(o);
        }
      }
      this.set(d);
      return;
    }
    // 32-bit: compute on i32, zero-extend
    const src = (): void => {
      if (X) { this.get_(s); this.op(W.i32_wrap_i64); } else this.i32c(imm);
    };
    const dst = (): void => { this.get_(d); this.op(W.i32_wrap_i64); };
    switch (info.alu) {
      case 'mov': src(); break;
      case 'movsx': this.get_(s); this.op(W.i32_wrap_i64); this.op(c === Op.MOVSX8_32 ? W.i32_extend8_s : W.i32_extend16_s); break;
      case 'neg': this.i32c(0); dst(); this.op(W.i32_sub); break;
      case 'lsh': case 'rsh': case 'arsh':
        dst();
        if (X) src(); else this.i32c(imm & 31);
        this.op(info.alu === 'lsh' ? W.i32_shl : info.alu === 'rsh' ? W.i32_shr_u : W.i32_shr_s);
        break;
      case 'div': case 'sdiv': case 'mod': case 'smod': this.div32(info.alu, dst, src, X, imm); break;
      default: {
        const o = { add: W.i32_add, sub: W.i32_sub, mul: W.i32_mul, or: W.i32_or, and: W.i32_and, xor: W.i32_xor }[info.alu as 'add'];
        if (o === undefined) throw new Unsupported(`alu32 ${info.alu}`);
        dst(); src(); this.op(o);
      }
    }
    this.op(W.i64_extend_i32_u);
    this.set(d);
  }

  private div64(kind: 'div' | 'mod' | 'sdiv' | 'smod', d: number, s: number, X: boolean, imm: number): void {
    if (!X) {
      const k = BigInt(imm);
      if (k === 0n) {
        if (kind === 'div' || kind === 'sdiv') { this.i64c(0n); this.set(d); }
        return; // modulo by zero keeps the dividend
      }
      if ((kind === 'sdiv') && k === -1n) { this.i64c(0n); this.get_(d); this.op(W.i64_sub); this.set(d); return; }
      this.get_(d);
      this.i64c(k);
      this.op(kind === 'div' ? W.i64_div_u : kind === 'mod' ? W.i64_rem_u : kind === 'sdiv' ? W.i64_div_s : W.i64_rem_s);
      this.set(d);
      return;
    }
    // b == 0 ? (div: 0, mod: d) : op
    this.get_(s);
    this.op(W.i64_eqz);
    this.b.byte(W.if_).byte(T.I64);
    if (kind === 'div' || kind === 'sdiv') this.i64c(0n); else this.get_(d);
    this.op(W.else_);
    if (kind === 'sdiv') {
      // INT_MIN / -1 wraps (wasm would trap)
      this.get_(s); this.i64c(-1n); this.op(W.i64_eq);
      this.b.byte(W.if_).byte(T.I64);
      this.i64c(0n); this.get_(d); this.op(W.i64_sub);
      this.op(W.else_);
      this.get_(d); this.get_(s); this.op(W.i64_div_s);
      this.op(W.end);
    } else {
      this.get_(d); this.get_(s);
      this.op(kind === 'div' ? W.i64_div_u : kind === 'mod' ? W.i64_rem_u : W.i64_rem_s);
    }
    this.op(W.end);
    this.set(d);
  }

  /** Leaves the i32 result on the stack. */
  private div32(kind: 'div' | 'mod' | 'sdiv' | 'smod', dst: () => void, src: () => void, X: boolean, imm: number): void {
    if (!X) {
      if (imm === 0) {
        if (kind === 'div' || kind === 'sdiv') this.i32c(0); else dst();
        return;
      }
      if (kind === 'sdiv' && imm === -1) { this.i32c(0); dst(); this.op(W.i32_sub); return; }
      dst(); this.i32c(imm);
      this.op(kind === 'div' ? W.i32_div_u : kind === 'mod' ? W.i32_rem_u : kind === 'sdiv' ? W.i32_div_s : W.i32_rem_s);
      return;
    }
    src();
    this.op(W.i32_eqz);
    this.b.byte(W.if_).byte(T.I32);
    if (kind === 'div' || kind === 'sdiv') this.i32c(0); else dst();
    this.op(W.else_);
    if (kind === 'sdiv') {
      src(); this.i32c(-1); this.op(W.i32_eq);
      this.b.byte(W.if_).byte(T.I32);
      this.i32c(0); dst(); this.op(W.i32_sub);
      this.op(W.else_);
      dst(); src(); this.op(W.i32_div_s);
      this.op(W.end);
    } else {
      dst(); src();
      this.op(kind === 'div' ? W.i32_div_u : kind === 'mod' ? W.i32_rem_u : W.i32_rem_s);
    }
    this.op(W.end);
  }

  /** The condition of a conditional jump, as an i32 on the stack. */
  private cond(info: OpInfo, d: number, s: number, imm: number): void {
    const wide = info.width === 64;
    const X = info.srcReg;
    if (wide) {
      this.get_(d);
      if (X) this.get_(s); else this.i64c(BigInt(imm));
    } else {
      this.get_(d); this.op(W.i32_wrap_i64);
      if (X) { this.get_(s); this.op(W.i32_wrap_i64); } else this.i32c(imm);
    }
    const J64 = { eq: W.i64_eq, ne: W.i64_ne, gt: W.i64_gt_u, ge: W.i64_ge_u, lt: W.i64_lt_u, le: W.i64_le_u,
      sgt: W.i64_gt_s, sge: W.i64_ge_s, slt: W.i64_lt_s, sle: W.i64_le_s } as const;
    const J32 = { eq: W.i32_eq, ne: W.i32_ne, gt: W.i32_gt_u, ge: W.i32_ge_u, lt: W.i32_lt_u, le: W.i32_le_u,
      sgt: W.i32_gt_s, sge: W.i32_ge_s, slt: W.i32_lt_s, sle: W.i32_le_s } as const;
    const j = info.jmp!;
    if (j === 'set') {
      if (wide) { this.op(W.i64_and); this.op(W.i64_eqz); } else { this.op(W.i32_and); this.op(W.i32_eqz); }
      this.op(W.i32_eqz);
      return;
    }
    this.op(wide ? J64[j] : J32[j]);
  }
}
