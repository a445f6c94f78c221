/**
 * 64-bit arithmetic on a register file viewed as pairs of 32-bit words (index d = low word, d + 1 =
 * high word), so the interpreter computes without allocating BigInts.
 */
import { Op } from '../src/isa/opcodes.js';

export function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

export function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * The upper 32 bits of the 64-bit product of two unsigned 32-bit words, given the lower 32 bits
 * (Math.imul(al, bl)). The double product is within 2^10 of the exact one (which is below 2^64), so
 * (p - low) / 2^32 lies within 2^-21 of the exact upper word: rounding recovers it.
 */
export function mulHigh(al: number, bl: number, low: number): number {
  return ((al * bl - (low >>> 0)) * 2.3283064365386963e-10 + 0.5) | 0;
}

export function lsh64(U: Uint32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = U[d]!, hi = U[d + 1]!;
  if (n < 32) {
    U[d + 1] = (hi << n) | (lo >>> (32 - n));
    U[d] = lo << n;
  } else {
    U[d + 1] = lo << (n - 32);
    U[d] = 0;
  }
}

export function rsh64(U: Uint32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = U[d]!, hi = U[d + 1]!;
  if (n < 32) {
    U[d] = (lo >>> n) | (hi << (32 - n));
    U[d + 1] = hi >>> n;
  } else {
    U[d] = hi >>> (n - 32);
    U[d + 1] = 0;
  }
}

export function arsh64(U: Uint32Array, S: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const lo = U[d]!, hi = S[d + 1]!;
  if (n < 32) {
    U[d] = (lo >>> n) | (hi << (32 - n));
    U[d + 1] = hi >> n;
  } else {
    U[d] = hi >> (n - 32);
    U[d + 1] = hi >> 31;
  }
}

/** 32-bit atomic read-modify-write at dv[mo]; fetch forms return the old value in the source register. */
export function atomic32(code: number, dv: DataView, mo: number, U: Uint32Array, s: number): void {
  const old = dv.getUint32(mo, true);
  const v = U[s]!;
  switch (code) {
    case Op.ATOMIC_ADD_W: dv.setUint32(mo, (old + v) >>> 0, true); return;
    case Op.ATOMIC_OR_W: dv.setUint32(mo, (old | v) >>> 0, true); return;
    case Op.ATOMIC_AND_W: dv.setUint32(mo, (old & v) >>> 0, true); return;
    case Op.ATOMIC_XOR_W: dv.setUint32(mo, (old ^ v) >>> 0, true); return;
    case Op.ATOMIC_FADD_W: dv.setUint32(mo, (old + v) >>> 0, true); break;
    case Op.ATOMIC_FOR_W: dv.setUint32(mo, (old | v) >>> 0, true); break;
    case Op.ATOMIC_FAND_W: dv.setUint32(mo, (old & v) >>> 0, true); break;
    case Op.ATOMIC_FXOR_W: dv.setUint32(mo, (old ^ v) >>> 0, true); break;
    case Op.ATOMIC_XCHG_W: dv.setUint32(mo, v, true); break;
    case Op.ATOMIC_CMPXCHG_W:
      // Compares with the low 32 bits of r0; the old value lands in r0, zero-extended.
      if (old === U[0]) dv.setUint32(mo, v, true);
      U[0] = old;
      U[1] = 0;
      return;
  }
  U[s] = old;
  U[s + 1] = 0;
}

/** 64-bit atomic read-modify-write at dv[mo]. */
export function atomic64(code: number, dv: DataView, mo: number, R: BigUint64Array, s: number): void {
  const old = dv.getBigUint64(mo, true);
  const v = R[s]!;
  switch (code) {
    case Op.ATOMIC_ADD_DW: dv.setBigUint64(mo, BigInt.asUintN(64, old + v), true); return;
    case Op.ATOMIC_OR_DW: dv.setBigUint64(mo, old | v, true); return;
    case Op.ATOMIC_AND_DW: dv.setBigUint64(mo, old & v, true); return;
    case Op.ATOMIC_XOR_DW: dv.setBigUint64(mo, old ^ v, true); return;
    case Op.ATOMIC_FADD_DW: dv.setBigUint64(mo, BigInt.asUintN(64, old + v), true); break;
    case Op.ATOMIC_FOR_DW: dv.setBigUint64(mo, old | v, true); break;
    case Op.ATOMIC_FAND_DW: dv.setBigUint64(mo, old & v, true); break;
    case Op.ATOMIC_FXOR_DW: dv.setBigUint64(mo, old ^ v, true); break;
    case Op.ATOMIC_XCHG_DW: dv.setBigUint64(mo, v, true); break;
    case Op.ATOMIC_CMPXCHG_DW:
      if (old === R[0]) dv.setBigUint64(mo, v, true);
      R[0] = old;
      return;
  }
  R[s] = old;
}
