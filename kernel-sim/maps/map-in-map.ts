import { arrayIndex } from './array.js';
import type { MapDef } from '../../src/platform/platform.js';
import { BpfMap, mapView, type MapAttr, type Result, type ValueRef } from './base.js';
import type { Problem } from './check.js';
import { byteKey } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { FdArray } from './fd-array.js';
import { checkExistFlags, checkHash } from './hash.js';
import { KeyedMap, objectCodec } from './keyed.js';
import { BPF_EXIST, BPF_F, type MapTypeName } from './types.js';

/** Map types whose ops have map_meta_equal in 6.1 (what can be an inner map). */
const INNER_CAPABLE = new Set<MapTypeName>([
  'array', 'percpu_array', 'perf_event_array', 'cgroup_array', 'hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash',
  'queue', 'stack', 'lpm_trie', 'bloom_filter', 'ringbuf', 'user_ringbuf', 'stack_trace', 'devmap', 'devmap_hash',
  'xskmap', 'reuseport_sockarray', 'sk_storage', 'inode_storage', 'task_storage',
]);

const isMapInMap = (m: BpfMap): boolean => m.typeName === 'array_of_maps' || m.typeName === 'hash_of_maps';

/** bpf_map_meta_alloc: can `inner` be a template? */
export function checkInnerTemplate(inner: BpfMap | undefined): Problem | null {
  if (inner === undefined) return [-ERRNO.EBADF, 'a map-in-map needs an inner map template (inner_map_fd)'];
  if (isMapInMap(inner)) return [-ERRNO.EINVAL, `inner map "${inner.name}" is itself a map-in-map`];
  if (!INNER_CAPABLE.has(inner.typeName)) return [-ERRNO.ENOTSUPP, `${inner.typeName} maps cannot be inner maps`];
  if (inner.spinLockOff !== null) return [-ERRNO.ENOTSUPP, `inner map "${inner.name}" has a bpf_spin_lock`];
  return null;
}

/** The template's definition, frozen at creation (the kernel's inner_map_meta). */
interface InnerMeta {
  readonly typeName: MapTypeName;
  readonly keySize: number;
  readonly valueSize: number;
  readonly flags: number;
  readonly maxEntries: number;
  /** The template as the verifier sees it (spin lock, timer, kptr fields and BTF copied; no name). */
  readonly view: MapDef;
}

/** bpf_map_meta_equal (and array_map_meta_equal's max_entries rule unless BPF_F_INNER_MAP). */
export function metaEqual(meta: InnerMeta, m: BpfMap): boolean {
  return meta.typeName === m.typeName && meta.keySize === m.keySize && meta.valueSize === m.valueSize &&
    meta.flags === m.flags &&
    (meta.typeName !== 'array' || (meta.flags & BPF_F.INNER_MAP) !== 0 || meta.maxEntries === m.maxEntries);
}

function metaOf(m: BpfMap): InnerMeta {
  const { typeName, keySize, valueSize, flags, maxEntries } = m;
  return { typeName, keySize, valueSize, flags, maxEntries, view: mapView(m, '') };
}

/** bpf_map_fd_get_ptr: the candidate must be a map matching the template. */
function acceptInner(meta: InnerMeta, obj: object): Result<BpfMap> {
  return obj instanceof BpfMap && metaEqual(meta, obj) ? obj : -ERRNO.EINVAL;
}

/** A program's lookup yields the inner map pointer itself. */
const innerRef = (m: BpfMap | null | undefined): ValueRef | null => (m ? { region: m.object, offset: 0 } : null);

/** BPF_MAP_TYPE_ARRAY_OF_MAPS. */
export class ArrayOfMaps extends FdArray<BpfMap> {
  readonly innerMeta: InnerMeta;

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr);
    this.innerMeta = metaOf(attr.innerMap!);
  }

  override verifierView(): MapDef {
    return { ...super.verifierView(), inner: this.innerMeta.view };
  }

  override lookupElem(key: Uint8Array): ValueRef | null {
    return innerRef(this.at(arrayIndex(key)));
  }

  protected accept(obj: object): Result<BpfMap> {
    return acceptInner(this.innerMeta, obj);
  }
}

/** BPF_MAP_TYPE_HASH_OF_MAPS: a (never per-CPU, never LRU) hash of inner map references. */
export class HashOfMaps extends KeyedMap<object> {
  readonly innerMeta: InnerMeta;
  private readonly elems = new Map<string, { key: Uint8Array; inner: BpfMap }>();

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, objectCodec);
    this.innerMeta = metaOf(attr.innerMap!);
  }

  override verifierView(): MapDef {
    return { ...super.verifierView(), inner: this.innerMeta.view };
  }

  override lookupElem(key: Uint8Array): ValueRef | null {
    return innerRef(this.elems.get(byteKey(key))?.inner);
  }

  override deleteElem(key: Uint8Array): number {
    return this.elems.delete(byteKey(key)) ? 0 : -ERRNO.ENOENT;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    const keys = [...this.elems.values()].map((e) => e.key);
    const at = key === null ? -1 : keys.findIndex((k) => byteKey(k) === byteKey(key));
    const next = keys[at + 1];
    return next === undefined ? -ERRNO.ENOENT : next.slice();
  }

  protected override copyOut(key: Uint8Array): Result<Uint8Array> {
    const e = this.elems.get(byteKey(key));
    if (e === undefined) return -ERRNO.ENOENT;
    return objectCodec.encode(this, e.inner);
  }

  /** bpf_fd_htab_map_update_elem → htab_map_update_elem. */
  protected override copyIn(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    const obj = this.env.objectById(new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true));
    if (obj === undefined) return -ERRNO.EBADF;
    const inner = acceptInner(this.innerMeta, obj);
    if (typeof inner === 'number') return inner;
    const k = byteKey(key);
    const present = this.elems.has(k);
    const err = checkExistFlags(present, flags);
    if (err !== 0) return err;
    if (!present && this.elems.size >= this.maxEntries) return -ERRNO.E2BIG;
    this.elems.set(k, { key: key.slice(), inner });
    return 0;
  }
}

/** fd_htab_map_alloc_check. */
export function checkHashOfMaps(attr: MapAttr, env: MapEnv): Problem | null {
  if (attr.valueSize !== 4) return [-ERRNO.EINVAL, `value_size must be 4 (a file descriptor), got ${attr.valueSize}`];
  return checkHash(attr, env);
}
