/**
 * BPF_PROG_LOAD of one program of an ELF object, as libbpf's bpf_object__load does it with only that
 * program autoloaded: the object's externs resolved (all of them: libbpf resolves them object-wide), its
 * maps created, the program's CO-RE relocations applied, its load attributes prepared, then the 6.1
 * verifier. What refuses the load before the verifier runs is reported with the step that refused it.
 *
 * Maps of a type the simulated kernel cannot create (sockmap, task storage, …) are passed to the
 * verifier as declared: their programs verify, they cannot run.
 */
import { LoadError } from '../errors.js';
import type { Insn } from '../isa/insn.js';
import type { MapSpec, ObjectFile, ProgramSpec } from '../object/index.js';
import { matchSection } from '../object/section-defs.js';
import type { Capability } from '../platform/caps.js';
import type { MapDef, ProgInfo } from '../platform/platform.js';
import { progLoad, type VerifierResult } from '../verifier/verifier.js';
import { Kernel } from '../../kernel-sim/kernel.js';
import { createFromSpec, declareMap, isSimulatedMapType, mapTypeOfSpec, MapError } from '../../kernel-sim/maps/index.js';
import type { KernelWorld } from '../../kernel-sim/objects/world.js';
import { defaultRegistry, type KfuncRegistry } from '../../kernel-sim/kfuncs/index.js';
import { kernelPlatform } from '../../kernel-sim/platform.js';
import { ATTACH_BTF, missingAttachTarget } from './attach-target.js';
import { linkAgainstKernel, resolveExterns, withKconfig } from './core-link.js';
import { progInfoOf } from './verify.js';

/**
 * Where a load stopped before the verifier: the object itself (ELF, BTF, its relocations), the section
 * (no program type), an extern, a map's creation, the program's CO-RE relocations, the attach target.
 */
export type LoadStep = 'object' | 'section' | 'externs' | 'maps' | 'relocation' | 'attach';

export interface LoadRefusal {
  step: LoadStep;
  error: LoadError;
}

/** An object after libbpf's object-wide load steps (externs, maps), ready to load its programs one by one. */
export interface PreparedObject {
  object: ObjectFile;
  registry: KfuncRegistry;
  world: KernelWorld;
  /** Map definitions by object map index, as the verifier sees them. */
  maps: MapDef[];
  /** Maps whose type the simulated kernel cannot create (verified from their declaration). */
  notSimulated: string[];
  /** Set when an object-wide step failed: every program of the object is refused. */
  refusal?: LoadRefusal;
}

export interface ObjectLoadOptions {
  /** The kfunc registry (Linux 6.1's catalogue by default). */
  kfuncs?: KfuncRegistry;
  /** EXT programs: the program they replace (without one, libbpf refuses to load an extension). */
  extTarget?: ProgInfo['extTarget'];
  /** The kernel loaded into (its config file, symbols): a new one by default. */
  kernel?: Kernel;
}

function refusal(step: LoadStep, e: unknown): LoadRefusal {
  if (e instanceof LoadError) return { step, error: e };
  if (e instanceof MapError) return { step, error: new LoadError(e.message) };
  throw e;
}

const usesUnsimulated = (spec: MapSpec): boolean =>
  !isSimulatedMapType(mapTypeOfSpec(spec)) || (spec.inner !== undefined && usesUnsimulated(spec.inner));

