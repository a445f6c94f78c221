/**
 * The state recorder (state embedding, SEV): with `recordStates` the verifier keeps, for every instruction
 * it checks, a snapshot of the abstract state it checked there — the current frame's registers (type, tnum,
 * the four bounds, pointer kind, region, offset and range, reference ids), its stack slots (byte types and
 * spilled registers) and the references held. A path pruned at an instruction keeps the state that reached
 * it and a handle on the explored state that covered it: that state's liveness and precision marks are final
 * once verification ends, and they say what pruning guaranteed.
 *
 * Off unless asked: the verifier's loop tests one field per instruction when off.
 */
import { copyReg, sameValue, type Reg } from './reg-state.js';
import { isSpilledReg, type FuncState, type VState } from './state.js';

export interface RecordedSlot {
  /** Byte types (S.*), lowest address first as the verifier keeps them: types[7] is the slot's first byte. */
  types: readonly number[];
  /** The spilled register, when all eight bytes hold one. */
  spilled?: Reg;
}

/** One abstract state checked at one instruction: its current frame. */
export interface RecordedState {
  /** Call depth (0: the main program). */
  frame: number;
  /**
   * The call sites of the frames below, outermost first, comma-separated ('' in the main program): a
   * callee's state holds only on a path through the same calls (what follows its return differs by caller).
   */
  calls: string;
  regs: readonly Reg[];
  /** Slot spi covers fp-8*(spi+1) .. fp-8*spi-1. */
  stack: readonly RecordedSlot[];
  refs: readonly number[];
  speculative: boolean;
}

/** A path pruned at an instruction: the state that reached it and the explored state that covered it. */
export interface PrunedPath {
  state: RecordedState;
  /** The explored checkpoint (its marks are final after verification; read its current frame). */
  covering: VState;
}

export interface RecordedStates {
  /** States the verifier went on from, per instruction. */
  readonly at: Map<number, RecordedState[]>;
  /** Paths pruned, per instruction. */
  readonly pruned: Map<number, PrunedPath[]>;
  /** Snapshots taken, weighed by size (12 + stack slots each). */
  count: number;
  /** The recording outgrew MAX_RECORDED: it stopped and cannot be checked against. */
  truncated: boolean;
}

/**
 * The most one verification records, in registers and stack slots (about 300 bytes each when nothing is
 * shared): memory stays bounded on programs near the complexity limit.
 */
export const MAX_RECORDED = 600_000;

/**
 * The recording with its sharing cache: per frame depth, the copies the last snapshot of that depth made. A
 * register or slot whose value-state is unchanged since then is shared with that snapshot instead of copied
 * (one instruction changes one or two registers): recording allocates what changed, not the whole state.
 * Recorded registers and slots are never written after they are taken, so sharing them is safe.
 */
class Recording implements RecordedStates {
  readonly at = new Map<number, RecordedState[]>();
  readonly pruned = new Map<number, PrunedPath[]>();
  count = 0;
  truncated = false;
  /** [frame][i]: the copy of r_i the last snapshot of that frame depth made. */
  readonly lastRegs: (Reg[] | undefined)[] = [];
  /** [frame][spi]: the copy of slot spi the last snapshot of that frame depth made. */
  readonly lastSlots: (RecordedSlot[] | undefined)[] = [];
}

export function newRecording(): RecordedStates {
  return new Recording();
}

/** A register's value-state, without its liveness link (which would keep the verifier's state graph alive). */
function snapReg(r: Reg): Reg {
  const c = copyReg(r);
  c.parent = null;
  return c;
}

/** The call sites of frames 1..curframe, as RecordedState.calls. */
export function callsOf(s: VState): string {
  let k = '';
  for (let i = 1; i <= s.curframe; i++) k += (i > 1 ? ',' : '') + s.frames[i]!.callsite;
  return k;
}

const NO_REFS: readonly number[] = Object.freeze([]);

function sameTypes(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
  return true;
}

function snapshotFrame(rec: Recording | undefined, f: FuncState, frame: number, calls: string, speculative: boolean): RecordedState {
  const prevRegs = rec?.lastRegs[frame];
  const regs: Reg[] = new Array(11);
  for (let i = 0; i < 11; i++) {
    const live = f.regs[i]!;
    const p = prevRegs?.[i];
    regs[i] = p !== undefined && sameValue(p, live) ? p : snapReg(live);
  }
  const prevSlots = rec?.lastSlots[frame];
  const stack: RecordedSlot[] = new Array(f.stack.length);
  for (let i = 0; i < f.stack.length; i++) {
    const s = f.stack[i]!;
    const p = prevSlots?.[i];
    if (isSpilledReg(s)) {
      stack[i] = p !== undefined && p.spilled !== undefined && sameTypes(p.types, s.types) && sameValue(p.spilled, s.spilled)
        ? p : { types: s.types.slice(), spilled: snapReg(s.spilled) };
    } else {
      // The byte types are copied (the verifier writes them in place); the spilled register only when spilled.
      stack[i] = p !== undefined && p.spilled === undefined && sameTypes(p.types, s.types) ? p : { types: s.types.slice() };
    }
  }
  if (rec !== undefined) {
    rec.lastRegs[frame] = regs;
    rec.lastSlots[frame] = stack;
  }
  return { frame, calls, regs, stack, refs: f.refs.length === 0 ? NO_REFS : f.refs.map((r) => r.id), speculative };
}

export function snapshot(s: VState, rec?: RecordedStates): RecordedState {
  return snapshotFrame(rec instanceof Recording ? rec : undefined, s.frames[s.curframe]!, s.curframe, s.curframe === 0 ? '' : callsOf(s), s.speculative);
}

/** The state about to be checked at `idx`. */
export function recordAt(rec: RecordedStates, idx: number, s: VState): void {
  if (rec.truncated || (rec.count += 12 + s.frames[s.curframe]!.stack.length) > MAX_RECORDED) {
    rec.truncated = true;
    return;
  }
  const l = rec.at.get(idx);
  if (l === undefined) rec.at.set(idx, [snapshot(s, rec)]);
  else l.push(snapshot(s, rec));
}

/** A path pruned at `idx`: `cur` reached it, `covering` (an explored checkpoint) covered it. */
export function recordPruned(rec: RecordedStates, idx: number, cur: VState, covering: VState): void {
  if (rec.truncated || (rec.count += 12 + cur.frames[cur.curframe]!.stack.length) > MAX_RECORDED) {
    rec.truncated = true;
    return;
  }
  const p = { state: snapshot(cur, rec), covering };
  const l = rec.pruned.get(idx);
  if (l === undefined) rec.pruned.set(idx, [p]);
  else l.push(p);
}
