/**
 * Register state of the abstract interpreter (include/linux/bpf_verifier.h's bpf_reg_state), the
 * register types of Linux 6.1 with their type-flag modifiers, and the printers the log uses.
 */
import type { MapDef } from '../platform/platform.js';
import { BpfRegType as T, BpfTypeFlag as F } from '../uapi/reg-types.js';
import { TNUM_UNKNOWN, tnumConst, tnumIsConst, tnumIsUnknown, tnumStr, type Tnum, U64 } from './tnum.js';

/** The kernel's register types and flags, by their 6.1 names (T.PTR_TO_PACKET, F.PTR_MAYBE_NULL). */
export { T, F };

export const BASE_MASK = 0xff;
export const baseType = (t: number): number => t & BASE_MASK;
export const typeFlags = (t: number): number => t & ~BASE_MASK;

const TYPE_NAMES = ['?', 'scalar', 'ctx', 'map_ptr', 'map_value', 'map_key', 'fp', 'pkt_meta', 'pkt', 'pkt_end',
  'flow_keys', 'sock', 'sock_common', 'tcp_sock', 'tp_buffer', 'xdp_sock', 'ptr_', 'mem', 'buf', 'func', 'dynptr_ptr'];

/** reg_type_str(). */
export function regTypeStr(t: number): string {
  let postfix = '';
  let prefix = '';
  if (t & F.PTR_MAYBE_NULL) postfix = baseType(t) === T.PTR_TO_BTF_ID ? 'or_null_' : '_or_null';
  if (t & F.MEM_RDONLY) prefix = 'rdonly_';
  if (t & F.MEM_ALLOC) prefix = 'alloc_';
  if (t & F.MEM_USER) prefix = 'user_';
  if (t & F.MEM_PERCPU) prefix = 'percpu_';
  if (t & F.PTR_UNTRUSTED) prefix = 'untrusted_';
  return prefix + TYPE_NAMES[baseType(t)] + postfix;
}

export const enum Live { NONE = 0, READ32 = 1, READ64 = 2, READ = 3, WRITTEN = 4, DONE = 8 }

export interface Reg {
  type: number;
  off: number;
  /** Packet pointers: verified range; PTR_TO_MEM etc: memory size. */
  range: number;
  memSize: number;
  map?: MapDef;
  mapUid: number;
  /** PTR_TO_BTF_ID: the struct name (stands for btf + btf_id). */
  btfName?: string;
  /** PTR_TO_FUNC: subprog index; dynptr type for stack slots. */
  subprogno: number;
  dynptrType: number;
  dynptrFirst: boolean;
  id: number;
  refObjId: number;
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: number;
  s32max: number;
  u32min: number;
  u32max: number;
  frameno: number;
  subregDef: number;
  live: number;
  parent: Reg | null;
  precise: boolean;
}

export const S64_MIN = -(1n << 63n);
export const S64_MAX = (1n << 63n) - 1n;
export const S32_MIN = -0x80000000;
export const S32_MAX = 0x7fffffff;
export const U32_MAX = 0xffffffff;

/**
 * One shape for every register (fast copies, monomorphic accesses). The 32-bit bounds are kept as int32 bit
 * patterns (`x | 0`): V8 then stores them inline as small integers, where a field that ever held 0xffffffff
 * is a pointer to a separate 16-byte heap number (four per register, a third of a register's memory on the
 * 1M-instruction programs). The accessors give the values back as the Reg interface has them.
 */
class RegState implements Reg {
  type = 0; off = 0; range = 0; memSize = 0; map: MapDef | undefined = undefined; mapUid = 0; btfName: string | undefined = undefined;
  subprogno = 0; dynptrType = 0; dynptrFirst = false; id = 0; refObjId = 0; varOff: Tnum = TNUM_UNKNOWN;
  smin = S64_MIN; smax = S64_MAX; umin = 0n; umax = U64;
  /** int32 bit patterns of s32min, s32max, u32min and u32max. */
  b32smin = S32_MIN; b32smax = S32_MAX; b32umin = 0; b32umax = -1;
  frameno = 0; subregDef = 0; live = 0; parent: Reg | null = null; precise = false;
  get s32min(): number { return this.b32smin; }
  set s32min(v: number) { this.b32smin = v | 0; }
  get s32max(): number { return this.b32smax; }
  set s32max(v: number) { this.b32smax = v | 0; }
  get u32min(): number { return this.b32umin >>> 0; }
  set u32min(v: number) { this.b32umin = v | 0; }
  get u32max(): number { return this.b32umax >>> 0; }
  set u32max(v: number) { this.b32umax = v | 0; }
  /** A plain object of the Reg fields (the accessors are not own properties). */
  toJSON(): Record<string, unknown> {
    const { b32smin: _a, b32smax: _b, b32umin: _c, b32umax: _d, ...rest } = this;
    return { ...rest, s32min: this.s32min, s32max: this.s32max, u32min: this.u32min, u32max: this.u32max };
  }
}

export function newReg(): Reg {
  return new RegState();
}

export function copyReg(r: Reg): Reg {
  const c = new RegState();
  assignAll(c, r as RegState);
  return c;
}

/** Every field of src into dst (both made by newReg: every Reg is a RegState). */
function assignAll(d: RegState, r: RegState): void {
  d.type = r.type; d.off = r.off; d.range = r.range; d.memSize = r.memSize; d.map = r.map; d.mapUid = r.mapUid;
  d.btfName = r.btfName; d.subprogno = r.subprogno; d.dynptrType = r.dynptrType; d.dynptrFirst = r.dynptrFirst; d.id = r.id;
  d.refObjId = r.refObjId; d.varOff = r.varOff; d.smin = r.smin; d.smax = r.smax; d.umin = r.umin; d.umax = r.umax;
  d.b32smin = r.b32smin; d.b32smax = r.b32smax; d.b32umin = r.b32umin; d.b32umax = r.b32umax; d.frameno = r.frameno;
  d.subregDef = r.subregDef; d.live = r.live; d.parent = r.parent; d.precise = r.precise;
}

