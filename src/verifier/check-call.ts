/**
 * Calls: helpers (check_helper_call with check_func_arg for each ARG_* kind, memory/size pairs,
 * map compatibility, return types, reference acquire/release), bpf-to-bpf calls and callbacks
 * (check_func_call, prepare_func_exit), program exit (check_reference_leak, check_return_code).
 */
import { planted } from './plant.js';
import type { Insn } from '../isa/insn.js';
import type { KptrField, MapDef } from '../platform/platform.js';
import type { ArgSpec, HelperProto } from '../platform/types.js';
import { boundsSync, markKnown, markUnbounded } from './bounds.js';
import { type Env, Reject } from './env.js';
import { recordFuncMap } from './sanitize.js';
import { alignmentCheck, checkMemAccess, mapKptrMatchType } from './check-mem.js';
import { checkFuncArgRegOff, checkHelperMemAccess, isNullReg } from './helper-mem.js';
import { structIdsMatch } from './btf-walk.js';
import { assignWhole, baseType, F, isPktPointer, Live, type Reg, regTypeStr, T } from './reg-state.js';
import { markChainPrecision, updateLoopInlineState } from './precision.js';
import { curFrame, type FuncState, forEachReg, copyFunc, ownFrame } from './state.js';
import { tnumIn, tnumIsConst, tnumIsUnknown, tnumRange, tnumStr, type Tnum } from './tnum.js';
import { formatFuncState } from './log.js';
import { checkConstStr } from './map-direct.js';
import { gplCompatible } from './license.js';
import { CALLBACK_STATE, checkFuncCallCommon, clearCallerSaved as clearSaved, setCalleeState } from './callbacks.js';
import { DYNPTR_SIZE, dynptrAcquired, dynptrRefId, dynptrTypeExpected, dynptrTypeName, dynptrValidInit, dynptrValidUninit, markDynptrSlots, unmarkDynptrSlots } from './dynptr.js';
import { BPF_FUNC, BPF_MAP_TYPE, helperNameOf, MAP_TYPES, type HelperName, type MapTypeName } from '../uapi/index.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';

/** is_acquire_function (6.1): helpers whose result holds a reference the program must release. */
const ACQUIRE_HELPERS: ReadonlySet<number> = new Set([
  BPF_FUNC.sk_lookup_tcp, BPF_FUNC.sk_lookup_udp, BPF_FUNC.skc_lookup_tcp, BPF_FUNC.ringbuf_reserve, BPF_FUNC.kptr_xchg,
]);

const TYPES_OF: Record<string, number[]> = {
  ARG_PTR_TO_MAP_KEY: [T.PTR_TO_STACK, T.PTR_TO_PACKET, T.PTR_TO_PACKET_META, T.PTR_TO_MAP_KEY, T.PTR_TO_MAP_VALUE],
  ARG_PTR_TO_MAP_VALUE: [T.PTR_TO_STACK, T.PTR_TO_PACKET, T.PTR_TO_PACKET_META, T.PTR_TO_MAP_KEY, T.PTR_TO_MAP_VALUE],
  ARG_CONST_SIZE: [T.SCALAR_VALUE], ARG_CONST_SIZE_OR_ZERO: [T.SCALAR_VALUE], ARG_CONST_ALLOC_SIZE_OR_ZERO: [T.SCALAR_VALUE],
  ARG_CONST_MAP_PTR: [T.CONST_PTR_TO_MAP], ARG_PTR_TO_CTX: [T.PTR_TO_CTX],
  ARG_PTR_TO_SOCK_COMMON: [T.PTR_TO_SOCK_COMMON, T.PTR_TO_SOCKET, T.PTR_TO_TCP_SOCK, T.PTR_TO_XDP_SOCK],
  ARG_PTR_TO_BTF_ID_SOCK_COMMON: [T.PTR_TO_SOCK_COMMON, T.PTR_TO_SOCKET, T.PTR_TO_TCP_SOCK, T.PTR_TO_XDP_SOCK, T.PTR_TO_BTF_ID],
  ARG_PTR_TO_SOCKET: [T.PTR_TO_SOCKET], ARG_PTR_TO_BTF_ID: [T.PTR_TO_BTF_ID], ARG_PTR_TO_SPIN_LOCK: [T.PTR_TO_MAP_VALUE],
  ARG_PTR_TO_MEM: [T.PTR_TO_STACK, T.PTR_TO_PACKET, T.PTR_TO_PACKET_META, T.PTR_TO_MAP_KEY, T.PTR_TO_MAP_VALUE, T.PTR_TO_MEM, T.PTR_TO_MEM | F.MEM_ALLOC, T.PTR_TO_BUF],
  ARG_PTR_TO_ALLOC_MEM: [T.PTR_TO_MEM | F.MEM_ALLOC], ARG_PTR_TO_PERCPU_BTF_ID: [T.PTR_TO_BTF_ID | F.MEM_PERCPU],
  ARG_PTR_TO_FUNC: [T.PTR_TO_FUNC], ARG_PTR_TO_STACK: [T.PTR_TO_STACK], ARG_PTR_TO_CONST_STR: [T.PTR_TO_MAP_VALUE],
  ARG_PTR_TO_TIMER: [T.PTR_TO_MAP_VALUE], ARG_PTR_TO_KPTR: [T.PTR_TO_MAP_VALUE], ARG_PTR_TO_DYNPTR: [T.PTR_TO_STACK, T.PTR_TO_DYNPTR | F.DYNPTR_TYPE_LOCAL],
};

