/**
 * What BPF_PROG_LOAD hands the verifier for a program bpfvm loaded: its load attributes and its maps as
 * the verifier sees them, taken from the maps the simulated kernel really created — so the static and
 * the run-time sides read the same definitions.
 */
import type { Btf } from '../btf/index.js';
import type { MapSpec, ProgramSpec } from '../object/index.js';
import type { ProgTypeName } from '../object/bpf-enums.js';
import type { MapDef, ProgInfo } from '../platform/platform.js';
import { kptrFieldsOf as kptrsOf, valueFieldOffset } from '../object/map-fields.js';
import type { BpfMap } from '../../kernel-sim/maps/index.js';
import { defaultRegistry, type KfuncRegistry } from '../../kernel-sim/kfuncs/index.js';
import { structOpsAttach } from '../../kernel-sim/progtypes/struct-ops.js';

/**
 * A map-in-map's inner template, as declared (a created map keeps only its meta): what bpf_map_meta_alloc
 * copies of it — its special fields (spin lock, timer, kptrs) included.
 */
function innerDefOf(inner: MapSpec, btf: Btf | undefined): MapDef {
  const kptrs = kptrsOf(btf, inner.btfValueType);
  return {
    type: inner.type.value, keySize: inner.keySize, valueSize: inner.valueSize, maxEntries: inner.maxEntries,
    flags: inner.flags, spinLockOff: valueFieldOffset(btf, inner.btfValueType, 'bpf_spin_lock'),
    timerOff: valueFieldOffset(btf, inner.btfValueType, 'bpf_timer'), hasBtf: inner.btfValueType !== undefined,
    ...(kptrs.length > 0 ? { kptrs } : {}),
  };
}

/** A frozen map's value as the verifier reads it: the loader's contents, zero past them. */
function frozenValue(spec: MapSpec | undefined, valueSize: number): { frozen: Uint8Array } | Record<string, never> {
  if (spec?.frozen !== true) return {};
  const v = new Uint8Array(valueSize);
  if (spec.initialData !== undefined) v.set(spec.initialData.subarray(0, valueSize));
  return { frozen: v };
}

/** The verifier's view of a created map (with its object's BTF for timers and kptrs). */
export function mapDefOf(map: BpfMap, spec?: MapSpec, btf?: Btf): MapDef {
  const valueType = spec?.btfValueType;
  const kptrs = kptrsOf(btf, valueType);
  const def: MapDef = {
    type: map.type, keySize: map.keySize, valueSize: map.valueSize, maxEntries: map.maxEntries, flags: map.flags,
    spinLockOff: map.spinLockOff ?? -1, timerOff: valueFieldOffset(btf, valueType, 'bpf_timer'),
    hasBtf: valueType !== undefined, name: map.name,
    ...(kptrs.length > 0 ? { kptrs } : {}), ...frozenValue(spec, map.valueSize),
  };
  if (spec?.inner !== undefined) def.inner = innerDefOf(spec.inner, btf);
  return def;
}

/**
 * The verifier's view of a map from its declaration alone (no map created): for map types the simulated
 * kernel cannot create, whose programs can still be verified.
 */
export function specMapDef(spec: MapSpec, btf?: Btf): MapDef {
  const valueType = spec.btfValueType;
  const kptrs = kptrsOf(btf, valueType);
  const def: MapDef = {
    type: spec.type.value, keySize: spec.keySize, valueSize: spec.valueSize, maxEntries: spec.maxEntries, flags: spec.flags,
    spinLockOff: valueFieldOffset(btf, valueType, 'bpf_spin_lock'), timerOff: valueFieldOffset(btf, valueType, 'bpf_timer'),
    hasBtf: valueType !== undefined, name: spec.name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15),
    ...(kptrs.length > 0 ? { kptrs } : {}), ...frozenValue(spec, spec.valueSize),
  };
  if (spec.inner !== undefined) def.inner = innerDefOf(spec.inner, btf);
  return def;
}

/**
 * An ELF program's load attributes: type, expected attach type, attach target, sleepable; a struct_ops
 * program's struct and member as libbpf gives them (attach_btf_id 0 when no struct_ops map names it, as
 * libbpf loads it then); an extension's target when the loader names one; the object's licence.
 */
export function progInfoOf(spec: ProgramSpec, opts: { registry?: KfuncRegistry; extTarget?: ProgInfo['extTarget']; license?: string } = {}): ProgInfo {
  const info: ProgInfo = { type: spec.type.name.replace(/^BPF_PROG_TYPE_/, '') as ProgTypeName };
  if (opts.license !== undefined) info.license = opts.license;
  if (spec.attachType) info.expectedAttachType = spec.attachType.name.replace(/^BPF_/, '');
  const slash = spec.section.indexOf('/');
  if ((info.type === 'TRACING' || info.type === 'LSM') && slash >= 0) info.attachTo = spec.section.slice(slash + 1);
  if (spec.sleepable) info.sleepable = true;
  if (info.type === 'STRUCT_OPS') {
    const so = spec.structOps;
    info.structOps = so === undefined ? { btfId: 0, memberIdx: 0 } : structOpsAttach(opts.registry ?? defaultRegistry(), so.typeName, so.member);
  }
  if (info.type === 'EXT' && opts.extTarget !== undefined) info.extTarget = opts.extTarget;
  return info;
}
