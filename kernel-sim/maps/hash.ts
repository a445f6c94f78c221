import type { Region } from '../address-space.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import { accessOk, unknownFlags, type AllocCheck } from './check.js';
import { byteKey, roundUp8, type HostScalar } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { KeyedMap, perCpuCodec, scalarCodec, type ValueCodec } from './keyed.js';
import { BpfLru, lruMaxEntries, type LruNode } from './lru.js';
import { htabElemSize } from './alloc-size.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_F_LOCK, BPF_NOEXIST, LIMITS } from './types.js';

const HTAB_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NO_COMMON_LRU | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F.ZERO_SEED;

const isLru = (attr: MapAttr): boolean => attr.type === 'lru_hash' || attr.type === 'lru_percpu_hash';
const isPercpu = (attr: MapAttr): boolean => attr.type === 'percpu_hash' || attr.type === 'lru_percpu_hash';
/** htab_map_alloc's max_entries (BPF_F_NO_COMMON_LRU rounds it to a multiple of the CPU count). */
const allocMaxEntries = (attr: MapAttr, env: MapEnv): number =>
  isLru(attr) ? lruMaxEntries(attr.maxEntries, ((attr.flags ?? 0) & BPF_F.NO_COMMON_LRU) !== 0, env.nrCpus) : attr.maxEntries;

