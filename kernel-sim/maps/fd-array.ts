import type { MapAttr, Result } from './base.js';
import { arrayIndex, arrayNextKey, checkArray } from './array.js';
import { BpfMap } from './base.js';
import type { AllocCheck } from './check.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { KeyedMap, objectCodec } from './keyed.js';
import { BPF_ANY, BPF_F } from './types.js';

/** fd_array_map_alloc_check: values are u32 fds, and programs get no access flags. */
export const checkFdArray: AllocCheck = (attr, env) => {
  if (attr.valueSize !== 4) return [-ERRNO.EINVAL, `value_size must be 4 (a file descriptor), got ${attr.valueSize}`];
  if ((attr.flags ?? 0) & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) {
    return [-ERRNO.EINVAL, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are not supported here'];
  }
  return checkArray(attr, env);
};

/**
 * An array of references (programs, maps): user space stores an object's id where the kernel takes an fd,
 * and reads back the id, as the kernel does. `accept` validates a new reference (or gives an errno).
 */
export abstract class FdArray<T extends object> extends KeyedMap<object> {
  /** The set slots only: max_entries may be up to 2^32 - 1, and most slots of a big array stay empty. */
  protected readonly slots = new Map<number, T>();

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, objectCodec);
  }

  /** The reference at `index`, or null (tail calls and map-in-map lookups read this). */
  at(index: number): T | null {
    if (typeof index !== 'number') this.hostU32('index', index);
    return index < this.maxEntries ? this.slots.get(index) ?? null : null;
  }

  /** fd_array_map_delete_elem. */
  override deleteElem(key: Uint8Array): number {
    const index = arrayIndex(key);
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    if (!this.slots.delete(index)) return -ERRNO.ENOENT;
    return 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    return arrayNextKey(this.maxEntries, key);
  }

  protected override copyOut(key: Uint8Array): Result<Uint8Array> {
    const obj = this.at(arrayIndex(key));
    if (obj === null) return -ERRNO.ENOENT;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, this.env.idOf(obj), true);
    return b;
  }

  /** bpf_fd_array_map_update_elem. */
  protected override copyIn(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -ERRNO.EINVAL;
    const index = arrayIndex(key);
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    const obj = this.env.objectById(new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true));
    if (obj === undefined) return -ERRNO.EBADF;
    const ok = this.accept(obj);
    if (typeof ok === 'number') return ok;
    this.slots.set(index, ok);
    return 0;
  }

  protected abstract accept(obj: object): Result<T>;
}

/** BPF_MAP_TYPE_PROG_ARRAY: opaque program references for tail calls. */
export class ProgArray extends FdArray<object> {
  protected accept(obj: object): Result<object> {
    return obj instanceof BpfMap ? -ERRNO.EINVAL : obj;
  }
}
