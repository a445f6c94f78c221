/**
 * The simulated vmlinux BTF: every kernel type of the TypeTable, then a FUNC_PROTO and a FUNC per kfunc,
 * then a VAR per per-CPU variable and the `.data..percpu` DATASEC listing them, serialized with BtfBuilder
 * and parsed back, so the ids programs put in `imm` (and that CO-RE and `__ksym` resolve to) are those of a
 * real .BTF blob.
 */
import { BtfBuilder, parseBtf, type Btf } from '../../src/btf/index.js';
import type { TypeTable } from './ctypes.js';
import { PERCPU_DATASEC, VMLINUX_PERCPU_VARS, type KernelVarDef } from './vmlinux-vars.js';

/** A function prototype as C type texts; parameter names carry the annotations (`mem__sz`, `id__k`). */
export interface FuncSignature {
  name: string;
  ret: string;
  params: readonly { name: string; type: string }[];
}

export class VmlinuxBtf {
  /** The serialized .BTF blob. */
  readonly bytes: Uint8Array;
  readonly btf: Btf;
  private readonly funcIds = new Map<string, number>();
  private readonly varIds = new Map<string, number>();
  private readonly varsById = new Map<number, KernelVarDef & { percpu: boolean }>();

  constructor(readonly types: TypeTable, funcs: readonly FuncSignature[], percpuVars: readonly KernelVarDef[] = VMLINUX_PERCPU_VARS) {
    const b = new BtfBuilder();
    types.emit(b);
    for (const f of funcs) {
      const proto = b.add({
        kind: 'FUNC_PROTO', name: '', returnType: types.typeId(f.ret),
        params: f.params.map((p) => ({ name: p.name, type: types.typeId(p.type) })),
      });
      this.funcIds.set(f.name, b.add({ kind: 'FUNC', name: f.name, type: proto, linkage: 1 /* BTF_FUNC_GLOBAL */ }));
    }
    const secVars: { type: number; offset: number; size: number }[] = [];
    let secSize = 0;
    for (const v of percpuVars) {
      const id = b.add({ kind: 'VAR', name: v.name, type: types.typeId(v.type), linkage: 1 /* BTF_VAR_GLOBAL_ALLOCATED */ });
      const size = types.sizeOf(v.type);
      secSize = Math.ceil(secSize / 8) * 8;
      secVars.push({ type: id, offset: secSize, size });
      secSize += size;
      this.varIds.set(v.name, id);
      this.varsById.set(id, { ...v, percpu: true });
    }
    if (secVars.length > 0) b.add({ kind: 'DATASEC', name: PERCPU_DATASEC, size: secSize, vars: secVars });
    this.bytes = b.build();
    this.btf = parseBtf(this.bytes, { section: 'vmlinux .BTF' });
  }

  /** BTF id of a kfunc's FUNC (what `call` with src_reg 2 puts in imm). */
  funcId(name: string): number | undefined {
    return this.funcIds.get(name);
  }

  /** BTF id of a kernel variable's VAR (what an ld_imm64 of a typed `__ksym` carries in imm). */
  varId(name: string): number | undefined {
    return this.varIds.get(name);
  }

  /** The kernel variable whose VAR has this BTF id. */
  varById(id: number): (KernelVarDef & { percpu: boolean }) | undefined {
    return this.varsById.get(id);
  }

  /** BTF id of a named type: `struct task_struct`, `union nf_inet_addr`, `u32`. */
  typeId(text: string): number | undefined {
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(text.trim());
    const kind = m === null ? undefined : m[1] === 'struct' ? 'STRUCT' : m[1] === 'union' ? 'UNION' : 'ENUM';
    return this.btf.idByName(m === null ? text.trim() : m[2]!, kind);
  }
}
