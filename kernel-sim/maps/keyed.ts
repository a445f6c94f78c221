import { BpfMap, type MapAttr } from './base.js';
import { describe } from '../../src/options.js';
import { fromBytes, roundUp8, toBytes, type HostScalar } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO, errnoName } from './errno.js';
import { MapError } from './error.js';
import { BPF_ANY } from './types.js';

/** How a keyed map's host values become the syscall's value bytes and back. */
export interface ValueCodec<V> {
  encode(map: BpfMap, v: V): Uint8Array;
  decode(map: BpfMap, b: Uint8Array): V;
}

/** Values of `value_size` bytes: integers for sizes 1/2/4/8, bytes otherwise. */
export const scalarCodec: ValueCodec<HostScalar> = {
  encode: (map, v) => toBytes(map.name, 'value', v, map.valueSize),
  decode: (_map, b) => fromBytes(b),
};

/** Per-CPU values: one per CPU, each in a round_up(value_size, 8) slot of the syscall's buffer. */
export const perCpuCodec: ValueCodec<HostScalar[]> = {
  encode(map, vs) {
    const n = map.env.nrCpus;
    if (!Array.isArray(vs)) throw new MapError(map.name, -ERRNO.EINVAL, `a per-CPU value is an array of ${n} values (one per CPU)`);
    if (vs.length !== n) throw new MapError(map.name, -ERRNO.EINVAL, `per-CPU value needs ${n} values (one per CPU), got ${vs.length}`);
    const slot = roundUp8(map.valueSize);
    const out = new Uint8Array(slot * n);
    vs.forEach((v, cpu) => out.set(toBytes(map.name, 'value', v, map.valueSize), cpu * slot));
    return out;
  },
  decode(map, b) {
    const slot = roundUp8(map.valueSize);
    return Array.from({ length: map.env.nrCpus }, (_, cpu) => fromBytes(b.subarray(cpu * slot, cpu * slot + map.valueSize)));
  },
};

/** References to maps or programs, exchanged as their u32 ids (where the kernel takes fds and returns ids). */
export const objectCodec: ValueCodec<object> = {
  encode(map, obj) {
    if (typeof obj !== 'object' || obj === null) throw new MapError(map.name, -ERRNO.EINVAL, 'the value must be a map or program object');
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, map.env.idOf(obj), true);
    return b;
  },
  decode(map, b) {
    const id = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
    const obj = map.env.objectById(id);
    if (obj === undefined) throw new MapError(map.name, -ERRNO.ENOENT, `no object has id ${id}`);
    return obj;
  },
};

/**
 * A map with keys: the host-side typed API (`get`, `set`, `delete`, `keys`, `entries`) over the syscall
 * operations. Failures throw a MapError carrying the kernel's errno; absence is `undefined` / `false`.
 */
export abstract class KeyedMap<V> extends BpfMap {
  private readonly codec: ValueCodec<V>;

  constructor(env: MapEnv, attr: MapAttr, codec: ValueCodec<V>) {
    super(env, attr);
    this.codec = codec;
  }

  get(key: HostScalar, flags = 0): V | undefined {
    const r = this.lookupSys(this.keyBytes(key), this.flagsArg(flags));
    if (r === -ERRNO.ENOENT) return undefined;
    if (typeof r === 'number') throw this.failed('lookup', r);
    return this.codec.decode(this, r);
  }

  set(key: HostScalar, value: V, flags = BPF_ANY): void {
    const r = this.updateSys(this.keyBytes(key), this.codec.encode(this, value), this.flagsArg(flags));
    if (r < 0) throw this.failed('update', r);
  }

  /** The syscall's flags: a u32 here (the bits the kernel defines), else a typed error. */
  private flagsArg(flags: unknown): number {
    if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
      throw new MapError(this.name, -ERRNO.EINVAL, `flags must be a u32, got ${describe(flags)}`);
    }
    return flags;
  }

  /** True when an element was deleted, false when there was none. */
  delete(key: HostScalar): boolean {
    const r = this.deleteSys(this.keyBytes(key));
    if (r === -ERRNO.ENOENT) return false;
    if (r < 0) throw this.failed('delete', r);
    return true;
  }

  /** The keys, in get_next_key order. */
  keys(): HostScalar[] {
    const out: HostScalar[] = [];
    let k: Uint8Array | null = null;
    for (;;) {
      const next = this.getNextKey(k);
      if (typeof next === 'number') {
        if (next === -ERRNO.ENOENT) return out;
        throw this.failed('get_next_key', next);
      }
      out.push(this.decodeKey(next));
      k = next;
    }
  }

  entries(): [HostScalar, V][] {
    const out: [HostScalar, V][] = [];
    for (const k of this.keys()) {
      const v = this.get(k);
      if (v !== undefined) out.push([k, v]);
    }
    return out;
  }

  /** How `keys()` shows a key: an integer for sizes 1/2/4/8, bytes otherwise. */
  protected decodeKey(key: Uint8Array): HostScalar {
    return fromBytes(key);
  }

  protected keyBytes(key: HostScalar): Uint8Array {
    return toBytes(this.name, 'key', key, this.keySize);
  }

  private failed(op: string, errno: number): MapError {
    return this.error(errno, `${op} failed: ${errnoName(errno)}`);
  }
}
