/**
 * The special fields of a map value, read from its BTF as 6.1's map_check_btf finds them: the
 * `struct bpf_spin_lock` and `struct bpf_timer` members and the kptrs (`struct T __kptr_ref *`). The
 * object declares them; the simulated kernel installs them on the map it creates; the verifier reads them
 * from the map.
 */
import type { Btf } from '../btf/index.js';

/** A kptr field of a map value (6.1's bpf_map_value_off_desc). */
export interface KptrField {
  /** Byte offset in the map value. */
  off: number;
  /** `kptr_ref` (referenced: the map holds a count) vs `kptr` (unreferenced). */
  ref: boolean;
  /** The struct pointed to. */
  btfName: string;
}

/**
 * Offset of the map value's `struct <structName>` member (bpf_spin_lock, bpf_timer), or -1: a direct member
 * of the value struct, as 6.1's btf_find_struct_field looks for it (nested structs are not searched).
 */
export function valueFieldOffset(btf: Btf | undefined, valueType: number | undefined, structName: string): number {
  if (btf === undefined || valueType === undefined) return -1;
  const t = btf.type(btf.resolve(valueType));
  if (t.kind !== 'STRUCT') return -1;
  for (const m of t.members) {
    const mt = btf.type(btf.resolve(m.type));
    if (mt.kind === 'STRUCT' && mt.name === structName) return m.bitOffset / 8;
  }
  return -1;
}

/** The kptr fields of a map value type, from its BTF (PTR → TYPE_TAG "kptr"/"kptr_ref" → STRUCT); none without BTF. */
export function kptrFieldsOf(btf: Btf | undefined, valueTypeId: number | undefined): KptrField[] {
  if (btf === undefined || valueTypeId === undefined) return [];
  const t = btf.type(btf.resolve(valueTypeId));
  if (t.kind !== 'STRUCT') return [];
  const out: KptrField[] = [];
  for (const m of t.members) {
    const p = btf.type(m.type);
    if (p.kind !== 'PTR') continue;
    const tag = btf.type(p.type);
    if (tag.kind !== 'TYPE_TAG' || (tag.name !== 'kptr' && tag.name !== 'kptr_ref')) continue;
    const target = btf.type(btf.resolve(tag.type));
    out.push({ off: m.bitOffset / 8, ref: tag.name === 'kptr_ref', btfName: target.name });
  }
  return out;
}
