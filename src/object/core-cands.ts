/**
 * CO-RE candidates (libbpf's bpf_core_add_cands over vmlinux): the target types of a kind compatible with
 * the local type (the same kind, or enum and enum64) whose essential name — the name without a
 * `___flavour` suffix — is the local type's, in increasing id order. Looked up through a name index,
 * never by scanning the kernel's ~100k types per relocation: the target's own `idsByEssentialName` when
 * it has one, else an index built once per target BTF.
 */
import type { Btf, BtfType } from '../btf/index.js';
import { essentialName, kindCompat } from './core-spec.js';

/** What CO-RE can use of a target BTF that indexes its names: the ids (ascending) of types whose essential name is `name`. */
export interface CoreNameIndex { idsByEssentialName?(name: string): readonly number[] }

const built = new WeakMap<Btf, Map<string, number[]>>();

function fallbackIndex(target: Btf): Map<string, number[]> {
  let index = built.get(target);
  if (index !== undefined) return index;
  index = new Map();
  const types = target.types;
  for (let id = 1; id < types.length; id++) {
    const name = types[id]!.name;
    if (name === '') continue;
    const key = essentialName(name);
    const list = index.get(key);
    if (list === undefined) index.set(key, [id]);
    else list.push(id);
  }
  built.set(target, index);
  return index;
}

/** The candidate ids for a local type (which must be named). */
export function candidatesOf(target: Btf & CoreNameIndex, local: BtfType): number[] {
  const name = essentialName(local.name);
  const ids = typeof target.idsByEssentialName === 'function' ? target.idsByEssentialName(name) : (fallbackIndex(target).get(name) ?? []);
  return ids.filter((id) => {
    const t = target.type(id);
    return t.name !== '' && kindCompat(t, local) && essentialName(t.name) === name;
  });
}
