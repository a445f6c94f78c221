/**
 * What a BTF-typed program's context describes, from the kernel's BTF as 6.1 finds it
 * (bpf_check_attach_target): the FUNC_PROTO of the function an fentry/fexit/fmod_ret program attaches to,
 * of the `bpf_lsm_<hook>` an LSM program attaches to, of the `bpf_iter_<target>` an iterator runs for,
 * and of the `btf_trace_<event>` typedef a tp_btf program sees (its first `void *__data` argument
 * skipped). Iterators add their ctx_arg_info: arguments that may be NULL (and buffers).
 */
import { BpfRegType, BpfTypeFlag, type RegTypeBits } from '../../src/uapi/reg-types.js';
import type { Btf } from '../../src/btf/index.js';

/** One context argument: its BTF type id and byte offset in the u64 argument array. */
export interface TargetArg {
  name: string;
  type: number;
  off: number;
}

export interface AttachProto {
  /** The attach target's name as the kernel logs it (`attach_func_name`). */
  name: string;
  args: readonly TargetArg[];
  /** BTF id of the return type (0 for void). */
  ret: number;
  /** tp_btf: the proto of btf_trace_<event> with its first argument skipped. */
  btfTrace: boolean;
  /** ctx_arg_info of iterators: offset → register type. */
  ctxArgs: ReadonlyMap<number, RegTypeBits>;
}

/** The register types of iterators' ctx_arg_info. */
const BTF_OR_NULL = BpfRegType.PTR_TO_BTF_ID_OR_NULL;
const BUF_OR_NULL = BpfRegType.PTR_TO_BUF | BpfTypeFlag.PTR_MAYBE_NULL;
const RDONLY_BUF_OR_NULL = BpfRegType.PTR_TO_BUF | BpfTypeFlag.PTR_MAYBE_NULL | BpfTypeFlag.MEM_RDONLY;

/**
 * ctx_arg_info of the 6.1 iterators (bpf_iter_reg of kernel/bpf/*_iter.c, net/…): by member of
 * `struct bpf_iter__<target>`.
 */
const ITER_CTX_ARGS: Readonly<Record<string, Readonly<Record<string, RegTypeBits>>>> = {
  task: { task: BTF_OR_NULL },
  task_file: { task: BTF_OR_NULL, file: BTF_OR_NULL },
  task_vma: { task: BTF_OR_NULL, vma: BTF_OR_NULL },
  bpf_map: { map: BTF_OR_NULL },
  bpf_map_elem: { key: RDONLY_BUF_OR_NULL, value: BUF_OR_NULL },
  bpf_prog: { prog: BTF_OR_NULL },
  bpf_link: { link: BTF_OR_NULL },
  cgroup: { cgroup: BTF_OR_NULL },
  ksym: { ksym: BTF_OR_NULL },
  netlink: { sk: BTF_OR_NULL },
  ipv6_route: { rt: BTF_OR_NULL },
  sockmap: { key: RDONLY_BUF_OR_NULL, sk: BTF_OR_NULL },
  bpf_sk_storage_map: { sk: BTF_OR_NULL, value: BUF_OR_NULL },
  unix: { unix_sk: BTF_OR_NULL },
  tcp: { sk_common: BTF_OR_NULL },
  udp: { udp_sk: BTF_OR_NULL },
};

function protoOf(btf: Btf, funcId: number): number | undefined {
  const f = btf.type(funcId);
  if (f.kind !== 'FUNC') return undefined;
  const p = btf.type(f.type);
  return p.kind === 'FUNC_PROTO' ? f.type : undefined;
}

/** Offsets of the arguments in the context (get_ctx_arg_idx: pointers take 8 bytes, others their size rounded up to 8). */
function layoutArgs(btf: Btf, protoId: number, skipFirst: boolean): { args: TargetArg[]; ret: number } {
  const p = btf.type(protoId);
  if (p.kind !== 'FUNC_PROTO') return { args: [], ret: 0 };
  const params = skipFirst ? p.params.slice(1) : p.params;
  let off = 0;
  const args = params.map((a) => {
    const t = btf.type(btf.resolve(a.type));
    const at = off;
    off += t.kind === 'PTR' ? 8 : Math.ceil(sizeOrEight(btf, a.type) / 8) * 8;
    return { name: a.name, type: a.type, off: at };
  });
  return { args, ret: p.returnType };
}

