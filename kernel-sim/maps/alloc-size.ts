/**
 * The allocation step of Linux 6.1's map_alloc functions, as arithmetic: what each map type asks
 * bpf_map_area_alloc (and the per-CPU allocator) for at creation, in the kernel's own integer widths, and
 * the E2BIG answers that step gives before allocating. Nothing is allocated here: map creation charges the
 * size against the simulated kernel's memory limit (ENOMEM past it, as a failed vmalloc), so a map
 * definition of 2^32 - 1 entries is answered, not attempted.
 *
 * Struct sizes are x86-64's (6.1, no lockdep); the few fixed headers are rounded to their cache lines.
 */
import type { MapAttr } from './base.js';
import type { Problem } from './check.js';
import type { MapEnv } from './env.js';
import { roundUp8 } from './codec.js';
import { ERRNO } from './errno.js';
import { lruMaxEntries } from './lru.js';
import { BPF_F, LIMITS } from './types.js';

/** sizeof(struct bpf_array) without its values: a cache-line aligned struct bpf_map and the array's fields. */
const BPF_ARRAY_HDR = 320;
/** sizeof(struct bpf_htab). */
const BPF_HTAB_HDR = 384;
/** sizeof(struct bucket): an hlist_nulls_head and a raw spinlock. */
const HTAB_BUCKET = 16;
/** A pointer. */
const PTR = 8;
/** Any other map's fixed part (struct bpf_map and its type's fields). */
const MAP_HDR = 256;
const U32_MAX = 0xffffffff;

/** roundup_pow_of_two for 1 ≤ x ≤ 2^31 (callers check the bound first, as the kernel does). */
function roundupPow2(x: number): number {
  return x <= 1 ? 1 : 2 ** Math.ceil(Math.log2(x));
}

/** fls_long(x): the 1-based index of the highest set bit, 0 for 0. */
function fls(x: number): number {
  return x === 0 ? 0 : Math.floor(Math.log2(x)) + 1;
}

/** The bytes the kernel allocates for a map of these attributes, or the E2BIG (or EINVAL) its alloc step answers. */
export type AllocSize = (attr: MapAttr, env: MapEnv) => Problem | number;

/** array_map_alloc (array, percpu_array, prog_array, perf_event_array, cgroup_array, array_of_maps). */
export const arrayAllocSize: AllocSize = (attr, env) => {
  const elemSize = roundUp8(attr.valueSize);
  let maxEntries = attr.maxEntries;
  if (!env.bypassSpecV1) {
    // index masking: max_entries rounded up to a power of 2 in u32, which overflows past 2^31
    maxEntries = (2 ** fls(attr.maxEntries - 1)) % 2 ** 32;
    if (maxEntries < attr.maxEntries) return [-ERRNO.E2BIG, `max_entries ${attr.maxEntries} rounded up to a power of 2 overflows u32`];
  }
  if (attr.type === 'percpu_array') {
    // the pointer table, then one round_up(value_size, 8) per entry per possible CPU
    return BPF_ARRAY_HDR + maxEntries * PTR + maxEntries * elemSize * env.nrCpus;
  }
  const page = LIMITS.PAGE_SIZE;
  if ((attr.flags ?? 0) & BPF_F.MMAPABLE) return Math.ceil(BPF_ARRAY_HDR / page) * page + Math.ceil((maxEntries * elemSize) / page) * page;
  return BPF_ARRAY_HDR + maxEntries * elemSize;
};

/**
 * htab_map_alloc (hash, percpu_hash, lru_hash, lru_percpu_hash, hash_of_maps): the buckets, and unless
 * BPF_F_NO_PREALLOC every element up front (max_entries, plus one per CPU for plain hash maps), per-CPU
 * values included.
 */
