/**
 * btf_struct_access / btf_struct_walk of Linux 6.1 (kernel/bpf/btf.c): what a load of `size` bytes at `off`
 * inside a struct of the kernel's BTF reads — a scalar, or a pointer member to a struct (PTR_TO_BTF_ID
 * of that struct, MEM_USER / MEM_PERCPU from a `__user` / `__percpu` type tag) — walking nested structs,
 * unions and arrays (multi-dimensional ones linearized), with the kernel's refusals and their texts.
 */
import type { Btf, BtfType } from '../btf/index.js';
import type { Platform } from '../platform/platform.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';

export type WalkResult =
  | { kind: 'scalar' }
  | { kind: 'ptr'; struct: string; btfId: number; user: boolean; percpu: boolean }
  | { kind: 'error'; message: string; errno: number };

const MODIFIERS = new Set(['TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT', 'TYPE_TAG']);

function skipModifiers(btf: Btf, id: number): { id: number; t: BtfType } {
  let t = btf.type(id);
  for (let i = 0; i < 32 && MODIFIERS.has(t.kind); i++) {
    id = (t as { type: number }).type;
    t = btf.type(id);
  }
  return { id, t };
}

const isStruct = (t: BtfType): t is Extract<BtfType, { kind: 'STRUCT' | 'UNION' }> => t.kind === 'STRUCT' || t.kind === 'UNION';

/**
 * __btf_resolve_size: the member's type with modifiers skipped, its total size, and for arrays the
 * innermost element (type, id) and the number of elements of all dimensions together.
 */
function resolveSize(btf: Btf, id: number): { t: BtfType; id: number; size: number; elem?: { t: BtfType; id: number }; nelems: number } | undefined {
  let nelems = 1;
  let cur = skipModifiers(btf, id);
  const outer = cur;
  let isArray = false;
  for (let i = 0; i < 32 && cur.t.kind === 'ARRAY'; i++) {
    isArray = true;
    nelems *= cur.t.nelems;
    cur = skipModifiers(btf, cur.t.type);
  }
  let elemSize: number;
  switch (cur.t.kind) {
    case 'INT': case 'ENUM': case 'ENUM64': case 'FLOAT': case 'STRUCT': case 'UNION': elemSize = cur.t.size; break;
    case 'PTR': elemSize = 8; break;
    default: return undefined;
  }
  return isArray
    ? { t: outer.t, id: outer.id, size: elemSize * nelems, elem: cur, nelems }
    : { t: cur.t, id: cur.id, size: elemSize, nelems: 1 };
}

