/**
 * Scalar bounds: the kernel's signed/unsigned 64- and 32-bit ranges kept beside the tnum, their
 * mutual deduction (reg_bounds_sync), the per-operation transfer functions of
 * adjust_scalar_min_max_vals, and branch refinement (is_branch_taken, reg_set_min_max).
 * 64-bit bounds are bigints (umin/umax unsigned, smin/smax signed); 32-bit bounds are numbers.
 */
import { planted } from './plant.js';
import { type Reg, S32_MAX, S32_MIN, S64_MAX, S64_MIN, T, U32_MAX } from './reg-state.js';
import {
  tnumAdd, tnumAnd, tnumArshift, tnumCast, tnumClearSubreg, tnumConst, tnumIntersect, tnumIsConst, tnumLshift,
  tnumMul, tnumOr, tnumRange, tnumRshift, tnumSub, tnumSubreg, tnumSubregIsConst, tnumXor, TNUM_UNKNOWN, U32, U64,
} from './tnum.js';

const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s32 = (x: number): number => x | 0;
const u32 = (x: number): number => x >>> 0;
const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export function markUnbounded(r: Reg): void {
  mark64Unbounded(r);
  mark32Unbounded(r);
}
export function mark64Unbounded(r: Reg): void {
  r.smin = S64_MIN; r.smax = S64_MAX; r.umin = 0n; r.umax = U64;
}
export function mark32Unbounded(r: Reg): void {
  r.s32min = S32_MIN; r.s32max = S32_MAX; r.u32min = 0; r.u32max = U32_MAX;
}

/** ___mark_reg_known: var_off and all bounds from one constant. */
export function setKnown(r: Reg, imm: bigint): void {
  const v = u64(imm);
  r.varOff = tnumConst(v);
  r.smin = s64(v); r.smax = s64(v); r.umin = v; r.umax = v;
  const lo = Number(v & U32);
  r.s32min = s32(lo); r.s32max = s32(lo); r.u32min = lo; r.u32max = lo;
}

/** __mark_reg_known: also clears id/off and the pointer fields. */
export function markKnown(r: Reg, imm: bigint): void {
  r.off = 0; r.id = 0; r.refObjId = 0; r.range = 0; r.map = undefined; r.btfName = undefined; r.memSize = 0;
  setKnown(r, imm);
}

export function mark32Known(r: Reg, v: number): void {
  r.varOff = tnumOr(tnumClearSubreg(r.varOff), tnumConst(BigInt(u32(v))));
  r.s32min = s32(v); r.s32max = s32(v); r.u32min = u32(v); r.u32max = u32(v);
}

export function update32Bounds(r: Reg): void {
  const v = Number(r.varOff.value & U32);
  const m = Number(r.varOff.mask & U32);
  r.s32min = Math.max(r.s32min, s32(v | (m & 0x80000000)));
  r.s32max = Math.min(r.s32max, s32(v | (m & S32_MAX)));
  r.u32min = Math.max(r.u32min, v);
  r.u32max = Math.min(r.u32max, u32(v | m));
}

export function update64Bounds(r: Reg): void {
  const { value, mask } = r.varOff;
  r.smin = maxB(r.smin, s64(value | (mask & (1n << 63n))));
  r.smax = minB(r.smax, s64(value | (mask & S64_MAX)));
  r.umin = maxB(r.umin, value);
  r.umax = minB(r.umax, value | mask);
}

export function updateBounds(r: Reg): void {
  update32Bounds(r);
  update64Bounds(r);
}

function deduce32(r: Reg): void {
  if (r.s32min >= 0 || r.s32max < 0) {
    const lo = Math.max(u32(r.s32min), r.u32min);
    const hi = Math.min(u32(r.s32max), r.u32max);
    r.u32min = lo; r.s32min = s32(lo);
    r.u32max = hi; r.s32max = s32(hi);
    return;
  }
  if (s32(r.u32max) >= 0) {
    r.s32min = s32(r.u32min);
    const hi = Math.min(u32(r.s32max), r.u32max);
    r.u32max = hi; r.s32max = s32(hi);
  } else if (s32(r.u32min) < 0) {
    const lo = Math.max(u32(r.s32min), r.u32min);
    r.u32min = lo; r.s32min = s32(lo);
    r.s32max = s32(r.u32max);
  }
}

