/**
 * What BPF_PROG_LOAD hands the verifier for a program bpfvm loaded: its load attributes. (Its maps are
 * the created maps' `verifierView()`, or `declareMap`'s for a type the simulation cannot create: see
 * kernel-sim/maps/from-spec.ts.)
 */
import type { ProgramSpec } from '../object/index.js';
import type { ProgTypeName } from '../object/bpf-enums.js';
import type { ProgInfo } from '../platform/platform.js';
import { defaultRegistry, type KfuncRegistry } from '../../kernel-sim/kfuncs/index.js';
import { structOpsAttach } from '../../kernel-sim/progtypes/struct-ops.js';

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