interface CallMeta {
  map?: MapDef;
  mapUid: number;
  rawMode: boolean;
  pktAccess: boolean;
  regno: number;
  accessSize: number;
  memSize: number;
  refObjId: number;
  releaseRegno: number;
  funcId: number;
  callbackSubprog: number;
  retBtf?: string;
  /** ARG_PTR_TO_PERCPU_BTF_ID: size of the variable's type when it is not a struct (0 for a struct). */
  retBtfSize?: number;
  /** ARG_PTR_TO_KPTR: the kptr field the map value pointer points at. */
  kptr?: KptrField;
  /** Upper bound of the last size argument (msize_max_value): caps what the *_str / get_stack helpers return. */
  msizeMax?: bigint;
  /** The register of the MEM_UNINIT dynptr argument the helper initialises (0: none). */
  uninitDynptrRegno?: number;
}

function flagsOf(a: ArgSpec): number {
  let f = 0;
  for (const x of a.flags ?? []) {
    if (x === 'PTR_MAYBE_NULL') f |= F.PTR_MAYBE_NULL;
    else if (x === 'MEM_RDONLY') f |= F.MEM_RDONLY;
    else if (x === 'MEM_UNINIT') f |= F.MEM_UNINIT;
    else if (x === 'OBJ_RELEASE') f |= F.OBJ_RELEASE;
    else if (x === 'MEM_FIXED_SIZE') f |= F.MEM_FIXED_SIZE;
    else if (x === 'MEM_ALLOC') f |= F.MEM_ALLOC;
  }
  return f;
}

function checkRegType(env: Env, regno: number, arg: ArgSpec, argFlags: number, meta: CallMeta): void {
  const reg = env.regs[regno]!;
  const compat = TYPES_OF[arg.type];
  if (!compat) env.fail(`verifier internal error: unsupported arg type\n`, EFAULT);
  let t = reg.type;
  if (argFlags & F.MEM_RDONLY) t &= ~F.MEM_RDONLY;
  if (argFlags & F.PTR_MAYBE_NULL) t &= ~F.PTR_MAYBE_NULL;
  if (!compat.includes(t)) {
    env.fail(`R${regno} type=${regTypeStr(reg.type)} expected=${compat.map(regTypeStr).join(', ')}\n`, EACCES);
  }
  if (reg.type !== T.PTR_TO_BTF_ID || arg.type !== 'ARG_PTR_TO_BTF_ID') return;
  if (meta.funcId === BPF_FUNC.kptr_xchg) {
    mapKptrMatchType(env, meta.kptr!, reg, regno);
  } else if (arg.btfType && !structIdsMatch(env, reg.btfName ?? '', reg.off, arg.btfType, (argFlags & F.OBJ_RELEASE) !== 0)) {
    env.fail(`R${regno} is of type ${reg.btfName ?? ''} but ${arg.btfType} is expected\n`, EACCES);
  }
}

/** process_kptr_func: ARG_PTR_TO_KPTR must point at a referenced kptr field of a map value with BTF. */
function processKptrFunc(env: Env, regno: number, meta: CallMeta): void {
  const reg = env.regs[regno]!;
  const map = reg.map!;
  if (!tnumIsConst(reg.varOff)) env.fail(`R${regno} doesn't have constant offset. kptr has to be at the constant offset\n`, EINVAL);
  if (!map.hasBtf) env.fail(`map '${map.name ?? ''}' has to have BTF in order to use bpf_kptr_xchg\n`, EINVAL);
  if (!map.kptrs?.length) env.fail(`map '${map.name ?? ''}' has no valid kptr\n`, EINVAL);
  meta.map = map;
  const off = reg.off + Number(reg.varOff.value);
  const k = map.kptrs.find((x) => x.off === off);
  if (!k) env.fail(`off=${off} doesn't point to kptr\n`, EACCES);
  if (!k.ref) env.fail(`off=${off} kptr isn't referenced kptr\n`, EACCES);
  meta.kptr = k;
}

const BPF_MAP_TYPE_SOCKMAP = 15, BPF_MAP_TYPE_SOCKHASH = 18, BPF_MAP_TYPE_BLOOM_FILTER = 30;
const FUNC_map_peek_elem = BPF_FUNC.map_peek_elem;

/**
 * resolve_map_arg_type: a map value argument of a sockmap or sockhash is the socket itself
 * (ARG_PTR_TO_BTF_ID_SOCK_COMMON); bpf_map_peek_elem on a bloom filter reads the value it is given.
 */
