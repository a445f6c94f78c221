/**
 * The three type relations of libbpf's relo_core.c: bpf_core_fields_are_compat (a member's type, for
 * field relocations), __bpf_core_types_are_compat (type-based relocations and typed `__ksym` externs) and
 * __bpf_core_types_match (TYPE_MATCHES). Each returns 1 (yes), 0 (no) or a negative errno, as libbpf's do.
 */
import type { Btf, BtfType } from '../btf/index.js';
import { essentialName, isAnyEnum, isComposite, kindCompat, skip, typeAt } from './core-btf.js';
import { EINVAL } from '../uapi/errno.js';

const int = (t: BtfType) => t as Extract<BtfType, { kind: 'INT' }>;
const SIGNED = 1;

/** bpf_core_fields_are_compat. */
export function fieldsCompat(lbtf: Btf, lid: number, tbtf: Btf, tid: number): number {
  for (let depth = 0; depth <= 32; depth++) {
    const ls = skip(lbtf, lid), ts = skip(tbtf, tid);
    if (ls === null || ts === null) return -EINVAL;
    const l = ls.t, t = ts.t;
    if (isComposite(l) && isComposite(t)) return 1;
    if (!kindCompat(l, t)) return 0;
    switch (l.kind) {
      case 'PTR': case 'FLOAT': return 1;
      case 'FWD': case 'ENUM': case 'ENUM64': {
        const a = essentialName(l.name), b = essentialName(t.name);
        return a === '' || b === '' || a === b ? 1 : 0;
      }
      case 'INT': return int(l).bitOffset === 0 && int(t).bitOffset === 0 ? 1 : 0;
      case 'ARRAY':
        lid = l.type;
        tid = (t as typeof l).type;
        continue;
      default: return 0;
    }
  }
  return -EINVAL;
}

/** __bpf_core_types_are_compat (the caller made sure the names match). */
export function typesCompat(lbtf: Btf, lid: number, tbtf: Btf, tid: number, level: number): number {
  const l0 = typeAt(lbtf, lid), t0 = typeAt(tbtf, tid);
  if (l0 === undefined || t0 === undefined) return -EINVAL;
  if (!kindCompat(l0, t0)) return 0;
  for (let depth = 31; depth >= 0; depth--) {
    const ls = skip(lbtf, lid), ts = skip(tbtf, tid);
    if (ls === null || ts === null) return -EINVAL;
    const l = ls.t, t = ts.t;
    if (!kindCompat(l, t)) return 0;
    switch (l.kind) {
      case 'VOID': case 'STRUCT': case 'UNION': case 'ENUM': case 'FWD': case 'ENUM64': return 1;
      case 'INT': return int(l).bitOffset === 0 && int(t).bitOffset === 0 ? 1 : 0;
      case 'PTR': case 'ARRAY':
        lid = l.type;
        tid = (t as typeof l).type;
        continue;
      case 'FUNC_PROTO': {
        const tp = t as typeof l;
        if (l.params.length !== tp.params.length) return 0;
        for (let i = 0; i < l.params.length; i++) {
          if (level <= 0) return -EINVAL;
          const lp = skip(lbtf, l.params[i]!.type), tpp = skip(tbtf, tp.params[i]!.type);
          if (lp === null || tpp === null) return -EINVAL;
          const err = typesCompat(lbtf, lp.id, tbtf, tpp.id, level - 1);
          if (err <= 0) return err;
        }
        const lr = skip(lbtf, l.returnType), tr = skip(tbtf, tp.returnType);
        if (lr === null || tr === null) return -EINVAL;
        lid = lr.id;
        tid = tr.id;
        continue;
      }
      default: return 0; // libbpf warns "unexpected kind ... relocated"
    }
  }
  return -EINVAL;
}

/** bpf_core_names_match: essential names equal; an anonymous target matches only an anonymous local. */
function namesMatch(local: string, targ: string): boolean {
  if (targ === '') return local === '';
  return essentialName(targ) === essentialName(local);
}

