/**
 * BPF_MAP_TYPE_DEVMAP and DEVMAP_HASH: XDP redirect targets, values `struct bpf_devmap_val` (ifindex, and
 * optionally a program fd that user space writes and reads back as the program's id). The simulated kernel
 * has one network device, the loopback (ifindex 1): any other ifindex is refused as dev_get_by_index's
 * failure is (-EINVAL), and since no XDP_DEVMAP program can be attached here, so is a program fd > 0.
 */
import { arrayIndex, arrayNextKey } from './array.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import type { AllocCheck } from './check.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { s32At, SlotTable, u32At } from './slot-table.js';
import { BPF_EXIST, BPF_F, BPF_NOEXIST } from './types.js';

/** The simulated kernel's only network device. */
export const LOOPBACK_IFINDEX = 1;

const DEV_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;

/** dev_map_init_map's checks: u32 keys, a 4- or 8-byte bpf_devmap_val, few flags; hash sizes up to 2^31. */
export const checkDevmap: AllocCheck = (attr) => {
  if (attr.maxEntries === 0 || attr.keySize !== 4 || (attr.valueSize !== 4 && attr.valueSize !== 8)
    || (attr.flags ?? 0) & ~DEV_CREATE_FLAG_MASK) {
    return [-ERRNO.EINVAL, 'max_entries must not be 0, key_size must be 4, value_size 4 or 8, flags NUMA_NODE, RDONLY, WRONLY only'];
  }
  if (attr.type === 'devmap_hash' && attr.maxEntries > 2 ** 31) return [-ERRNO.EINVAL, 'max_entries above 2^31'];
  return null;
};

/** __dev_map_alloc_node: the value a valid entry stores (ifindex, program id 0), or -errno. */
function devEntry(map: SlotTable, value: Uint8Array): Result<Uint8Array> {
  const ifindex = u32At(value, 0);
  if (map.valueSize === 8 && s32At(value, 4) > 0) return -ERRNO.EINVAL;
  if (ifindex !== LOOPBACK_IFINDEX) return -ERRNO.EINVAL;
  const out = new Uint8Array(map.valueSize);
  out.set(value.subarray(0, 4));
  return out;
}

/** BPF_MAP_TYPE_DEVMAP: slots indexed by key. */
export class DevMap extends SlotTable {
  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, attr.maxEntries);
  }

  /** __dev_map_lookup_elem (redirects and programs' lookups). */
  override lookupElem(key: Uint8Array): ValueRef | null {
    return this.refAt(arrayIndex(key));
  }

  /** __dev_map_update_elem: ifindex 0 empties the slot (then no program fd may be given). */
  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    const index = arrayIndex(key);
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    if (flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (u32At(value, 0) === 0) {
      if (this.valueSize === 8 && s32At(value, 4) > 0) return -ERRNO.EINVAL;
      this.clear(index);
      return 0;
    }
    const entry = devEntry(this, value);
    if (typeof entry === 'number') return entry;
    this.put(index, entry);
    return 0;
  }

  /** dev_map_delete_elem: -EINVAL past the end; an empty slot is not an error. */
  override deleteElem(key: Uint8Array): number {
    const index = arrayIndex(key);
    if (index >= this.maxEntries) return -ERRNO.EINVAL;
    this.clear(index);
    return 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    return arrayNextKey(this.maxEntries, key);
  }
}

/** BPF_MAP_TYPE_DEVMAP_HASH: any u32 keys, at most max_entries of them. */
export class DevMapHash extends SlotTable {
  /** key → slot, in insertion order (the iteration order user space sees). */
  private readonly slotOf = new Map<number, number>();

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, attr.maxEntries);
  }

  override lookupElem(key: Uint8Array): ValueRef | null {
    const slot = this.slotOf.get(arrayIndex(key));
    return slot === undefined ? null : this.refAt(slot);
  }

  /** __dev_map_hash_update_elem. */
  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST || u32At(value, 0) === 0) return -ERRNO.EINVAL;
    const k = arrayIndex(key);
    const old = this.slotOf.get(k);
    if (old !== undefined && flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    const entry = devEntry(this, value);
    if (typeof entry === 'number') return entry;
    let slot = old;
    if (slot === undefined) {
      if (this.slotOf.size >= this.maxEntries) return -ERRNO.E2BIG;
      slot = this.used.indexOf(0);
      this.slotOf.set(k, slot);
    }
    this.put(slot, entry);
    return 0;
  }

  /** dev_map_hash_delete_elem: -ENOENT for an absent key. */
  override deleteElem(key: Uint8Array): number {
    const k = arrayIndex(key);
    const slot = this.slotOf.get(k);
    if (slot === undefined) return -ERRNO.ENOENT;
    this.slotOf.delete(k);
    this.clear(slot);
    return 0;
  }

  /** dev_map_hash_get_next_key: the first key after an absent (or no) key. */
  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    const keys = [...this.slotOf.keys()];
    const at = key === null ? -1 : keys.indexOf(arrayIndex(key));
    const next = keys[at + 1];
    if (next === undefined) return -ERRNO.ENOENT;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, next, true);
    return out;
  }
}