function resolveMapArgType(env: Env, arg: ArgSpec, meta: CallMeta): ArgSpec {
  const map = meta.map;
  if (map === undefined) env.fail('invalid map_ptr to access map->type\n', EACCES);
  if (map.type === BPF_MAP_TYPE_SOCKMAP || map.type === BPF_MAP_TYPE_SOCKHASH) {
    if ((arg.flags ?? []).length > 0) env.fail('invalid arg_type for sockmap/sockhash\n', EINVAL);
    return { type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', btfType: 'sock_common' };
  }
  if (map.type === BPF_MAP_TYPE_BLOOM_FILTER && meta.funcId === FUNC_map_peek_elem) return { type: 'ARG_PTR_TO_MAP_VALUE' };
  return arg;
}

function checkFuncArg(env: Env, argno: number, argIn: ArgSpec, meta: CallMeta, fn: HelperProto): void {
  const regno = argno + 1;
  const regs = env.regs;
  const reg = regs[regno]!;
  if (argIn.type === 'ARG_DONTCARE') return;
  env.checkRegArg(regno, 'src');
  if (argIn.type === 'ARG_ANYTHING') {
    if (env.isPointerValue(reg)) env.fail(`R${regno} leaks addr into helper function\n`, EACCES);
    return;
  }
  if (isPktPointer(reg.type) && !(fn.pktAccess)) env.fail('helper access to the packet is not allowed\n', EACCES);
  const arg = argIn.type === 'ARG_PTR_TO_MAP_VALUE' ? resolveMapArgType(env, argIn, meta) : argIn;
  const base = arg.type;
  const aflags = flagsOf(arg);
  if (base === 'ARG_PTR_TO_MAP_VALUE' || base === 'ARG_PTR_TO_MEM' || base === 'ARG_PTR_TO_STACK' || base === 'ARG_PTR_TO_CTX' ||
    base === 'ARG_PTR_TO_SOCKET' || base === 'ARG_PTR_TO_BTF_ID' || base === 'ARG_PTR_TO_ALLOC_MEM' || base === 'ARG_PTR_TO_FUNC') {
    if ((aflags & F.PTR_MAYBE_NULL) && isNullReg(reg)) return;
  }
  checkRegType(env, regno, arg, aflags, meta);
  if (base === 'ARG_PTR_TO_DYNPTR' && reg.type === T.PTR_TO_STACK && reg.off % 8) env.fail('cannot pass in dynptr at an offset\n', EINVAL);
  checkFuncArgRegOff(env, reg, regno, base, (aflags & F.OBJ_RELEASE) !== 0);
  if (aflags & F.OBJ_RELEASE) {
    if (base === 'ARG_PTR_TO_DYNPTR') {
      if (!dynptrAcquired(env, reg)) env.fail(`arg ${regno} is an unacquired reference\n`, EINVAL);
    } else if (!reg.refObjId) {
      env.fail(`R${regno} must be referenced when passed to release function\n`, EINVAL);
    }
    meta.releaseRegno = regno;
  }
  if (reg.refObjId) meta.refObjId = reg.refObjId;
  switch (base) {
    case 'ARG_CONST_MAP_PTR':
      // After a timer argument (bpf_timer_init): the map must be the timer's own.
      if (meta.map && (meta.map !== reg.map || meta.mapUid !== reg.mapUid)) {
        env.fail(`timer pointer in R1 map_uid=${meta.mapUid} doesn't match map pointer in R2 map_uid=${reg.mapUid}\n`, EINVAL);
      }
      meta.map = reg.map;
      meta.mapUid = reg.mapUid;
      break;
    case 'ARG_PTR_TO_MAP_KEY':
      if (!meta.map) env.fail('invalid map_ptr to access map->key\n', EACCES);
      checkHelperMemAccess(env, regno, meta.map.keySize, false, undefined, false);
      break;
    case 'ARG_PTR_TO_MAP_VALUE':
      if ((aflags & F.PTR_MAYBE_NULL) && isNullReg(reg)) break;
      if (!meta.map) env.fail('invalid map_ptr to access map->value\n', EACCES);
      meta.rawMode = (aflags & F.MEM_UNINIT) !== 0;
      checkHelperMemAccess(env, regno, meta.map.valueSize, false, meta, meta.rawMode);
      break;
    case 'ARG_PTR_TO_SPIN_LOCK':
      processSpinLock(env, regno, meta.funcId === BPF_FUNC.spin_lock);
      break;
    case 'ARG_PTR_TO_MEM':
      if (aflags & F.MEM_FIXED_SIZE) {
        checkHelperMemAccess(env, regno, arg.size ?? 0, false, meta, (aflags & F.MEM_UNINIT) !== 0);
        // ARG_PTR_TO_LONG / _INT (6.1): the pointer must be aligned to the integer it points to.
        if ((arg.flags ?? []).includes('MEM_ALIGNED')) alignmentCheck(env, reg, 0, arg.size ?? 0, true);
      } else {
        meta.rawMode = (aflags & F.MEM_UNINIT) !== 0;
        meta.regno = regno;
      }
      break;
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO':
      checkMemSizeReg(env, reg, regno, base === 'ARG_CONST_SIZE_OR_ZERO', meta);
      break;
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
      if (!tnumIsConst(reg.varOff)) env.fail(`R${regno} is not a known constant'\n`, EACCES);
      meta.memSize = Number(reg.varOff.value);
      markChainPrecision(env, regno);
      break;
    case 'ARG_PTR_TO_FUNC':
      meta.callbackSubprog = reg.subprogno;
      break;
    case 'ARG_PTR_TO_TIMER':
      // process_timer_func's failures come back as EACCES.
      try {
        processTimerFunc(env, regno, meta);
      } catch (e) {
        if (e instanceof Reject && e.errno !== 13) throw new Reject(13);
        throw e;
      }
      break;
    case 'ARG_PTR_TO_KPTR':
      // process_kptr_func's failures come back as EACCES.
      try {
        processKptrFunc(env, regno, meta);
      } catch (e) {
        if (e instanceof Reject && e.errno !== 13) throw new Reject(13);
        throw e;
      }
      break;
    case 'ARG_PTR_TO_CONST_STR':
      checkConstStr(env, regno);
      break;
    case 'ARG_PTR_TO_DYNPTR':
      // A PTR_TO_DYNPTR (a callback's argument) was set up by the kernel: nothing to check.
      if (baseType(reg.type) === T.PTR_TO_DYNPTR) break;
      if (aflags & F.MEM_UNINIT) {
        if (!dynptrValidUninit(env, reg)) env.fail('Dynptr has to be an uninitialized dynptr\n', EINVAL);
        if (meta.uninitDynptrRegno) env.fail('verifier internal error: multiple uninitialized dynptr args\n', EFAULT);
        meta.uninitDynptrRegno = regno;
      } else if (!dynptrValidInit(env, reg)) {
        env.fail(`Expected an initialized dynptr as arg #${argno + 1}\n`, EINVAL);
      } else if (!dynptrTypeExpected(env, reg, arg)) {
        env.fail(`Expected a dynptr of type ${dynptrTypeName(arg)} as arg #${argno + 1}\n`, EINVAL);
      }
      break;
    case 'ARG_PTR_TO_PERCPU_BTF_ID':
      if (!reg.btfName) env.fail(`Helper has invalid btf_id in R${regno}\n`, EACCES);
      meta.retBtf = reg.btfName;
      meta.retBtfSize = reg.memSize;
      break;
    default:
      break;
  }
}

/** record_func_key: a constant tail call index within the prog array is relied upon. */
function recordTailCallKey(env: Env, funcId: number, map: MapDef | undefined): void {
  if (funcId !== BPF_FUNC.tail_call || !map || map.type !== BPF_MAP_TYPE.PROG_ARRAY) return;
  const r3 = env.regs[3]!;
  if (r3.type === T.SCALAR_VALUE && tnumIsConst(r3.varOff) && r3.varOff.value < BigInt(map.maxEntries)) markChainPrecision(env, 3);
}

function checkMemSizeReg(env: Env, reg: Reg, regno: number, zeroOk: boolean, meta: CallMeta): void {
  const memRegno = regno - 1;
  meta.msizeMax = reg.umax;
  let m = meta;
  // A variable size: the helper may fill only part of the memory, which must be initialised already.
  if (!tnumIsConst(reg.varOff)) m = { ...meta, rawMode: false };
  if (reg.smin < 0n) env.fail(`R${regno} min value is negative, either use unsigned or 'var &= const'\n`, EACCES);
  if (reg.umin === 0n) {
    checkHelperMemAccess(env, memRegno, 0, zeroOk, m, m.rawMode);
  }
  if (reg.umax >= 1n << 29n) env.fail(`R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'\n`, EACCES);
  checkHelperMemAccess(env, memRegno, Number(planted === 'helper-size-unchecked' ? reg.umin : reg.umax), zeroOk, m, m.rawMode);
  markChainPrecision(env, regno);
}

/** process_timer_func: the map value pointer must point at the value's struct bpf_timer. */
function processTimerFunc(env: Env, regno: number, meta: CallMeta): void {
  const reg = env.regs[regno]!;
  const map = reg.map!;
  const name = map.name ?? '';
  if (!tnumIsConst(reg.varOff)) env.fail(`R${regno} doesn't have constant offset. bpf_timer has to be at the constant offset\n`, EINVAL);
  if (!map.hasBtf) env.fail(`map '${name}' has to have BTF in order to use bpf_timer\n`, EINVAL);
  if (map.timerOff < 0) env.fail(`map '${name}' doesn't have 'struct bpf_timer'\n`, EINVAL);
  const off = BigInt.asIntN(64, reg.varOff.value + BigInt(reg.off));
  if (BigInt(map.timerOff) !== off) env.fail(`off ${off} doesn't point to 'struct bpf_timer' that is at ${map.timerOff}\n`, EINVAL);
  if (meta.map) env.fail('verifier bug. Two map pointers in a timer helper\n', EFAULT);
  meta.mapUid = reg.mapUid;
  meta.map = map;
}

function processSpinLock(env: Env, regno: number, isLock: boolean): void {
  // check_func_arg turns every failure of process_spin_lock into EACCES
  const reg = env.regs[regno]!;
  const map = reg.map!;
  const isConst = tnumIsConst(reg.varOff);
  if (!isConst) env.fail(`R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset\n`, EACCES);
  if (!map.hasBtf) env.fail(`map '${map.name ?? ''}' has to have BTF in order to use bpf_spin_lock\n`, EACCES);
  if (map.spinLockOff < 0) env.fail(`map '${map.name ?? ''}' doesn't have 'struct bpf_spin_lock'\n`, EACCES);
  const off = Number(reg.varOff.value) + reg.off;
  if (map.spinLockOff !== off) env.fail(`off ${off} doesn't point to 'struct bpf_spin_lock'\n`, EACCES);
  if (isLock) {
    if (env.cur.activeSpinLock) env.fail('Locking two bpf_spin_locks are not allowed\n', EACCES);
    env.cur.activeSpinLock = reg.id;
  } else {
    if (!env.cur.activeSpinLock) env.fail('bpf_spin_unlock without taking a lock\n', EACCES);
    if (env.cur.activeSpinLock !== reg.id) env.fail('bpf_spin_unlock of different lock\n', EACCES);
    env.cur.activeSpinLock = 0;
  }
}

/**
 * check_map_func_compatibility (6.1), from the map's side: the helpers a map of this type may be passed to.
 * Map types not listed take any helper that accepts a map.
 */
const MAP_HELPERS: Partial<Record<MapTypeName, readonly HelperName[]>> = {
  PROG_ARRAY: ['tail_call'],
  PERF_EVENT_ARRAY: ['perf_event_read', 'perf_event_output', 'skb_output', 'perf_event_read_value', 'xdp_output'],
  RINGBUF: ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr',
    'ringbuf_discard_dynptr'],
  USER_RINGBUF: ['user_ringbuf_drain'],
  STACK_TRACE: ['get_stackid'],
  CGROUP_ARRAY: ['skb_under_cgroup', 'current_task_under_cgroup'],
  CGROUP_STORAGE: ['get_local_storage'],
  PERCPU_CGROUP_STORAGE: ['get_local_storage'],
  DEVMAP: ['redirect_map', 'map_lookup_elem'],
  DEVMAP_HASH: ['redirect_map', 'map_lookup_elem'],
  CPUMAP: ['redirect_map'],
  XSKMAP: ['redirect_map', 'map_lookup_elem'],
  ARRAY_OF_MAPS: ['map_lookup_elem'],
  HASH_OF_MAPS: ['map_lookup_elem'],
  SOCKMAP: ['sk_redirect_map', 'sock_map_update', 'msg_redirect_map', 'sk_select_reuseport', 'map_lookup_elem'],
  SOCKHASH: ['sk_redirect_hash', 'sock_hash_update', 'msg_redirect_hash', 'sk_select_reuseport', 'map_lookup_elem'],
  REUSEPORT_SOCKARRAY: ['sk_select_reuseport'],
  QUEUE: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  STACK: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  SK_STORAGE: ['sk_storage_get', 'sk_storage_delete'],
  INODE_STORAGE: ['inode_storage_get', 'inode_storage_delete'],
  TASK_STORAGE: ['task_storage_get', 'task_storage_delete'],
  BLOOM_FILTER: ['map_peek_elem', 'map_push_elem'],
};

