/**
 * The simulated vmlinux BTF: every kernel type of the TypeTable, then a FUNC_PROTO and a FUNC per kfunc,
 * serialized with BtfBuilder and parsed back, so the ids programs put in `imm` (and that CO-RE and
 * `__ksym` resolve to) are those of a real .BTF blob.
 */
import { BtfBuilder, parseBtf, type Btf } from '../../src/btf/index.js';
import type { TypeTable } from './ctypes.js';

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

  constructor(readonly types: TypeTable, funcs: readonly FuncSignature[]) {
    const b = new BtfBuilder();
    types.emit(b);
    for (const f of funcs) {
      const proto = b.add({
        kind: 'FUNC_PROTO', name: '', returnType: types.typeId(f.ret),
        params: f.params.map((p) => ({ name: p.name, type: types.typeId(p.type) })),
      });
      this.funcIds.set(f.name, b.add({ kind: 'FUNC', name: f.name, type: proto, linkage: 1 /* BTF_FUNC_GLOBAL */ }));
    }
    this.bytes = b.build();
    this.btf = parseBtf(this.bytes, { section: 'vmlinux .BTF' });
  }

  /** BTF id of a kfunc's FUNC (what `call` with src_reg 2 puts in imm). */
  funcId(name: string): number | undefined {
    return this.funcIds.get(name);
  }

  /** BTF id of a named type: `struct task_struct`, `union nf_inet_addr`, `u32`. */
  typeId(text: string): number | undefined {
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(text.trim());
    const kind = m === null ? undefined : m[1] === 'struct' ? 'STRUCT' : m[1] === 'union' ? 'UNION' : 'ENUM';
    return this.btf.idByName(m === null ? text.trim() : m[2]!, kind);
  }
}