/** libbpf's object-wide steps: bpf_object__resolve_externs, then bpf_object__create_maps. */
export function prepareObject(parsed: ObjectFile, opts: ObjectLoadOptions = {}): PreparedObject {
  const registry = opts.kfuncs ?? defaultRegistry();
  const kernel = opts.kernel ?? new Kernel();
  const world = kernel.world(registry.types);
  let object = parsed;
  const out: PreparedObject = { object, registry, world, maps: [], notSimulated: [] };
  try {
    object = out.object = withKconfig(parsed, kernel);
    for (const p of object.programs) resolveExterns(p, object, registry, world);
  } catch (e) {
    out.refusal = refusal('externs', e);
    return out;
  }
  for (const spec of object.maps) {
    try {
      if (usesUnsimulated(spec)) {
        out.maps.push(declareMap(kernel.maps, spec, object.btf));
        out.notSimulated.push(spec.name);
      } else {
        out.maps.push(createFromSpec(kernel.maps, spec, object.btf, () => world.kptrs).verifierView());
      }
    } catch (e) {
      out.refusal = refusal('maps', e);
      return out;
    }
  }
  return out;
}

/** libbpf_prepare_prog_load's refusals that need no kernel BTF: no attach target named, no program to replace. */
function attachProblem(spec: ProgramSpec, extTarget: ProgInfo['extTarget']): string | undefined {
  const section = spec.section.replace(/^\?/, '');
  const m = ATTACH_BTF.exec(section);
  if (m !== null && m[2] !== '/') return `prog '${spec.name}': no BTF-based attach target is specified, use bpf_program__set_attach_target()`;
  if (spec.type.name === 'BPF_PROG_TYPE_EXT' && extTarget === undefined) return `prog '${spec.name}': attach program FD is not set`;
  return undefined;
}

export type ProgramLoadOutcome =
  | { stage: 'verified'; result: VerifierResult; insns: Insn[]; coreUnresolved: number }
  | { stage: 'refused'; refusal: LoadRefusal };

/**
 * Load program `name` (function or section name) of a prepared object: relocations, load attributes,
 * BPF_PROG_LOAD's checks and the verifier with `caps` at `logLevel`.
 */
export function loadObjectProgram(prepared: PreparedObject, name: string,
  opts: ObjectLoadOptions & { caps: ReadonlySet<Capability>; logLevel: number; xlated?: boolean }): ProgramLoadOutcome {
  if (prepared.refusal !== undefined) return { stage: 'refused', refusal: prepared.refusal };
  const { object, registry, world } = prepared;
  const spec = object.programs.find((p) => p.name === name) ?? object.programs.find((p) => p.section === name);
  if (spec === undefined) {
    throw new LoadError(`no program '${name}' (programs: ${object.programs.map((p) => p.name).join(', ')})`);
  }
  const where = { section: spec.section, symbol: spec.name };
  if (spec.type.name === 'BPF_PROG_TYPE_UNSPEC' || matchSection(spec.section).legacy) {
    const error = new LoadError(`prog '${spec.name}': missing BPF prog type, check ELF section name '${spec.section}'`, where);
    return { stage: 'refused', refusal: { step: 'section', error } };
  }
  let linked;
  try {
    linked = linkAgainstKernel(spec, object, registry, world);
  } catch (e) {
    if (e instanceof LoadError) e.locate(where);
    return { stage: 'refused', refusal: refusal('relocation', e) };
  }
  const problem = attachProblem(spec, opts.extTarget);
  if (problem !== undefined) return { stage: 'refused', refusal: { step: 'attach', error: new LoadError(problem, where) } };
  const missing = missingAttachTarget(spec, registry);
  if (missing !== undefined) return { stage: 'refused', refusal: { step: 'attach', error: new LoadError(missing, where) } };
  const prog = progInfoOf(spec, { registry, license: object.license, ...(opts.extTarget !== undefined && { extTarget: opts.extTarget }) });
  const result = progLoad(linked.insns, {
    prog, platform: kernelPlatform({ maps: (fd) => prepared.maps[fd], kfuncRegistry: registry }), caps: opts.caps,
    logLevel: opts.logLevel, lineInfo: spec.lineInfo, xlated: opts.xlated,
    ...(object.btf !== undefined ? { btf: object.btf, funcInfo: spec.funcInfo } : {}),
  });
  return { stage: 'verified', result, insns: linked.insns, coreUnresolved: linked.poisoned.size };
}
