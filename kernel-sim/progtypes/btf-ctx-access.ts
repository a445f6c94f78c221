/**
 * The context of BTF-typed programs (TRACING, LSM) as Linux 6.1's btf_ctx_access reads it, and the uapi
 * context struct a program type's kfunc parameters name (btf_get_prog_ctx_type).
 */
import type { Btf } from '../../src/btf/index.js';
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { CtxAccess, ProgInfo } from '../../src/platform/platform.js';
import { attachProto, type AttachProto } from '../btf/attach-targets.js';
import { baseRegType, BpfRegType } from '../../src/uapi/reg-types.js';

/** The function a TRACING or LSM program's context describes (its attach target), when the kernel's BTF has it. */
export function traceTargetOf(btf: Btf, prog: ProgInfo): AttachProto | undefined {
  if (prog.attachTo === undefined || (prog.type !== 'LSM' && prog.type !== 'TRACING')) return undefined;
  return attachProto(btf, prog.type, prog.expectedAttachType, prog.attachTo);
}

/** btf_type_is_small_int / any enum / a struct passed by value: a scalar context slot. */
function isScalarArg(btf: Btf, id: number): boolean {
  const t = btf.type(btf.resolve(id));
  return (t.kind === 'INT' && t.size <= 8) || t.kind === 'ENUM' || t.kind === 'ENUM64' || t.kind === 'STRUCT' || t.kind === 'UNION';
}

/**
 * btf_ctx_access (6.1): the u64 slots of the arguments (for fexit and LSM, the slot past them is the return
 * value; fmod_ret only for an integer return); integers, enums and structs by value load as scalars,
 * pointers to void and to integers as scalars, pointers to structs as PTR_TO_BTF_ID (or what an
 * iterator's ctx_arg_info says), anything else is refused.
 */
export function btfCtxAccess(btf: Btf, t: AttachProto, prog: ProgInfo, off: number): CtxAccess | undefined {
  if (off % 8 !== 0) return undefined;
  let arg = t.args.findIndex((a, i) => off >= a.off && (i === t.args.length - 1 || off < t.args[i + 1]!.off));
  const end = t.args.length === 0 ? 0 : t.args[t.args.length - 1]!.off + 8;
  if (arg >= 0 && off >= end) arg = -1;
  let type: number;
  if (arg >= 0) {
    type = t.args[arg]!.type;
  } else if (off === end) {
    const att = prog.expectedAttachType ?? '';
    if (att === 'TRACE_FEXIT' || att === 'LSM_MAC' || att === 'LSM_CGROUP') type = t.ret;
    else if (att === 'MODIFY_RETURN') {
      const r = btf.type(btf.resolve(t.ret));
      if (!(r.kind === 'INT' && r.size <= 8)) return undefined;
      type = t.ret;
    } else return undefined;
  } else {
    return undefined;
  }
  if (isScalarArg(btf, type)) return { regType: BpfRegType.SCALAR_VALUE };
  const pt = btf.type(btf.resolve(type));
  if (pt.kind !== 'PTR') return undefined;
  const ctxArg = t.ctxArgs.get(off);
  if (ctxArg !== undefined && baseRegType(ctxArg) === BpfRegType.PTR_TO_BUF) return { regType: ctxArg };
  if (pt.type === 0) return { regType: BpfRegType.SCALAR_VALUE };
  const to = btf.type(btf.resolve(pt.type));
  if (to.kind === 'INT') return { regType: BpfRegType.SCALAR_VALUE };
  if (to.kind !== 'STRUCT' && to.kind !== 'UNION') return undefined;
  return { regType: ctxArg ?? BpfRegType.PTR_TO_BTF_ID, btfName: to.name };
}

/** The uapi context struct a program type's kfunc parameters name (btf_get_prog_ctx_type). */
export const CTX_STRUCT: Partial<Record<ProgTypeName, string>> = {
  SOCKET_FILTER: '__sk_buff', SCHED_CLS: '__sk_buff', SCHED_ACT: '__sk_buff', CGROUP_SKB: '__sk_buff', LWT_IN: '__sk_buff',
  LWT_OUT: '__sk_buff', LWT_XMIT: '__sk_buff', LWT_SEG6LOCAL: '__sk_buff', SK_SKB: '__sk_buff', XDP: 'xdp_md',
  CGROUP_SOCK: 'bpf_sock', SOCK_OPS: 'bpf_sock_ops', SK_MSG: 'sk_msg_md', CGROUP_SOCK_ADDR: 'bpf_sock_addr',
  CGROUP_SYSCTL: 'bpf_sysctl', FLOW_DISSECTOR: '__sk_buff', SK_LOOKUP: 'bpf_sk_lookup', PERF_EVENT: 'bpf_perf_event_data',
};
