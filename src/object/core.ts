/**
 * CO-RE relocations resolved as libbpf's relo_core.c resolves them (bpf_core_calc_relo_insn and
 * bpf_core_patch_insn): the local access spec is parsed from the object's BTF, candidates are the target
 * types of the same kind whose essential name (without a `___flavour` suffix) matches, each candidate's
 * spec is matched member by member, and all matching candidates must agree. Relocations that cannot be
 * resolved but that libbpf tolerates poison their instruction (`call 0xbad2310`, as libbpf does), so the
 * program fails only if it reaches it; everything libbpf refuses is a LoadError naming the relocation.
 *
 * Pure: the target BTF (the simulated kernel's) is passed in.
 */
import type { Btf, BtfType, CoreReloKind } from '../btf/index.js';
import { LoadError } from '../errors.js';
import { Cls, LDDW_HI, lookupOp, Op, Size, UNKNOWN, type Insn } from '../isa/index.js';
import type { ProgramCoreRelo } from './types.js';

/** The helper id libbpf puts in a poisoned instruction (`call 0xbad2310`, "invalid func unknown#195896080"). */
export const CORE_POISON_IMM = 0xbad2310;
/** BPF_CORE_SPEC_MAX_LEN. */
const SPEC_MAX_LEN = 64;

export interface CoreRelocated {
  insns: Insn[];
  /** Poisoned instructions: slot index → why (naming the relocation). */
  poisoned: Map<number, string>;
  /** What each relocation did, libbpf's debug lines in spirit. */
  log: string[];
}

interface Accessor { typeId: number; idx: number; name: string | undefined }
interface Spec {
  btf: Btf;
  rootTypeId: number;
  kind: CoreReloKind;
  /** Accessors: named members, array indexes (name undefined), or the enumerator. */
  spec: Accessor[];
  raw: number[];
  bitOffset: number;
}
interface Res { orig: bigint; value: bigint; poison: boolean; validate: boolean; origSz: number; newSz: number; failMemsz: boolean }

class CoreError extends Error {}

const FIELD_KINDS = new Set<CoreReloKind>(['FIELD_BYTE_OFFSET', 'FIELD_BYTE_SIZE', 'FIELD_EXISTS', 'FIELD_SIGNED', 'FIELD_LSHIFT_U64', 'FIELD_RSHIFT_U64']);
const TYPE_KINDS = new Set<CoreReloKind>(['TYPE_ID_LOCAL', 'TYPE_ID_TARGET', 'TYPE_EXISTS', 'TYPE_SIZE', 'TYPE_MATCHES']);
const ENUMVAL_KINDS = new Set<CoreReloKind>(['ENUMVAL_EXISTS', 'ENUMVAL_VALUE']);
const RELO_NAME: Record<CoreReloKind, string> = {
  FIELD_BYTE_OFFSET: 'byte_off', FIELD_BYTE_SIZE: 'byte_sz', FIELD_EXISTS: 'field_exists', FIELD_SIGNED: 'signed',
  FIELD_LSHIFT_U64: 'lshift_u64', FIELD_RSHIFT_U64: 'rshift_u64', TYPE_ID_LOCAL: 'local_type_id',
  TYPE_ID_TARGET: 'target_type_id', TYPE_EXISTS: 'type_exists', TYPE_SIZE: 'type_size', ENUMVAL_EXISTS: 'enumval_exists',
  ENUMVAL_VALUE: 'enumval_value', TYPE_MATCHES: 'type_matches',
};

/** bpf_core_essential_name_len: a name up to its last `X___Y` flavour separator. */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') {
      return name.slice(0, i + 1);
    }
  }
  return name;
}