/** The same check from the helper's side: the map types a helper takes. Helpers not listed take any map. */
const HELPER_MAPS: Partial<Record<HelperName, readonly MapTypeName[]>> = {
  tail_call: ['PROG_ARRAY'],
  perf_event_read: ['PERF_EVENT_ARRAY'], perf_event_output: ['PERF_EVENT_ARRAY'],
  perf_event_read_value: ['PERF_EVENT_ARRAY'], skb_output: ['PERF_EVENT_ARRAY'], xdp_output: ['PERF_EVENT_ARRAY'],
  ringbuf_output: ['RINGBUF'], ringbuf_reserve: ['RINGBUF'], ringbuf_query: ['RINGBUF'],
  ringbuf_reserve_dynptr: ['RINGBUF'], ringbuf_submit_dynptr: ['RINGBUF'], ringbuf_discard_dynptr: ['RINGBUF'],
  user_ringbuf_drain: ['USER_RINGBUF'],
  get_stackid: ['STACK_TRACE'],
  current_task_under_cgroup: ['CGROUP_ARRAY'], skb_under_cgroup: ['CGROUP_ARRAY'],
  redirect_map: ['DEVMAP', 'DEVMAP_HASH', 'CPUMAP', 'XSKMAP'],
  sk_redirect_map: ['SOCKMAP'], msg_redirect_map: ['SOCKMAP'], sock_map_update: ['SOCKMAP'],
  sk_redirect_hash: ['SOCKHASH'], msg_redirect_hash: ['SOCKHASH'], sock_hash_update: ['SOCKHASH'],
  get_local_storage: ['CGROUP_STORAGE', 'PERCPU_CGROUP_STORAGE'],
  sk_select_reuseport: ['REUSEPORT_SOCKARRAY', 'SOCKMAP', 'SOCKHASH'],
  map_pop_elem: ['QUEUE', 'STACK'],
  map_peek_elem: ['QUEUE', 'STACK', 'BLOOM_FILTER'], map_push_elem: ['QUEUE', 'STACK', 'BLOOM_FILTER'],
  map_lookup_percpu_elem: ['PERCPU_ARRAY', 'PERCPU_HASH', 'LRU_PERCPU_HASH'],
  sk_storage_get: ['SK_STORAGE'], sk_storage_delete: ['SK_STORAGE'],
  inode_storage_get: ['INODE_STORAGE'], inode_storage_delete: ['INODE_STORAGE'],
  task_storage_get: ['TASK_STORAGE'], task_storage_delete: ['TASK_STORAGE'],
};

