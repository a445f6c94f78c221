/**
 * Calls into subprograms (__check_func_call): bpf-to-bpf calls, global functions (checked against their
 * BTF and skipped) and the callbacks of bpf_loop, bpf_for_each_map_elem, bpf_find_vma,
 * bpf_user_ringbuf_drain (verified as a nested frame, once per call) and bpf_timer_set_callback (an async
 * callback, verified later as its own call chain). The callee's registers come from a set-callee-state rule.
 */
import type { Insn } from '../isa/insn.js';
import { markKnown } from './bounds.js';
import { btfCheckSubprogCall, isGlobalFunc } from './btf-func.js';
import type { Env } from './env.js';
import { formatFuncState } from './log.js';
import { assignReg, F, Live, T } from './reg-state.js';
import { type FuncState, newFuncState, type VState } from './state.js';
import { E2BIG, EFAULT, EINVAL, ENOTSUPP } from '../uapi/errno.js';
import { BPF_FUNC, BPF_MAP_TYPE } from '../uapi/index.js';

export const FUNC_for_each_map_elem = BPF_FUNC.for_each_map_elem;
export const FUNC_timer_set_callback = BPF_FUNC.timer_set_callback;
export const FUNC_find_vma = BPF_FUNC.find_vma;
export const FUNC_loop = BPF_FUNC.loop;
export const FUNC_user_ringbuf_drain = BPF_FUNC.user_ringbuf_drain;

/** is_callback_calling_function */
export function isCallbackCallingFunction(id: number): boolean {
  return id === FUNC_for_each_map_elem || id === FUNC_timer_set_callback || id === FUNC_find_vma || id === FUNC_loop ||
    id === FUNC_user_ringbuf_drain;
}

/** Maps whose ops iterate elements for bpf_for_each_map_elem: hash, array, percpu and LRU variants. */
const FOR_EACH_MAP_TYPES: ReadonlySet<number> = new Set([BPF_MAP_TYPE.HASH, BPF_MAP_TYPE.ARRAY, BPF_MAP_TYPE.PERCPU_HASH, BPF_MAP_TYPE.PERCPU_ARRAY, BPF_MAP_TYPE.LRU_HASH, BPF_MAP_TYPE.LRU_PERCPU_HASH]);

/** A set_callee_state_fn: fills the callee's argument registers from the caller's. */
export type SetCalleeState = (env: Env, caller: FuncState, callee: FuncState, insnIdx: number) => void;

/** set_callee_state: a plain call passes R1-R5 as they are (with their liveness links). */
export const setCalleeState: SetCalleeState = (_env, caller, callee) => {
  for (let i = 1; i <= 5; i++) copyWhole(callee, i, caller, i);
};

/** `callee->regs[d] = caller->regs[s]`: the whole register, liveness link included. */
function copyWhole(callee: FuncState, d: number, caller: FuncState, s: number): void {
  const src = caller.regs[s]!;
  const dst = callee.regs[d]!;
  assignReg(dst, src);
  dst.live = src.live;
  dst.parent = src.parent;
}

function knownZero(callee: FuncState, regno: number, type: number): void {
  const r = callee.regs[regno]!;
  markKnown(r, 0n);
  r.type = type;
}

function notInit(env: Env, callee: FuncState, from: number): void {
  for (let i = from; i <= 5; i++) env.markNotInit(callee.regs[i]!);
}

function enterCallback(callee: FuncState): void {
  callee.inCallbackFn = true;
  callee.cbRetMin = 0n;
  callee.cbRetMax = 1n;
}

/** set_map_elem_callback_state: callback(map, key, value, ctx) for each element. */
export const setMapElemCallbackState: SetCalleeState = (env, caller, callee, insnIdx) => {
  const aux = env.aux(insnIdx);
  if (aux.callMapPoisoned) env.fail('tail_call abusing map_ptr\n', EINVAL);
  const map = aux.callMap ?? caller.regs[1]!.map;
  if (map === undefined || !FOR_EACH_MAP_TYPES.has(map.type)) env.fail('callback function not allowed for map\n', ENOTSUPP);
  copyWhole(callee, 1, caller, 1);
  knownZero(callee, 2, T.PTR_TO_MAP_KEY);
  callee.regs[2]!.map = map;
  knownZero(callee, 3, T.PTR_TO_MAP_VALUE);
  callee.regs[3]!.map = map;
  copyWhole(callee, 4, caller, 3);
  env.markNotInit(callee.regs[5]!);
  enterCallback(callee);
};

/** set_loop_callback_state: callback(index, ctx). */
export const setLoopCallbackState: SetCalleeState = (env, caller, callee) => {
  callee.regs[1]!.type = T.SCALAR_VALUE;
  copyWhole(callee, 2, caller, 3);
  notInit(env, callee, 3);
  enterCallback(callee);
};

/** set_timer_callback_state: callback(map, key, value), async. */
export const setTimerCallbackState: SetCalleeState = (env, caller, callee) => {
  const map = caller.regs[1]!.map;
  knownZero(callee, 1, T.CONST_PTR_TO_MAP);
  callee.regs[1]!.map = map;
  knownZero(callee, 2, T.PTR_TO_MAP_KEY);
  callee.regs[2]!.map = map;
  knownZero(callee, 3, T.PTR_TO_MAP_VALUE);
  callee.regs[3]!.map = map;
  notInit(env, callee, 4);
  callee.inAsyncCallbackFn = true;
  callee.cbRetMin = 0n;
  callee.cbRetMax = 1n;
};