/** Apply a program's CO-RE relocations against `target` (the kernel's BTF). */
export function applyCoreRelos(prog: string, insns: readonly Insn[], relos: readonly ProgramCoreRelo[], local: Btf,
  target: Btf): CoreRelocated {
  const out = insns.slice();
  const poisoned = new Map<number, string>();
  const log: string[] = [];
  const cands = new Map<number, number[]>();
  relos.forEach((relo, idx) => {
    const localType = local.type(relo.typeId);
    const what = `relo #${idx}: <${RELO_NAME[relo.kind]}> [${relo.typeId}] ${describe(local, relo.typeId)} + ${relo.access}`;
    const fail = (detail: string): never => {
      throw new LoadError(`prog '${prog}': ${what}: ${detail}`, { insn: relo.insn, section: '.BTF.ext' });
    };
    let localSpec: Spec;
    try {
      localSpec = parseSpec(local, relo.typeId, relo.access, relo.kind);
    } catch (e) {
      if (e instanceof CoreError) fail(`parsing [${relo.typeId}] ${describe(local, relo.typeId)} + ${relo.access} failed: ${e.message}`);
      throw e;
    }
    let res: Res;
    let targSpec: Spec | null = null;
    try {
      if (relo.kind === 'TYPE_ID_LOCAL') {
        res = { orig: BigInt(relo.typeId), value: BigInt(relo.typeId), poison: false, validate: true, origSz: 0, newSz: 0, failMemsz: false };
      } else {
        if (localType.name === '') fail('CO-RE relocations of anonymous types are not supported (target candidate search failed)');
        let list = cands.get(relo.typeId);
        if (list === undefined) cands.set(relo.typeId, (list = findCandidates(local, relo.typeId, target)));
        let found: Res | null = null;
        for (const id of list) {
          const cand = matchSpec(localSpec, target, id);
          if (cand === null) continue;
          const r = calcRelo(relo.kind, localSpec, cand);
          if (found === null) {
            found = r;
            targSpec = cand;
          } else if (cand.bitOffset !== targSpec!.bitOffset) {
            fail(`field offset ambiguity: ${cand.bitOffset} != ${targSpec!.bitOffset}`);
          } else if (r.poison !== found.poison || r.value !== found.value) {
            fail(`relocation decision ambiguity: ${found.value} != ${r.value}`);
          }
        }
        res = found ?? calcRelo(relo.kind, localSpec, null);
      }
    } catch (e) {
      if (e instanceof CoreError) fail(e.message);
      throw e;
    }
    const target_ = targSpec === null ? '<none>' : `[${targSpec.rootTypeId}] ${describe(target, targSpec.rootTypeId)} + ${targSpec.raw.join(':')}`;
    if (res.poison) {
      poison(out, relo.insn, poisoned, `failed to resolve CO-RE relocation ${formatSpec(localSpec)} (relo #${idx}: no match in the kernel's BTF; libbpf poisoned this instruction)`);
      log.push(`${what} => poisoned insn #${relo.insn}`);
      return;
    }
    const why = patchInsn(out, relo.insn, res, what);
    if (why !== null) {
      poison(out, relo.insn, poisoned, why);
      log.push(`${what} => poisoned insn #${relo.insn}`);
      return;
    }
    log.push(`${what} => ${target_}: insn #${relo.insn} ${res.orig} -> ${res.value}`);
  });
  return { insns: out, poisoned, log };
}

