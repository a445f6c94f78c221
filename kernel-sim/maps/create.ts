import { ArrayMap, checkArray, PercpuArrayMap } from './array.js';
import { BpfMap as BpfMapClass, valueSpecialFields, type BpfMap, type MapAttr } from './base.js';
import { UsageError } from '../../src/errors.js';
import { describe } from '../../src/options.js';
import { BloomFilterMap, checkBloom } from './bloom-filter.js';
import { CgroupStorageMap, checkCgroupStorage } from './cgroup-storage.js';
import type { AllocCheck } from './check.js';
import { arrayAllocSize, bloomAllocSize, devmapAllocSize, headerAllocSize, htabAllocSize, queueStackAllocSize, ringbufAllocSize, slotPointersAllocSize, stackTraceAllocSize, type AllocSize } from './alloc-size.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { MapError } from './error.js';
import { checkFdArray, ProgArray } from './fd-array.js';
import { checkHash, HashMap, PercpuHashMap } from './hash.js';
import { checkLpmTrie, LpmTrieMap } from './lpm-trie.js';
import { ArrayOfMaps, checkHashOfMaps, checkInnerTemplate, HashOfMaps } from './map-in-map.js';
import { PerfEventArray } from './perf-event-array.js';
import { checkQueueStack, QueueStackMap } from './queue-stack.js';
import { checkRingbuf, RingbufMap } from './ringbuf.js';
import { SPIN_LOCK_SIZE } from './spin-lock.js';
import { BPF_F, MAP_TYPE_NAMES, type MapTypeName } from './types.js';
import { checkXskMap, XskMap } from './xsk-map.js';
import { CgroupArray } from './cgroup-array.js';
import { checkCpumap, CpuMap } from './cpumap.js';
import { checkDevmap, DevMap, DevMapHash } from './devmap.js';
import { checkStackTrace, StackTraceMap } from './stack-trace.js';
import { UNSIMULATED_CHECKS } from './unsimulated.js';
import { checkSkStorage, SkStorageMap } from './sk-storage.js';
import { InodeStorageMap, TaskStorageMap } from './local-storage.js';

/** The concrete class each simulated map type makes. */
interface Family<M extends BpfMap> {
  check: AllocCheck;
  make: new (env: MapEnv, attr: MapAttr) => M;
  /** The bytes the kernel's alloc step asks for (or its E2BIG): charged against the memory limit. */
  size: AllocSize;
}

const withInner = (check: AllocCheck): AllocCheck => (attr, env) => check(attr, env) ?? checkInnerTemplate(attr.innerMap);

/** The simulated map types: their alloc checks and classes. */
const FAMILIES = {
  array: { check: checkArray, make: ArrayMap, size: arrayAllocSize },
  percpu_array: { check: checkArray, make: PercpuArrayMap, size: arrayAllocSize },
  hash: { check: checkHash, make: HashMap, size: htabAllocSize },
  percpu_hash: { check: checkHash, make: PercpuHashMap, size: htabAllocSize },
  lru_hash: { check: checkHash, make: HashMap, size: htabAllocSize },
  lru_percpu_hash: { check: checkHash, make: PercpuHashMap, size: htabAllocSize },
  prog_array: { check: checkFdArray, make: ProgArray, size: arrayAllocSize },
  perf_event_array: { check: checkFdArray, make: PerfEventArray, size: arrayAllocSize },
  array_of_maps: { check: withInner(checkFdArray), make: ArrayOfMaps, size: arrayAllocSize },
  hash_of_maps: { check: withInner(checkHashOfMaps), make: HashOfMaps, size: htabAllocSize },
  queue: { check: checkQueueStack, make: QueueStackMap, size: queueStackAllocSize },
  stack: { check: checkQueueStack, make: QueueStackMap, size: queueStackAllocSize },
  lpm_trie: { check: checkLpmTrie, make: LpmTrieMap, size: headerAllocSize },
  bloom_filter: { check: checkBloom, make: BloomFilterMap, size: bloomAllocSize },
  ringbuf: { check: checkRingbuf, make: RingbufMap, size: ringbufAllocSize },
  xskmap: { check: checkXskMap, make: XskMap, size: slotPointersAllocSize },
  cgroup_storage: { check: checkCgroupStorage, make: CgroupStorageMap, size: headerAllocSize },
  percpu_cgroup_storage: { check: checkCgroupStorage, make: CgroupStorageMap, size: headerAllocSize },
  sk_storage: { check: checkSkStorage, make: SkStorageMap, size: headerAllocSize },
  inode_storage: { check: checkSkStorage, make: InodeStorageMap, size: headerAllocSize },
  task_storage: { check: checkSkStorage, make: TaskStorageMap, size: headerAllocSize },
  devmap: { check: checkDevmap, make: DevMap, size: devmapAllocSize },
  devmap_hash: { check: checkDevmap, make: DevMapHash, size: devmapAllocSize },
  cpumap: { check: checkCpumap, make: CpuMap, size: slotPointersAllocSize },
  stack_trace: { check: checkStackTrace, make: StackTraceMap, size: stackTraceAllocSize },
  cgroup_array: { check: checkFdArray, make: CgroupArray, size: arrayAllocSize },
} satisfies Partial<Record<MapTypeName, Family<BpfMap>>>;

export type SimulatedMapType = keyof typeof FAMILIES;

/** The class a map type makes: `createMap({ type: 'hash', … })` is a HashMap. */
export type MapOf<T extends SimulatedMapType> = InstanceType<(typeof FAMILIES)[T]['make']>;

/** Whether the simulated kernel can create maps of this type (the others are refused as not simulated). */
export function isSimulatedMapType(type: string): type is SimulatedMapType {
  return Object.hasOwn(FAMILIES, type);
}

