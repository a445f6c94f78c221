/**
 * State containment (state embedding, SEV OSDI'24): at every executed instruction the concrete registers
 * and stack of the running frame must lie inside at least one abstract state the verifier recorded at that
 * instruction. Scalars must be inside the tnum and all four bounds; pointers must point into a region of
 * the kind their type names, at an offset inside off + var_off / bounds (packet pointers also within the
 * range the verifier proved against data_end); spilled registers are held to the same, zeroed stack bytes
 * must read zero.
 *
 * Pruning: a path the verifier pruned at an instruction was only shown to lie in the explored state that
 * covered it as far as that state's liveness and precision say (a dead register or an imprecise scalar may
 * differ). Those registers and stack slots are then "don't care" for the rest of the run, and stay so
 * through the values computed from them (a small taint tracker), until overwritten by values that do not
 * depend on them. A register outside every state is an escape: the verifier claimed something false.
 */
import type { Insn } from '../isa/insn.js';
import { OP_BY_CODE } from '../isa/opcodes.js';
import type { Region } from '../../vm/address-space.js';
import type { Machine, StepHook } from '../../vm/machine.js';
import type { Image } from '../../vm/image.js';
import type { RecordedState, RecordedStates } from '../verifier/record.js';
import { baseType, F, regValueStr, T, type Reg } from '../verifier/reg-state.js';
import { S } from '../verifier/state.js';
import type { FuncState } from '../verifier/state.js';

/** A concrete value outside every abstract state recorded at its instruction. */
export interface StateEscape {
  kind: 'verifier-unsound';
  insn: number;
  /** `r3`, or a stack slot `fp-8`. */
  register: string;
  /** The concrete value (hex, 64-bit). */
  value: string;
  /** The abstract value it escaped, in the kernel's log format (`R3=scalar(umax=255,var_off=(0x0; 0xff))`). */
  state: string;
}

/** Most escapes one run reports (later ones are counted in `escapesDropped`). */
export const MAX_ESCAPES = 16;

const U64 = (1n << 64n) - 1n;
/** r1-r5: clobbered by a call (mark_reg_not_init after check_helper_call and prepare_func_exit). */
const CLOBBERED_BY_CALL = 0b111110;
/** r0 and r6-r9 of a callee's frame: NOT_INIT at its entry (init_func_state). */
const CLOBBERED_IN_CALLEE = 0b1111000001;
const STACK_SIZE = 512;

/** What a packet context owns (kernel-sim's PacketBuffer), read without importing it. */
interface PacketLike {
  buffer: Region;
  meta: number;
  data: number;
  end: number;
}

function isPacketLike(o: unknown): o is PacketLike {
  const p = o as PacketLike | null;
  return p !== null && typeof p === 'object' && typeof p.data === 'number' && typeof p.end === 'number' && typeof p.buffer === 'object';
}

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);

/** Is the 64-bit value v inside scalar (or offset) state r: tnum and the four bounds. */
export function scalarContains(r: Reg, v: bigint): boolean {
  const x = BigInt.asUintN(64, v);
  if ((x & ~r.varOff.mask & U64) !== r.varOff.value) return false;
  if (x < r.umin || x > r.umax) return false;
  const s = BigInt.asIntN(64, x);
  if (s < r.smin || s > r.smax) return false;
  const lo = Number(x & 0xffffffffn);
  if (lo < r.u32min || lo > r.u32max) return false;
  const s32 = lo | 0;
  return s32 >= r.s32min && s32 <= r.s32max;
}

interface Miss {
  register: string;
  value: bigint;
  state: string;
}

export interface CheckerTarget {
  machine: Machine;
  image: Image;
  insns: readonly Insn[];
}

/**
 * Checks one program's runs against the states its verification recorded. `hook` is the step hook to install
 * (chained with any other); call `begin()` before each run and read `escapes` after it.
 */