/** bpf_core_format_spec: `<byte_off> [10] struct task_struct___future.no_such_field (0:1 @ offset 8)`. */
function formatSpec(spec: Spec): string {
  const t = spec.btf.type(spec.rootTypeId);
  let s = `<${RELO_NAME[spec.kind]}> [${spec.rootTypeId}] ${t.kind.toLowerCase()} ${t.name === '' ? '<anon>' : t.name}`;
  if (TYPE_KINDS.has(spec.kind)) return s;
  if (ENUMVAL_KINDS.has(spec.kind)) {
    const e = skip(spec.btf, spec.rootTypeId).t as Extract<BtfType, { kind: 'ENUM' | 'ENUM64' }>;
    const v = e.values[spec.raw[0]!]!;
    return `${s}::${v.name} = ${v.value}`;
  }
  spec.spec.forEach((a, i) => {
    if (a.name !== undefined) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx}]`;
  });
  const off = spec.bitOffset % 8 ? `${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8}` : `${spec.bitOffset / 8}`;
  return `${s} (${spec.raw.join(':')} @ offset ${off})`;
}

function describe(btf: Btf, id: number): string {
  const t = btf.type(id);
  const k = t.kind.toLowerCase();
  return t.name === '' ? k : `${k} ${t.name}`;
}

/** skip_mods_and_typedefs: the resolved id. */
function skip(btf: Btf, id: number): { id: number; t: BtfType } {
  const rid = btf.resolve(id);
  return { id: rid, t: btf.type(rid) };
}

function resolveSize(btf: Btf, id: number): number {
  try {
    return btf.sizeOf(id);
  } catch {
    throw new CoreError(`type [${id}] has no size`);
  }
}

const isComposite = (t: BtfType) => t.kind === 'STRUCT' || t.kind === 'UNION';
const isEnum = (t: BtfType) => t.kind === 'ENUM' || t.kind === 'ENUM64';
/** btf_kind_core_compat: the same kind, or enum and enum64. */
const kindCompat = (a: BtfType, b: BtfType) => a.kind === b.kind || (isEnum(a) && isEnum(b));

/** bpf_core_parse_spec. */
function parseSpec(btf: Btf, typeId: number, access: string, kind: CoreReloKind): Spec {
  const spec: Spec = { btf, rootTypeId: typeId, kind, spec: [], raw: [], bitOffset: 0 };
  if (access === '' || access.startsWith(':')) throw new CoreError(`bad access string "${access}"`);
  if (TYPE_KINDS.has(kind)) {
    if (access !== '0') throw new CoreError(`type relocation with access string "${access}" (not "0")`);
    return spec;
  }
  for (const part of access.split(':')) {
    if (!/^\d+$/.test(part)) throw new CoreError(`bad access string "${access}"`);
    if (spec.raw.length === SPEC_MAX_LEN) throw new CoreError('access string too long');
    spec.raw.push(Number(part));
  }
  let { id, t } = skip(btf, typeId);
  const first = spec.raw[0]!;
  if (ENUMVAL_KINDS.has(kind)) {
    if ((t.kind !== 'ENUM' && t.kind !== 'ENUM64') || spec.raw.length > 1 || first >= t.values.length) {
      throw new CoreError('enumerator access does not name an enumerator');
    }
    spec.spec.push({ typeId: id, idx: first, name: t.values[first]!.name });
    return spec;
  }
  if (!FIELD_KINDS.has(kind)) throw new CoreError(`relocation kind ${kind} is not supported`);
  spec.spec.push({ typeId: id, idx: first, name: undefined });
  spec.bitOffset = first * resolveSize(btf, id) * 8;
  for (const idx of spec.raw.slice(1)) {
    ({ id, t } = skip(btf, id));
    if (isComposite(t)) {
      const c = t as Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>;
      const m = c.members[idx];
      if (m === undefined) throw new CoreError(`member #${idx} of ${describe(btf, id)} does not exist`);
      spec.bitOffset += m.bitOffset;
      if (m.name !== '') spec.spec.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'ARRAY') {
      const flex = isFlexArray(btf, spec.spec[spec.spec.length - 1], t.nelems);
      ({ id } = skip(btf, t.type));
      if (!flex && idx >= t.nelems) throw new CoreError(`index ${idx} is past the array's ${t.nelems} elements`);
      spec.spec.push({ typeId: id, idx, name: undefined });
      spec.bitOffset += idx * resolveSize(btf, id) * 8;
    } else {
      throw new CoreError(`relo for [${typeId}] ${describe(btf, typeId)} (at idx ${idx}) captures type [${id}] of unexpected kind ${t.kind.toLowerCase()}`);
    }
  }
  return spec;
}

