/**
 * CO-RE access specs as libbpf's relo_core.c builds them: the local spec parsed from a relocation's
 * access string (bpf_core_parse_spec), a candidate's spec matched against it (bpf_core_spec_match,
 * bpf_core_match_member), and libbpf's text for both (bpf_core_format_spec). A failure libbpf reports
 * with an error code is a CoreFail carrying that code (negative errno, as libbpf prints it).
 */
import type { Btf, BtfType, CoreReloKind } from '../btf/index.js';
import { fieldsCompat, typesCompat, typesMatch } from './core-compat.js';
import { essentialName, isAnyEnum, isComposite, kindStr, resolveSize, skip } from './core-btf.js';
import { E2BIG, EINVAL } from '../uapi/errno.js';

/** BPF_CORE_SPEC_MAX_LEN. */
export const SPEC_MAX_LEN = 64;

/** A libbpf failure: its error code and the warnings it printed (without the `libbpf: ` prefix). */
export class CoreFail extends Error {
  constructor(readonly errno: number, readonly lines: string[] = []) {
    super(lines.join('; ') || `error ${-errno}`);
  }
}

export const FIELD_KINDS: ReadonlySet<CoreReloKind> = new Set<CoreReloKind>(['FIELD_BYTE_OFFSET', 'FIELD_BYTE_SIZE', 'FIELD_EXISTS', 'FIELD_SIGNED', 'FIELD_LSHIFT_U64', 'FIELD_RSHIFT_U64']);
export const TYPE_KINDS: ReadonlySet<CoreReloKind> = new Set<CoreReloKind>(['TYPE_ID_LOCAL', 'TYPE_ID_TARGET', 'TYPE_EXISTS', 'TYPE_SIZE', 'TYPE_MATCHES']);
export const ENUMVAL_KINDS: ReadonlySet<CoreReloKind> = new Set<CoreReloKind>(['ENUMVAL_EXISTS', 'ENUMVAL_VALUE']);

/** core_relo_kind_str. */
export const RELO_NAME: Readonly<Record<CoreReloKind, string>> = {
  FIELD_BYTE_OFFSET: 'byte_off', FIELD_BYTE_SIZE: 'byte_sz', FIELD_EXISTS: 'field_exists', FIELD_SIGNED: 'signed',
  FIELD_LSHIFT_U64: 'lshift_u64', FIELD_RSHIFT_U64: 'rshift_u64', TYPE_ID_LOCAL: 'local_type_id',
  TYPE_ID_TARGET: 'target_type_id', TYPE_EXISTS: 'type_exists', TYPE_SIZE: 'type_size', ENUMVAL_EXISTS: 'enumval_exists',
  ENUMVAL_VALUE: 'enumval_value', TYPE_MATCHES: 'type_matches',
};

/** One high-level step: a named member (name set), an array index, or the enumerator. */
export interface Accessor { typeId: number; idx: number; name: string | undefined }

export interface Spec {
  btf: Btf;
  rootTypeId: number;
  kind: CoreReloKind;
  /** High-level accessors: named members and array indexes (anonymous members are skipped). */
  spec: Accessor[];
  /** Low-level spec: every index of the access string, anonymous members included. */
  raw: number[];
  bitOffset: number;
}

/** is_flex_arr: a zero-length array that is the last member of the struct the accessor names a member of. */
function isFlexArray(btf: Btf, acc: Accessor | undefined, nelems: number): boolean {
  if (acc?.name === undefined || nelems > 0) return false;
  const t = btf.type(acc.typeId);
  return isComposite(t) && acc.idx === t.members.length - 1;
}

