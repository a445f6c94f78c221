/**
 * libbpf's bpf_core_calc_relo: from the local spec and a matched target spec (or none), the value the
 * compiler put in the instruction (orig), the value it must hold against the target (new), whether the
 * instruction is checked against orig, the load/store sizes when a field changed size, and whether the
 * instruction is to be poisoned.
 */
import type { BtfType, CoreReloKind } from '../btf/index.js';
import { CoreFail, FIELD_KINDS, RELO_NAME, TYPE_KINDS, type Spec } from './core-spec.js';
import { isAnyEnum, resolveSize, skip } from './core-btf.js';
import { E2BIG, EINVAL, EOPNOTSUPP } from '../uapi/errno.js';

export interface CoreRes {
  orig: bigint;
  value: bigint;
  poison: boolean;
  validate: boolean;
  /** Load/store sizes of the field locally and in the target (0: not a sized field access). */
  origSz: number;
  newSz: number;
  /** The sizes differ and the field is neither a pointer nor an unsigned integer: an LDX/ST/STX is poisoned. */
  failMemsz: boolean;
}

/** Where calc errors are reported: libbpf's `relo %d at insn #%d` names the kind number and the section insn. */
export interface CalcWhere { prog: string; index: number; kindNo: number; secInsn: number; warn: (line: string) => void }

const BTF_INT_SIGNED = 1;

interface FieldVal { value: bigint; size: number; typeId: number; validate: boolean }

/** bpf_core_calc_field_relo for one side; null is libbpf's -EUCLEAN (poison). */
function fieldRelo(kind: CoreReloKind, spec: Spec | null, w: CalcWhere): FieldVal | null {
  if (kind === 'FIELD_EXISTS') return { value: spec === null ? 0n : 1n, size: 0, typeId: 0, validate: true };
  if (spec === null) return null;
  const acc = spec.spec[spec.spec.length - 1]!;
  const btf = spec.btf;
  if (acc.name === undefined) {
    const sz = resolveSize(btf, acc.typeId);
    if (kind === 'FIELD_BYTE_OFFSET') {
      if (sz < 0) throw new CoreFail(-EINVAL);
      return { value: BigInt(Math.floor((spec.bitOffset >>> 0) / 8)), size: sz, typeId: acc.typeId, validate: true };
    }
    if (kind === 'FIELD_BYTE_SIZE') {
      if (sz < 0) throw new CoreFail(-EINVAL);
      return { value: BigInt(sz), size: 0, typeId: 0, validate: true };
    }
    w.warn(`prog '${w.prog}': relo ${w.kindNo} at insn #${w.secInsn} can't be applied to array access`);
    throw new CoreFail(-EINVAL);
  }
  const t = btf.type(acc.typeId) as Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>;
  const m = t.members[acc.idx]!;
  const ms = skip(btf, m.type);
  if (ms === null) throw new CoreFail(-EINVAL);
  const { id: fieldTypeId, t: mt } = ms;
  const bitOff = spec.bitOffset >>> 0;
  let bitSz = m.bitSize;
  const bitfield = bitSz > 0;
  let byteSz: number, byteOff: number;
  if (bitfield) {
    byteSz = (mt as { size?: number }).size ?? 0;
    if (byteSz === 0) throw new CoreFail(-EINVAL); // libbpf would divide by zero
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) {
        w.warn(`prog '${w.prog}': relo ${w.kindNo} at insn #${w.secInsn} can't be satisfied for bitfield`);
        throw new CoreFail(-E2BIG);
      }
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    const sz = resolveSize(btf, fieldTypeId);
    if (sz < 0) throw new CoreFail(-EINVAL);
    byteSz = sz;
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  let validate = !bitfield;
  let value: bigint;
  let size = 0, typeId = 0;
  switch (kind) {
    case 'FIELD_BYTE_OFFSET':
      value = BigInt(byteOff);
      if (!bitfield) {
        size = byteSz;
        typeId = fieldTypeId;
      }
      break;
    case 'FIELD_BYTE_SIZE': value = BigInt(byteSz); break;
    case 'FIELD_SIGNED':
      value = (isAnyEnum(mt) && mt.signed) || (mt.kind === 'INT' && (mt.encoding & BTF_INT_SIGNED) !== 0) ? 1n : 0n;
      validate = true;
      break;
    case 'FIELD_LSHIFT_U64':
      value = BigInt.asUintN(64, BigInt(64 - (bitOff + bitSz - byteOff * 8))); // little-endian target
      break;
    case 'FIELD_RSHIFT_U64':
      value = BigInt.asUintN(64, BigInt(64 - bitSz));
      validate = true;
      break;
    default: throw new CoreFail(-EOPNOTSUPP);
  }
  return { value, size, typeId, validate };
}

