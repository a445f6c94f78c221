import type { Region } from '../../vm/address-space.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import { accessOk, unknownFlags, type AllocCheck } from './check.js';
import { roundUp8, type HostScalar } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { KeyedMap, perCpuCodec, scalarCodec, type ValueCodec } from './keyed.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_F_LOCK, BPF_NOEXIST, LIMITS } from './types.js';

const ARRAY_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.MMAPABLE | BPF_F_ACCESS_MASK | BPF_F.PRESERVE_ELEMS | BPF_F.INNER_MAP;

/** array_map_alloc_check (array, percpu_array, and the fd arrays after their own checks). */
export const checkArray: AllocCheck = (attr) => {
  const percpu = attr.type === 'percpu_array';
  const flags = attr.flags ?? 0;
  if (attr.maxEntries === 0) return [-ERRNO.EINVAL, 'max_entries must not be 0'];
  if (attr.keySize !== 4) return [-ERRNO.EINVAL, `key_size must be 4, got ${attr.keySize}`];
  if (attr.valueSize === 0) return [-ERRNO.EINVAL, 'value_size must not be 0'];
  const bad = unknownFlags(flags, ARRAY_CREATE_FLAG_MASK);
  if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by ${attr.type} maps`];
  if (!accessOk(flags)) return [-ERRNO.EINVAL, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other'];
  if (attr.type !== 'array' && flags & (BPF_F.MMAPABLE | BPF_F.INNER_MAP)) {
    return [-ERRNO.EINVAL, 'BPF_F_MMAPABLE and BPF_F_INNER_MAP are for array maps only'];
  }
  if (attr.type !== 'perf_event_array' && flags & BPF_F.PRESERVE_ELEMS) {
    return [-ERRNO.EINVAL, 'BPF_F_PRESERVE_ELEMS is for perf_event_array maps only'];
  }
  if (attr.valueSize > LIMITS.INT_MAX) return [-ERRNO.E2BIG, `value_size ${attr.valueSize} is too large`];
  if (percpu && roundUp8(attr.valueSize) > LIMITS.PCPU_MIN_UNIT_SIZE) {
    return [-ERRNO.E2BIG, `per-CPU value_size ${attr.valueSize} exceeds ${LIMITS.PCPU_MIN_UNIT_SIZE}`];
  }
  return null;
};

/** The u32 index an array map's key holds. */
export function arrayIndex(key: Uint8Array): number {
  return new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
}

/** array_map_get_next_key: 0 after an out-of-range (or no) key, -ENOENT after the last. */
export function arrayNextKey(maxEntries: number, key: Uint8Array | null): Result<Uint8Array> {
  const index = key === null ? 0xffffffff : arrayIndex(key);
  if (index === maxEntries - 1) return -ERRNO.ENOENT;
  const next = index >= maxEntries ? 0 : index + 1;
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, next, true);
  return out;
}

/**
 * Array and per-CPU array: every element exists, zero-initialised, in one contiguous region per copy
 * (one copy, or one per CPU), each value in a round_up(value_size, 8) slot as the kernel lays it out.
 */
class ArrayTable<V> extends KeyedMap<V> {
  readonly percpu: boolean;
  /** round_up(value_size, 8): the stride between values. */
  readonly elemSize: number;
  /** The values: one region, or one per CPU. */
  readonly regions: Region[];

  constructor(env: MapEnv, attr: MapAttr, codec: ValueCodec<V>) {
    super(env, attr, codec);
    this.percpu = attr.type === 'percpu_array';
    this.elemSize = roundUp8(this.valueSize);
    const copies = this.percpu ? env.nrCpus : 1;
    this.regions = Array.from({ length: copies }, (_, cpu) =>
      this.newRegion(this.maxEntries * this.elemSize, this.percpu ? `values (CPU ${cpu})` : 'values'));
  }

  override lookupElem(key: Uint8Array): ValueRef | null {
    return this.lookupOn(key, this.percpu ? this.env.cpu : 0);
  }

  /** bpf_map_lookup_percpu_elem: the value `cpu` sees (NULL past the last CPU). */
  lookupPercpuElem(key: Uint8Array, cpu: number): ValueRef | null {
    return cpu < this.env.nrCpus ? this.lookupOn(key, this.percpu ? cpu : 0) : null;
  }

  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    const err = this.checkUpdate(key, flags);
    if (err !== 0) return err;
    const ref = this.lookupElem(key)!;
    this.store(ref.region, ref.offset, value);
    // check_and_free_fields: an overwritten element's kptrs are released.
    this.valueFields?.free(ref.region, ref.offset);
    return 0;
  }

  protected override liveValues(): ValueRef[] {
    return this.regions.flatMap((region) => Array.from({ length: this.maxEntries }, (_, i) => ({ region, offset: i * this.elemSize })));
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    return arrayNextKey(this.maxEntries, key);
  }

  override get sysValueSize(): number {
    return this.percpu ? this.elemSize * this.env.nrCpus : this.valueSize;
  }

  /** Per-CPU: user space reads every CPU's slot (padding included). */
  protected override copyOut(key: Uint8Array): Result<Uint8Array> {
    if (!this.percpu) return super.copyOut(key);
    const index = arrayIndex(key);
    if (index >= this.maxEntries) return -ERRNO.ENOENT;
    const out = new Uint8Array(this.sysValueSize);
    const off = index * this.elemSize;
    this.regions.forEach((r, cpu) => out.set(r.bytes.subarray(off, off + this.elemSize), cpu * this.elemSize));
    return out;
  }

  /** Per-CPU: bpf_percpu_array_update writes every CPU's slot. */
  protected override copyIn(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (!this.percpu) return super.copyIn(key, value, flags);
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    const err = this.checkUpdate(key, flags);
    if (err !== 0) return err;
    const off = arrayIndex(key) * this.elemSize;
    this.regions.forEach((r, cpu) => r.bytes.set(value.subarray(cpu * this.elemSize, (cpu + 1) * this.elemSize), off));
    return 0;
  }

  private lookupOn(key: Uint8Array, copy: number): ValueRef | null {
    const index = arrayIndex(key);
    return index < this.maxEntries ? { region: this.regions[copy]!, offset: index * this.elemSize } : null;
  }

  /** array_map_update_elem's checks, in the kernel's order. */
  private checkUpdate(key: Uint8Array, flags: number): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -ERRNO.EINVAL;
    if (arrayIndex(key) >= this.maxEntries) return -ERRNO.E2BIG;
    if (flags & BPF_NOEXIST) return -ERRNO.EEXIST;
    if (flags & BPF_F_LOCK && this.spinLockOff === null) return -ERRNO.EINVAL;
    return 0;
  }
}

/** BPF_MAP_TYPE_ARRAY. */
export class ArrayMap extends ArrayTable<HostScalar> {
  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, scalarCodec);
  }
}

/** BPF_MAP_TYPE_PERCPU_ARRAY: host values are one per CPU. */
export class PercpuArrayMap extends ArrayTable<HostScalar[]> {
  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, perCpuCodec);
  }
}
