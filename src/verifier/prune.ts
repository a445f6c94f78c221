/**
 * State pruning (is_state_visited): checkpoints at prune points, state equivalence (regsafe,
 * stacksafe, refsafe) with liveness, loop detection, and the parentage links that carry read marks.
 */
import { recordPruned } from './record.js';
import { planted } from './plant.js';
import type { Env } from './env.js';
import { baseType, F, Live, type Reg, T } from './reg-state.js';
import { checkpointKeepsFrame, copyCheckpoint, isSpilledReg, ownFrame, ownSlots, S, type FuncState, type VState } from './state.js';
import { markAllScalarsImprecise, propagatePrecision, pushJmpHistory } from './precision.js';
import { tnumEq, tnumIn } from './tnum.js';
import { EINVAL } from '../uapi/errno.js';

function rangeWithin(o: Reg, c: Reg): boolean {
  return o.umin <= c.umin && o.umax >= c.umax && o.smin <= c.smin && o.smax >= c.smax &&
    o.u32min <= c.u32min && o.u32max >= c.u32max && o.s32min <= c.s32min && o.s32max >= c.s32max;
}

class IdMap {
  private m: Map<number, number> | undefined;
  /** Forget every pairing (one map serves every comparison). */
  reset(): IdMap {
    if (this.m !== undefined && this.m.size > 0) this.m.clear();
    return this;
  }
  check(oldId: number, curId: number): boolean {
    this.m ??= new Map();
    const v = this.m.get(oldId);
    if (v === undefined) {
      this.m.set(oldId, curId);
      return true;
    }
    return v === curId;
  }
}

const IDMAP = new IdMap();

function regEqualRaw(a: Reg, b: Reg): boolean {
  return a.type === b.type && a.off === b.off && a.range === b.range && a.map === b.map && a.mapUid === b.mapUid &&
    a.btfName === b.btfName && a.memSize === b.memSize && a.subprogno === b.subprogno && a.id === b.id &&
    a.refObjId === b.refObjId && tnumEq(a.varOff, b.varOff) && a.smin === b.smin && a.smax === b.smax &&
    a.umin === b.umin && a.umax === b.umax && a.s32min === b.s32min && a.s32max === b.s32max &&
    a.u32min === b.u32min && a.u32max === b.u32max;
}

function regEqualUpToId(a: Reg, b: Reg): boolean {
  return a.type === b.type && a.off === b.off && a.map === b.map && a.mapUid === b.mapUid && a.range === b.range &&
    a.btfName === b.btfName && a.memSize === b.memSize;
}

