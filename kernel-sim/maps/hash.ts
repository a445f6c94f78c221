import type { Region } from '../../vm/address-space.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import { accessOk, unknownFlags, type AllocCheck } from './check.js';
import { roundUp8, type HostScalar } from './codec.js';
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
/** Slots of the index (a power of two) a map starts with; it doubles past half full. */
const MIN_INDEX = 16;

/** check_flags: BPF_NOEXIST on a present key, BPF_EXIST on an absent one. */
export function checkExistFlags(present: boolean, flags: number): number {
  const f = flags & ~BPF_F_LOCK;
  if (present && f === BPF_NOEXIST) return -ERRNO.EEXIST;
  if (!present && f === BPF_EXIST) return -ERRNO.ENOENT;
  return 0;
}

/** FNV-1a over a key's bytes, finished with a multiply-xorshift (the index's probe start). */
function hashBytes(b: Uint8Array, off: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[off + i]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) | 0;
}

function grown<T extends Int32Array | Uint8Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/**
 * The hash family. An element is a slot: its key in a typed-array store, found through an open-addressing
 * index (linear probing, deletion by backward shift), its value in a shared slab (one row per element,
 * nr_cpus values for per-CPU maps), and its place in insertion order (get_next_key's order) in two link
 * arrays. No JS object is kept per element: an element costs its key and value bytes plus a few words.
 *
 * A program reaches a value through its own region (a window of the address space), made on the first
 * lookup in a run and dropped at the run's end (`reclaim`), when no pointer to it can exist any more.
 * Deleting an element, or replacing it by an update (the kernel allocates a new element), kills the region
 * handed out for it: a stale pointer faults as a use-after-free, and the next lookup gets a new region.
 * Per-CPU maps and BPF_F_LOCK updates write in place. LRU maps keep their elements' nodes in 6.1's LRU
 * lists (lru.ts): an update takes a node before it looks the key up (prealloc_lru_pop), which may evict
 * many elements at once; program lookups set the node's ref bit, user-space lookups do not.
 */
class HashTable<V> extends KeyedMap<V> {
  readonly percpu: boolean;
  readonly lru: boolean;
  /** LRU maps: the lists of the map's max_entries nodes. */
  readonly lruLists: BpfLru | null;
  /** Without preallocation, what each element takes from the kernel's memory when added (else 0: charged at creation). */
  private readonly elemCost: number;
  /** Values per element (nr_cpus for per-CPU maps), and the bytes of an element's row of them. */
  private readonly perElem: number;
  private readonly rowBytes: number;
  private readonly rowsPerSlab: number;

  /** Elements in the map. */
  private count = 0;
  /** Slots ever used (the next new one), and freed ones to reuse (a stack). */
  private slotsUsed = 0;
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  /** Per slot: the key's bytes, its hash, its neighbours in insertion order (-1: none). */
  private keyStore = new Uint8Array(0);
  private hashes = new Int32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private head = -1;
  private tail = -1;
  /** The index: slot + 1, or 0 for empty. */
  private index = new Int32Array(MIN_INDEX);
  /** The slabs the value rows are cut from. */
  private readonly slabs: Uint8Array[] = [];
  /** LRU maps: each slot's node. */
  private readonly nodes: (LruNode | null)[] = [];
  /** Per value (slot × perElem + cpu): 1 + the position in `live` of its region in this run, or 0. */
  private regionOf = new Int32Array(0);
  private readonly live: Region[] = [];
  private readonly liveAt: number[] = [];

  constructor(env: MapEnv, attr: MapAttr, codec: ValueCodec<V>) {
    super(env, { ...attr, maxEntries: allocMaxEntries(attr, env) }, codec);
    this.percpu = isPercpu(attr);
    this.lru = isLru(attr);
    this.elemCost = (this.flags & BPF_F.NO_PREALLOC) !== 0 ? htabElemSize(attr, env.nrCpus) : 0;
    this.perElem = this.percpu ? env.nrCpus : 1;
    this.rowBytes = this.valueSize * this.perElem;
    this.rowsPerSlab = Math.max(1, Math.floor(SLAB_BYTES / this.rowBytes));
    this.lruLists = this.lru ? new BpfLru((this.flags & BPF_F.NO_COMMON_LRU) !== 0, env.nrCpus, (n) => this.evictNode(n)) : null;
    this.lruLists?.populate(this.maxEntries);
  }

  /** Elements in the map. */
  get size(): number {
    return this.count;
  }

  // ---- the index ----