function deduce64(r: Reg): void {
  if (r.smin >= 0n || r.smax < 0n) {
    const lo = maxB(u64(r.smin), r.umin);
    const hi = minB(u64(r.smax), r.umax);
    r.umin = lo; r.smin = s64(lo);
    r.umax = hi; r.smax = s64(hi);
    return;
  }
  if (s64(r.umax) >= 0n) {
    r.smin = s64(r.umin);
    const hi = minB(u64(r.smax), r.umax);
    r.umax = hi; r.smax = s64(hi);
  } else if (s64(r.umin) < 0n) {
    const lo = maxB(u64(r.smin), r.umin);
    r.umin = lo; r.smin = s64(lo);
    r.smax = s64(r.umax);
  }
}

export function deduceBounds(r: Reg): void {
  deduce32(r);
  deduce64(r);
}

export function boundOffset(r: Reg): void {
  const v64 = tnumIntersect(r.varOff, tnumRange(r.umin, r.umax));
  const v32 = tnumIntersect(tnumSubreg(v64), tnumRange(BigInt(r.u32min), BigInt(r.u32max)));
  r.varOff = tnumOr(tnumClearSubreg(v64), v32);
}

export function boundsSync(r: Reg): void {
  updateBounds(r);
  deduceBounds(r);
  boundOffset(r);
  updateBounds(r);
}

export function assign32Into64(r: Reg): void {
  r.umin = BigInt(r.u32min);
  r.umax = BigInt(r.u32max);
  if (r.s32min >= 0 && r.s32max >= 0) {
    r.smin = BigInt(r.s32min);
    r.smax = BigInt(r.s32max);
  } else {
    r.smin = 0n;
    r.smax = U32;
  }
}

export function combine32Into64(r: Reg): void {
  if (tnumClearSubreg(r.varOff).value === 0n && tnumClearSubreg(r.varOff).mask === 0n) assign32Into64(r);
  else mark64Unbounded(r);
  boundsSync(r);
}

export function combine64Into32(r: Reg): void {
  mark32Unbounded(r);
  if (r.smin >= BigInt(S32_MIN) && r.smin <= BigInt(S32_MAX) && r.smax >= BigInt(S32_MIN) && r.smax <= BigInt(S32_MAX)) {
    r.s32min = Number(r.smin);
    r.s32max = Number(r.smax);
  }
  if (r.umin <= U32 && r.umax <= U32) {
    r.u32min = Number(r.umin);
    r.u32max = Number(r.umax);
  }
  boundsSync(r);
}

/** zext_32_to_64: a 32-bit result clears the upper half. */
export function zext32To64(r: Reg): void {
  r.varOff = tnumSubreg(r.varOff);
  assign32Into64(r);
}