function regsafe(env: Env, o: Reg, c: Reg, idmap: IdMap): boolean {
  if (!(o.live & Live.READ)) return true;
  if (o.type === T.SCALAR_VALUE && c.type === T.SCALAR_VALUE) {
    // Under Spectre v1 masking of unknown offsets, only identical scalars are safe (explore_alu_limits).
    if (env.exploreAluLimits) return regEqualRaw(o, c);
    // Equal scalars are within each other; the range test alone decides.
    if (!o.precise || planted === 'prune-ignores-precision') return true;
    return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
  }
  const equal = regEqualRaw(o, c);
  if (o.type === T.PTR_TO_STACK) return equal && o.frameno === c.frameno;
  if (equal) return true;
  if (o.type === T.NOT_INIT) return true;
  if (c.type === T.NOT_INIT) return false;
  switch (baseType(o.type)) {
    case T.SCALAR_VALUE:
      if (env.exploreAluLimits) return false;
      if (c.type !== T.SCALAR_VALUE) return false;
      if (!o.precise || planted === 'prune-ignores-precision') return true;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case T.PTR_TO_MAP_KEY:
    case T.PTR_TO_MAP_VALUE:
      if (o.type & F.PTR_MAYBE_NULL) {
        if (!(c.type & F.PTR_MAYBE_NULL)) return false;
        if (!regEqualUpToId(o, c) || !tnumEq(o.varOff, c.varOff) || o.smin !== c.smin || o.umax !== c.umax) return false;
        return idmap.check(o.id, c.id);
      }
      return regEqualUpToId(o, c) && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case T.PTR_TO_PACKET_META:
    case T.PTR_TO_PACKET:
      if (c.type !== o.type) return false;
      if (o.range < 0 || c.range < 0) {
        if (o.range !== c.range) return false;
      } else if (o.range > c.range) return false;
      if (o.off !== c.off) return false;
      if (o.id && !idmap.check(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    default:
      return false;
  }
}

function stacksafe(env: Env, o: FuncState, c: FuncState, idmap: IdMap): boolean {
  const oAlloc = o.stack.length * 8;
  const cAlloc = c.stack.length * 8;
  for (let i = 0; i < oAlloc; i++) {
    const spi = Math.floor(i / 8);
    const os = o.stack[spi]!;
    if (!(os.spilled.live & Live.READ)) {
      i += 7;
      continue;
    }
    const ot = os.types[i % 8]!;
    if (ot === S.INVALID) continue;
    if (env.allowUninitStack && ot === S.MISC) continue;
    if (i >= cAlloc) return false;
    const ct = c.stack[spi]!.types[i % 8]!;
    if (ot === S.MISC && ct === S.ZERO) continue;
    if (ot !== ct) return false;
    if (i % 8 !== 7) continue;
    if (!isSpilledReg(os)) continue;
    if (!regsafe(env, os.spilled, c.stack[spi]!.spilled, idmap)) return false;
  }
  return true;
}

function refsafe(o: FuncState, c: FuncState): boolean {
  if (o.refs.length !== c.refs.length) return false;
  return o.refs.every((r, i) => r.id === c.refs[i]!.id && r.insnIdx === c.refs[i]!.insnIdx && r.callbackRef === c.refs[i]!.callbackRef);
}

function funcStatesEqual(env: Env, o: FuncState, c: FuncState): boolean {
  const idmap = IDMAP.reset();
  for (let i = 0; i < 11; i++) if (!regsafe(env, o.regs[i]!, c.regs[i]!, idmap)) return false;
  if (!stacksafe(env, o, c, idmap)) return false;
  return refsafe(o, c);
}

export function statesEqual(env: Env, o: VState, c: VState): boolean {
  if (o.curframe !== c.curframe) return false;
  if (o.speculative && !c.speculative) return false;
  if (o.activeSpinLock !== c.activeSpinLock) return false;
  for (let i = 0; i <= o.curframe; i++) {
    if (o.frames[i]!.callsite !== c.frames[i]!.callsite) return false;
    if (!funcStatesEqual(env, o.frames[i]!, c.frames[i]!)) return false;
  }
  return true;
}

/** A number equal for states whose current frames' registers are equal in value (see statesMaybeLooping). */
function loopKey(s: VState): number {
  const regs = s.frames[s.curframe]!.regs;
  let h = s.curframe;
  for (let i = 0; i < 11; i++) {
    const r = regs[i]!;
    const v = r.varOff;
    h = (Math.imul(h, 31) + r.type + r.off * 7 + (v.mask === 0n ? Number(BigInt.asUintN(32, v.value)) : 0x5bd1e995)) | 0;
  }
  return h;
}

function statesMaybeLooping(o: VState, c: VState): boolean {
  if (o.curframe !== c.curframe) return false;
  const fo = o.frames[o.curframe]!;
  const fc = c.frames[c.curframe]!;
  // Every register identical in value (memcmp up to bpf_reg_state.parent): type, offsets, bounds, ids.
  // Types and tnum values first: they tell most loop iterations apart cheaply.
  for (let i = 0; i < 11; i++) {
    const a = fo.regs[i]!;
    const b = fc.regs[i]!;
    if (a.type !== b.type || a.varOff.value !== b.varOff.value || a.off !== b.off) return false;
  }
  for (let i = 0; i < 11; i++) if (!regEqualRaw(fo.regs[i]!, fc.regs[i]!)) return false;
  return true;
}

function propagateLiveness(env: Env, vstate: VState, vparent: VState): void {
  // Liveness of the explored state flows into cur's parents: whatever was read there must be read here.
  // cur itself is dropped right after, so only the chain above its registers is marked (its frames may be
  // shared with queued branches and stay untouched).
  for (let f = 0; f <= vstate.curframe; f++) {
    const state = vstate.frames[f]!;
    const parent = vparent.frames[f]!;
    for (let i = f < vstate.curframe ? 6 : 0; i < 10; i++) {
      const flag = state.regs[i]!.live & Live.READ;
      const pflag = parent.regs[i]!.live & Live.READ;
      if (!flag || pflag === Live.READ64 || pflag === flag) continue;
      env.markRegRead(parent.regs[i]!);
    }
    for (let i = 0; i < state.stack.length && i < parent.stack.length; i++) {
      if (state.stack[i]!.spilled.live & Live.READ && !(parent.stack[i]!.spilled.live & Live.READ)) {
        env.markRegRead(parent.stack[i]!.spilled);
      }
    }
  }
}

/**
 * clean_live_states, as far as the statistics see it: a checkpoint whose exploration has ended, reached again
 * in the same call chain, is done (6.1 also scrubs its unread registers then; pruning here reads the liveness
 * marks directly).
 */
function cleanLiveStates(list: readonly { state: VState; done: boolean }[], cur: VState): void {
  for (const sl of list) {
    if (sl.done || sl.state.branches || sl.state.curframe !== cur.curframe) continue;
    let same = true;
    for (let i = 0; i <= cur.curframe; i++) if (sl.state.frames[i]!.callsite !== cur.frames[i]!.callsite) same = false;
    if (same) sl.done = true;
  }
}

/** is_state_visited: 1 = pruned. */
export function isStateVisited(env: Env, insnIdx: number): number {
  const cur = env.cur;
  cur.lastInsnIdx = env.prevInsnIdx;
  if (!env.prunePoint[insnIdx]) {
    pushJmpHistory(env, cur);
    return 0;
  }
  let addNew = env.testStateFreq;
  if (env.jmpsProcessed - env.prevJmpsProcessed >= 2 && env.insnProcessed - env.prevInsnProcessed >= 8) addNew = true;
  let list = env.explored.get(insnIdx);
  let statesCnt = 0;
  if (list) cleanLiveStates(list, cur);
  if (list) {
    let curKey: number | undefined;
    // Newest checkpoint first, as the kernel's list (new states go to its head).
    for (let k = list.length - 1; k >= 0; k--) {
      const sl = list[k]!;
      statesCnt++;
      if (sl.state.branches) {
        // Still being explored (a loop): the same state again is an infinite loop. The value key tells
        // most loop iterations apart without comparing registers.
        // Another entry into an async callback (a timer callback that sets a timer callback) seeing the same
        // state is no loop: the earlier state has not reached its exit.
        const frame = sl.state.frames[sl.state.curframe]!;
        const reentry = frame.inAsyncCallbackFn && frame.asyncEntryCnt !== cur.frames[cur.curframe]!.asyncEntryCnt;
        curKey ??= loopKey(cur);
        if (!reentry && sl.key === curKey && statesMaybeLooping(sl.state, cur) && statesEqual(env, sl.state, cur)) {
          env.fail(`infinite loop detected at insn ${insnIdx}\n`, EINVAL);
        }
        if (env.jmpsProcessed - env.prevJmpsProcessed < 20 && env.insnProcessed - env.prevInsnProcessed < 100) addNew = false;
      } else if (statesEqual(env, sl.state, cur)) {
        sl.hit++;
        propagateLiveness(env, sl.state, cur);
        // The checkpoint reached the exit with some scalars precise: so must the path that led here.
        pushJmpHistory(env, cur);
        propagatePrecision(env, sl.state);
        if (env.states !== undefined) recordPruned(env.states, insnIdx, cur, sl.state);
        return 1;
      }
      // Misses count only when a state would be added; a state that keeps missing is dropped from the list
      // (the parentage chain may still hold it).
      if (addNew) sl.miss++;
      if (sl.miss > sl.hit * 3 + 3) {
        list.splice(k, 1);
        // Freed only when done; otherwise the parentage chain may still walk it (kept until the end).
        if (sl.done) env.peakStates--;
      }
    }
  }
  if (env.maxStatesPerInsn < statesCnt) env.maxStatesPerInsn = statesCnt;
  if ((!env.bpfCapable && statesCnt > env.profile.complexityLimitStates) || !addNew) {
    pushJmpHistory(env, cur);
    return 0;
  }
  env.totalStates++;
  env.peakStates++;
  env.prevJmpsProcessed = env.jmpsProcessed;
  env.prevInsnProcessed = env.insnProcessed;
  // The frames the checkpoint links to are made cur's own (queued branches may share them); a frame the
  // link leaves unchanged stays shared.
  const relink: boolean[] = [];
  for (let j = 0; j <= cur.curframe; j++) {
    relink.push(!checkpointKeepsFrame(cur.frames[j]!));
    if (relink[j]) ownSlots(ownFrame(cur, j));
  }
  // Inherited precise marks are forgotten: children re-establish what they need (mark_all_scalars_imprecise).
  if (env.bpfCapable) markAllScalarsImprecise(cur);
  const nw = copyCheckpoint(cur);
  nw.insnIdx = insnIdx;
  nw.branches = 1;
  nw.parent = cur.parent;
  // Reads flowing up from cur now land in the checkpoint.
  if (!list) {
    list = [];
    env.explored.set(insnIdx, list);
  }
  list.push({ state: nw, hit: 0, miss: 0, key: loopKey(nw), done: false });
  cur.parent = nw;
  cur.firstInsnIdx = insnIdx;
  cur.jmpHistory = [];
  for (let j = 0; j <= cur.curframe; j++) {
    if (!relink[j]) continue;
    const cf = cur.frames[j]!;
    const nf = nw.frames[j]!;
    for (let i = 0; i < 11; i++) {
      cf.regs[i]!.parent = nf.regs[i]!;
      cf.regs[i]!.live = Live.NONE;
    }
    for (let i = 0; i < cf.stack.length; i++) {
      cf.stack[i]!.spilled.parent = nf.stack[i]!.spilled;
      cf.stack[i]!.spilled.live = Live.NONE;
    }
  }
  return 0;
}

/** update_branch_counts: a finished path releases its checkpoints. */
export function updateBranchCounts(st: VState | null): void {
  while (st) {
    const br = --st.branches;
    if (br) break;
    st = st.parent;
  }
}
