/**
 * Linux 6.1's kfunc hooks (kernel/bpf/btf.c bpf_prog_type_to_kfunc_hook): sets are registered per
 * program type, but stored per hook, so TRACING and LSM share one.
 */
import type { ProgTypeName } from '../../src/object/bpf-enums.js';

export type KfuncHook = 'xdp' | 'tc' | 'struct_ops' | 'tracing' | 'syscall';

export const HOOK_OF_PROG_TYPE: Readonly<Partial<Record<ProgTypeName, KfuncHook>>> = {
  XDP: 'xdp',
  SCHED_CLS: 'tc',
  STRUCT_OPS: 'struct_ops',
  TRACING: 'tracing',
  LSM: 'tracing',
  SYSCALL: 'syscall',
};

/** The program types a hook serves. */
export function progTypesOf(hook: KfuncHook): ProgTypeName[] {
  return (Object.keys(HOOK_OF_PROG_TYPE) as ProgTypeName[]).filter((t) => HOOK_OF_PROG_TYPE[t] === hook);
}