export function coerceRegToSize(r: Reg, size: number): void {
  r.varOff = tnumCast(r.varOff, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((r.umin & ~mask) === (r.umax & ~mask)) {
    r.umin &= mask;
    r.umax &= mask;
  } else {
    r.umin = 0n;
    r.umax = mask;
  }
  r.smin = r.umin;
  r.smax = r.umax;
  if (size >= 4) return;
  combine64Into32(r);
}

// ------------------------------------------------------------------------------------------------
// Transfer functions of adjust_scalar_min_max_vals.

const sAdd64Overflows = (a: bigint, b: bigint): boolean => { const r = a + b; return r > S64_MAX || r < S64_MIN; };
const sAdd32Overflows = (a: number, b: number): boolean => { const r = a + b; return r > S32_MAX || r < S32_MIN; };

function add32(d: Reg, s: Reg): void {
  if (sAdd32Overflows(d.s32min, s.s32min) || sAdd32Overflows(d.s32max, s.s32max)) {
    d.s32min = S32_MIN; d.s32max = S32_MAX;
  } else { d.s32min += s.s32min; d.s32max += s.s32max; }
  if (d.u32min + s.u32min > U32_MAX || d.u32max + s.u32max > U32_MAX) {
    d.u32min = 0; d.u32max = U32_MAX;
  } else { d.u32min += s.u32min; d.u32max += s.u32max; }
}
function add64(d: Reg, s: Reg): void {
  if (sAdd64Overflows(d.smin, s.smin) || sAdd64Overflows(d.smax, s.smax)) {
    d.smin = S64_MIN; d.smax = S64_MAX;
  } else { d.smin += s.smin; d.smax += s.smax; }
  if (d.umin + s.umin > U64 || d.umax + s.umax > U64) {
    d.umin = 0n; d.umax = U64;
  } else { d.umin += s.umin; d.umax += s.umax; }
}
function sub32(d: Reg, s: Reg): void {
  if (sAdd32Overflows(d.s32min, -s.s32max) || sAdd32Overflows(d.s32max, -s.s32min)) {
    d.s32min = S32_MIN; d.s32max = S32_MAX;
  } else { d.s32min -= s.s32max; d.s32max -= s.s32min; }
  if (d.u32min < s.u32max) { d.u32min = 0; d.u32max = U32_MAX; } else { d.u32min -= s.u32max; d.u32max -= s.u32min; }
}
function sub64(d: Reg, s: Reg): void {
  if (sAdd64Overflows(d.smin, -s.smax) || sAdd64Overflows(d.smax, -s.smin)) {
    d.smin = S64_MIN; d.smax = S64_MAX;
  } else { d.smin -= s.smax; d.smax -= s.smin; }
  if (d.umin < s.umax) { d.umin = 0n; d.umax = U64; } else { d.umin -= s.umax; d.umax -= s.umin; }
}
function mul32(d: Reg, s: Reg): void {
  if (s.s32min < 0 || d.s32min < 0) return mark32Unbounded(d);
  if (s.u32max > 0xffff || d.u32max > 0xffff) return mark32Unbounded(d);
  d.u32min *= s.u32min; d.u32max *= s.u32max;
  if (d.u32max > S32_MAX) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = d.u32min; d.s32max = d.u32max; }
}
function mul64(d: Reg, s: Reg): void {
  if (s.smin < 0n || d.smin < 0n) return mark64Unbounded(d);
  if (s.umax > U32 || d.umax > U32) return mark64Unbounded(d);
  d.umin *= s.umin; d.umax *= s.umax;
  if (d.umax > S64_MAX) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = d.umin; d.smax = d.umax; }
}
function and32(d: Reg, s: Reg): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) return mark32Known(d, Number(v32.value));
  d.u32min = Number(v32.value);
  d.u32max = Math.min(d.u32max, s.u32max);
  if (d.s32min < 0 || s.s32min < 0) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = d.u32min; d.s32max = d.u32max; }
}
function and64(d: Reg, s: Reg): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) return setKnown(d, d.varOff.value);
  d.umin = d.varOff.value;
  d.umax = minB(d.umax, s.umax);
  if (d.smin < 0n || s.smin < 0n) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = d.umin; d.smax = d.umax; }
  updateBounds(d);
}
function or32(d: Reg, s: Reg): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) return mark32Known(d, Number(v32.value));
  d.u32min = Math.max(d.u32min, s.u32min);
  d.u32max = Number(v32.value | v32.mask);
  if (d.s32min < 0 || s.s32min < 0) { d.s32min = S32_MIN; d.s32max = S32_MAX; } else { d.s32min = d.u32min; d.s32max = d.u32max; }
}
function or64(d: Reg, s: Reg): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) return setKnown(d, d.varOff.value);
  d.umin = maxB(d.umin, s.umin);
  d.umax = d.varOff.value | d.varOff.mask;
  if (d.smin < 0n || s.smin < 0n) { d.smin = S64_MIN; d.smax = S64_MAX; } else { d.smin = d.umin; d.smax = d.umax; }
  updateBounds(d);
}
function xor32(d: Reg, s: Reg): void {
  const v32 = tnumSubreg(d.varOff);
  if (tnumSubregIsConst(s.varOff) && tnumSubregIsConst(d.varOff)) return mark32Known(d, Number(v32.value));
  d.u32min = Number(v32.value);
  d.u32max = Number(v32.value | v32.mask);
  if (d.s32min >= 0 && s.s32min >= 0) { d.s32min = d.u32min; d.s32max = d.u32max; } else { d.s32min = S32_MIN; d.s32max = S32_MAX; }
}
function xor64(d: Reg, s: Reg): void {
  if (tnumIsConst(s.varOff) && tnumIsConst(d.varOff)) return setKnown(d, d.varOff.value);
  d.umin = d.varOff.value;
  d.umax = d.varOff.value | d.varOff.mask;
  if (d.smin >= 0n && s.smin >= 0n) { d.smin = d.umin; d.smax = d.umax; } else { d.smin = S64_MIN; d.smax = S64_MAX; }
  updateBounds(d);
}
function lsh32Bounds(d: Reg, umin: bigint, umax: bigint): void {
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  if (umax > 31n || BigInt(d.u32max) > 1n << (31n - umax)) { d.u32min = 0; d.u32max = U32_MAX; } else {
    d.u32min = Number((BigInt(d.u32min) << umin) & U32);
    d.u32max = Number((BigInt(d.u32max) << umax) & U32);
  }
}
function lsh32(d: Reg, s: Reg): void {
  const sub = tnumSubreg(d.varOff);
  lsh32Bounds(d, BigInt(s.u32min), BigInt(s.u32max));
  d.varOff = tnumSubreg(tnumLshift(sub, s.u32min));
  mark64Unbounded(d);
  update32Bounds(d);
}
function lsh64(d: Reg, s: Reg): void {
  const umin = s.umin;
  const umax = s.umax;
  if (umin === 32n && umax === 32n) {
    d.smax = BigInt(d.s32max) << 32n;
    d.smin = BigInt(d.s32min) << 32n;
  } else { d.smax = S64_MAX; d.smin = S64_MIN; }
  if (d.umax > 1n << (63n - umax)) { d.umin = 0n; d.umax = U64; } else {
    d.umin = u64(d.umin << umin); d.umax = u64(d.umax << umax);
  }
  lsh32Bounds(d, umin, umax);
  d.varOff = tnumLshift(d.varOff, Number(umin));
  updateBounds(d);
}
function rsh32(d: Reg, s: Reg): void {
  const sub = tnumSubreg(d.varOff);
  d.s32min = S32_MIN; d.s32max = S32_MAX;
  d.varOff = tnumRshift(sub, s.u32min);
  d.u32min = d.u32min >>> s.u32max;
  d.u32max = d.u32max >>> s.u32min;
  if (s.u32max >= 32) d.u32min = 0;
  mark64Unbounded(d);
  update32Bounds(d);
}
function rsh64(d: Reg, s: Reg): void {
  d.smin = S64_MIN; d.smax = S64_MAX;
  d.varOff = tnumRshift(d.varOff, Number(s.umin));
  d.umin >>= s.umax;
  d.umax >>= s.umin;
  mark32Unbounded(d);
  updateBounds(d);
}
function arsh32(d: Reg, s: Reg): void {
  const sh = s.u32min;
  d.s32min = d.s32min >> sh;
  d.s32max = d.s32max >> sh;
  d.varOff = tnumArshift(tnumSubreg(d.varOff), sh, 32);
  d.u32min = 0; d.u32max = U32_MAX;
  mark64Unbounded(d);
  update32Bounds(d);
}
function arsh64(d: Reg, s: Reg): void {
  const sh = s.umin;
  d.smin >>= sh;
  d.smax >>= sh;
  d.varOff = tnumArshift(d.varOff, Number(sh), 64);
  d.umin = 0n; d.umax = U64;
  mark32Unbounded(d);
  updateBounds(d);
}