/** set_find_vma_callback_state: callback(task, vma, ctx). */
export const setFindVmaCallbackState: SetCalleeState = (env, caller, callee) => {
  copyWhole(callee, 1, caller, 1);
  knownZero(callee, 2, T.PTR_TO_BTF_ID);
  callee.regs[2]!.btfName = 'vm_area_struct';
  copyWhole(callee, 3, caller, 4);
  notInit(env, callee, 4);
  enterCallback(callee);
};

/** set_user_ringbuf_callback_state: callback(dynptr, ctx). */
export const setUserRingbufCallbackState: SetCalleeState = (env, caller, callee) => {
  env.markNotInit(callee.regs[0]!);
  knownZero(callee, 1, T.PTR_TO_DYNPTR | F.DYNPTR_TYPE_LOCAL);
  copyWhole(callee, 2, caller, 3);
  notInit(env, callee, 3);
  enterCallback(callee);
};

/** The set-callee-state rule of each callback-calling helper. */
export const CALLBACK_STATE: Readonly<Record<number, SetCalleeState>> = {
  [FUNC_for_each_map_elem]: setMapElemCallbackState,
  [FUNC_timer_set_callback]: setTimerCallbackState,
  [FUNC_find_vma]: setFindVmaCallbackState,
  [FUNC_loop]: setLoopCallbackState,
  [FUNC_user_ringbuf_drain]: setUserRingbufCallbackState,
};

/** clear_caller_saved_regs: R0-R5 not initialised, written and scratched (printed after the call). */
export function clearCallerSaved(env: Env, f: FuncState): void {
  for (let i = 0; i < 6; i++) {
    env.markNotInit(f.regs[i]!);
    f.regs[i]!.live |= Live.WRITTEN;
    env.markRegScratched(i);
  }
}

/** push_async_cb: a fresh state (one frame) queued at the callback's first instruction. */
function pushAsyncCb(env: Env, start: number, callsite: number, subprog: number): FuncState {
  const frame = newFuncState(0, -1, subprog);
  const st: VState = {
    frames: [frame], curframe: 0, parent: null, branches: 1, activeSpinLock: 0, speculative: false,
    insnIdx: start, firstInsnIdx: start, lastInsnIdx: -1, jmpHistory: [],
  };
  env.pending.push({ state: st, insnIdx: start, prevInsnIdx: callsite, logPos: env.log.len });
  if (env.pending.length > env.profile.complexityLimitJmpSeq) {
    env.fail(`The sequence of ${env.pending.length} jumps is too complex for async cb.\n`, E2BIG);
  }
  env.markAllScratched();
  return frame;
}

/**
 * __check_func_call: enter `subprog` from the call at `idx` (a pseudo call, or a callback-calling helper
 * with its set-callee-state rule). Returns the next instruction to verify: the callee's first, or idx + 1
 * when the callee is not entered now (a global function, an async callback).
 */
export function checkFuncCallCommon(env: Env, insn: Insn, idx: number, subprog: number, setCallee: SetCalleeState): number {
  const state = env.cur;
  if (state.curframe + 1 >= env.profile.maxCallFrames) {
    env.fail(`the call stack of ${state.curframe + 2} frames is too deep\n`, E2BIG);
  }
  const caller = env.frame;
  const global = isGlobalFunc(env, subprog);
  const err = btfCheckSubprogCall(env, subprog, caller.regs);
  if (err === 14) env.fail('', EFAULT);
  if (global) {
    if (err) env.fail(`Caller passes invalid args into func#${subprog}\n`, err);
    if (env.log.level & 3) env.verbose(`Func#${subprog} is global and valid. Skipping.\n`);
    clearCallerSaved(env, caller);
    env.markUnknown(caller.regs[0]!);
    caller.regs[0]!.subregDef = 0;
    return idx + 1;
  }
  if (setCallee !== setCalleeState && !isCallbackCallingFunction(insn.imm)) {
    env.fail(`verifier bug: helper ${env.platform.helperName(insn.imm) ?? 'unknown'}#${insn.imm} is not marked as callback-calling\n`, EFAULT);
  }
  if (insn.src === 0 && insn.imm === FUNC_timer_set_callback) {
    const sp = env.subprogs[subprog]!;
    sp.isAsyncCb = true;
    const callee = pushAsyncCb(env, sp.start, idx, subprog);
    callee.asyncEntryCnt = caller.asyncEntryCnt + 1;
    setCallee(env, caller, callee, idx);
    clearCallerSaved(env, caller);
    env.markUnknown(caller.regs[0]!);
    caller.regs[0]!.subregDef = 0;
    return idx + 1;
  }
  const callee = newFuncState(state.curframe + 1, idx, subprog);
  env.markAllScratched();
  callee.refs = caller.refs.map((r) => ({ ...r }));
  setCallee(env, caller, callee, idx);
  clearCallerSaved(env, caller);
  state.curframe++;
  state.frames[state.curframe] = callee;
  state.frames.length = state.curframe + 1;
  if (env.log.level & 3) {
    env.verbose('caller:\n');
    env.verbose(formatFuncState(caller, true, 0, new Set()));
    env.verbose('callee:\n');
    env.verbose(formatFuncState(callee, true, 0, new Set()));
  }
  return env.subprogs[subprog]!.start;
}
