/** The simulated kernel's BPF maps. */
export { ArrayMap, PercpuArrayMap } from './array.js';
export { BpfMap, type MapAttr, type MapDefinition, type Result, type ValueFields, type ValueRef } from './base.js';
export { BloomFilterMap } from './bloom-filter.js';
export { fromBytes, toBytes, type HostScalar } from './codec.js';
export { createMap, type MapOf, type SimulatedMapType } from './create.js';
export { MapEnv } from './env.js';
export { ERRNO, errnoName, type ErrnoName } from './errno.js';
export { MapError } from './error.js';
export { FdArray, ProgArray } from './fd-array.js';
export { HashMap, PercpuHashMap } from './hash.js';
export { KeyedMap } from './keyed.js';
export { LpmTrieMap, lpmKey } from './lpm-trie.js';
export { ArrayOfMaps, HashOfMaps } from './map-in-map.js';
export { PerfEventArray, type PerfRecord } from './perf-event-array.js';
export { QueueStackMap } from './queue-stack.js';
export { RingbufMap } from './ringbuf.js';
export { copyValue, spinLock, spinUnlock, SPIN_LOCK_SIZE } from './spin-lock.js';
export * from './types.js';