export class StateChecker {
  escapes: StateEscape[] = [];
  escapesDropped = 0;
  /** Instructions checked (over every run). */
  checked = 0;
  private readonly seen = new Set<string>();
  /** Per frame: registers whose concrete value is "don't care" (bit i: r_i). */
  private regTaint: number[] = [0];
  /** Per frame: stack slots (spi) whose concrete value is "don't care". */
  private slotTaint: Set<number>[] = [new Set()];
  private prevPc = -1;
  private prevFrame = 0;
  /** Per frame: the instruction that called the frame above it. */
  private callPc: number[] = [];
  /** Per frame: the call sites below it, as RecordedState.calls. */
  private calls: string[] = [''];
  private packet: PacketLike | null = null;
  private first = true;
  /** The state that matched last at each instruction (tried first next time). */
  private readonly lastMatch = new Map<number, RecordedState>();

  constructor(readonly states: RecordedStates, private readonly target: CheckerTarget) {}

  begin(): void {
    this.escapes = [];
    this.escapesDropped = 0;
    this.seen.clear();
    this.regTaint = [0];
    this.slotTaint = [new Set()];
    this.prevPc = -1;
    this.prevFrame = 0;
    this.callPc = [];
    this.calls = [''];
    this.packet = null;
    this.first = true;
  }

  /** A step hook that checks, then calls `next`. */
  hook(next: StepHook | null): StepHook {
    return (pc, regs, frame) => {
      this.step(pc, regs, frame);
      if (next !== null) next(pc, regs, frame);
    };
  }

  private step(pc: number, regs: BigUint64Array, frame: number): void {
    const m = this.target.machine;
    if (this.states.truncated) return; // too many states to have kept them all: nothing to check against
    if (m.image !== this.target.image) return; // a tail call left the program
    // A new run (BPF_PROG_TEST_RUN's repeat): the last one ended with an exit of the main frame.
    if (pc === 0 && frame === 0 && this.prevPc >= 0 && this.prevFrame === 0 && this.target.insns[this.prevPc]?.opcode === 0x95) {
      const { escapes, escapesDropped } = this;
      this.begin();
      this.escapes = escapes;
      this.escapesDropped = escapesDropped;
    }
    if (this.first) {
      this.first = false;
      const ctx = m.space.regionAt(regs[1]!);
      if (ctx !== undefined && isPacketLike(ctx.owner)) this.packet = ctx.owner;
    }
    this.transfer(pc, regs, frame);
    this.checked++;
    const list = this.states.at.get(pc);
    const pruned = this.states.pruned.get(pc);
    if (list === undefined && pruned === undefined) return; // never reached by the verifier: dead code
    const taint = this.regTaint[frame] ?? 0;
    const slots = this.slotTaint[frame] ?? new Set<number>();
    // A state recorded in a callee only holds for a path through the same calls (found by `bpfvm fuzz`: a
    // callee entered from a second call site matched the state of the first, whose return went elsewhere).
    const calls = this.calls[frame] ?? '';
    // In a callee, the frame alone may match an explored state while the callers' frames are those of a
    // pruned path: what the covering state's caller frames did not compare is "don't care" after the return.
    if (frame > 0 && pruned !== undefined) {
      for (const p of pruned) {
        if (p.state.frame === frame && p.state.calls === calls && this.misses(p.state, regs, frame, taint, slots, false) === null) this.callerDontCare(p.covering.frames, frame);
      }
    }
    const last = this.lastMatch.get(pc);
    if (last !== undefined && last.frame === frame && last.calls === calls && this.misses(last, regs, frame, taint, slots, true) === null) return;
    let best: Miss[] | null = null;
    for (const s of list === undefined ? [] : this.candidates(pc, list, regs, frame)) {
      if (s.frame !== frame || s.calls !== calls || s.speculative || s === last) continue;
      const miss = this.misses(s, regs, frame, taint, slots, best === null);
      if (miss === null) {
        this.lastMatch.set(pc, s);
        return;
      }
      if (best === null || miss.length < best.length) best = miss;
    }
    // A pruned path: inside the state that reached it, and inside the covering state as far as it cares.
    for (const p of pruned ?? []) {
      if (p.state.frame !== frame || p.state.calls !== calls) continue;
      const miss = this.misses(p.state, regs, frame, taint, slots, false);
      if (miss !== null) {
        if (best === null || miss.length < best.length) best = miss;
        continue;
      }
      const cf = p.covering.frames[p.covering.curframe];
      if (cf === undefined || p.covering.curframe !== frame) continue;
      const care = this.coveringMisses(cf, regs, frame, taint, slots);
      if (care.escapes.length === 0) {
        this.regTaint[frame] = taint | care.dontCareRegs;
        for (const spi of care.dontCareSlots) slots.add(spi);
        this.slotTaint[frame] = slots;
        this.callerDontCare(p.covering.frames, frame);
        return;
      }
      if (best === null || care.escapes.length < best.length) best = care.escapes;
    }
    if (best === null || best.length === 0) return;
    this.report(pc, best[0]!);
    // The escaped value is reported once: what follows from it is not blamed again.
    for (const miss of best) {
      const r = /^r(\d+)$/.exec(miss.register);
      if (r) this.regTaint[frame] = (this.regTaint[frame] ?? 0) | (1 << Number(r[1]));
      const f = /^fp-(\d+)$/.exec(miss.register);
      if (f) {
        slots.add(Number(f[1]) / 8 - 1);
        this.slotTaint[frame] = slots;
      }
    }
  }