/** The compatibility tables, for tests that hold them against the kernel. */
export const MAP_FUNC_COMPAT = { mapHelpers: MAP_HELPERS, helperMaps: HELPER_MAPS } as const;

/** check_map_func_compatibility (both directions). */
function checkMapFuncCompat(env: Env, map: MapDef | undefined, funcId: number, fname: string): void {
  if (!map) return;
  const t = map.type;
  const bad = (): never => env.fail(`cannot pass map_type ${t} into func ${fname}#${funcId}\n`, EINVAL);
  const mapName = MAP_TYPES[t];
  const helper = helperNameOf(funcId);
  const allowed = mapName === undefined ? undefined : MAP_HELPERS[mapName];
  if (allowed !== undefined && (helper === undefined || !allowed.includes(helper))
    && !((mapName === 'SOCKMAP' || mapName === 'SOCKHASH') && mayUpdateSockmap(env, funcId))) bad();
  const maps = helper === undefined ? undefined : HELPER_MAPS[helper];
  if (maps !== undefined && (mapName === undefined || !maps.includes(mapName))) bad();
}

/** may_update_sockmap: map_update/delete_elem on a sockmap or sockhash, where no socket is held locked. */
function mayUpdateSockmap(env: Env, funcId: number): boolean {
  if (funcId !== BPF_FUNC.map_update_elem && funcId !== BPF_FUNC.map_delete_elem) return false;
  const t = env.prog.type;
  if (t === 'TRACING' && env.prog.expectedAttachType === 'TRACE_ITER') return true;
  if (t === 'SOCK_OPS' && funcId === BPF_FUNC.map_delete_elem) return true;
  if (['SOCKET_FILTER', 'SCHED_CLS', 'SCHED_ACT', 'XDP', 'SK_REUSEPORT', 'FLOW_DISSECTOR', 'SK_LOOKUP'].includes(t)) return true;
  env.verbose('cannot update sockmap in this context\n');
  return false;
}