/** A fresh unknown scalar in place (the kernel's __mark_reg_unknown). */
export function markUnknownScalar(r: Reg, precise: boolean): void {
  r.type = T.SCALAR_VALUE; r.off = 0; r.id = 0; r.refObjId = 0; r.range = 0; r.map = undefined; r.mapUid = 0;
  r.btfName = undefined; r.memSize = 0; r.subprogno = 0; r.dynptrType = 0; r.dynptrFirst = false;
  r.varOff = TNUM_UNKNOWN; r.frameno = 0; r.precise = precise;
  markUnbounded(r);
}

export type ScalarOp = 'add' | 'sub' | 'mul' | 'div' | 'or' | 'and' | 'lsh' | 'rsh' | 'neg' | 'mod' | 'xor' | 'mov' | 'arsh';

/**
 * adjust_scalar_min_max_vals: dst op= src on two scalars. Returns nothing; `precise` is the
 * value a fresh unknown gets (true when unprivileged).
 */
export function scalarAlu(op: ScalarOp, alu32: boolean, d: Reg, s: Reg, precise: boolean): void {
  const bits = alu32 ? 32n : 64n;
  let known: boolean;
  if (alu32) {
    known = tnumSubregIsConst(s.varOff);
    if ((known && (s.s32min !== s.s32max || s.u32min !== s.u32max)) || s.s32min > s.s32max || s.u32min > s.u32max) {
      markUnknownScalar(d, precise);
      return;
    }
  } else {
    known = tnumIsConst(s.varOff);
    if ((known && (s.smin !== s.smax || s.umin !== s.umax)) || s.smin > s.smax || s.umin > s.umax) {
      markUnknownScalar(d, precise);
      return;
    }
  }
  if (!known && op !== 'add' && op !== 'sub' && op !== 'and') {
    markUnknownScalar(d, precise);
    return;
  }
  switch (op) {
    case 'add':
      add32(d, s); add64(d, s);
      d.varOff = tnumAdd(d.varOff, s.varOff);
      break;
    case 'sub':
      sub32(d, s); sub64(d, s);
      d.varOff = tnumSub(d.varOff, s.varOff);
      break;
    case 'mul':
      d.varOff = tnumMul(d.varOff, s.varOff);
      mul32(d, s); mul64(d, s);
      break;
    case 'and':
      d.varOff = tnumAnd(d.varOff, s.varOff);
      and32(d, s); and64(d, s);
      break;
    case 'or':
      d.varOff = tnumOr(d.varOff, s.varOff);
      or32(d, s); or64(d, s);
      break;
    case 'xor':
      d.varOff = tnumXor(d.varOff, s.varOff);
      xor32(d, s); xor64(d, s);
      break;
    case 'lsh':
    case 'rsh':
    case 'arsh':
      if (s.umax >= bits) { markUnknownScalar(d, precise); break; }
      if (op === 'lsh') (alu32 ? lsh32 : lsh64)(d, s);
      else if (op === 'rsh') (alu32 ? rsh32 : rsh64)(d, s);
      else (alu32 ? arsh32 : arsh64)(d, s);
      break;
    default:
      markUnknownScalar(d, precise);
      break;
  }
  if (alu32) zext32To64(d);
  boundsSync(d);
}