/** bpf_core_enums_match: the same size, and every local enumerator named in the target. */
function enumsMatch(l: Extract<BtfType, { kind: 'ENUM' | 'ENUM64' }>, t: Extract<BtfType, { kind: 'ENUM' | 'ENUM64' }>): number {
  if (l.size !== t.size || l.values.length > t.values.length) return 0;
  return l.values.every((lv) => t.values.some((tv) => namesMatch(lv.name, tv.name))) ? 1 : 0;
}

/** bpf_core_composites_match: every local member has a same-named member of matching type in the target. */
function compositesMatch(lbtf: Btf, l: Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>, tbtf: Btf,
  t: Extract<BtfType, { kind: 'STRUCT' | 'UNION' }>, behindPtr: boolean, level: number): number {
  if (l.members.length > t.members.length) return 0;
  for (const lm of l.members) {
    let matched = false;
    for (const tm of t.members) {
      if (!namesMatch(lm.name, tm.name)) continue;
      const err = typesMatch(lbtf, lm.type, tbtf, tm.type, behindPtr, level - 1);
      if (err < 0) return err;
      if (err > 0) {
        matched = true;
        break;
      }
    }
    if (!matched) return 0;
  }
  return 1;
}

/** __bpf_core_types_match (the caller made sure the root names match). */
export function typesMatch(lbtf: Btf, lid: number, tbtf: Btf, tid: number, behindPtr: boolean, level: number): number {
  if (level <= 0) return -EINVAL;
  if (typeAt(lbtf, lid) === undefined || typeAt(tbtf, tid) === undefined) return -EINVAL;
  for (let depth = 31; depth >= 0; depth--) {
    const ls = skip(lbtf, lid), ts = skip(tbtf, tid);
    if (ls === null || ts === null) return -EINVAL;
    const l = ls.t, t = ts.t;
    if (!namesMatch(l.name, t.name)) return 0;
    switch (l.kind) {
      case 'VOID': return t.kind === 'VOID' ? 1 : 0;
      case 'FWD': {
        if (behindPtr) {
          if (t.kind === 'FWD') return l.union === t.union ? 1 : 0;
          return (t.kind === 'STRUCT' && !l.union) || (t.kind === 'UNION' && l.union) ? 1 : 0;
        }
        return t.kind === 'FWD' && l.union === t.union ? 1 : 0;
      }
      case 'ENUM': case 'ENUM64': return isAnyEnum(t) ? enumsMatch(l, t) : 0;
      case 'STRUCT': case 'UNION':
        if (behindPtr) {
          if (l.kind === t.kind) return 1;
          if (t.kind !== 'FWD') return 0;
          return (l.kind === 'UNION') === t.union ? 1 : 0;
        }
        if (l.kind !== t.kind) return 0;
        return compositesMatch(lbtf, l, tbtf, t as typeof l, behindPtr, level);
      case 'INT':
        if (t.kind !== 'INT') return 0;
        return l.size === t.size && (l.encoding & SIGNED) === (t.encoding & SIGNED) ? 1 : 0;
      case 'PTR':
        if (t.kind !== 'PTR') return 0;
        behindPtr = true;
        lid = l.type;
        tid = t.type;
        continue;
      case 'ARRAY':
        if (t.kind !== 'ARRAY' || l.nelems !== t.nelems) return 0;
        lid = l.type;
        tid = t.type;
        continue;
      case 'FUNC_PROTO': {
        if (t.kind !== 'FUNC_PROTO' || l.params.length !== t.params.length) return 0;
        for (let i = 0; i < l.params.length; i++) {
          const err = typesMatch(lbtf, l.params[i]!.type, tbtf, t.params[i]!.type, behindPtr, level - 1);
          if (err <= 0) return err;
        }
        lid = l.returnType;
        tid = t.returnType;
        continue;
      }
      default: return 0; // libbpf warns "unexpected kind ... relocated"
    }
  }
  return -EINVAL;
}
