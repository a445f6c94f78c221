/**
 * The bytes of `struct bpf_map` (and the map type's struct around it) that a program reads through its map
 * pointer (6.1 lets CAP_PERFMON programs read them, check_ptr_to_map_access). Offsets and sizes are those
 * of Debian's 6.1 vmlinux BTF (x86-64, CONFIG_SECURITY): a read-only image filled at map creation.
 */
import type { MapTypeName } from './types.js';

/** Offsets inside struct bpf_map. */
const OFF = {
  ops: 0, mapType: 24, keySize: 28, valueSize: 32, maxEntries: 36, mapExtra: 40, mapFlags: 48, spinLockOff: 52,
  timerOff: 64, id: 68, numaNode: 72, name: 104, refcnt: 128, usercnt: 136,
} as const;
const BPF_MAP_SIZE = 256;
const BPF_OBJ_NAME_LEN = 16;
const NUMA_NO_NODE = -1;

/** sizeof the struct each map type embeds struct bpf_map in (bpf_array, bpf_htab, …). */
const STRUCT_SIZE: Partial<Record<MapTypeName, number>> = {
  hash: 832, percpu_hash: 832, lru_hash: 832, lru_percpu_hash: 832, hash_of_maps: 832,
  array: 320, percpu_array: 320, prog_array: 320, perf_event_array: 320, array_of_maps: 320, cgroup_array: 320,
  stack_trace: 320, lpm_trie: 320, queue: 320, stack: 320, ringbuf: 320, user_ringbuf: 320, bloom_filter: 320,
  sk_storage: 320, inode_storage: 320, task_storage: 320, cgroup_storage: 320, percpu_cgroup_storage: 320,
  devmap: 320, devmap_hash: 320, sockmap: 320, sockhash: 320, cpumap: 320, xskmap: 320, reuseport_sockarray: 256,
  struct_ops: 448,
};

const ARRAY_TYPES: ReadonlySet<MapTypeName> = new Set(['array', 'percpu_array', 'prog_array', 'perf_event_array', 'array_of_maps', 'cgroup_array']);

export interface MapObjectFields {
  typeName: MapTypeName;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  mapExtra: number;
  flags: number;
  spinLockOff: number | null;
  timerOff: number | null;
  id: number;
  name: string;
  /** Address of the map type's ops table. */
  ops: bigint;
}

/** The struct's image: struct bpf_map's fields, and bpf_array's elem_size / index_mask for array maps. */
export function mapObjectBytes(m: MapObjectFields): Uint8Array {
  const bytes = new Uint8Array(STRUCT_SIZE[m.typeName] ?? BPF_MAP_SIZE);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(OFF.ops, m.ops, true);
  dv.setUint32(OFF.mapType, m.type, true);
  dv.setUint32(OFF.keySize, m.keySize, true);
  dv.setUint32(OFF.valueSize, m.valueSize, true);
  dv.setUint32(OFF.maxEntries, m.maxEntries, true);
  dv.setBigUint64(OFF.mapExtra, BigInt(m.mapExtra), true);
  dv.setUint32(OFF.mapFlags, m.flags, true);
  dv.setInt32(OFF.spinLockOff, m.spinLockOff ?? -22, true);
  dv.setInt32(OFF.timerOff, m.timerOff ?? -22, true);
  dv.setUint32(OFF.id, m.id, true);
  dv.setInt32(OFF.numaNode, NUMA_NO_NODE, true);
  bytes.set(new TextEncoder().encode(m.name.slice(0, BPF_OBJ_NAME_LEN - 1)), OFF.name);
  dv.setBigUint64(OFF.refcnt, 1n, true);
  dv.setBigUint64(OFF.usercnt, 1n, true);
  if (ARRAY_TYPES.has(m.typeName)) {
    // bpf_array: elem_size (value rounded to 8), index_mask (max_entries rounded up to a power of two, less 1)
    dv.setUint32(BPF_MAP_SIZE, (m.valueSize + 7) & ~7, true);
    const bits = m.maxEntries <= 1 ? 0 : 32 - Math.clz32(m.maxEntries - 1);
    dv.setUint32(BPF_MAP_SIZE + 4, Number((1n << BigInt(bits)) - 1n), true);
  }
  return bytes;
}