/** acquire_reference_state: a new reference held by this frame (by the callback's frame when in one). */
export function acquireRef(env: Env, insnIdx: number): number {
  const id = env.newId();
  const f = env.frame;
  f.refs.push({ id, insnIdx, callbackRef: f.inCallbackFn ? f.frameno : 0 });
  return id;
}

/** release_reference_state's condition: the reference is held, and a callback holds it itself. */
export function mayRelease(env: Env, refObjId: number): boolean {
  const f = env.frame;
  const ref = f.refs.find((r) => r.id === refObjId);
  return ref !== undefined && !(f.inCallbackFn && ref.callbackRef !== f.frameno);
}

export function releaseReference(env: Env, refObjId: number): void {
  const f = env.frame;
  const i = f.refs.findIndex((r) => r.id === refObjId);
  if (i < 0) env.fail('', EINVAL);
  // A callback cannot release its caller's references.
  if (f.inCallbackFn && f.refs[i]!.callbackRef !== f.frameno) env.fail('', EINVAL);
  f.refs.splice(i, 1);
  if (planted === 'release-not-cleared') return;
  forEachReg(env.cur, (r) => {
    if (r.refObjId !== refObjId) return;
    if (env.allowPtrLeaks) env.markUnknown(r);
    else env.markNotInit(r);
  });
}