/** `*dst = *src`: every field, the liveness mark and link included (prepare_func_exit's copy of r0). */
export function assignWhole(dst: Reg, src: Reg): void {
  assignAll(dst as RegState, src as RegState);
}

/** a and b hold the same value-state: every field but the liveness mark and link. */
export function sameValue(a: Reg, b: Reg): boolean {
  const x = a as RegState;
  const y = b as RegState;
  return x.type === y.type && x.off === y.off && x.range === y.range && x.memSize === y.memSize && x.map === y.map &&
    x.mapUid === y.mapUid && x.btfName === y.btfName && x.subprogno === y.subprogno && x.dynptrType === y.dynptrType &&
    x.dynptrFirst === y.dynptrFirst && x.id === y.id && x.refObjId === y.refObjId && x.varOff === y.varOff &&
    x.smin === y.smin && x.smax === y.smax && x.umin === y.umin && x.umax === y.umax && x.b32smin === y.b32smin &&
    x.b32smax === y.b32smax && x.b32umin === y.b32umin && x.b32umax === y.b32umax && x.frameno === y.frameno &&
    x.subregDef === y.subregDef && x.precise === y.precise;
}

/** Copy src's value-state into dst, keeping dst's liveness links (like `*dst = *src` then restoring). */
export function assignReg(dst: Reg, src: Reg): void {
  const live = dst.live;
  const parent = dst.parent;
  assignAll(dst as RegState, src as RegState);
  dst.live = live;
  dst.parent = parent;
}

export const isPktPointer = (t: number): boolean => t === T.PTR_TO_PACKET || t === T.PTR_TO_PACKET_META;

export function isPointerType(t: number): boolean {
  return t !== T.SCALAR_VALUE && t !== T.NOT_INIT;
}

/** reg_type_may_be_refcounted_or_null */
export function mayBeRefcountedOrNull(t: number): boolean {
  const b = baseType(t);
  return b === T.PTR_TO_SOCKET || b === T.PTR_TO_TCP_SOCK || b === T.PTR_TO_MEM || b === T.PTR_TO_BTF_ID || b === T.PTR_TO_SOCK_COMMON;
}

/** type_may_be_null */
export const mayBeNull = (t: number): boolean => (t & F.PTR_MAYBE_NULL) !== 0;

export function regIsConst(r: Reg): boolean {
  return r.type === T.SCALAR_VALUE && tnumIsConst(r.varOff);
}

export function constValue(r: Reg): bigint {
  return r.varOff.value;
}

export { tnumConst };

function s64(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

/** One register as print_verifier_state prints it, after `R<n><live>=`. */
export function regValueStr(r: Reg): string {
  const t = r.type;
  let out = '';
  if (t === T.SCALAR_VALUE && r.precise) out += 'P';
  if ((t === T.SCALAR_VALUE || t === T.PTR_TO_STACK) && tnumIsConst(r.varOff)) {
    out += t === T.SCALAR_VALUE ? '' : regTypeStr(t);
    out += String(s64(r.varOff.value + BigInt(r.off)));
    return out;
  }
  out += regTypeStr(t);
  if (baseType(t) === T.PTR_TO_BTF_ID) out += r.btfName ?? '';
  const parts: string[] = [];
  if (r.id) parts.push(`id=${r.id}`);
  if (mayBeRefcountedOrNull(t) && r.refObjId) parts.push(`ref_obj_id=${r.refObjId}`);
  if (t !== T.SCALAR_VALUE) parts.push(`off=${r.off}`);
  if (isPktPointer(t)) parts.push(`r=${r.range}`);
  else if ((baseType(t) === T.CONST_PTR_TO_MAP || baseType(t) === T.PTR_TO_MAP_KEY || baseType(t) === T.PTR_TO_MAP_VALUE) && r.map) {
    parts.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (tnumIsConst(r.varOff)) {
    parts.push(`imm=${r.varOff.value.toString(16)}`);
  } else {
    if (r.smin !== r.umin && r.smin !== S64_MIN) parts.push(`smin=${r.smin}`);
    if (r.smax !== r.umax && r.smax !== S64_MAX) parts.push(`smax=${r.smax}`);
    if (r.umin !== 0n) parts.push(`umin=${r.umin}`);
    if (r.umax !== U64) parts.push(`umax=${r.umax}`);
    if (!tnumIsUnknown(r.varOff)) parts.push(`var_off=${tnumStr(r.varOff)}`);
    if (BigInt(r.s32min) !== r.smin && r.s32min !== S32_MIN) parts.push(`s32_min=${r.s32min}`);
    if (BigInt(r.s32max) !== r.smax && r.s32max !== S32_MAX) parts.push(`s32_max=${r.s32max}`);
    if (BigInt(r.u32min) !== r.umin && r.u32min !== 0) parts.push(`u32_min=${r.u32min | 0}`);
    if (BigInt(r.u32max) !== r.umax && r.u32max !== U32_MAX) parts.push(`u32_max=${r.u32max | 0}`);
  }
  return `${out}(${parts.join(',')})`;
}

export function livenessStr(live: number): string {
  let s = '';
  if (live & (Live.READ | Live.WRITTEN | Live.DONE)) s += '_';
  if (live & Live.READ) s += 'r';
  if (live & Live.WRITTEN) s += 'w';
  if (live & Live.DONE) s += 'D';
  return s;
}

export { tnumConst as _tc };