/** bpf_core_calc_type_relo for one side (0 when the type was not found). */
function typeRelo(kind: CoreReloKind, spec: Spec | null): bigint {
  if (spec === null) return 0n;
  switch (kind) {
    case 'TYPE_ID_TARGET': return BigInt(spec.rootTypeId);
    case 'TYPE_EXISTS': case 'TYPE_MATCHES': return 1n;
    case 'TYPE_SIZE': {
      const sz = resolveSize(spec.btf, spec.rootTypeId);
      if (sz < 0) throw new CoreFail(-EINVAL);
      return BigInt(sz);
    }
    default: throw new CoreFail(-EOPNOTSUPP);
  }
}

/** bpf_core_calc_enumval_relo for one side; null is -EUCLEAN (poison). */
function enumRelo(kind: CoreReloKind, spec: Spec | null): bigint | null {
  if (kind === 'ENUMVAL_EXISTS') return spec === null ? 0n : 1n;
  if (kind !== 'ENUMVAL_VALUE') throw new CoreFail(-EOPNOTSUPP);
  if (spec === null) return null;
  const acc = spec.spec[0]!;
  const t = spec.btf.type(acc.typeId);
  // btf_enum's val is an s32, widened to the u64 libbpf compares with
  if (t.kind === 'ENUM') return BigInt.asUintN(64, BigInt(t.values[acc.idx]!.value | 0));
  if (t.kind === 'ENUM64') return BigInt.asUintN(64, BigInt(t.values[acc.idx]!.value));
  throw new CoreFail(-EINVAL);
}

const isUnsignedInt = (t: BtfType) => t.kind === 'INT' && t.encoding !== BTF_INT_SIGNED;

/** bpf_core_calc_relo. */
export function calcRelo(kind: CoreReloKind, local: Spec, targ: Spec | null, w: CalcWhere): CoreRes {
  const res: CoreRes = { orig: 0n, value: 0n, poison: false, validate: true, origSz: 0, newSz: 0, failMemsz: false };
  try {
    if (FIELD_KINDS.has(kind)) {
      const l = fieldRelo(kind, local, w)!;
      res.orig = l.value;
      res.origSz = l.size;
      res.validate = l.validate;
      const t = fieldRelo(kind, targ, w);
      if (t === null) {
        res.poison = true;
        return res;
      }
      res.value = t.value;
      res.newSz = t.size;
      if (res.origSz !== res.newSz) {
        const ot = local.btf.type(l.typeId), nt = targ!.btf.type(t.typeId);
        const ok = (ot.kind === 'PTR' && nt.kind === 'PTR') || (isUnsignedInt(ot) && isUnsignedInt(nt));
        res.failMemsz = !ok;
      }
    } else if (TYPE_KINDS.has(kind)) {
      res.orig = typeRelo(kind, local);
      res.validate = kind !== 'TYPE_ID_TARGET';
      res.value = typeRelo(kind, targ);
    } else {
      res.orig = enumRelo(kind, local)!;
      const v = enumRelo(kind, targ);
      if (v === null) res.poison = true;
      else res.value = v;
    }
    return res;
  } catch (e) {
    if (e instanceof CoreFail && e.errno === -EOPNOTSUPP) {
      w.warn(`prog '${w.prog}': relo #${w.index}: unrecognized CO-RE relocation ${RELO_NAME[kind]} (${w.kindNo}) at insn #${w.secInsn}`);
    }
    throw e;
  }
}