/** is_flex_arr: a zero-length array that is the last member of its struct. */
function isFlexArray(btf: Btf, acc: Accessor | undefined, nelems: number): boolean {
  if (nelems !== 0 || acc?.name === undefined) return false;
  const t = btf.type(acc.typeId);
  return (t.kind === 'STRUCT' || t.kind === 'UNION') && acc.idx === t.members.length - 1;
}

/** bpf_core_find_cands: target types of a compatible kind whose essential names match. */
function findCandidates(local: Btf, typeId: number, target: Btf): number[] {
  const lt = local.type(typeId);
  const name = essentialName(lt.name);
  const out: number[] = [];
  target.types.forEach((t, id) => {
    if (id === 0 || t.name === '' || !kindCompat(t, lt)) return;
    if (essentialName(t.name) === name) out.push(id);
  });
  return out;
}

/** bpf_core_spec_match: the target spec of a candidate, or null when it does not match. */
function matchSpec(local: Spec, btf: Btf, targId: number): Spec | null {
  const targ: Spec = { btf, rootTypeId: targId, kind: local.kind, spec: [], raw: [], bitOffset: 0 };
  if (TYPE_KINDS.has(local.kind)) return typesCompat(local.btf, local.rootTypeId, btf, targId, 32) ? targ : null;
  if (ENUMVAL_KINDS.has(local.kind)) {
    const { id, t } = skip(btf, targId);
    if (t.kind !== 'ENUM' && t.kind !== 'ENUM64') return null;
    const want = essentialName(local.spec[0]!.name!);
    const i = t.values.findIndex((v) => essentialName(v.name) === want);
    if (i < 0) return null;
    targ.spec.push({ typeId: id, idx: i, name: t.values[i]!.name });
    targ.raw.push(i);
    return targ;
  }
  let id = targId;
  for (let i = 0; i < local.spec.length; i++) {
    const acc = local.spec[i]!;
    if (acc.name !== undefined) {
      const next = matchMember(local.btf, acc, btf, id, targ);
      if (next === null) return null;
      id = next;
    } else {
      if (i > 0) {
        const s = skip(btf, id);
        if (s.t.kind !== 'ARRAY') return null;
        const flex = isFlexArray(btf, targ.spec[targ.spec.length - 1], s.t.nelems);
        if (!flex && acc.idx >= s.t.nelems) return null;
        id = skip(btf, s.t.type).id;
      }
      if (targ.raw.length === SPEC_MAX_LEN) throw new CoreError('too deep struct/union/array nesting');
      targ.spec.push({ typeId: id, idx: acc.idx, name: undefined });
      targ.raw.push(acc.idx);
      targ.bitOffset += acc.idx * resolveSize(btf, id) * 8;
    }
  }
  return targ;
}

/** bpf_core_match_member: find the local member by name in the target (through anonymous members). */
function matchMember(lbtf: Btf, acc: Accessor, btf: Btf, targId: number, spec: Spec): number | null {
  const local = lbtf.type(acc.typeId) as Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>;
  const lm = local.members[acc.idx]!;
  const { id, t } = skip(btf, targId);
  if (!isComposite(t)) return null;
  const members = (t as Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>).members;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (spec.raw.length === SPEC_MAX_LEN) throw new CoreError('too deep struct/union/array nesting');
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const found = matchMember(lbtf, acc, btf, m.type, spec);
      if (found !== null) return found;
    } else if (m.name === lm.name) {
      if (!fieldsCompat(lbtf, lm.type, btf, m.type, 32)) return null;
      spec.spec.push({ typeId: id, idx: i, name: m.name });
      return m.type;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return null;
}