  private readonly index = new Map<number, { reg: number; byValue: Map<bigint, RecordedState[]>; rest: RecordedState[] } | null>();

  /**
   * The states at pc worth comparing: with many (a loop's iterations), an index on the register whose
   * constant values tell most states apart picks the few that can match.
   */
  private candidates(pc: number, list: RecordedState[], regs: BigUint64Array, frame: number): Iterable<RecordedState> {
    if (list.length < 16) return list;
    let ix = this.index.get(pc);
    if (ix === undefined) {
      ix = null;
      let bestReg = -1;
      let bestCount = 1;
      for (let i = 0; i <= 10; i++) {
        const values = new Set<bigint>();
        for (const s of list) {
          const r = s.regs[i]!;
          if (r.type === T.SCALAR_VALUE && r.varOff.mask === 0n) values.add(r.varOff.value);
        }
        if (values.size > bestCount) {
          bestCount = values.size;
          bestReg = i;
        }
      }
      if (bestReg >= 0) {
        const byValue = new Map<bigint, RecordedState[]>();
        const rest: RecordedState[] = [];
        for (const s of list) {
          const r = s.regs[bestReg]!;
          if (r.type === T.SCALAR_VALUE && r.varOff.mask === 0n) {
            const l = byValue.get(r.varOff.value);
            if (l === undefined) byValue.set(r.varOff.value, [s]);
            else l.push(s);
          } else rest.push(s);
        }
        ix = { reg: bestReg, byValue, rest };
      }
      this.index.set(pc, ix);
    }
    if (ix === null || ((this.regTaint[frame] ?? 0) & (1 << ix.reg)) !== 0) return list;
    const hit = ix.byValue.get(regs[ix.reg]!) ?? [];
    return ix.rest.length === 0 ? hit : hit.concat(ix.rest);
  }

