/** Names for lddw's `src` (BPF_PSEUDO_*), written `map_fd(5)` in both syntaxes. */
import { Pseudo } from '../isa/opcodes.js';

const NAMES: ReadonlyArray<readonly [Pseudo, string]> = [
  [Pseudo.MAP_FD, 'map_fd'],
  [Pseudo.MAP_VALUE, 'map_value'],
  [Pseudo.BTF_ID, 'btf_id'],
  [Pseudo.FUNC, 'func'],
  [Pseudo.MAP_IDX, 'map_idx'],
  [Pseudo.MAP_IDX_VALUE, 'map_idx_value'],
];

export function pseudoName(src: number): string | undefined {
  return NAMES.find(([v]) => v === src)?.[1];
}

export function pseudoByName(name: string): number | undefined {
  return NAMES.find(([, n]) => n === name)?.[0];
}