/** bpf_core_fields_are_compat. */
function fieldsCompat(lbtf: Btf, lid: number, tbtf: Btf, tid: number, depth: number): boolean {
  if (depth <= 0) throw new CoreError('type chain too deep');
  const l = skip(lbtf, lid).t, t = skip(tbtf, tid).t;
  if (isComposite(l) && isComposite(t)) return true;
  if (!kindCompat(l, t)) return false;
  switch (l.kind) {
    case 'PTR': case 'FLOAT': return true;
    case 'FWD': case 'ENUM': case 'ENUM64': {
      const a = essentialName(l.name), b = essentialName(t.name);
      return a === '' || b === '' || a === b;
    }
    case 'INT': return l.bitOffset === 0 && (t as typeof l).bitOffset === 0;
    case 'ARRAY': return fieldsCompat(lbtf, l.type, tbtf, (t as typeof l).type, depth - 1);
    default: return false;
  }
}

/** bpf_core_types_are_compat: what type-based relocations and typed `__ksym` externs require. */
export function coreTypesCompat(local: Btf, localId: number, target: Btf, targetId: number): boolean {
  try {
    return typesCompat(local, localId, target, targetId, 32);
  } catch (e) {
    if (e instanceof CoreError) return false;
    throw e;
  }
}

/** bpf_core_types_are_compat (type-based relocations). */
function typesCompat(lbtf: Btf, lid: number, tbtf: Btf, tid: number, depth: number): boolean {
  if (depth <= 0) throw new CoreError('type chain too deep');
  const l = skip(lbtf, lid).t, t = skip(tbtf, tid).t;
  if (!kindCompat(l, t)) return false;
  switch (l.kind) {
    case 'VOID': case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'FWD': return true;
    case 'INT': return l.bitOffset === 0 && (t as typeof l).bitOffset === 0;
    case 'PTR': return typesCompat(lbtf, l.type, tbtf, (t as typeof l).type, depth - 1);
    case 'ARRAY': return typesCompat(lbtf, l.type, tbtf, (t as typeof l).type, depth - 1);
    case 'FUNC_PROTO': {
      const tp = t as typeof l;
      if (l.params.length !== tp.params.length) return false;
      if (!l.params.every((p, i) => typesCompat(lbtf, p.type, tbtf, tp.params[i]!.type, depth - 1))) return false;
      return typesCompat(lbtf, l.returnType, tbtf, tp.returnType, depth - 1);
    }
    default: return false;
  }
}

/** bpf_core_calc_relo: the local (expected) and target values; poison where libbpf poisons. */
function calcRelo(kind: CoreReloKind, local: Spec, targ: Spec | null): Res {
  const res: Res = { orig: 0n, value: 0n, poison: false, validate: true, origSz: 0, newSz: 0, failMemsz: false };
  if (FIELD_KINDS.has(kind)) {
    const l = fieldRelo(kind, local);
    res.orig = l.value;
    res.origSz = l.size;
    res.validate = l.validate;
    if (kind === 'FIELD_EXISTS') {
      res.value = targ === null ? 0n : 1n;
      return res;
    }
    if (targ === null) {
      res.poison = true;
      return res;
    }
    const t = fieldRelo(kind, targ);
    res.value = t.value;
    res.newSz = t.size;
    if (res.origSz !== res.newSz) {
      const ot = local.btf.type(l.typeId), nt = targ.btf.type(t.typeId);
      const unsignedInt = (x: BtfType) => x.kind === 'INT' && (x.encoding & 1) === 0;
      const ok = (ot.kind === 'PTR' && nt.kind === 'PTR') || (unsignedInt(ot) && unsignedInt(nt));
      res.failMemsz = !ok;
    }
    return res;
  }
  if (TYPE_KINDS.has(kind)) {
    res.orig = typeRelo(kind, local);
    res.value = targ === null ? 0n : typeRelo(kind, targ);
    return res;
  }
  res.orig = enumRelo(kind, local);
  if (targ === null) {
    if (kind === 'ENUMVAL_VALUE') res.poison = true;
    return res;
  }
  res.value = enumRelo(kind, targ);
  return res;
}

