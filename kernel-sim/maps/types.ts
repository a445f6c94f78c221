/** Linux 6.1 uapi numbers (include/uapi/linux/bpf.h) for map types and map flags, as data. */

import { MAP_TYPES } from '../../src/object/bpf-enums.js';

/** Linux 6.1's map types (`enum bpf_map_type` up to BPF_MAP_TYPE_USER_RINGBUF), lower case: the index is the number. */
export const MAP_TYPE_NAMES = MAP_TYPES.slice(0, MAP_TYPES.indexOf('USER_RINGBUF') + 1).map(
  (n) => n.toLowerCase() as Lowercase<(typeof MAP_TYPES)[number]>,
);

/** A 6.1 map type name, lower case (`hash`, `lru_percpu_hash`…). */
export type MapTypeName = Exclude<Lowercase<(typeof MAP_TYPES)[number]>, 'cgrp_storage' | 'arena'>;

export const MAP_TYPE: { readonly [K in MapTypeName]: number } = Object.fromEntries(
  MAP_TYPE_NAMES.map((n, i) => [n, i]),
) as { [K in MapTypeName]: number };

/** `enum` of map_create's map_flags. */
export const BPF_F = {
  NO_PREALLOC: 1 << 0,
  NO_COMMON_LRU: 1 << 1,
  NUMA_NODE: 1 << 2,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  STACK_BUILD_ID: 1 << 5,
  ZERO_SEED: 1 << 6,
  RDONLY_PROG: 1 << 7,
  WRONLY_PROG: 1 << 8,
  CLONE: 1 << 9,
  MMAPABLE: 1 << 10,
  PRESERVE_ELEMS: 1 << 11,
  INNER_MAP: 1 << 12,
} as const;

export const BPF_F_ACCESS_MASK = BPF_F.RDONLY | BPF_F.RDONLY_PROG | BPF_F.WRONLY | BPF_F.WRONLY_PROG;

/** Update flags (map_update_elem). */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

/** Ring buffer helper flags and query selectors. */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

/** perf_event_output flags. */
export const BPF_F_INDEX_MASK = 0xffffffffn;
export const BPF_F_CURRENT_CPU = 0xffffffffn;

/** Size limits the alloc checks use (x86-64, 4 KiB pages). */
export const LIMITS = {
  PAGE_SIZE: 4096,
  /** KMALLOC_MAX_SIZE: 1 << (MAX_ORDER + PAGE_SHIFT - 1) with MAX_ORDER 11. */
  KMALLOC_MAX_SIZE: 1 << 22,
  /** PCPU_MIN_UNIT_SIZE bounds a per-CPU value. */
  PCPU_MIN_UNIT_SIZE: 32 << 10,
  /** sizeof(struct htab_elem) on x86-64. */
  HTAB_ELEM_SIZE: 48,
  INT_MAX: 0x7fffffff,
} as const;
