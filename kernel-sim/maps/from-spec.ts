/**
 * An object's map declaration (MapSpec, src/object) in the simulated kernel, as libbpf's
 * bpf_object__create_maps hands it over: the BPF_MAP_CREATE attributes it becomes (`attrOfSpec`), the map
 * created from them (`createFromSpec`), and, for a map type the simulation cannot create, the same
 * verifier view from the declaration alone (`declareMap`). A created map's view is `map.verifierView()`;
 * both views are made by base.ts's `mapView`, so a declared map and a created one cannot disagree.
 */
import type { Btf } from '../../src/btf/index.js';
import { LoadError } from '../../src/errors.js';
import type { MapSpec } from '../../src/object/index.js';
import type { MapDef } from '../../src/platform/platform.js';
import type { KptrTable } from '../objects/kptr.js';
import { mapView, valueSpecialFields, type BpfMap, type MapAttr } from './base.js';
import { checkMapCreate, createMap, type SimulatedMapType } from './create.js';
import type { MapEnv } from './env.js';
import { MapError } from './error.js';
import type { MapTypeName } from './types.js';

/** The map name the kernel accepts (15 characters of [A-Za-z0-9_.]), as libbpf sanitises it. */
export function kernelMapName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15);
}

/** The map type's name as MapAttr spells it (`BPF_MAP_TYPE_LRU_HASH` → `lru_hash`). */
export function mapTypeOfSpec(spec: MapSpec): MapTypeName {
  return spec.type.name.replace(/^BPF_MAP_TYPE_/, '').toLowerCase() as MapTypeName;
}

/**
 * The attributes BPF_MAP_CREATE gets for an object's map, as libbpf fills them: the sanitised name, the
 * object's BTF and the key and value type ids, map_extra, the inner template's map (inner_map_fd).
 */
export function attrOfSpec(env: MapEnv, spec: MapSpec, btf: Btf | undefined, innerMap: BpfMap | undefined): MapAttr {
  const type = mapTypeOfSpec(spec);
  // libbpf's map_set_def_max_entries: a perf event array without max_entries gets one slot per possible CPU.
  const maxEntries = type === 'perf_event_array' && spec.maxEntries === 0 ? env.nrCpus : spec.maxEntries;
  return {
    type, name: kernelMapName(spec.name), keySize: spec.keySize, valueSize: spec.valueSize, maxEntries, flags: spec.flags,
    ...(innerMap !== undefined && { innerMap }),
    ...(spec.mapExtra !== undefined && { mapExtra: Number(spec.mapExtra) }),
    ...(btf !== undefined && {
      btf, ...(spec.btfKeyType !== undefined && { btfKeyTypeId: spec.btfKeyType }), ...(spec.btfValueType !== undefined && { btfValueTypeId: spec.btfValueType }),
    }),
  };
}

/** A refusal of BPF_MAP_CREATE (a MapError) as the LoadError of the object's map. */
function located<T>(spec: MapSpec, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MapError) throw new LoadError(e.message, { section: spec.section, symbol: spec.name });
    throw e;
  }
}

/** A map-in-map's inner template as libbpf names it. */
const innerSpec = (spec: MapSpec): MapSpec | undefined => (spec.inner === undefined ? undefined : { ...spec.inner, name: `${spec.name}.inner` });

/**
 * BPF_MAP_CREATE for an object's map, as bpf_object__create_maps asks it: its inner template first, the
 * map, its kptr fields declared to the kernel's kptr table (`kptrs`, asked only when the value has some),
 * the initial contents written (`.data`, `.rodata`, `.kconfig`) and the map frozen when the loader
 * freezes it. A refusal is a LoadError naming the map.
 */
export function createFromSpec(env: MapEnv, spec: MapSpec, btf?: Btf, kptrs?: () => KptrTable): BpfMap {
  return located(spec, () => {
    const template = innerSpec(spec);
    const inner = template !== undefined ? createFromSpec(env, template, btf, kptrs) : undefined;
    const map = createMap(env, attrOfSpec(env, spec, btf, inner) as MapAttr & { type: SimulatedMapType });
    if (map.kptrs.length > 0 && kptrs !== undefined) kptrs().install(map);
    if (spec.initialData !== undefined && spec.initialData.length > 0) {
      const err = map.updateSys(new Uint8Array(4), spec.initialData);
      if (err < 0) throw new LoadError(`cannot write the initial contents (errno ${-err})`, { section: spec.section, symbol: spec.name });
    }
    if (spec.frozen === true) map.freeze();
    return map;
  });
}

/**
 * A map the simulated kernel cannot create (sockmap, task storage, …, or a map-in-map whose template is
 * one): BPF_MAP_CREATE's checks alone (a LoadError when 6.1 refuses it; a map-in-map's template is
 * checked, the outer map's own checks need a made template), then the verifier view the created map
 * would have. Its programs verify; they cannot run.
 */
export function declareMap(env: MapEnv, spec: MapSpec, btf?: Btf): MapDef {
  return declaredView(env, spec, btf, true);
}

function declaredView(env: MapEnv, spec: MapSpec, btf: Btf | undefined, named: boolean): MapDef {
  return located(spec, () => {
    const template = innerSpec(spec);
    const inner = template !== undefined ? declaredView(env, template, btf, false) : undefined;
    const attr = attrOfSpec(env, spec, btf, undefined);
    if (inner === undefined) checkMapCreate(env, attr);
    const def = mapView({
      ...valueSpecialFields(attr), type: spec.type.value, keySize: attr.keySize, valueSize: attr.valueSize,
      maxEntries: attr.maxEntries, flags: attr.flags ?? 0, btfValueTypeId: attr.btfValueTypeId ?? 0,
    }, named ? attr.name : '', inner);
    if (named && spec.frozen === true) {
      def.frozen = new Uint8Array(spec.valueSize);
      if (spec.initialData !== undefined) def.frozen.set(spec.initialData.subarray(0, spec.valueSize));
    }
    return def;
  });
}