/** bpf_core_calc_field_relo for one side. */
function fieldRelo(kind: CoreReloKind, spec: Spec): { value: bigint; size: number; typeId: number; validate: boolean } {
  if (kind === 'FIELD_EXISTS') return { value: 1n, size: 0, typeId: 0, validate: true };
  const acc = spec.spec[spec.spec.length - 1]!;
  const btf = spec.btf;
  if (acc.name === undefined) {
    const sz = resolveSize(btf, acc.typeId);
    if (kind === 'FIELD_BYTE_OFFSET') return { value: BigInt(spec.bitOffset / 8), size: sz, typeId: acc.typeId, validate: true };
    if (kind === 'FIELD_BYTE_SIZE') return { value: BigInt(sz), size: 0, typeId: 0, validate: true };
    throw new CoreError(`relocation ${RELO_NAME[kind]} can't be applied to array access`);
  }
  const t = btf.type(acc.typeId) as Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>;
  const m = t.members[acc.idx]!;
  const { id: fieldTypeId, t: mtype } = skip(btf, m.type);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitSize;
  const bitfield = bitSz > 0;
  let byteSz: number, byteOff: number;
  if (bitfield) {
    byteSz = resolveSize(btf, fieldTypeId);
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new CoreError('bitfield can\'t be read with a 64-bit read');
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = resolveSize(btf, fieldTypeId);
    byteOff = bitOff / 8;
    bitSz = byteSz * 8;
  }
  let validate = !bitfield;
  let value: bigint;
  let size = 0, typeId = 0;
  switch (kind) {
    case 'FIELD_BYTE_OFFSET':
      value = BigInt(byteOff);
      if (!bitfield) { size = byteSz; typeId = fieldTypeId; }
      break;
    case 'FIELD_BYTE_SIZE': value = BigInt(byteSz); break;
    case 'FIELD_SIGNED':
      value = (isEnum(mtype) && (mtype as { signed: boolean }).signed) || (mtype.kind === 'INT' && (mtype.encoding & 1) !== 0) ? 1n : 0n;
      validate = true;
      break;
    case 'FIELD_LSHIFT_U64':
      // little-endian target
      value = BigInt(64 - (bitOff + bitSz - byteOff * 8));
      break;
    case 'FIELD_RSHIFT_U64':
      value = BigInt(64 - bitSz);
      validate = true;
      break;
    default: throw new CoreError(`relocation kind ${kind} is not a field relocation`);
  }
  return { value, size, typeId, validate };
}

function typeRelo(kind: CoreReloKind, spec: Spec): bigint {
  switch (kind) {
    case 'TYPE_ID_TARGET': return BigInt(spec.rootTypeId);
    case 'TYPE_EXISTS': case 'TYPE_MATCHES': return 1n;
    case 'TYPE_SIZE': return BigInt(resolveSize(spec.btf, spec.rootTypeId));
    default: throw new CoreError(`relocation kind ${kind} is not supported`);
  }
}

function enumRelo(kind: CoreReloKind, spec: Spec): bigint {
  if (kind === 'ENUMVAL_EXISTS') return 1n;
  const acc = spec.spec[0]!;
  const t = spec.btf.type(acc.typeId);
  if (t.kind === 'ENUM') return BigInt.asUintN(64, BigInt(t.values[acc.idx]!.value | 0));
  if (t.kind === 'ENUM64') return BigInt.asUintN(64, t.values[acc.idx]!.value);
  throw new CoreError('enumerator of a non-enum type');
}

/** bpf_core_poison_insn: `call 0xbad2310` (and the second half of an lddw too). */
function poison(insns: Insn[], at: number, poisoned: Map<number, string>, why: string): void {
  const call = (): Insn => ({ code: Op.CALL, opcode: Cls.JMP | 0x80, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM });
  if (insns[at]?.code === Op.LDDW && insns[at + 1] !== undefined) {
    insns[at + 1] = call();
    poisoned.set(at + 1, why);
  }
  insns[at] = call();
  poisoned.set(at, why);
}

const SIZE_BYTES: Record<number, number> = { [Size.B]: 1, [Size.H]: 2, [Size.W]: 4, [Size.DW]: 8 };