export function checkHelperCall(env: Env, insn: Insn, idx: number): number {
  const funcId = insn.imm;
  const name = env.platform.helperName(funcId);
  if (funcId < 0 || name === undefined) env.fail(`invalid func unknown#${funcId}\n`, EINVAL);
  const fn = env.platform.helper(env.prog, funcId, env.caps);
  if (!fn) env.fail(`unknown func ${name}#${funcId}\n`, EINVAL);
  if (fn.gplOnly && !gplCompatible(env.prog)) env.fail('cannot call GPL-restricted function from non-GPL compatible program\n', EINVAL);
  if (fn.notAllowed) env.fail('helper call is not allowed in probe\n', EINVAL);
  if (fn.mightSleep && !env.prog.sleepable) env.fail('helper call might sleep in a non-sleepable prog\n', EINVAL);
  const meta: CallMeta = { mapUid: 0, rawMode: false, pktAccess: !!fn.pktAccess, regno: 0, accessSize: 0, memSize: 0, refObjId: 0, releaseRegno: 0, funcId, callbackSubprog: -1 };
  for (let i = 0; i < fn.args.length; i++) checkFuncArg(env, i, fn.args[i]!, meta, fn);
  recordFuncMap(env, meta.map, funcId, idx);
  // Memory/size pairs checked when the size came: handled in checkMemSizeReg.
  recordTailCallKey(env, funcId, meta.map);
  if (meta.uninitDynptrRegno) {
    // The helper writes the whole dynptr (as 8-byte stores), then the slots hold a dynptr.
    const regno = meta.uninitDynptrRegno;
    for (let i = 0; i < DYNPTR_SIZE; i += 8) checkMemAccess(env, regno, i, 8, true, -1, false);
    const arg = fn.args[regno - 1]!;
    if (!markDynptrSlots(env, env.regs[regno]!, arg, () => acquireRef(env, idx))) env.fail('', EINVAL);
  }
  if (meta.releaseRegno) {
    const r = env.regs[meta.releaseRegno]!;
    if (fn.args[meta.releaseRegno - 1]!.type === 'ARG_PTR_TO_DYNPTR') {
      const ok = unmarkDynptrSlots(env, r, (id) => {
        if (!mayRelease(env, id)) env.fail(`func ${name}#${funcId} reference has not been acquired before\n`, EINVAL);
        releaseReference(env, id);
      });
      if (!ok) env.fail(`func ${name}#${funcId} reference has not been acquired before\n`, EINVAL);
    } else {
      if (!mayRelease(env, r.refObjId)) env.fail(`func ${name}#${funcId} reference has not been acquired before\n`, EINVAL);
      releaseReference(env, r.refObjId);
    }
  }
  if (funcId === BPF_FUNC.dynptr_from_mem && env.regs[1]!.type !== T.PTR_TO_MAP_VALUE) {
    env.fail(`Unsupported reg type ${regTypeStr(env.regs[1]!.type)} for bpf_dynptr_from_mem data\n`, EACCES);
  }
  if (funcId === BPF_FUNC.dynptr_data) {
    // The slice shares the reference of the dynptr it was taken from (none for a local dynptr).
    const i = fn.args.findIndex((a) => a.type === 'ARG_PTR_TO_DYNPTR');
    if (i < 0) env.fail('verifier internal error: no dynptr in bpf_dynptr_data()\n', EFAULT);
    if (meta.refObjId) env.fail('verifier internal error: meta.ref_obj_id already set\n', EFAULT);
    const reg = env.regs[i + 1]!;
    if (baseType(reg.type) !== T.PTR_TO_DYNPTR) meta.refObjId = dynptrRefId(env, reg);
  }
  if (funcId === BPF_FUNC.tail_call) {
    if (env.frame.refs.length > 0) env.fail('tail_call would lead to reference leak\n', EINVAL);
  }
  if (funcId === BPF_FUNC.get_local_storage) {
    const r2 = env.regs[2]!;
    if (!isNullReg(r2)) env.fail("get_local_storage() doesn't support non-zero flags\n", EINVAL);
  }
  if (funcId === BPF_FUNC.loop) updateLoopInlineState(env, meta.callbackSubprog);
  // The caller's registers: a callback makes the callee the current frame from here on.
  const callerFrame = env.frame;
  let next = idx + 1;
  const setCallee = CALLBACK_STATE[funcId];
  if (setCallee !== undefined) next = checkFuncCallCommon(env, insn, idx, meta.callbackSubprog, setCallee);
  const regs = callerFrame.regs;
  clearSaved(env, callerFrame);
  // check_reg_arg(DST_OP_NO_MARK) of R0-R5 lands on the current frame: the callee's, after a callback.
  if (env.frame !== callerFrame) for (let i = 0; i < 6; i++) env.regs[i]!.live |= Live.WRITTEN;
  const r0 = regs[0]!;
  r0.subregDef = 0;
  const ret = fn.ret;
  const retNull = (ret.flags ?? []).includes('PTR_MAYBE_NULL');
  const setPtr = (type: number): void => {
    env.markUnknown(r0);
    markKnown(r0, 0n);
    r0.type = type | (retNull ? F.PTR_MAYBE_NULL : 0);
    if (retNull) r0.id = env.newId();
  };
  switch (ret.type) {
    case 'RET_INTEGER':
      env.markUnknown(r0);
      if (RET_BOUNDED_BY_SIZE.has(funcId) && meta.msizeMax !== undefined) refineRetvalRange(r0, meta.msizeMax);
      break;
    case 'RET_VOID':
      r0.type = T.NOT_INIT;
      break;
    case 'RET_PTR_TO_MAP_VALUE':
      setPtr(T.PTR_TO_MAP_VALUE);
      if (planted === 'null-not-marked') r0.type &= ~F.PTR_MAYBE_NULL;
      if (!meta.map) env.fail(`kernel subsystem misconfigured verifier\n`, EINVAL);
      r0.map = meta.map;
      r0.mapUid = meta.mapUid;
      if (!retNull && r0.map.spinLockOff >= 0) r0.id = env.newId();
      break;
    case 'RET_PTR_TO_SOCKET': setPtr(T.PTR_TO_SOCKET); break;
    case 'RET_PTR_TO_SOCK_COMMON': setPtr(T.PTR_TO_SOCK_COMMON); break;
    case 'RET_PTR_TO_TCP_SOCK': setPtr(T.PTR_TO_TCP_SOCK); break;
    case 'RET_PTR_TO_ALLOC_MEM':
      // PTR_TO_MEM with the return type's flags: MEM_ALLOC for ringbuf memory, not for bpf_dynptr_data.
      setPtr(T.PTR_TO_MEM | ((ret.flags ?? []).includes('MEM_ALLOC') ? F.MEM_ALLOC : 0));
      r0.memSize = meta.memSize;
      break;
    case 'RET_PTR_TO_MEM_OR_BTF_ID': {
      // bpf_per_cpu_ptr / bpf_this_cpu_ptr: this CPU's copy of the variable, a struct as PTR_TO_BTF_ID (without
      // MEM_RDONLY), anything else as read-only memory of the type's size.
      const rdonly = (ret.flags ?? []).includes('MEM_RDONLY') ? F.MEM_RDONLY : 0;
      const isStruct = meta.retBtf !== undefined && env.platform.btfStruct?.(meta.retBtf)?.kind === 'struct';
      if (isStruct) {
        setPtr(T.PTR_TO_BTF_ID);
        r0.btfName = meta.retBtf;
      } else {
        setPtr(T.PTR_TO_MEM | rdonly);
        r0.memSize = meta.retBtfSize ?? 0;
      }
      break;
    }
    case 'RET_PTR_TO_BTF_ID':
      setPtr(T.PTR_TO_BTF_ID);
      r0.btfName = funcId === BPF_FUNC.kptr_xchg ? meta.kptr?.btfName : ret.btfType;
      break;
  }
  // Reference acquisition (is_acquire_function): socket lookups, ringbuf memory, kptr_xchg.
  const acquire = ACQUIRE_HELPERS.has(funcId) ||
    (funcId === BPF_FUNC.map_lookup_elem && (meta.map?.type === BPF_MAP_TYPE.SOCKMAP || meta.map?.type === BPF_MAP_TYPE.SOCKHASH));
  if (acquire) {
    const id = acquireRef(env, idx);
    r0.refObjId = id;
    r0.id = id;
  } else if (PTR_CAST_FUNCS.has(funcId) || funcId === BPF_FUNC.dynptr_data) {
    r0.refObjId = meta.refObjId;
  }
  checkMapFuncCompat(env, meta.map, funcId, name);
  if (changesPktData(funcId) && planted !== 'pkt-not-invalidated') clearPktPointers(env);
  return next;
}

/** The helpers whose integer result never exceeds their size argument (get_stack, get_task_stack, probe_read*_str). */
const RET_BOUNDED_BY_SIZE: ReadonlySet<number> = new Set([BPF_FUNC.probe_read_str, BPF_FUNC.get_stack, BPF_FUNC.probe_read_user_str, BPF_FUNC.probe_read_kernel_str, BPF_FUNC.get_task_stack]);
const MAX_ERRNO = 4095;

/** do_refine_retval_range: between -MAX_ERRNO and the size argument's umax (as s64 and as s32, then synced). */
function refineRetvalRange(r0: Reg, msizeMax: bigint): void {
  r0.smax = BigInt.asIntN(64, msizeMax);
  r0.s32max = Number(BigInt.asIntN(32, msizeMax));
  r0.smin = BigInt(-MAX_ERRNO);
  r0.s32min = -MAX_ERRNO;
  boundsSync(r0);
}