/** One btf_struct_walk step: WALK_SCALAR, WALK_PTR, WALK_STRUCT (a nested struct at `off`), or an error. */
function walk(btf: Btf, t0: BtfType, off0: number, size: number):
  | WalkResult | { kind: 'struct'; id: number } {
  let t = t0;
  let off = off0;
  for (let guard = 0; guard < 64; guard++) {
    const tname = t.name;
    if (!isStruct(t)) return { kind: 'error', message: `Type '${tname}' is not a struct\n`, errno: EINVAL };
    if (off + size > t.size) {
      // a trailing flexible array may be read past the struct's size
      const last = t.members[t.members.length - 1];
      const beyond = (): WalkResult => ({ kind: 'error', message: `access beyond struct ${tname} at off ${off} size ${size}\n`, errno: EACCES });
      if (last === undefined) return beyond();
      const mt = skipModifiers(btf, last.type).t;
      if (mt.kind !== 'ARRAY' || mt.nelems !== 0) return beyond();
      const moff = Math.floor(last.bitOffset / 8);
      if (off < moff) return beyond();
      const et = skipModifiers(btf, mt.type).t;
      if (et.kind === 'INT') return { kind: 'scalar' };
      if (!isStruct(et) || et.size === 0) return beyond();
      off = (off - moff) % et.size;
      t = et;
      continue;
    }
    let next: { t: BtfType; off: number } | undefined;
    for (const member of t.members) {
      let moff = Math.floor(member.bitOffset / 8);
      if (off + size <= moff) break;
      if (member.bitSize > 0) {
        const endBit = member.bitOffset + member.bitSize;
        if (off <= moff && Math.ceil(endBit / 8) <= off + size) return { kind: 'scalar' };
        continue;
      }
      if (off < moff) break;
      const r = resolveSize(btf, member.type);
      if (r === undefined) return { kind: 'error', message: `field ${member.name} doesn't have size\n`, errno: EFAULT };
      let mtype = r.t;
      let mid = r.id;
      let msize = r.size;
      const mtrueEnd = moff + msize;
      if (off >= mtrueEnd) continue;
      if (mtype.kind === 'ARRAY') {
        if (moff === mtrueEnd) continue;
        msize = Math.floor(msize / r.nelems);
        const idx = Math.floor((off - moff) / msize);
        moff += idx * msize;
        mtype = r.elem!.t;
        mid = r.elem!.id;
      }
      if (isStruct(mtype)) {
        if (off === moff) return { kind: 'struct', id: mid };
        next = { t: mtype, off: off - moff };
        break;
      }
      if (mtype.kind === 'PTR') {
        if (msize !== size || off !== moff) {
          return {
            kind: 'error', errno: EACCES,
            message: `cannot access ptr member ${member.name} with moff ${moff} in struct ${tname} with off ${off} size ${size}\n`,
          };
        }
        const tag = btf.type(mtype.type);
        const user = tag.kind === 'TYPE_TAG' && tag.name === 'user';
        const percpu = tag.kind === 'TYPE_TAG' && tag.name === 'percpu';
        const s = skipModifiers(btf, mtype.type);
        if (isStruct(s.t)) return { kind: 'ptr', struct: s.t.name, btfId: s.id, user, percpu };
      }
      if (off + size > mtrueEnd) {
        return {
          kind: 'error', errno: EACCES,
          message: `access beyond the end of member ${member.name} (mend:${mtrueEnd}) in struct ${tname} with off ${off} size ${size}\n`,
        };
      }
      return { kind: 'scalar' };
    }
    if (next === undefined) return { kind: 'error', message: `struct ${tname} doesn't have field at offset ${off}\n`, errno: EINVAL };
    t = next.t;
    off = next.off;
  }
  return { kind: 'error', message: `struct ${t0.name} is nested too deeply\n`, errno: EINVAL };
}

/** btf_struct_access: walk until a scalar or a pointer is found (a nested struct at the offset is entered). */
export function btfStructAccess(btf: Btf, structId: number, off: number, size: number): WalkResult {
  let t = btf.type(structId);
  let o = off;
  for (let guard = 0; guard < 64; guard++) {
    const r = walk(btf, t, o, size);
    if (r.kind !== 'struct') return r;
    t = btf.type(r.id);
    o = 0;
  }
  return { kind: 'error', message: `struct ${btf.type(structId).name} is nested too deeply\n`, errno: EINVAL };
}

/** The id of a struct (or union) by name in the kernel's BTF. */
export function structIdByName(btf: Btf, name: string): number | undefined {
  return btf.idByName(name, 'STRUCT') ?? btf.idByName(name, 'UNION');
}

/** btf_struct_ids_match: `have` at offset `off` is (or, unless strict, starts with) the struct `need`. */
export function structIdsMatch(env: { readonly platform: Platform }, have: string, off: number, need: string, strict: boolean): boolean {
  if (off === 0 && have === need) return true;
  if (strict) return false;
  let name = have;
  let o = off;
  for (let guard = 0; guard < 16; guard++) {
    const st = env.platform.btfStruct?.(name);
    if (!st || st.kind !== 'struct') return false;
    const m = st.members.find((x) => x.off <= o && x.type.kind === 'struct' && o < x.off + x.type.size);
    if (!m || m.type.kind !== 'struct') return false;
    o -= m.off;
    name = m.type.name;
    if (name === need && o === 0) return true;
    if (name === need) return false;
  }
  return false;
}
