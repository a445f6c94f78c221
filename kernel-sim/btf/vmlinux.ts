/**
 * The simulated kernel's BTF as programs see it: the reference kernel's vmlinux BTF (kernel-btf.ts) with
 * the simulation's additions after its last id (kernel-types.ts). A kfunc vmlinux defines has vmlinux's
 * FUNC id; one it does not (a module's, such as nf_conntrack's in Debian's build, or a user's) gets a
 * FUNC of its own past vmlinux's ids, as a module's split BTF would. Kernel variables are vmlinux's VARs
 * (pahole encodes the per-CPU variables, all in the `.data..percpu` DATASEC).
 */
import type { Btf } from '../../src/btf/index.js';
import type { KernelTypes } from './kernel-types.js';

/** A function prototype as C type texts; parameter names carry the annotations (`mem__sz`, `id__k`). */
export interface FuncSignature {
  name: string;
  ret: string;
  params: readonly { name: string; type: string }[];
}

/** A kernel variable of vmlinux BTF: its VAR's name and the BTF id of its type. */
export interface KernelVar {
  name: string;
  varId: number;
  /** BTF id of the variable's type. */
  type: number;
  percpu: boolean;
}

export const PERCPU_DATASEC = '.data..percpu';

export class VmlinuxBtf {
  private readonly funcIds = new Map<string, number>();
  private percpu: Set<number> | null = null;

  constructor(readonly types: KernelTypes, funcs: readonly FuncSignature[]) {
    for (const f of funcs) this.funcIds.set(f.name, types.funcId(f.name, f));
  }

  /** vmlinux and the additions as one BTF. */
  get btf(): Btf {
    return this.types.btf;
  }

  /** BTF id of a kfunc's FUNC (what `call` with src_reg 2 puts in imm). */
  funcId(name: string): number | undefined {
    return this.funcIds.get(name);
  }

  /** BTF id of a kernel variable's VAR (what an ld_imm64 of a typed `__ksym` carries in imm). */
  varId(name: string): number | undefined {
    return this.types.base.idByName(name, 'VAR');
  }

  /** The kernel variable whose VAR has this BTF id. */
  varById(id: number): KernelVar | undefined {
    const base = this.types.base;
    if (!Number.isInteger(id) || id <= 0 || id >= base.count || base.kindOf(id) !== 'VAR') return undefined;
    const v = base.type(id) as { name: string; type: number };
    return { name: v.name, varId: id, type: v.type, percpu: this.percpuVars().has(id) };
  }

  /** BTF id of a C type text (`struct task_struct`, `union nf_inet_addr`, `u32`, `struct sock *`). */
  typeId(text: string): number | undefined {
    return this.types.has(text) ? this.types.idOf(text) : undefined;
  }

  private percpuVars(): Set<number> {
    if (this.percpu !== null) return this.percpu;
    const base = this.types.base;
    const sec = base.idByName(PERCPU_DATASEC, 'DATASEC');
    const t = sec === undefined ? undefined : base.type(sec);
    this.percpu = new Set(t?.kind === 'DATASEC' ? t.vars.map((v) => v.type) : []);
    return this.percpu;
  }
}