/**
 * bpf_core_patch_insn. Returns null when patched, or why libbpf poisons the instruction instead;
 * throws where libbpf fails the load.
 */
function patchInsn(insns: Insn[], at: number, res: Res, what: string): string | null {
  const insn = insns[at];
  const fail = (detail: string): never => {
    throw new LoadError(`${what}: ${detail}`, { insn: at, section: '.BTF.ext' });
  };
  if (insn === undefined || insn.code === LDDW_HI || insn.code === UNKNOWN) fail(`insn #${at} is not an instruction`);
  const i = insn!;
  const cls = i.opcode & 0x07;
  const value = res.value;
  switch (cls) {
    case Cls.ALU: case Cls.ALU64: {
      if ((i.opcode & 0x08) !== 0) fail(`insn #${at} (ALU/ALU64) uses a register source, not an immediate`);
      if (res.validate && BigInt(i.imm >>> 0) !== (res.orig & 0xffffffffn)) {
        fail(`unexpected insn #${at} (ALU/ALU64) value: got ${i.imm >>> 0}, exp ${res.orig} -> ${value}`);
      }
      set(insns, at, { imm: Number(BigInt.asIntN(32, value)) });
      return null;
    }
    case Cls.LDX: case Cls.ST: case Cls.STX: {
      if (res.validate && BigInt(i.off) !== res.orig) fail(`unexpected insn #${at} (LDX/ST/STX) value: got ${i.off}, exp ${res.orig} -> ${value}`);
      if (value > 0x7fffn) fail(`insn #${at} (LDX/ST/STX) value too big: ${value}`);
      if (res.failMemsz) {
        return `${what}: insn #${at} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size; libbpf poisoned this instruction`;
      }
      let opcode = i.opcode;
      if (res.newSz !== res.origSz) {
        const have = SIZE_BYTES[i.opcode & 0x18]!;
        if (have !== res.origSz) fail(`insn #${at} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSz}`);
        const sz = Object.entries(SIZE_BYTES).find(([, b]) => b === res.newSz)?.[0];
        if (sz === undefined) fail(`insn #${at} (LDX/ST/STX) invalid new mem size: ${res.newSz}`);
        opcode = (i.opcode & ~0x18) | Number(sz);
      }
      set(insns, at, { off: Number(value), opcode });
      return null;
    }
    case Cls.LD: {
      const hi = insns[at + 1];
      if (i.code !== Op.LDDW || i.src !== 0 || i.off !== 0 || hi === undefined || hi.opcode !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        fail(`insn #${at} (LDIMM64) has unexpected form`);
      }
      const imm = i.imm64 ?? BigInt(i.imm >>> 0);
      if (res.validate && imm !== res.orig) fail(`unexpected insn #${at} (LDIMM64) value: got ${imm}, exp ${res.orig} -> ${value}`);
      const v = BigInt.asUintN(64, value);
      insns[at] = { ...i, imm: Number(BigInt.asIntN(32, v & 0xffffffffn)), imm64: v };
      insns[at + 1] = { ...hi!, imm: Number(BigInt.asIntN(32, v >> 32n)) };
      return null;
    }
    default:
      return fail(`trying to relocate unrecognized insn #${at}, code:0x${i.opcode.toString(16)}, src:0x${i.src.toString(16)}, dst:0x${i.dst.toString(16)}, off:0x${(i.off & 0xffff).toString(16)}, imm:0x${(i.imm >>> 0).toString(16)}`);
  }
}

/** Rewrite fields of one slot and recompute which operation it is. */
function set(insns: Insn[], at: number, fields: Partial<Pick<Insn, 'opcode' | 'off' | 'imm'>>): void {
  const i = { ...insns[at]!, ...fields };
  i.code = lookupOp(i.opcode, i.src, i.off, i.imm)?.code ?? UNKNOWN;
  insns[at] = i;
}