/** is_ptr_cast_function: sk_fullsock, tcp_sock and the skc_to_* casts keep the argument's reference. */
const PTR_CAST_FUNCS: ReadonlySet<number> = new Set([BPF_FUNC.sk_fullsock, BPF_FUNC.tcp_sock, BPF_FUNC.skc_to_tcp6_sock, BPF_FUNC.skc_to_tcp_sock, BPF_FUNC.skc_to_tcp_timewait_sock, BPF_FUNC.skc_to_tcp_request_sock, BPF_FUNC.skc_to_udp6_sock, BPF_FUNC.skc_to_mptcp_sock]);

/**
 * bpf_helper_changes_pkt_data: skb_store_bytes, l3/l4_csum_replace, clone_redirect, skb_vlan_push/pop,
 * skb_change_proto/tail/head, skb_pull_data, skb_adjust_room, xdp_adjust_head/meta/tail,
 * msg_pull/push/pop_data, lwt_push_encap, lwt_seg6_*, store_hdr_opt.
 */
const CHANGES_PKT_DATA: ReadonlySet<number> = new Set([BPF_FUNC.skb_store_bytes, BPF_FUNC.l3_csum_replace, BPF_FUNC.l4_csum_replace, BPF_FUNC.clone_redirect, BPF_FUNC.skb_vlan_push, BPF_FUNC.skb_vlan_pop, BPF_FUNC.skb_change_proto, BPF_FUNC.skb_change_tail, BPF_FUNC.skb_pull_data, BPF_FUNC.skb_change_head, BPF_FUNC.xdp_adjust_head, BPF_FUNC.skb_adjust_room, BPF_FUNC.xdp_adjust_meta, BPF_FUNC.msg_pull_data, BPF_FUNC.xdp_adjust_tail, BPF_FUNC.lwt_push_encap, BPF_FUNC.lwt_seg6_store_bytes, BPF_FUNC.lwt_seg6_adjust_srh, BPF_FUNC.lwt_seg6_action, BPF_FUNC.msg_push_data, BPF_FUNC.msg_pop_data, BPF_FUNC.store_hdr_opt]);

function changesPktData(id: number): boolean {
  return CHANGES_PKT_DATA.has(id);
}

function clearPktPointers(env: Env): void {
  forEachReg(env.cur, (r) => {
    if (isPktPointer(r.type) || r.type === T.PTR_TO_PACKET_END) env.markUnknown(r);
  });
}

/** check_func_call: a bpf-to-bpf call. */
export function checkFuncCall(env: Env, insn: Insn, idx: number): number {
  const target = idx + insn.imm + 1;
  const subprog = env.subprogs.findIndex((s) => s.start === target);
  if (subprog < 0) env.fail(`verifier bug. No program starts at insn ${target}\n`, EFAULT);
  return checkFuncCallCommon(env, insn, idx, subprog, setCalleeState);
}

/** prepare_func_exit */
export function prepareFuncExit(env: Env): number {
  const state = env.cur;
  const callee = curFrame(state);
  const r0 = callee.regs[0]!;
  if (r0.type === T.PTR_TO_STACK) env.fail('cannot return stack pointer to the caller\n', EINVAL);
  const caller = ownFrame(state, state.curframe - 1);
  if (callee.inCallbackFn) {
    if (r0.type !== T.SCALAR_VALUE) env.fail('R0 not a scalar value\n', EACCES);
    env.markRegRead(r0);
    markChainPrecision(env, 0);
    const range = tnumRange(BigInt.asUintN(64, callee.cbRetMin), BigInt.asUintN(64, callee.cbRetMax));
    if (!tnumIn(range, r0.varOff)) invalidScalarValue(env, r0, range, 'callback return', 'R0');
  } else {
    // return to the caller whatever r0 had in the callee: `caller->regs[BPF_REG_0] = *r0`, the whole
    // register — its liveness mark and parent link too, so a read of r0 after the return reaches the
    // callee's checkpoints as in 6.1 (not stopped by a WRITTEN mark in the caller).
    assignWhole(caller.regs[0]!, r0);
    // The callee's references (acquired or released there) are the caller's now; a callback left them as they were.
    caller.refs = callee.refs.map((r) => ({ ...r }));
  }
  const ret = callee.callsite + 1;
  if (env.log.level & 3) {
    env.verbose('returning from callee:\n');
    env.verbose(formatFuncState(callee, true, 0, new Set()));
    env.verbose(`to caller at ${ret}:\n`);
    env.verbose(formatFuncState(caller, true, 0, new Set()));
  }
  state.curframe--;
  state.frames.length = state.curframe + 1;
  return ret;
}

/** verbose_invalid_scalar: `At <ctx> the register <reg> has value <tnum> should have been in <range>`. */
export function invalidScalarValue(env: Env, reg: Reg, range: Tnum, ctx: string, regName: string): never {
  let msg = `At ${ctx} the register ${regName} `;
  msg += tnumIsUnknown(reg.varOff) ? 'has unknown scalar value' : `has value ${tnumStr(reg.varOff)}`;
  env.fail(`${msg} should have been in ${tnumStr(range)}\n`, EINVAL);
}

export function checkReferenceLeak(env: Env): void {
  const f = env.frame;
  if (f.frameno && !f.inCallbackFn) return;
  let lingering = false;
  for (const r of f.refs) {
    if (f.inCallbackFn && r.callbackRef !== f.frameno) continue;
    env.verbose(`Unreleased reference id=${r.id} alloc_insn=${r.insnIdx}\n`);
    lingering = true;
  }
  if (lingering) env.fail('', EINVAL);
}

export function unusedFuncState(f: FuncState): FuncState {
  return copyFunc(f);
}

export { markUnbounded, tnumStr };