// ------------------------------------------------------------------------------------------------
// Branches.

export type Cond = 'eq' | 'ne' | 'set' | 'gt' | 'ge' | 'lt' | 'le' | 'sgt' | 'sge' | 'slt' | 'sle';

export const FLIP: Record<Cond, Cond> = {
  eq: 'eq', ne: 'ne', set: 'set', ge: 'le', gt: 'lt', le: 'ge', lt: 'gt', sge: 'sle', sgt: 'slt', sle: 'sge', slt: 'sgt',
};

/** is_branch32_taken / is_branch64_taken on a scalar: 1 taken, 0 not, -1 unknown. */
export function scalarBranchTaken(r: Reg, val: bigint, op: Cond, is32: boolean): number {
  if (is32) {
    const v = Number(val & U32);
    const sv = v | 0;
    const sub = tnumSubreg(r.varOff);
    switch (op) {
      case 'eq': if (tnumIsConst(sub)) return Number(sub.value) === v ? 1 : 0; break;
      case 'ne': if (tnumIsConst(sub)) return Number(sub.value) !== v ? 1 : 0; break;
      case 'set':
        if (Number(~sub.mask & sub.value & BigInt(v))) return 1;
        if (!Number((sub.mask | sub.value) & BigInt(v))) return 0;
        break;
      case 'gt': if (r.u32min > v) return 1; if (r.u32max <= v) return 0; break;
      case 'sgt': if (r.s32min > sv) return 1; if (r.s32max <= sv) return 0; break;
      case 'lt': if (r.u32max < v) return 1; if (r.u32min >= v) return 0; break;
      case 'slt': if (r.s32max < sv) return 1; if (r.s32min >= sv) return 0; break;
      case 'ge': if (r.u32min >= v) return 1; if (r.u32max < v) return 0; break;
      case 'sge': if (r.s32min >= sv) return 1; if (r.s32max < sv) return 0; break;
      case 'le': if (r.u32max <= v) return 1; if (r.u32min > v) return 0; break;
      case 'sle': if (r.s32max <= sv) return 1; if (r.s32min > sv) return 0; break;
    }
    return -1;
  }
  const v = u64(val);
  const sv = s64(val);
  switch (op) {
    case 'eq': if (tnumIsConst(r.varOff)) return r.varOff.value === v ? 1 : 0; break;
    case 'ne': if (tnumIsConst(r.varOff)) return r.varOff.value !== v ? 1 : 0; break;
    case 'set':
      if (~r.varOff.mask & r.varOff.value & v) return 1;
      if (!((r.varOff.mask | r.varOff.value) & v)) return 0;
      break;
    case 'gt': if (r.umin > v) return 1; if (r.umax <= v) return 0; break;
    case 'sgt': if (r.smin > sv) return 1; if (r.smax <= sv) return 0; break;
    case 'lt': if (r.umax < v) return 1; if (r.umin >= v) return 0; break;
    case 'slt': if (r.smax < sv) return 1; if (r.smin >= sv) return 0; break;
    case 'ge': if (r.umin >= v) return 1; if (r.umax < v) return 0; break;
    case 'sge': if (r.smin >= sv) return 1; if (r.smax < sv) return 0; break;
    case 'le': if (r.umax <= v) return 1; if (r.umin > v) return 0; break;
    case 'sle': if (r.smax <= sv) return 1; if (r.smin > sv) return 0; break;
  }
  return -1;
}

