/**
 * Fixed slots of `value_size` bytes in one region, each empty or set: the storage of device and CPU
 * maps, whose programs' lookups return the slot's bytes (read-only to them) or NULL when it is empty.
 */
import type { Region } from '../../vm/address-space.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { KeyedMap, scalarCodec } from './keyed.js';
import type { HostScalar } from './codec.js';
import { BPF_F } from './types.js';

export abstract class SlotTable extends KeyedMap<HostScalar> {
  protected readonly values: Region;
  /** 1 for a set slot. */
  protected readonly used: Uint8Array;

  /** The kernel marks these maps BPF_F_RDONLY_PROG itself: a lookup points straight at kernel data. */
  constructor(env: MapEnv, attr: MapAttr, slots: number) {
    super(env, { ...attr, flags: (attr.flags ?? 0) | BPF_F.RDONLY_PROG }, scalarCodec);
    this.values = this.newRegion(slots * this.valueSize, 'entries');
    this.used = new Uint8Array(slots);
  }

  protected refAt(slot: number): ValueRef | null {
    return slot < this.used.length && this.used[slot] === 1 ? { region: this.values, offset: slot * this.valueSize } : null;
  }

  protected put(slot: number, value: Uint8Array): void {
    this.values.bytes.set(value.subarray(0, this.valueSize), slot * this.valueSize);
    this.used[slot] = 1;
  }

  protected clear(slot: number): void {
    this.values.bytes.fill(0, slot * this.valueSize, (slot + 1) * this.valueSize);
    this.used[slot] = 0;
  }

  protected override copyOut(key: Uint8Array): Result<Uint8Array> {
    const ref = this.valueRef(key);
    return ref === null ? -ERRNO.ENOENT : ref.region.bytes.slice(ref.offset, ref.offset + this.valueSize);
  }
}

/** The u32 at `off` of `b`. */
export function u32At(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset + off, 4).getUint32(0, true);
}

/** The s32 at `off` of `b`. */
export function s32At(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset + off, 4).getInt32(0, true);
}