  private report(pc: number, miss: Miss): void {
    const key = `${pc}:${miss.register}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.escapes.length >= MAX_ESCAPES) {
      this.escapesDropped++;
      return;
    }
    this.escapes.push({ kind: 'verifier-unsound', insn: pc, register: miss.register, value: hex(miss.value), state: miss.state });
  }

  /** Registers and slots of state s the concrete frame is outside of (null: contained). */
  private misses(s: RecordedState, regs: BigUint64Array, frame: number, taint: number, slots: Set<number>, all: boolean): Miss[] | null {
    let out: Miss[] | null = null;
    // Scalars sharing an id hold one value (a 64-bit copy; 6.1 clears the id on any other write): the
    // verifier narrows them together (find_equal_scalars), so a state whose linked scalars differ here does
    // not contain this frame. ids[k], vals[k]: the first register of each id seen.
    let ids: number[] | null = null;
    let vals: bigint[] | null = null;
    const linked = (id: number, v: bigint): boolean => {
      const k = (ids ??= []).indexOf(id);
      if (k < 0) {
        ids.push(id);
        (vals ??= []).push(v);
        return true;
      }
      return vals![k] === v;
    };
    for (let i = 0; i <= 10; i++) {
      if (taint & (1 << i)) continue;
      const r = s.regs[i]!;
      if (r.type === T.NOT_INIT) continue;
      const v = regs[i]!;
      if (!this.contains(r, v, frame) || (r.id !== 0 && r.type === T.SCALAR_VALUE && !linked(r.id, v))) {
        (out ??= []).push({ register: `r${i}`, value: v, state: `R${i}=${regValueStr(r)}` });
        if (!all) return out;
      }
    }
    const stack = this.target.machine.stacks[frame];
    if (stack === undefined) return out;
    const dv = stack.dv;
    for (let spi = 0; spi < s.stack.length; spi++) {
      if (slots.has(spi)) continue;
      const slot = s.stack[spi]!;
      const at = STACK_SIZE - 8 * (spi + 1);
      if (slot.spilled !== undefined && slot.types.every((t) => t === S.SPILL)) {
        const v = dv.getBigUint64(at, true);
        const sp = slot.spilled;
        if (!this.contains(sp, v, frame) || (sp.id !== 0 && sp.type === T.SCALAR_VALUE && !linked(sp.id, v))) {
          (out ??= []).push({ register: `fp-${8 * (spi + 1)}`, value: v, state: `fp-${8 * (spi + 1)}=${regValueStr(slot.spilled)}` });
          if (!all) return out;
        }
        continue;
      }
      for (let b = 0; b < 8; b++) {
        if (slot.types[b] !== S.ZERO) continue;
        const byte = dv.getUint8(at + 7 - b); // types[b] is the byte at fp-8*spi-1-b
        if (byte !== 0) {
          (out ??= []).push({ register: `fp-${8 * (spi + 1)}`, value: dv.getBigUint64(at, true), state: `fp-${8 * (spi + 1)}=${slot.types.map((t) => '?rm0d'[t]).join('')}` });
          if (!all) return out;
          break;
        }
      }
    }
    return out;
  }

  /**
   * A pruned path against its covering state (final marks): what the state cares about (live registers,
   * pointers and precise scalars) must contain the concrete values; the rest becomes "don't care".
   */
  private coveringMisses(f: FuncState, regs: BigUint64Array, frame: number, taint: number, slots: Set<number>):
    { escapes: Miss[]; dontCareRegs: number; dontCareSlots: number[] } {
    const escapes: Miss[] = [];
    let dontCareRegs = 0;
    const dontCareSlots: number[] = [];
    for (let i = 0; i <= 10; i++) {
      if (taint & (1 << i)) continue;
      const r = f.regs[i]!;
      const v = regs[i]!;
      // A register the covering state has cleaned (dead) is not compared, nor what its path recorded for it.
      if (r.type === T.NOT_INIT) {
        dontCareRegs |= 1 << i;
        continue;
      }
      // regsafe: unread registers and imprecise scalars were not compared. They are "don't care" even when the
      // concrete value happens to lie inside: the covering state's later narrowing of them (a branch on a
      // register sharing their id, find_equal_scalars) says nothing about this path, where the ids differ.
      if ((r.live & 3) === 0 || (r.type === T.SCALAR_VALUE && !r.precise)) dontCareRegs |= 1 << i;
      else if (!this.contains(r, v, frame)) escapes.push({ register: `r${i}`, value: v, state: `R${i}=${regValueStr(r)}` });
    }
    // Stack slots: anything the covering state does not hold as a spilled register is not compared here.
    for (let spi = 0; spi < Math.max(f.stack.length, 64); spi++) {
      if (slots.has(spi)) continue;
      const s = f.stack[spi];
      const spilled = s !== undefined && s.types.every((t) => t === S.SPILL) ? s.spilled : undefined;
      const stack = this.target.machine.stacks[frame];
      if (spilled === undefined || stack === undefined) {
        dontCareSlots.push(spi);
        continue;
      }
      const v = stack.dv.getBigUint64(STACK_SIZE - 8 * (spi + 1), true);
      if ((spilled.live & 3) === 0 || (spilled.type === T.SCALAR_VALUE && !spilled.precise)) dontCareSlots.push(spi);
      else if (!this.contains(spilled, v, frame)) escapes.push({ register: `fp-${8 * (spi + 1)}`, value: v, state: `fp-${8 * (spi + 1)}=${regValueStr(spilled)}` });
    }
    return { escapes, dontCareRegs, dontCareSlots };
  }

  /**
   * A path pruned inside a callee was compared with the covering state in every frame: in the callers too
   * (regsafe over all frames), as far as their liveness and precision say. What a caller frame of the
   * covering state does not care about (its callee-saved r6-r9 that are dead or imprecise, stack slots not
   * holding a live precise spill) is "don't care" once the callee returns (found by `bpfvm fuzz`: a packet
   * pointer's range, dead in the caller after the call, was blamed after the return).
   */
  private callerDontCare(frames: readonly (FuncState | undefined)[], frame: number): void {
    const careless = (r: Reg) => r.type === T.NOT_INIT || (r.live & 3) === 0 || (r.type === T.SCALAR_VALUE && !r.precise);
    for (let fr = 0; fr < frame; fr++) {
      const f = frames[fr];
      if (f === undefined) continue;
      let t = this.regTaint[fr] ?? 0;
      for (let i = 6; i <= 9; i++) if (careless(f.regs[i]!)) t |= 1 << i;
      this.regTaint[fr] = t;
      const slots = (this.slotTaint[fr] ??= new Set());
      for (let spi = 0; spi < Math.max(f.stack.length, 64); spi++) {
        const s = f.stack[spi];
        const spilled = s !== undefined && s.types.every((x) => x === S.SPILL) ? s.spilled : undefined;
        if (spilled === undefined || careless(spilled)) slots.add(spi);
      }
    }
  }

  /** Is the concrete value v inside abstract register r. */
  private contains(r: Reg, v: bigint, frame: number): boolean {
    const t = r.type;
    if (t === T.SCALAR_VALUE) return scalarContains(r, v);
    if (t === T.NOT_INIT) return true;
    if ((t & F.PTR_MAYBE_NULL) !== 0 && v === 0n) return true;
    const base = baseType(t);
    // A pointer may point below its region (off < 0: legal until dereferenced), into the window before it.
    const at = this.target.machine.space.regionAt(v);
    const below = this.target.machine.space.regionAt(BigInt.asUintN(64, v + (1n << 32n)));
    const low = Number(v & 0xffffffffn);
    if (below !== undefined && below !== at && this.containsIn(r, base, below, low - 2 ** 32, frame)) return true;
    return this.containsIn(r, base, at, low, frame, v);
  }

  private containsIn(r: Reg, base: number, region: Region | undefined, offset: number, frame: number, v = 0n): boolean {
    const inOffset = (at: number): boolean => scalarContains(r, BigInt(at - r.off));
    switch (base) {
      case T.PTR_TO_STACK: {
        const stack = this.target.machine.stacks[r.frameno];
        // A frame's stack pointer: the frame's own region (the frame numbers of verifier and machine agree).
        if (region === undefined || region.kind !== 'stack') return false;
        if (r.frameno <= frame && region !== stack) return false;
        return inOffset(offset - STACK_SIZE);
      }
      case T.PTR_TO_CTX:
        return region !== undefined && (region.kind === 'ctx' || region.kind === 'kernel-object' || region.kind === 'mem') && inOffset(offset);
      case T.PTR_TO_MAP_VALUE: {
        if (region === undefined || (region.kind !== 'map-value' && region.kind !== 'rodata' && region.kind !== 'mem')) return false;
        const map = region.owner as { valueSize?: number; elemSize?: number } | null;
        const vs = r.map?.valueSize ?? map?.valueSize;
        // Arrays keep every value in one region, elemSize apart.
        const stride = map?.elemSize ?? vs;
        const inValue = stride !== undefined && stride > 0 && region.size > stride ? offset % stride : offset;
        return inOffset(inValue);
      }
      case T.PTR_TO_PACKET:
      case T.PTR_TO_PACKET_META: {
        const p = this.packet;
        // The simulated kernel runs some types (sk_msg, cgroup skb fields) with data/data_end read as 0: not
        // the verifier's claim failing but the simulation's gap (a pointer at an unmapped low address).
        if (region === undefined && offset >= 0 && offset < 4096 && v >> 32n === 0n) return true;
        if (region === undefined || region.kind !== 'packet') return false;
        if (p === null || p.buffer !== region) return true; // no packet context to measure against
        const rel = offset - (base === T.PTR_TO_PACKET ? p.data : p.meta);
        if (!inOffset(rel)) return false;
        // The range proved against data_end: data + var + range <= data_end.
        if (base === T.PTR_TO_PACKET && r.range > 0 && offset - r.off + r.range > p.end) return false;
        return true;
      }
      case T.PTR_TO_PACKET_END: {
        const p = this.packet;
        if (region === undefined && offset >= 0 && offset < 4096 && v >> 32n === 0n) return true;
        if (region === undefined || region.kind !== 'packet') return false;
        return p === null || p.buffer !== region || offset === p.end;
      }
      case T.CONST_PTR_TO_MAP:
        return region !== undefined && region.kind === 'kernel-object';
      case T.PTR_TO_SOCKET: case T.PTR_TO_SOCK_COMMON: case T.PTR_TO_TCP_SOCK: case T.PTR_TO_XDP_SOCK: case T.PTR_TO_MEM: case T.PTR_TO_BUF: case T.PTR_TO_MAP_KEY:
      case T.PTR_TO_TP_BUFFER: case T.PTR_TO_FLOW_KEYS:
        // Not NULL (the NULL case was allowed above), and mapped.
        return region !== undefined;
      case T.SCALAR_VALUE: case T.NOT_INIT:
        return true;
      default:
        // PTR_TO_BTF_ID (may be NULL in 6.1 without being marked so), PTR_TO_FUNC, dynptrs: not compared.
        return true;
    }
  }

  /** Carry the don't-care marks through the previous instruction (and across calls and returns). */
  private transfer(pc: number, regs: BigUint64Array, frame: number): void {
    const prev = this.prevPc;
    const prevFrame = this.prevFrame;
    this.prevPc = pc;
    this.prevFrame = frame;
    if (frame > prevFrame) {
      // Entered a callee (bpf-to-bpf call: r1-r5 are the caller's; a callback: fresh arguments).
      const callerTaint = this.regTaint[prevFrame] ?? 0;
      const insn = prev >= 0 ? this.target.insns[prev] : undefined;
      const direct = insn !== undefined && insn.opcode === 0x85 && insn.src === 1;
      // r0 and r6-r9 of the new frame are NOT_INIT to the verifier: what the machine left in them is "don't care".
      this.regTaint[frame] = (direct ? callerTaint & 0b111110 : 0) | CLOBBERED_IN_CALLEE;
      this.slotTaint[frame] = new Set();
      this.callPc[prevFrame] = prev;
      this.calls[frame] = frame > 1 ? `${this.calls[prevFrame] ?? ''},${prev}` : String(prev);
      this.calls.length = frame + 1;
      return;
    }
    if (frame < prevFrame) {
      // Returned: r0 comes from the callee, r1-r5 are clobbered (NOT_INIT: "don't care" until written), r6-r9
      // and r10 are the caller's.
      const call = this.target.insns[this.callPc[frame] ?? -1];
      // back from a callback into the helper that called it: r0 is the helper's result
      const calleeR0 = call !== undefined && call.opcode === 0x85 && call.src === 1 ? (this.regTaint[prevFrame] ?? 0) & 1 : 0;
      this.regTaint[frame] = ((this.regTaint[frame] ?? 0) & ~0b111111) | calleeR0 | CLOBBERED_BY_CALL;
      this.regTaint.length = frame + 1;
      this.slotTaint.length = frame + 1;
      return;
    }
    if (prev < 0) return;
    const insn = this.target.insns[prev];
    if (insn === undefined) return;
    let taint = this.regTaint[frame] ?? 0;
    if (taint === 0 && (this.slotTaint[frame]?.size ?? 0) === 0) return;
    const slots = (this.slotTaint[frame] ??= new Set());
    const op = insn.opcode;
    const cls = op & 7;
    const row = OP_BY_CODE.get(insn.code);
    const bit = (r: number): number => (taint >> r) & 1;
    const set = (r: number, on: number | boolean): void => {
      taint = on ? taint | (1 << r) : taint & ~(1 << r);
    };
    const stackSlot = (reg: number, off: number): number | undefined => {
      const a = regs[reg]!; // the base register after the instruction: stores and loads do not change it
      const region = this.target.machine.space.regionAt(a);
      if (region === undefined || region !== this.target.machine.stacks[frame]) return undefined;
      const at = Number(a & 0xffffffffn) + off;
      return at >= 0 && at < STACK_SIZE ? Math.floor((STACK_SIZE - 1 - at) / 8) : undefined;
    };
    if (cls === 4 || cls === 7) {
      const aluOp = op & 0xf0;
      const srcReg = (op & 8) !== 0;
      if (aluOp === 0xb0) set(insn.dst, srcReg ? bit(insn.src) : 0); // mov
      else if (aluOp === 0x80 || aluOp === 0xd0) { /* neg, end: dst from itself */ }
      else if (srcReg) set(insn.dst, bit(insn.dst) | bit(insn.src));
    } else if (cls === 1) {
      // ldx: from a don't-care stack slot, or (if the base itself is don't care) anything
      const spi = stackSlot(insn.src, insn.off);
      set(insn.dst, bit(insn.src) | (spi !== undefined && slots.has(spi) ? 1 : 0));
      if (insn.dst === insn.src) { /* the base was overwritten: its taint is the loaded value's */ }
    } else if (cls === 3 || cls === 2) {
      const spi = stackSlot(insn.dst, insn.off);
      if (spi !== undefined) {
        const size = [4, 2, 1, 8][(op >> 3) & 3]!;
        const mode = op & 0xe0;
        const from = cls === 3 ? bit(insn.src) : 0;
        if (mode === 0xc0) { if (from) slots.add(spi); } // atomics mix the old and new value
        else if (size === 8) { if (from) slots.add(spi); else slots.delete(spi); }
        else if (from) slots.add(spi);
        if (mode === 0xc0 && slots.has(spi)) set(insn.src, 1); // fetch forms load the (don't-care) old value
      }
    } else if (cls === 0 && op === 0x18) {
      set(insn.dst, 0);
    } else if (cls === 0) {
      set(0, 0); // ld_abs / ld_ind
    } else if (cls === 5 && (op & 0xf0) === 0x80) {
      // A helper or kfunc call: r0 is its result; r1-r5 are clobbered, NOT_INIT to the verifier, while the
      // machine leaves the arguments in them: "don't care" until written (found by `bpfvm fuzz`, seed
      // 3877674722: a junk r2 passed into a callee matched a state where r2 was NOT_INIT, then was held to a
      // later state's r2 from another path, which the kernel pruned as dead).
      taint = (taint & ~0b111111) | CLOBBERED_BY_CALL;
    } else if (row?.kind === 'jcond' && row.srcReg) {
      // A conditional jump between two registers narrows each by the other: with one of them "don't care",
      // the other's bounds on either branch follow from a value the verifier did not compare (found by
      // `bpfvm fuzz`: `if r0 < r9` with r9 imprecise in the covering state narrowed r0 on a pruned path).
      // The verifier relies on those bounds only where it made both precise, which it did not here.
      if (bit(insn.dst) | bit(insn.src)) { set(insn.dst, 1); set(insn.src, 1); }
    }
    this.regTaint[frame] = taint;
  }
}