/** bpf_core_parse_spec. `warn` receives the warnings libbpf prints on the way. */
export function parseSpec(btf: Btf, typeId: number, access: string, kind: CoreReloKind, warn: (line: string) => void): Spec {
  const spec: Spec = { btf, rootTypeId: typeId, kind, spec: [], raw: [], bitOffset: 0 };
  if (access === '' || access.startsWith(':')) throw new CoreFail(-EINVAL);
  if (TYPE_KINDS.has(kind)) {
    if (access !== '0') throw new CoreFail(-EINVAL);
    return spec;
  }
  // sscanf("%d%n") after an optional ':' — as lenient as libbpf's loop
  let rest = access;
  while (rest !== '') {
    if (rest.startsWith(':')) rest = rest.slice(1);
    const m = /^\s*([+-]?\d+)/.exec(rest);
    if (m === null) throw new CoreFail(-EINVAL);
    if (spec.raw.length === SPEC_MAX_LEN) throw new CoreFail(-E2BIG);
    spec.raw.push(Number(BigInt.asIntN(32, BigInt(m[1]!))));
    rest = rest.slice(m[0].length);
  }
  if (spec.raw.length === 0) throw new CoreFail(-EINVAL);
  const root = skip(btf, typeId);
  if (root === null) throw new CoreFail(-EINVAL);
  let { id, t } = root;
  const first = spec.raw[0]!;
  spec.spec.push({ typeId: id, idx: first, name: undefined });
  if (ENUMVAL_KINDS.has(kind)) {
    if (!isAnyEnum(t) || spec.raw.length > 1 || first < 0 || first >= t.values.length) throw new CoreFail(-EINVAL);
    spec.spec[0]!.name = t.values[first]!.name;
    return spec;
  }
  if (!FIELD_KINDS.has(kind)) throw new CoreFail(-EINVAL);
  let sz = resolveSize(btf, id);
  if (sz < 0) throw new CoreFail(sz);
  spec.bitOffset = first * sz * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    const s = skip(btf, id);
    if (s === null) throw new CoreFail(-EINVAL);
    ({ id, t } = s);
    const idx = spec.raw[i]!;
    if (isComposite(t)) {
      if (idx < 0 || idx >= t.members.length) throw new CoreFail(-EINVAL);
      const m = t.members[idx]!;
      spec.bitOffset += m.bitOffset;
      if (m.name !== '') spec.spec.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'ARRAY') {
      const elem = skip(btf, t.type);
      if (elem === null) throw new CoreFail(-EINVAL);
      const flex = isFlexArray(btf, spec.spec[spec.spec.length - 1], t.nelems);
      if (!flex && (idx < 0 || idx >= t.nelems)) throw new CoreFail(-EINVAL);
      id = elem.id;
      spec.spec.push({ typeId: id, idx, name: undefined });
      sz = resolveSize(btf, id);
      if (sz < 0) throw new CoreFail(sz);
      spec.bitOffset += idx * sz * 8;
    } else {
      // libbpf prints the access string after parsing consumed it: an empty string
      warn(`relo for [${typeId}]  (at idx ${i}) captures type [${id}] of unexpected kind ${kindStr(t)}`);
      throw new CoreFail(-EINVAL);
    }
  }
  return spec;
}

/** bpf_core_spec_match: 1 when the candidate matches (the target spec is filled in), 0 when not. */
export function matchSpec(local: Spec, btf: Btf, candId: number, targ: Spec): 0 | 1 {
  targ.btf = btf;
  targ.rootTypeId = candId;
  targ.kind = local.kind;
  targ.spec = [];
  targ.raw = [];
  targ.bitOffset = 0;
  if (TYPE_KINDS.has(local.kind)) {
    const r = local.kind === 'TYPE_MATCHES'
      ? typesMatch(local.btf, local.rootTypeId, btf, candId, false, 32)
      : typesCompat(local.btf, local.rootTypeId, btf, candId, 32);
    if (r < 0) throw new CoreFail(r);
    return r > 0 ? 1 : 0;
  }
  if (ENUMVAL_KINDS.has(local.kind)) {
    const s = skip(btf, candId);
    if (s === null || !isAnyEnum(s.t)) return 0;
    const want = essentialName(local.spec[0]!.name!);
    const i = s.t.values.findIndex((v) => essentialName(v.name) === want);
    if (i < 0) return 0;
    targ.spec.push({ typeId: s.id, idx: i, name: s.t.values[i]!.name });
    targ.raw.push(i);
    return 1;
  }
  if (!FIELD_KINDS.has(local.kind)) throw new CoreFail(-EINVAL);
  let id = candId;
  for (let i = 0; i < local.spec.length; i++) {
    const acc = local.spec[i]!;
    const s = skip(btf, id);
    if (s === null) throw new CoreFail(-EINVAL);
    id = s.id;
    if (acc.name !== undefined) {
      const next = matchMember(local.btf, acc, btf, id, targ);
      if (next === null) return 0;
      id = next;
    } else {
      if (i > 0) {
        if (s.t.kind !== 'ARRAY') return 0;
        const flex = isFlexArray(btf, targ.spec[targ.spec.length - 1], s.t.nelems);
        if (!flex && acc.idx >= s.t.nelems) return 0;
        const elem = skip(btf, s.t.type);
        if (elem === null) throw new CoreFail(-EINVAL);
        id = elem.id;
      }
      if (targ.raw.length === SPEC_MAX_LEN) throw new CoreFail(-E2BIG);
      targ.spec.push({ typeId: id, idx: acc.idx, name: undefined });
      targ.raw.push(acc.idx);
      const sz = resolveSize(btf, id);
      if (sz < 0) throw new CoreFail(sz);
      targ.bitOffset += acc.idx * sz * 8;
    }
  }
  return 1;
}