/** Map types whose values may hold a bpf_spin_lock (map_check_btf). */
const SPIN_LOCK_TYPES = new Set<MapTypeName>(['hash', 'array', 'cgroup_storage', 'sk_storage', 'inode_storage', 'task_storage']);

const OBJ_NAME_MAX = 15;

/**
 * map_create's checks and the type's alloc checks, without making the map: a MapError when 6.1 refuses
 * the attributes. Types the simulation cannot make are checked too (their own alloc checks).
 */
export function checkMapCreate(env: MapEnv, attr: MapAttr): void {
  checkAttrShape(attr);
  const fail = (errno: number, reason: string): never => {
    throw new MapError(attr.name, errno, reason, 'load');
  };
  const family: Family<BpfMap> | undefined = (FAMILIES as Partial<Record<MapTypeName, Family<BpfMap>>>)[attr.type];
  const check = family?.check ?? UNSIMULATED_CHECKS[attr.type];
  if (check === undefined) {
    fail(-ERRNO.EINVAL, MAP_TYPE_NAMES.includes(attr.type) ? `${attr.type} maps are not simulated` : `unknown map type ${attr.type}`);
  }
  for (const [field, v] of [['key_size', attr.keySize], ['value_size', attr.valueSize], ['max_entries', attr.maxEntries]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) fail(-ERRNO.EINVAL, `${field} ${v} is not a u32`);
  }
  const flags = attr.flags ?? 0;
  if (attr.type !== 'bloom_filter' && (attr.mapExtra ?? 0) !== 0) fail(-ERRNO.EINVAL, 'map_extra is for bloom filters only');
  if (flags & BPF_F.RDONLY && flags & BPF_F.WRONLY) fail(-ERRNO.EINVAL, 'BPF_F_RDONLY and BPF_F_WRONLY exclude each other');
  const problem = check!(attr, env);
  if (problem !== null) fail(problem[0], problem[1]);
  if (family !== undefined) {
    // the alloc step: its own E2BIG, else the memory it asks for, which must fit the kernel's limit
    const size = family.size(attr, env);
    if (typeof size !== 'number') fail(size[0], size[1]);
    else if (!env.fits(size)) {
      fail(-ERRNO.ENOMEM, `${size} bytes do not fit the simulated kernel's memory (limit ${env.memoryLimit}, ${env.memoryUsed} in use)`);
    }
  }
  if (attr.name.length > OBJ_NAME_MAX || !/^[A-Za-z0-9_.]*$/.test(attr.name)) {
    fail(-ERRNO.EINVAL, `name must be at most ${OBJ_NAME_MAX} characters of [A-Za-z0-9_.]`);
  }
  const off = valueSpecialFields(attr).spinLockOff;
  if (off !== null) {
    if (flags & BPF_F.RDONLY_PROG) fail(-ERRNO.EACCES, 'a value with a bpf_spin_lock cannot be BPF_F_RDONLY_PROG');
    if (!SPIN_LOCK_TYPES.has(attr.type)) fail(-ERRNO.ENOTSUPP, `${attr.type} map values cannot hold a bpf_spin_lock`);
    if (!Number.isInteger(off) || off < 0 || off % SPIN_LOCK_SIZE !== 0 || off + SPIN_LOCK_SIZE > attr.valueSize) {
      fail(-ERRNO.EINVAL, `bpf_spin_lock at offset ${off} does not fit a ${attr.valueSize}-byte value aligned`);
    }
  }
}

/**
 * The attributes' JavaScript types (the syscall's union is all integers, the name a string): a UsageError
 * naming the field for anything else, before any check reads them.
 */
function checkAttrShape(attr: unknown): asserts attr is MapAttr {
  if (typeof attr !== 'object' || attr === null) throw new UsageError(`map attributes must be an object, got ${describe(attr)}`);
  const a = attr as Record<string, unknown>;
  if (typeof a.name !== 'string') throw new UsageError(`map attribute name: expected a string, got ${describe(a.name)}`);
  const bad = (field: string, expected: string): never => {
    throw new MapError(a.name as string, -ERRNO.EINVAL, `${field}: expected ${expected}, got ${describe(a[field])}`, 'load');
  };
  if (typeof a.type !== 'string') bad('type', 'a map type name');
  for (const f of ['flags', 'mapExtra', 'spinLockOff', 'btfKeyTypeId', 'btfValueTypeId']) {
    if (a[f] !== undefined && (typeof a[f] !== 'number' || !Number.isInteger(a[f]))) bad(f, 'an integer');
  }
  if (a.flags !== undefined && ((a.flags as number) < -0x80000000 || (a.flags as number) > 0xffffffff)) bad('flags', 'a 32-bit flag word');
  if (a.innerMap !== undefined && !(a.innerMap instanceof BpfMapClass)) bad('innerMap', 'a map');
  if (a.btf !== undefined && a.spinLockOff !== undefined) bad('spinLockOff', 'nothing when btf is given (the lock is found in the value type)');
}

/** BPF_MAP_CREATE: validate as map_create and the type's alloc checks do, then make the map. */
export function createMap<T extends SimulatedMapType>(env: MapEnv, attr: MapAttr & { type: T }): MapOf<T> {
  checkMapCreate(env, attr);
  const family = (FAMILIES as Partial<Record<MapTypeName, Family<BpfMap>>>)[attr.type];
  if (family === undefined) throw new MapError(attr.name, -ERRNO.EINVAL, `${attr.type} maps are not simulated`, 'load');
  const size = family.size(attr, env) as number;
  const map = new family.make(env, attr) as MapOf<T>;
  map.chargeMemory(size);
  return map;
}