export const htabAllocSize: AllocSize = (attr, env) => {
  const lru = attr.type === 'lru_hash' || attr.type === 'lru_percpu_hash';
  const percpu = attr.type === 'percpu_hash' || attr.type === 'lru_percpu_hash';
  const maxEntries = lru ? lruMaxEntries(attr.maxEntries, ((attr.flags ?? 0) & BPF_F.NO_COMMON_LRU) !== 0, env.nrCpus) : attr.maxEntries;
  if (maxEntries > 2 ** 31) return [-ERRNO.E2BIG, `max_entries ${maxEntries} exceeds 2^31`];
  const nBuckets = roundupPow2(maxEntries);
  if (nBuckets > Math.floor(U32_MAX / HTAB_BUCKET)) return [-ERRNO.E2BIG, `${nBuckets} hash buckets overflow u32`];
  let size = BPF_HTAB_HDR + nBuckets * HTAB_BUCKET;
  if ((attr.flags ?? 0) & BPF_F.NO_PREALLOC) return size;
  const elemSize = LIMITS.HTAB_ELEM_SIZE + roundUp8(attr.keySize) + (percpu ? PTR : roundUp8(attr.valueSize));
  const numEntries = maxEntries + (!percpu && !lru ? env.nrCpus : 0);
  size += elemSize * numEntries;
  if (percpu) size += numEntries * roundUp8(attr.valueSize) * env.nrCpus;
  return size;
};

/** The cost of one element of a hash map made without preallocation (charged at update: ENOMEM past the limit). */
export function htabElemSize(attr: MapAttr, nrCpus: number): number {
  const percpu = attr.type === 'percpu_hash' || attr.type === 'lru_percpu_hash';
  return LIMITS.HTAB_ELEM_SIZE + roundUp8(attr.keySize) + (percpu ? PTR + roundUp8(attr.valueSize) * nrCpus : roundUp8(attr.valueSize));
}

/** queue_stack_map_alloc: max_entries + 1 values in u64 arithmetic. */
export const queueStackAllocSize: AllocSize = (attr) => MAP_HDR + (attr.maxEntries + 1) * attr.valueSize;

/** dev_map_init_map: a pointer per slot (devmap), or a hash head per bucket (devmap_hash). */
export const devmapAllocSize: AllocSize = (attr) =>
  MAP_HDR + (attr.type === 'devmap_hash' ? roundupPow2(attr.maxEntries) : attr.maxEntries) * PTR;

/** cpu_map_alloc, xsk_map_alloc: a pointer per slot. */
export const slotPointersAllocSize: AllocSize = (attr) => MAP_HDR + attr.maxEntries * PTR;

/** stack_map_alloc: a bucket pointer per roundup_pow_of_two(max_entries), then the preallocated buckets. */
export const stackTraceAllocSize: AllocSize = (attr) => {
  const nBuckets = roundupPow2(attr.maxEntries);
  // struct stack_map_bucket: a freelist node, hash, nr and the ips
  return MAP_HDR + nBuckets * PTR + (16 + attr.valueSize) * attr.maxEntries;
};

/** ringbuf_map_alloc: the data pages (mapped twice, allocated once), the page array and the header page. */
export const ringbufAllocSize: AllocSize = (attr) => {
  const pages = attr.maxEntries / LIMITS.PAGE_SIZE;
  return attr.maxEntries + 2 * LIMITS.PAGE_SIZE + pages * 2 * PTR;
};

/** bloom_map_alloc: the bit set, from max_entries × hash functions × 7 / 5 bits rounded up to a power of 2. */
export const bloomAllocSize: AllocSize = (attr) => {
  const hashes = (attr.mapExtra ?? 0) & 0xf || 5;
  const product = attr.maxEntries * hashes;
  let bits = product > U32_MAX ? 2 ** 31 + 1 : Math.floor(product / 5) * 7;
  if (bits > U32_MAX) bits = 2 ** 31 + 1;
  const bitset = bits > 2 ** 31 ? 2 ** 32 : bits <= 64 ? 64 : roundupPow2(bits);
  return MAP_HDR + bitset / 8;
};

/** Maps whose elements come and go (LPM trie, storage maps): the fixed part only. */
export const headerAllocSize: AllocSize = () => MAP_HDR;
