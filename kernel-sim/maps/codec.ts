import { ERRNO } from './errno.js';
import { MapError } from './error.js';
import { describe } from '../../src/options.js';

/** A key or value as the host gives it: raw bytes, or an integer for sizes 1, 2, 4 and 8 (little-endian). */
export type HostScalar = number | bigint | Uint8Array;

/** Encode a host key or value of `size` bytes; a wrong size is a typed error naming the map. */
export function toBytes(map: string, what: 'key' | 'value', v: HostScalar, size: number): Uint8Array {
  if (v instanceof Uint8Array) {
    if (v.length !== size) throw new MapError(map, -ERRNO.EINVAL, `${what} must be ${size} bytes, got ${v.length}`);
    return v;
  }
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) {
    throw new MapError(map, -ERRNO.EINVAL, `${what} must be ${size} bytes, got an integer (only sizes 1, 2, 4, 8 take one)`);
  }
  if (typeof v !== 'number' && typeof v !== 'bigint') {
    throw new MapError(map, -ERRNO.EINVAL, `${what} must be a Uint8Array, a number or a bigint, got ${describe(v)}`);
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    throw new MapError(map, -ERRNO.EINVAL, `${what} ${v} is not an integer`);
  }
  const n = BigInt(v);
  const bits = BigInt(size * 8);
  if (n >= 1n << bits || n < -(1n << (bits - 1n))) {
    throw new MapError(map, -ERRNO.EINVAL, `${what} ${n} does not fit in ${size} bytes`);
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  switch (size) {
    case 1: dv.setUint8(0, Number(BigInt.asUintN(8, n))); break;
    case 2: dv.setUint16(0, Number(BigInt.asUintN(16, n)), true); break;
    case 4: dv.setUint32(0, Number(BigInt.asUintN(32, n)), true); break;
    case 8: dv.setBigUint64(0, BigInt.asUintN(64, n), true); break;
  }
  return out;
}

/** Decode bytes for the host: unsigned `number` for sizes 1/2/4, `bigint` for 8, a copy of the bytes otherwise. */
export function fromBytes(b: Uint8Array): HostScalar {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (b.length) {
    case 1: return dv.getUint8(0);
    case 2: return dv.getUint16(0, true);
    case 4: return dv.getUint32(0, true);
    case 8: return dv.getBigUint64(0, true);
    default: return b.slice();
  }
}

/** Round up to a multiple of 8 (value slots, ring buffer records); exact for any size up to 2^53, no int32 wrap. */
export function roundUp8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** A byte string as a JS Map key. */
export function byteKey(b: Uint8Array): string {
  return String.fromCharCode(...b);
}