/** htab_map_alloc_check and htab_map_alloc's size limits (hash, percpu_hash, lru_hash, lru_percpu_hash). */
export const checkHash: AllocCheck = (attr, env) => {
  const flags = attr.flags ?? 0;
  const lru = isLru(attr);
  if (lru && !env.capBpf) return [-ERRNO.EPERM, 'LRU maps need CAP_BPF'];
  if (flags & BPF_F.ZERO_SEED && !env.capSysAdmin) return [-ERRNO.EPERM, 'BPF_F_ZERO_SEED needs CAP_SYS_ADMIN'];
  const bad = unknownFlags(flags, HTAB_CREATE_FLAG_MASK);
  if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by ${attr.type} maps`];
  if (!accessOk(flags)) return [-ERRNO.EINVAL, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other'];
  if (!lru && flags & BPF_F.NO_COMMON_LRU) return [-ERRNO.EINVAL, 'BPF_F_NO_COMMON_LRU is for LRU maps only'];
  if (lru && flags & BPF_F.NO_PREALLOC) return [-ERRNO.ENOTSUPP, 'LRU maps are always preallocated (BPF_F_NO_PREALLOC)'];
  if (attr.maxEntries === 0) return [-ERRNO.EINVAL, 'max_entries must not be 0'];
  if (attr.keySize === 0) return [-ERRNO.EINVAL, 'key_size must not be 0'];
  if (attr.valueSize === 0) return [-ERRNO.EINVAL, 'value_size must not be 0'];
  if (attr.keySize + attr.valueSize >= LIMITS.KMALLOC_MAX_SIZE - LIMITS.HTAB_ELEM_SIZE) {
    return [-ERRNO.E2BIG, `key_size + value_size (${attr.keySize + attr.valueSize}) is too large`];
  }
  if (isPercpu(attr) && roundUp8(attr.valueSize) > LIMITS.PCPU_MIN_UNIT_SIZE) {
    return [-ERRNO.E2BIG, `per-CPU value_size ${attr.valueSize} exceeds ${LIMITS.PCPU_MIN_UNIT_SIZE}`];
  }
  const maxEntries = allocMaxEntries(attr, env);
  if (maxEntries > 2 ** 31) return [-ERRNO.E2BIG, `max_entries ${maxEntries} exceeds 2^31`];
  return null;
};

/** Bytes of one slab of hash values. */
const SLAB_BYTES = 64 * 1024;

/** A key's bytes from its Map key (byteKey's inverse). */
function keyBytes(k: string): Uint8Array {
  const out = new Uint8Array(k.length);
  for (let i = 0; i < k.length; i++) out[i] = k.charCodeAt(i);
  return out;
}

/** check_flags: BPF_NOEXIST on a present key, BPF_EXIST on an absent one. */
export function checkExistFlags(present: boolean, flags: number): number {
  const f = flags & ~BPF_F_LOCK;
  if (present && f === BPF_NOEXIST) return -ERRNO.EEXIST;
  if (!present && f === BPF_EXIST) return -ERRNO.ENOENT;
  return 0;
}

interface HashElem {
  /** The value: one region, or one per CPU. */
  readonly regions: Region[];
  /** LRU maps: the element's node in the LRU lists. */
  readonly node: LruNode | null;
}

/**
 * The hash family: each element's value is its own region (one per CPU for per-CPU maps), so deleting or
 * replacing an element frees exactly its memory. Replacing a key's element allocates a new one, as the
 * kernel does, except per-CPU maps and BPF_F_LOCK updates, which write in place. LRU maps keep their
 * elements' nodes in 6.1's LRU lists (lru.ts): an update takes a node before it looks the key up
 * (prealloc_lru_pop), which may evict many elements at once; program lookups set the node's ref bit,
 * user-space lookups do not.
 */
class HashTable<V> extends KeyedMap<V> {
  readonly percpu: boolean;
  readonly lru: boolean;
  private readonly elems = new Map<string, HashElem>();
  /** LRU maps: the lists of the map's max_entries nodes. */
  readonly lruLists: BpfLru | null;
  /** The slab values are cut from, and how much of it is used; slots of freed values to reuse. */
  private slab: ArrayBuffer | null = null;
  private slabUsed = 0;
  private readonly freeValues: Uint8Array[] = [];
  /** Without preallocation, what each element takes from the kernel's memory when added (else 0: charged at creation). */
  private readonly elemCost: number;
  /** get_next_key's cursor: continuing from the key it last returned costs O(1). */
  private cursor: { key: string; it: Iterator<string> } | null = null;

  constructor(env: MapEnv, attr: MapAttr, codec: ValueCodec<V>) {
    super(env, { ...attr, maxEntries: allocMaxEntries(attr, env) }, codec);
    this.percpu = isPercpu(attr);
    this.lru = isLru(attr);
    this.elemCost = (this.flags & BPF_F.NO_PREALLOC) !== 0 ? htabElemSize(attr, env.nrCpus) : 0;
    this.lruLists = this.lru ? new BpfLru((this.flags & BPF_F.NO_COMMON_LRU) !== 0, env.nrCpus, (n) => this.evictNode(n)) : null;
    this.lruLists?.populate(this.maxEntries);
  }

  /** Elements in the map. */
  get size(): number {
    return this.elems.size;
  }

  override lookupElem(key: Uint8Array): ValueRef | null {
    const e = this.elems.get(byteKey(key));
    if (e === undefined) return null;
    if (e.node !== null) e.node.ref = true; // bpf_lru_node_set_ref
    return { region: e.regions[this.percpu ? this.env.cpu : 0]!, offset: 0 };
  }

  override valueRef(key: Uint8Array): ValueRef | null {
    const e = this.elems.get(byteKey(key));
    return e === undefined ? null : { region: e.regions[this.percpu ? this.env.cpu : 0]!, offset: 0 };
  }

  /** bpf_map_lookup_percpu_elem. */
  lookupPercpuElem(key: Uint8Array, cpu: number): ValueRef | null {
    if (cpu >= this.env.nrCpus) return null;
    const e = this.elems.get(byteKey(key));
    if (e === undefined) return null;
    if (e.node !== null) e.node.ref = true;
    return { region: e.regions[this.percpu ? cpu : 0]!, offset: 0 };
  }

  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.update(key, value, flags, false);
  }

  override deleteElem(key: Uint8Array): number {
    const k = byteKey(key);
    const e = this.elems.get(k);
    if (e === undefined) return -ERRNO.ENOENT;
    this.remove(k, e, 'was deleted');
    if (e.node !== null) this.lruLists!.pushFree(e.node);
    return 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    const k = key === null ? undefined : byteKey(key);
    let it: Iterator<string>;
    if (k !== undefined && this.elems.has(k)) {
      it = this.cursor?.key === k ? this.cursor.it : this.iteratorAfter(k);
    } else {
      it = this.elems.keys();
    }
    const next = it.next();
    if (next.done === true) {
      this.cursor = null;
      return -ERRNO.ENOENT;
    }
    this.cursor = { key: next.value, it };
    return keyBytes(next.value);
  }

  override get sysValueSize(): number {
    return this.percpu ? roundUp8(this.valueSize) * this.env.nrCpus : this.valueSize;
  }

  protected override copyOut(key: Uint8Array): Result<Uint8Array> {
    const e = this.elems.get(byteKey(key));
    if (e === undefined) return -ERRNO.ENOENT;
    if (!this.percpu) return e.regions[0]!.bytes.slice(0, this.valueSize);
    const slot = roundUp8(this.valueSize);
    const out = new Uint8Array(this.sysValueSize);
    e.regions.forEach((r, cpu) => out.set(r.bytes, cpu * slot));
    return out;
  }

  protected override copyIn(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.update(key, value, flags, true);
  }

  /** One update; `allCpus`: the value holds every CPU's copy (the syscall's per-CPU layout). */
  private update(key: Uint8Array, value: Uint8Array, flags: number, allCpus: boolean): number {
    const lockAllowed = !this.lru && !this.percpu;
    if ((lockAllowed ? flags & ~BPF_F_LOCK : flags) > BPF_EXIST) return -ERRNO.EINVAL;
    const k = byteKey(key);
    if (flags & BPF_F_LOCK) {
      if (this.spinLockOff === null) return -ERRNO.EINVAL;
      const old = this.elems.get(k);
      const err = checkExistFlags(old !== undefined, flags);
      if (err !== 0) return err;
      if (old !== undefined) {
        this.store(old.regions[0]!, 0, value);
        return 0;
      }
    }
    if (this.lruLists !== null) return this.updateLru(k, key, value, flags, allCpus, this.lruLists);
    const old = this.elems.get(k);
    const err = checkExistFlags(old !== undefined, flags);
    if (err !== 0) return err;
    if (this.percpu && old !== undefined) {
      this.fill(old, value, allCpus, true);
      return 0;
    }
    if (old === undefined && this.elems.size >= this.maxEntries) return -ERRNO.E2BIG;
    // bpf_mem_cache_alloc failing: the kernel's memory is spent
    if (old === undefined && this.elemCost > 0 && !this.tryCharge(this.elemCost)) return -ERRNO.ENOMEM;
    const e = this.newElem(key, null);
    this.fill(e, value, allCpus, false);
    if (old !== undefined) this.retireElem(old, 'was replaced by an update of its key');
    this.elems.set(k, e);
    return 0;
  }

  /**
   * htab_lru_map_update_elem / __htab_lru_percpu_map_update_elem: take a node first (prealloc_lru_pop,
   * which may evict; a per-CPU value map skips it for BPF_EXIST), then look the key up and check the
   * flags. A failed check gives the node back. Replacing a key's element gives the new one the ref bit
   * and frees the old one's node; per-CPU values are written in place (the old node gets the ref bit).
   */
  private updateLru(k: string, key: Uint8Array, value: Uint8Array, flags: number, allCpus: boolean, lru: BpfLru): number {
    const node = this.percpu && flags === BPF_EXIST ? null : lru.popFree(this.env.cpu);
    if (node === null && !(this.percpu && flags === BPF_EXIST)) return -ERRNO.ENOMEM;
    const old = this.elems.get(k);
    const err = checkExistFlags(old !== undefined, flags);
    if (err !== 0) {
      if (node !== null) lru.pushFree(node);
      return err;
    }
    if (this.percpu && old !== undefined) {
      old.node!.ref = true;
      this.fill(old, value, allCpus, true);
      if (node !== null) lru.pushFree(node);
      return 0;
    }
    node!.key = k;
    const e = this.newElem(key, node);
    this.fill(e, value, allCpus, false);
    if (old !== undefined) {
      node!.ref = true;
      this.retireElem(old, 'was replaced by an update of its key');
    }
    this.elems.set(k, e);
    if (old !== undefined) lru.pushFree(old.node!);
    return 0;
  }

  private newElem(_key: Uint8Array, node: LruNode | null): HashElem {
    if (!this.percpu) return { regions: [this.newRegion(this.valueSize, 'element', 'map-value', this.slabValue())], node };
    return {
      regions: Array.from({ length: this.env.nrCpus }, (_, cpu) =>
        this.newRegion(this.valueSize, `element (CPU ${cpu})`, 'map-value', this.slabValue())),
      node,
    };
  }

  /**
   * Zeroed memory for one value: a slot of a shared slab (one ArrayBuffer holds many values, as the
   * kernel's element cache does), a recycled slot first.
   */
  private slabValue(): Uint8Array {
    const v = this.freeValues.pop();
    if (v !== undefined) {
      v.fill(0);
      return v;
    }
    const size = this.valueSize;
    if (this.slab === null || this.slabUsed + size > this.slab.byteLength) {
      this.slab = new ArrayBuffer(Math.max(SLAB_BYTES, size));
      this.slabUsed = 0;
    }
    const out = new Uint8Array(this.slab, this.slabUsed, size);
    this.slabUsed += size;
    return out;
  }

  protected override recycle(region: Region): void {
    if (region.bytes.byteLength === this.valueSize && region.bytes.buffer !== undefined) this.freeValues.push(region.bytes);
  }

  /** Write a value: every CPU's from the syscall layout, or this CPU's (other CPUs' new copies stay zero). */
  private fill(e: HashElem, value: Uint8Array, allCpus: boolean, inPlace: boolean): void {
    if (!this.percpu) {
      this.store(e.regions[0]!, 0, value);
      return;
    }
    const slot = roundUp8(this.valueSize);
    e.regions.forEach((r, cpu) => {
      if (allCpus) r.bytes.set(value.subarray(cpu * slot, cpu * slot + this.valueSize));
      else if (cpu === this.env.cpu) r.bytes.set(value.subarray(0, this.valueSize));
      else if (!inPlace) r.bytes.fill(0);
    });
  }

  /** htab_lru_map_delete_node: the LRU lists reclaim a node; its element leaves the map. */
  private evictNode(node: LruNode): boolean {
    const e = node.key === null ? undefined : this.elems.get(node.key);
    if (e === undefined || e.node !== node) return false;
    this.remove(node.key!, e, 'was evicted from the LRU map');
    return true;
  }

  private remove(k: string, e: HashElem, reason: string): void {
    this.elems.delete(k);
    this.releaseMemory(this.elemCost);
    this.retireElem(e, reason);
  }

  private retireElem(e: HashElem, reason: string): void {
    for (const r of e.regions) {
      this.valueFields?.free(r, 0);
      this.retire(r, reason);
    }
  }

  protected override liveValues(): ValueRef[] {
    return [...this.elems.values()].flatMap((e) => e.regions.map((region) => ({ region, offset: 0 })));
  }

  private iteratorAfter(k: string): Iterator<string> {
    const it = this.elems.keys();
    for (let n = it.next(); n.done !== true && n.value !== k; n = it.next());
    return it;
  }
}

/** BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_LRU_HASH. */
export class HashMap extends HashTable<HostScalar> {
  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, scalarCodec);
  }
}

/** BPF_MAP_TYPE_PERCPU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: host values are one per CPU. */
export class PercpuHashMap extends HashTable<HostScalar[]> {
  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, perCpuCodec);
  }
}
