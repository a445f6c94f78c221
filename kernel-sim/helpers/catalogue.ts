/** The helper catalogue of a kernel profile: prototypes by id, with their per-program-type variants. */
import type { HelperProto } from '../../src/platform/types.js';
import { HELPER_NAMES_6_1, PROTOS_6_1, type ProtoName } from './protos-6.1.js';

/** A prototype and the kernel variable that holds it (which tells the variants of one helper apart). */
export interface HelperVariant extends HelperProto {
  readonly proto: ProtoName;
}

/** Every prototype variant of Linux 6.1, by variable name. */
export const VARIANTS_6_1: ReadonlyMap<ProtoName, HelperVariant> = new Map(
  (Object.keys(PROTOS_6_1) as ProtoName[]).map((proto) => [proto, Object.freeze({ ...PROTOS_6_1[proto], proto })]),
);

/** The highest helper id of 6.1 (`__BPF_FUNC_MAX_ID - 1`). */
export const MAX_HELPER_ID_6_1 = HELPER_NAMES_6_1.length - 1;

/** The variants of helper `id` (empty for 0, `unspec`, and for ids past the last). */
export function helperVariants(id: number): HelperVariant[] {
  return [...VARIANTS_6_1.values()].filter((v) => v.id === id);
}

/** The kernel's name of helper `id` (`bpf_map_lookup_elem`), as func_id_name prints it; undefined past the last. */
export function helperName(id: number): string | undefined {
  return HELPER_NAMES_6_1[id];
}

/** The id of a helper by name, with or without the `bpf_` prefix; undefined when 6.1 has none. */
export function helperId(name: string): number | undefined {
  const i = (HELPER_NAMES_6_1 as readonly string[]).indexOf(name.startsWith('bpf_') ? name : `bpf_${name}`);
  return i < 0 ? undefined : i;
}