  /** The slot holding `key`, or -1. */
  private find(key: Uint8Array, h: number): number {
    const ks = this.keySize, keys = this.keyStore, index = this.index, mask = index.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === 0) return -1;
      const slot = e - 1;
      if (this.hashes[slot] !== h) continue;
      let j = 0;
      const at = slot * ks;
      while (j < ks && keys[at + j] === key[j]) j++;
      if (j === ks) return slot;
    }
  }

  private indexInsert(slot: number, h: number): void {
    if ((this.count + 1) * 2 > this.index.length) this.rehash(this.index.length * 2);
    const index = this.index, mask = index.length - 1;
    let i = h & mask;
    while (index[i] !== 0) i = (i + 1) & mask;
    index[i] = slot + 1;
  }

  private indexRemove(slot: number): void {
    const index = this.index, mask = index.length - 1;
    let i = this.hashes[slot]! & mask;
    while (index[i] !== slot + 1) i = (i + 1) & mask;
    // backward-shift deletion: later entries of the probe run move up into the hole
    for (let j = (i + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const want = this.hashes[index[j]! - 1]! & mask;
      if (i <= j ? want <= i || want > j : want <= i && want > j) {
        index[i] = index[j]!;
        i = j;
      }
    }
    index[i] = 0;
  }

  private rehash(size: number): void {
    const index = new Int32Array(size), mask = size - 1;
    for (let s = this.head; s !== -1; s = this.next[s]!) {
      let i = this.hashes[s]! & mask;
      while (index[i] !== 0) i = (i + 1) & mask;
      index[i] = s + 1;
    }
    this.index = index;
  }

  // ---- slots ----

  /** A slot for a new element: its key stored and indexed, its row zeroed, linked last. */
  private newSlot(key: Uint8Array, h: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount]!;
      this.row(slot).fill(0);
    } else {
      slot = this.slotsUsed++;
      if (slot >= this.hashes.length) this.growSlots(Math.max(16, this.hashes.length * 2));
      if (slot % this.rowsPerSlab === 0) this.slabs.push(new Uint8Array(this.rowsPerSlab * this.rowBytes));
    }
    this.keyStore.set(key.subarray(0, this.keySize), slot * this.keySize);
    this.hashes[slot] = h;
    this.indexInsert(slot, h); // before the slot is linked: a rehash walks the linked ones
    this.prev[slot] = this.tail;
    this.next[slot] = -1;
    if (this.tail === -1) this.head = slot;
    else this.next[this.tail] = slot;
    this.tail = slot;
    this.count++;
    return slot;
  }

  private growSlots(n: number): void {
    n = Math.min(n, Math.max(this.maxEntries, 1));
    this.keyStore = grown(this.keyStore, n * this.keySize);
    this.hashes = grown(this.hashes, n);
    this.prev = grown(this.prev, n);
    this.next = grown(this.next, n);
    this.freeSlots = grown(this.freeSlots, n);
    this.regionOf = grown(this.regionOf, n * this.perElem);
  }

  /** The element leaves the map: its values' regions die (`reason`), the slot is free for reuse. */
  private freeSlot(slot: number, reason: string): void {
    this.freeValues(slot, reason);
    this.indexRemove(slot);
    const p = this.prev[slot]!, n = this.next[slot]!;
    if (p === -1) this.head = n;
    else this.next[p] = n;
    if (n === -1) this.tail = p;
    else this.prev[n] = p;
    if (this.lru) this.nodes[slot] = null;
    this.freeSlots[this.freeCount++] = slot;
    this.count--;
    this.releaseMemory(this.elemCost);
  }

  /** The element's values go away: what their kernel fields hold is released, handed-out regions die. */
  private freeValues(slot: number, reason: string): void {
    for (let c = 0; c < this.perElem; c++) {
      if (this.valueFields !== null) this.valueFields.free(this.regionFor(slot, c), 0);
      const v = slot * this.perElem + c;
      const at = this.regionOf[v]!;
      if (at !== 0) {
        this.regionOf[v] = 0;
        this.retire(this.live[at - 1]!, reason);
      }
    }
  }

  /** The element's row of values (all CPUs'). */
  private row(slot: number): Uint8Array {
    const at = (slot % this.rowsPerSlab) * this.rowBytes;
    return this.slabs[Math.floor(slot / this.rowsPerSlab)]!.subarray(at, at + this.rowBytes);
  }

  /** CPU `cpu`'s value of the element, as a view. */
  private valueBytes(slot: number, cpu: number): Uint8Array {
    const at = (slot % this.rowsPerSlab) * this.rowBytes + cpu * this.valueSize;
    return this.slabs[Math.floor(slot / this.rowsPerSlab)]!.subarray(at, at + this.valueSize);
  }

  /** The region a program reaches CPU `cpu`'s value through in this run, made on first use. */
  private regionFor(slot: number, cpu: number): Region {
    const v = slot * this.perElem + cpu;
    const at = this.regionOf[v]!;
    if (at !== 0) return this.live[at - 1]!;
    const r = this.newRegion(this.valueSize, this.percpu ? `element (CPU ${cpu})` : 'element', 'map-value', this.valueBytes(slot, cpu));
    this.live.push(r);
    this.liveAt.push(v);
    this.regionOf[v] = this.live.length;
    return r;
  }

  /** End of a run: retired values are unmapped (base), and so are the regions lookups made in it. */
  override reclaim(): void {
    super.reclaim();
    for (let i = 0; i < this.live.length; i++) {
      const v = this.liveAt[i]!;
      if (this.regionOf[v] === i + 1) {
        this.regionOf[v] = 0;
        this.env.space.unmap(this.live[i]!);
      }
    }
    this.live.length = 0;
    this.liveAt.length = 0;
  }

  // ---- program side ----

  override lookupElem(key: Uint8Array): ValueRef | null {
    const slot = this.find(key, hashBytes(key, 0, this.keySize));
    if (slot < 0) return null;
    if (this.lru) this.nodes[slot]!.ref = true; // bpf_lru_node_set_ref
    return { region: this.regionFor(slot, this.percpu ? this.env.cpu : 0), offset: 0 };
  }

  override valueRef(key: Uint8Array): ValueRef | null {
    const slot = this.find(key, hashBytes(key, 0, this.keySize));
    return slot < 0 ? null : { region: this.regionFor(slot, this.percpu ? this.env.cpu : 0), offset: 0 };
  }

  /** bpf_map_lookup_percpu_elem. */
  lookupPercpuElem(key: Uint8Array, cpu: number): ValueRef | null {
    if (cpu >= this.env.nrCpus) return null;
    const slot = this.find(key, hashBytes(key, 0, this.keySize));
    if (slot < 0) return null;
    if (this.lru) this.nodes[slot]!.ref = true;
    return { region: this.regionFor(slot, this.percpu ? cpu : 0), offset: 0 };
  }

  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.update(key, value, flags, false);
  }

  override deleteElem(key: Uint8Array): number {
    const slot = this.find(key, hashBytes(key, 0, this.keySize));
    if (slot < 0) return -ERRNO.ENOENT;
    const node = this.lru ? this.nodes[slot]! : null;
    this.freeSlot(slot, 'was deleted');
    if (node !== null) this.lruLists!.pushFree(node);
    return 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    const slot = key === null ? -1 : this.find(key, hashBytes(key, 0, this.keySize));
    const n = slot < 0 ? this.head : this.next[slot]!;
    if (n === -1) return -ERRNO.ENOENT;
    return this.keyStore.slice(n * this.keySize, (n + 1) * this.keySize);
  }

  override get sysValueSize(): number {
    return this.percpu ? roundUp8(this.valueSize) * this.env.nrCpus : this.valueSize;
  }

  protected override copyOut(key: Uint8Array): Result<Uint8Array> {
    const slot = this.find(key, hashBytes(key, 0, this.keySize));
    if (slot < 0) return -ERRNO.ENOENT;
    if (!this.percpu) return this.valueBytes(slot, 0).slice();
    const step = roundUp8(this.valueSize);
    const out = new Uint8Array(this.sysValueSize);
    for (let c = 0; c < this.perElem; c++) out.set(this.valueBytes(slot, c), c * step);
    return out;
  }

  protected override copyIn(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.update(key, value, flags, true);
  }

  /** One update; `allCpus`: the value holds every CPU's copy (the syscall's per-CPU layout). */
  private update(key: Uint8Array, value: Uint8Array, flags: number, allCpus: boolean): number {
    const lockAllowed = !this.lru && !this.percpu;
    if ((lockAllowed ? flags & ~BPF_F_LOCK : flags) > BPF_EXIST) return -ERRNO.EINVAL;
    const h = hashBytes(key, 0, this.keySize);
    if (flags & BPF_F_LOCK) {
      if (this.spinLockOff === null) return -ERRNO.EINVAL;
      const old = this.find(key, h);
      const err = checkExistFlags(old >= 0, flags);
      if (err !== 0) return err;
      if (old >= 0) {
        this.storeValue(old, 0, value);
        return 0;
      }
    }
    if (this.lruLists !== null) return this.updateLru(key, h, value, flags, allCpus, this.lruLists);
    const old = this.find(key, h);
    const err = checkExistFlags(old >= 0, flags);
    if (err !== 0) return err;
    if (old >= 0) {
      if (!this.percpu) this.replace(old, 'was replaced by an update of its key');
      this.fill(old, value, allCpus, true);
      return 0;
    }
    if (this.count >= this.maxEntries) return -ERRNO.E2BIG;
    // bpf_mem_cache_alloc failing: the kernel's memory is spent
    if (this.elemCost > 0 && !this.tryCharge(this.elemCost)) return -ERRNO.ENOMEM;
    this.fill(this.newSlot(key, h), value, allCpus, false);
    return 0;
  }

  /**
   * The kernel's replacement of an element by a new one, on the same slot: the old value's kernel fields are
   * released and its handed-out region dies; the new value starts zeroed.
   */
  private replace(slot: number, reason: string): void {
    this.freeValues(slot, reason);
    this.row(slot).fill(0);
  }

  /**
   * htab_lru_map_update_elem / __htab_lru_percpu_map_update_elem: take a node first (prealloc_lru_pop,
   * which may evict; a per-CPU value map skips it for BPF_EXIST), then look the key up and check the
   * flags. A failed check gives the node back. Replacing a key's element gives the new one the ref bit
   * and frees the old one's node; per-CPU values are written in place (the old node gets the ref bit).
   */
  private updateLru(key: Uint8Array, h: number, value: Uint8Array, flags: number, allCpus: boolean, lru: BpfLru): number {
    const node = this.percpu && flags === BPF_EXIST ? null : lru.popFree(this.env.cpu);
    if (node === null && !(this.percpu && flags === BPF_EXIST)) return -ERRNO.ENOMEM;
    const old = this.find(key, h);
    const err = checkExistFlags(old >= 0, flags);
    if (err !== 0) {
      if (node !== null) lru.pushFree(node);
      return err;
    }
    if (this.percpu && old >= 0) {
      this.nodes[old]!.ref = true;
      this.fill(old, value, allCpus, true);
      if (node !== null) lru.pushFree(node);
      return 0;
    }
    if (old >= 0) {
      const oldNode = this.nodes[old]!;
      this.replace(old, 'was replaced by an update of its key');
      node!.key = old;
      node!.ref = true;
      this.nodes[old] = node;
      this.fill(old, value, allCpus, false);
      lru.pushFree(oldNode);
      return 0;
    }
    const slot = this.newSlot(key, h);
    node!.key = slot;
    this.nodes[slot] = node;
    this.fill(slot, value, allCpus, false);
    return 0;
  }

  /** Copy a value into CPU `cpu`'s place (copy_map_value: the lock word and the kernel's fields stay). */
  private storeValue(slot: number, cpu: number, value: Uint8Array): void {
    if (this.valueFields !== null || this.spinLockOff !== null) this.store(this.regionFor(slot, cpu), 0, value);
    else this.valueBytes(slot, cpu).set(value.subarray(0, this.valueSize));
  }

  /** Write a value: every CPU's from the syscall layout, or this CPU's (other CPUs' new copies stay zero). */
  private fill(slot: number, value: Uint8Array, allCpus: boolean, inPlace: boolean): void {
    if (!this.percpu) {
      this.storeValue(slot, 0, value);
      return;
    }
    const step = roundUp8(this.valueSize);
    for (let c = 0; c < this.perElem; c++) {
      const dst = this.valueBytes(slot, c);
      if (allCpus) dst.set(value.subarray(c * step, c * step + this.valueSize));
      else if (c === this.env.cpu) dst.set(value.subarray(0, this.valueSize));
      else if (!inPlace) dst.fill(0);
    }
  }

  /** htab_lru_map_delete_node: the LRU lists reclaim a node; its element leaves the map. */
  private evictNode(node: LruNode): boolean {
    const slot = node.key;
    if (slot === null || this.nodes[slot] !== node) return false;
    this.freeSlot(slot, 'was evicted from the LRU map');
    return true;
  }

  protected override liveValues(): ValueRef[] {
    const out: ValueRef[] = [];
    for (let s = this.head; s !== -1; s = this.next[s]!) {
      for (let c = 0; c < this.perElem; c++) out.push({ region: this.regionFor(s, c), offset: 0 });
    }
    return out;
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