const isPow2 = (x: bigint): boolean => x !== 0n && (x & (x - 1n)) === 0n;

/** reg_set_min_max: refine the scalar in both successors of `reg op val`. */
export function regSetMinMax(tr: Reg, fr: Reg, val: bigint, op: Cond, is32: boolean): void {
  if (fr.type !== T.SCALAR_VALUE) return;
  const val64 = u64(val);
  const val32 = Number(val64 & U32);
  let f32 = tnumSubreg(fr.varOff);
  let f64 = fr.varOff;
  let t32 = tnumSubreg(tr.varOff);
  let t64 = tr.varOff;
  const sval = s64(val64);
  const sval32 = val32 | 0;
  switch (op) {
    case 'eq':
      if (is32) { mark32Known(tr, val32); t32 = tnumSubreg(tr.varOff); } else { setKnown(tr, val64); t64 = tr.varOff; }
      break;
    case 'ne':
      if (is32) { mark32Known(fr, val32); f32 = tnumSubreg(fr.varOff); } else { setKnown(fr, val64); f64 = fr.varOff; }
      break;
    case 'set':
      markUnbounded(fr);
      if (is32) {
        f32 = tnumAnd(f32, tnumConst(BigInt(~val32 >>> 0)));
        if (isPow2(BigInt(val32))) t32 = tnumOr(t32, tnumConst(BigInt(val32)));
      } else {
        f64 = tnumAnd(f64, tnumConst(~val64 & U64));
        if (isPow2(val64)) t64 = tnumOr(t64, tnumConst(val64));
      }
      break;
    case 'ge':
    case 'gt':
      if (is32) {
        const fmax = op === 'gt' ? val32 : u32(val32 - 1);
        const tmin = op === 'gt' ? u32(val32 + 1) : val32;
        fr.u32max = Math.min(fr.u32max, planted === 'jmp-narrow-too-far' && fmax > 0 ? fmax - 1 : fmax);
        tr.u32min = Math.max(tr.u32min, tmin);
      } else {
        const fmax = op === 'gt' ? val64 : u64(val64 - 1n);
        const tmin = op === 'gt' ? u64(val64 + 1n) : val64;
        fr.umax = minB(fr.umax, planted === 'jmp-narrow-too-far' && fmax > 0n ? fmax - 1n : fmax);
        tr.umin = maxB(tr.umin, tmin);
      }
      break;
    case 'sge':
    case 'sgt':
      if (is32) {
        const fmax = op === 'sgt' ? sval32 : s32(sval32 - 1);
        const tmin = op === 'sgt' ? s32(sval32 + 1) : sval32;
        fr.s32max = Math.min(fr.s32max, fmax);
        tr.s32min = Math.max(tr.s32min, tmin);
      } else {
        const fmax = op === 'sgt' ? sval : s64(sval - 1n);
        const tmin = op === 'sgt' ? s64(sval + 1n) : sval;
        fr.smax = minB(fr.smax, fmax);
        tr.smin = maxB(tr.smin, tmin);
      }
      break;
    case 'le':
    case 'lt':
      if (is32) {
        const fmin = op === 'lt' ? val32 : u32(val32 + 1);
        const tmax = op === 'lt' ? u32(val32 - 1) : val32;
        fr.u32min = Math.max(fr.u32min, fmin);
        tr.u32max = Math.min(tr.u32max, tmax);
      } else {
        const fmin = op === 'lt' ? val64 : u64(val64 + 1n);
        const tmax = op === 'lt' ? u64(val64 - 1n) : val64;
        fr.umin = maxB(fr.umin, fmin);
        tr.umax = minB(tr.umax, tmax);
      }
      break;
    case 'sle':
    case 'slt':
      if (is32) {
        const fmin = op === 'slt' ? sval32 : s32(sval32 + 1);
        const tmax = op === 'slt' ? s32(sval32 - 1) : sval32;
        fr.s32min = Math.max(fr.s32min, fmin);
        tr.s32max = Math.min(tr.s32max, tmax);
      } else {
        const fmin = op === 'slt' ? sval : s64(sval + 1n);
        const tmax = op === 'slt' ? s64(sval - 1n) : sval;
        fr.smin = maxB(fr.smin, fmin);
        tr.smax = minB(tr.smax, tmax);
      }
      break;
  }
  if (is32) {
    fr.varOff = tnumOr(tnumClearSubreg(f64), tnumSubreg(f32));
    tr.varOff = tnumOr(tnumClearSubreg(t64), tnumSubreg(t32));
    combine32Into64(fr);
    combine32Into64(tr);
  } else {
    fr.varOff = f64;
    tr.varOff = t64;
    combine64Into32(fr);
    combine64Into32(tr);
  }
}

/** __reg_combine_min_max for `if rX == rY`. */
export function combineMinMax(a: Reg, b: Reg): void {
  a.umin = b.umin = maxB(a.umin, b.umin);
  a.umax = b.umax = minB(a.umax, b.umax);
  a.smin = b.smin = maxB(a.smin, b.smin);
  a.smax = b.smax = minB(a.smax, b.smax);
  a.varOff = b.varOff = tnumIntersect(a.varOff, b.varOff);
  boundsSync(a);
  boundsSync(b);
}

export { tnumRange };
