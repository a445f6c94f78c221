/**
 * The BTF questions libbpf's CO-RE code asks of a type (relo_core.c and btf.c helpers): its kind, its
 * essential name, the type behind modifiers, its size. Shared by the spec parser, the type relations and
 * the candidate search.
 */
import type { Btf, BtfType } from '../btf/index.js';
import { E2BIG, EINVAL } from '../uapi/errno.js';

export const isComposite = (t: BtfType): t is Extract<BtfType, { kind: 'STRUCT' | 'UNION' }> => t.kind === 'STRUCT' || t.kind === 'UNION';
export const isAnyEnum = (t: BtfType): t is Extract<BtfType, { kind: 'ENUM' | 'ENUM64' }> => t.kind === 'ENUM' || t.kind === 'ENUM64';
/** btf_kind_core_compat: the same kind, or enum and enum64. */
export const kindCompat = (a: BtfType, b: BtfType): boolean => a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
/** btf_kind_str. */
export const kindStr = (t: BtfType): string => t.kind.toLowerCase();

/** bpf_core_essential_name_len: a name up to its last `X___Y` flavour separator. */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') {
      return name.slice(0, i + 1);
    }
  }
  return name;
}

/** The type with this id, or undefined (libbpf's btf_type_by_id returning NULL). The one place core reads a BTF's table. */
export const typeAt = (btf: Btf, id: number): BtfType | undefined =>
  (Number.isInteger(id) && id >= 0 && id < btf.count ? btf.type(id) : undefined);

/** skip_mods_and_typedefs: the type behind typedefs and modifiers, and its id (null if an id is bad). */
export function skip(btf: Btf, id: number): { id: number; t: BtfType } | null {
  for (let depth = 0; depth <= 32; depth++) {
    const t = typeAt(btf, id);
    if (t === undefined) return null;
    switch (t.kind) {
      case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG': id = t.type; break;
      default: return { id, t };
    }
  }
  return null;
}

/** btf__resolve_size: bytes, or a negative errno. */
export function resolveSize(btf: Btf, id: number): number {
  let nelems = 1;
  for (let i = 0; i < 32; i++) {
    const t = typeAt(btf, id);
    if (t === undefined || t.kind === 'VOID') return -EINVAL;
    switch (t.kind) {
      case 'INT': case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'DATASEC': case 'FLOAT':
        return nelems * t.size > 0xffffffff ? -E2BIG : nelems * t.size;
      case 'PTR': return nelems * 8 > 0xffffffff ? -E2BIG : nelems * 8;
      case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'VAR': case 'DECL_TAG': case 'TYPE_TAG':
        id = t.type;
        break;
      case 'ARRAY':
        if (nelems !== 0 && t.nelems > Math.floor(0xffffffff / nelems)) return -E2BIG;
        nelems *= t.nelems;
        id = t.type;
        break;
      default: return -EINVAL;
    }
  }
  return -EINVAL;
}
