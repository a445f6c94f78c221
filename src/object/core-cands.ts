/**
 * CO-RE candidates (libbpf's bpf_core_find_cands / bpf_core_add_cands): the target types of a kind
 * compatible with the local type (the same kind, or enum and enum64) whose essential name — the name
 * without a `___flavour` suffix — is the local type's, in increasing id order; vmlinux's first, and a
 * module's (the types a split BTF adds to its base) only when vmlinux has none. Looked up through the
 * target's name index, never by scanning the kernel's ~100k types per relocation: `idsByEssentialName`
 * when the target has it, else its exact-name index plus the few flavoured names of its string table
 * (found once per target by walking the strings, not the types).
 */
import type { Btf, BtfType } from '../btf/index.js';
import { essentialName, kindCompat, typeAt } from './core-btf.js';

/** What CO-RE can use of a target BTF that indexes essential names: the ids (ascending) of types whose essential name is `name`. */
export interface CoreNameIndex { idsByEssentialName?(name: string): readonly number[] }

/** Where the candidates were found, for libbpf's `found target candidate ... in [vmlinux]` line. */
export interface Candidates { ids: number[]; where: 'vmlinux' | 'module' }

const flavoured = new WeakMap<Btf, Map<string, string[]>>();

/** UTF-8 length of a string (the string table is UTF-8; names are nearly always ASCII). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 ? (c >= 0xd800 && c < 0xdc00 ? 1 : 2) : 1;
    if (c >= 0xd800 && c < 0xdc00) i++;
  }
  return n;
}

const FLAVOUR = /[^_]___[^_]/;

/** The flavoured names of a BTF's string table, by essential name. */
function flavouredNames(btf: Btf): Map<string, string[]> {
  let index = flavoured.get(btf);
  if (index !== undefined) return index;
  index = new Map();
  for (let off = 1; ;) {
    let s: string;
    try {
      s = btf.stringAt(off);
    } catch {
      break; // past the end of the table
    }
    if (FLAVOUR.test(s)) {
      const key = essentialName(s);
      if (key !== s) index.set(key, [...(index.get(key) ?? []), s]);
    }
    off += utf8Length(s) + 1;
  }
  flavoured.set(btf, index);
  return index;
}

/** Every id whose essential name is `name`, ascending. */
function idsByEssentialName(target: Btf & CoreNameIndex, name: string): readonly number[] {
  if (typeof target.idsByEssentialName === 'function') return target.idsByEssentialName(name);
  const names = [name];
  for (let b: Btf | undefined = target; b !== undefined; b = b.base) names.push(...(flavouredNames(b).get(name) ?? []));
  const ids = new Set<number>();
  for (const n of names) for (const id of target.idsByName(n)) ids.add(id);
  return [...ids].sort((a, b) => a - b);
}

/** The candidate ids for a local type (which must be named). */
export function candidatesOf(target: Btf & CoreNameIndex, local: BtfType): Candidates {
  const name = essentialName(local.name);
  const all = idsByEssentialName(target, name).filter((id) => {
    const t = typeAt(target, id);
    return t !== undefined && t.name !== '' && kindCompat(t, local) && essentialName(t.name) === name;
  });
  const vmlinux = all.filter((id) => id < target.firstId || target.base === undefined);
  return vmlinux.length > 0 || target.base === undefined ? { ids: vmlinux, where: 'vmlinux' } : { ids: all, where: 'module' };
}