/**
 * bpf_core_match_member: the local named member found by name in the target composite (searching
 * anonymous members too), compatible in type. Returns the member's type id, or null when not found.
 */
function matchMember(lbtf: Btf, acc: Accessor, btf: Btf, targId: number, spec: Spec, depth = 0): number | null {
  const s = skip(btf, targId);
  if (s === null || depth > 32) throw new CoreFail(-EINVAL);
  if (!isComposite(s.t)) return null;
  const local = lbtf.type(acc.typeId) as Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>;
  const lm = local.members[acc.idx]!;
  const members = s.t.members;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (spec.raw.length === SPEC_MAX_LEN) throw new CoreFail(-E2BIG);
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const found = matchMember(lbtf, acc, btf, m.type, spec, depth + 1);
      if (found !== null) return found;
    } else if (m.name === lm.name) {
      spec.spec.push({ typeId: s.id, idx: i, name: m.name });
      const compat = fieldsCompat(lbtf, lm.type, btf, m.type);
      if (compat < 0) throw new CoreFail(compat);
      if (compat > 0) return m.type;
      // libbpf pops the accessor but leaves the offset and raw index (only its log shows them)
      spec.spec.pop();
      return null;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return null;
}

/** bpf_core_format_spec: `<byte_off> [10] struct task_struct___future.no_such_field (0:1 @ offset 8)`. */
export function formatSpec(spec: Spec): string {
  const t = spec.btf.type(spec.rootTypeId);
  let s = `<${RELO_NAME[spec.kind]}> [${spec.rootTypeId}] ${kindStr(t)} ${t.name === '' ? '<anon>' : t.name}`;
  if (TYPE_KINDS.has(spec.kind)) return s;
  if (ENUMVAL_KINDS.has(spec.kind)) {
    const e = skip(spec.btf, spec.rootTypeId)?.t;
    if (e === undefined || !isAnyEnum(e)) return s;
    const v = e.values[spec.raw[0] ?? 0]; // an unmatched candidate's spec is libbpf's zeroed one
    if (v === undefined) return s;
    const value = e.kind === 'ENUM'
      ? (e.signed ? BigInt(v.value as number | 0) : BigInt((v.value as number) >>> 0))
      : (e.signed ? BigInt.asIntN(64, BigInt(v.value)) : BigInt.asUintN(64, BigInt(v.value)));
    return `${s}::${v.name} = ${value}`;
  }
  spec.spec.forEach((a, i) => {
    if (a.name !== undefined) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx >>> 0}]`;
  });
  const bits = spec.bitOffset >>> 0;
  const off = bits % 8 ? `${Math.floor(bits / 8)}.${bits % 8}` : `${bits / 8}`;
  return `${s} (${spec.raw.join(':')} @ offset ${off})`;
}

/**
 * A C-like view of a spec for listings: `struct task_struct::real_parent.tgid`, `struct s[2]::a[1]`,
 * `enum e::VAL`, `struct task_struct` (type relocations).
 */
export function accessPath(spec: Spec): string {
  const t = spec.btf.type(spec.rootTypeId);
  const root = `${kindStr(t)} ${t.name === '' ? '<anon>' : t.name}`;
  if (TYPE_KINDS.has(spec.kind)) return root;
  if (ENUMVAL_KINDS.has(spec.kind)) return `${root}::${spec.spec[0]?.name ?? '?'}`;
  let head = root;
  let path = '';
  spec.spec.forEach((a, i) => {
    if (i === 0) {
      if (a.idx !== 0) head += `[${a.idx}]`;
    } else if (a.name !== undefined) path += path === '' ? a.name : `.${a.name}`;
    else path += `[${a.idx}]`;
  });
  return path === '' ? head : `${head}::${path}`;
}