function sizeOrEight(btf: Btf, id: number): number {
  try {
    return btf.sizeOf(id) || 8;
  } catch {
    return 8;
  }
}

/** The function (FUNC) of this name in the kernel's BTF. */
export function kernelFunc(btf: Btf, name: string): number | undefined {
  return btf.idByName(name, 'FUNC');
}

/**
 * The attach prototype of a TRACING or LSM program, or undefined when the kernel's BTF lacks the target.
 * `attachType` is the BPF_* attach type name without the prefix.
 */
export function attachProto(btf: Btf, progType: string, attachType: string | undefined, attachTo: string): AttachProto | undefined {
  const none = new Map<number, never>();
  if (progType === 'LSM') {
    const name = attachTo.startsWith('bpf_lsm_') ? attachTo : `bpf_lsm_${attachTo}`;
    const f = kernelFunc(btf, name);
    const p = f === undefined ? undefined : protoOf(btf, f);
    return p === undefined ? undefined : { name, ...layoutArgs(btf, p, false), btfTrace: false, ctxArgs: none };
  }
  if (progType !== 'TRACING') return undefined;
  switch (attachType) {
    case 'TRACE_FENTRY': case 'TRACE_FEXIT': case 'MODIFY_RETURN': {
      const f = kernelFunc(btf, attachTo);
      const p = f === undefined ? undefined : protoOf(btf, f);
      return p === undefined ? undefined : { name: attachTo, ...layoutArgs(btf, p, false), btfTrace: false, ctxArgs: none };
    }
    case 'TRACE_RAW_TP': {
      const name = attachTo.replace(/^btf_trace_/, '');
      const td = btf.idByName(`btf_trace_${name}`, 'TYPEDEF');
      if (td === undefined) return undefined;
      const ptr = btf.type(btf.type(td).kind === 'TYPEDEF' ? (btf.type(td) as { type: number }).type : td);
      if (ptr.kind !== 'PTR') return undefined;
      const p = btf.resolve(ptr.type);
      if (btf.type(p).kind !== 'FUNC_PROTO') return undefined;
      return { name, ...layoutArgs(btf, p, true), btfTrace: true, ctxArgs: none };
    }
    case 'TRACE_ITER': {
      const target = attachTo.replace(/^bpf_iter_/, '');
      const f = kernelFunc(btf, `bpf_iter_${target}`);
      const p = f === undefined ? undefined : protoOf(btf, f);
      if (p === undefined) return undefined;
      const { args, ret } = layoutArgs(btf, p, false);
      const info = ITER_CTX_ARGS[target] ?? {};
      const ctxArgs = new Map<number, RegTypeBits>();
      for (const a of args) if (info[a.name] !== undefined) ctxArgs.set(a.off, info[a.name]!);
      return { name: `bpf_iter_${target}`, args, ret, btfTrace: false, ctxArgs };
    }
    default:
      return undefined;
  }
}

/**
 * libbpf's find_attach_btf_id (1.1): the kernel BTF type a BTF-attached program names, by the prefix and
 * kind its attach type implies — `btf_trace_<tp>` (TYPEDEF) for tp_btf, `bpf_lsm_<hook>` (FUNC) for LSM
 * programs, `bpf_iter_<target>` (FUNC) for iterators, the function itself (FUNC) for fentry/fexit/fmod_ret.
 * Undefined when the kernel (vmlinux and its modules) has no such type: libbpf then refuses the load with
 * -ESRCH before the kernel sees the program.
 */
export function findAttachBtfId(btf: Btf, attachType: string | undefined, name: string): number | undefined {
  switch (attachType) {
    case 'TRACE_RAW_TP': return btf.idByName(`btf_trace_${name}`, 'TYPEDEF');
    case 'LSM_MAC': case 'LSM_CGROUP': return btf.idByName(`bpf_lsm_${name}`, 'FUNC');
    case 'TRACE_ITER': return btf.idByName(`bpf_iter_${name}`, 'FUNC');
    default: return btf.idByName(name, 'FUNC');
  }
}
