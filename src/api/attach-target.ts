/**
 * The attach target of a BTF-attached ELF program as libbpf finds it before BPF_PROG_LOAD
 * (libbpf_find_attach_btf_id): one rule for `bpfvm verify`, the realworld yardstick and `Program.verify()`.
 */
import type { ProgramSpec } from '../object/index.js';
import { findAttachBtfId } from '../../kernel-sim/btf/attach-targets.js';
import type { KfuncRegistry } from '../../kernel-sim/kfuncs/index.js';
import { ERRNO } from '../../kernel-sim/maps/errno.js';

/** A section whose program needs a BTF attach target (libbpf's SEC_ATTACH_BTF). */
export const ATTACH_BTF = /^(tp_btf|fentry|fmod_ret|fexit|fentry\.s|fmod_ret\.s|fexit\.s|freplace|lsm|lsm\.s|lsm_cgroup|iter|iter\.s)(\/|$)/;

/**
 * libbpf's refusal of a BTF-attached program (not freplace, whose target is a program) whose target the
 * kernel's BTF (vmlinux and the modules the simulation has) lacks: -ESRCH, before the kernel sees it.
 */
export function missingAttachTarget(spec: ProgramSpec, registry: KfuncRegistry): string | undefined {
  const section = spec.section.replace(/^\?/, '');
  const m = ATTACH_BTF.exec(section);
  if (m === null || m[1] === 'freplace' || m[2] !== '/') return undefined;
  const name = section.slice(m[0].length);
  const attachType = spec.attachType?.name.replace(/^BPF_/, '');
  if (findAttachBtfId(registry.types.btf, attachType, name) !== undefined) return undefined;
  return `prog '${spec.name}': failed to find kernel BTF type ID of '${name}': -${ERRNO.ESRCH}`;
}
