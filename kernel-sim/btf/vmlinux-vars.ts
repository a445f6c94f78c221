/**
 * The per-CPU variables of the simulated vmlinux. As in a real 6.1 vmlinux (pahole encodes only per-CPU
 * variables), these are the VARs of its BTF, listed in the `.data..percpu` DATASEC: typed `__ksym` externs
 * resolve to them, and the verifier types an ld_imm64 of one as a per-CPU pointer. Each has a run-time
 * object (kernelSymbols in src/api/core-link.ts), one copy shared by every simulated CPU.
 */
export interface KernelVarDef {
  name: string;
  /** Its C type, a type text of the TypeTable. */
  type: string;
}

export const PERCPU_DATASEC = '.data..percpu';

export const VMLINUX_PERCPU_VARS: readonly KernelVarDef[] = [
  { name: 'bpf_prog_active', type: 'int' },
  { name: 'current_task', type: 'struct task_struct *' },
  { name: 'runqueues', type: 'struct rq' },
];
