/**
 * BPF_PROG_LOAD's own checks before the verifier runs (kernel/bpf/syscall.c bpf_prog_load, Linux 6.1):
 * the instruction count, and which capabilities each program type needs. A refusal here leaves the
 * log empty.
 */
import type { ProgTypeName } from '../object/bpf-enums.js';
import { bpfCapable, type Capability, perfmonCapable } from '../platform/caps.js';

/** BPF_MAXINSNS: the unprivileged instruction limit. */
export const BPF_MAXINSNS = 4096;
const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;

/** is_net_admin_prog_type */
const NET_ADMIN_TYPES: ReadonlySet<string> = new Set([
  'SCHED_CLS', 'SCHED_ACT', 'XDP', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'LWT_SEG6LOCAL', 'SK_SKB', 'SK_MSG', 'LIRC_MODE2',
  'FLOW_DISSECTOR', 'CGROUP_DEVICE', 'CGROUP_SOCK', 'CGROUP_SOCK_ADDR', 'CGROUP_SOCKOPT', 'CGROUP_SYSCTL', 'SOCK_OPS', 'EXT',
]);

/** is_perfmon_prog_type */
const PERFMON_TYPES: ReadonlySet<string> = new Set([
  'KPROBE', 'TRACEPOINT', 'PERF_EVENT', 'RAW_TRACEPOINT', 'RAW_TRACEPOINT_WRITABLE', 'TRACING', 'LSM', 'STRUCT_OPS', 'EXT',
]);

/** The errno bpf_prog_load returns before verification (positive), or 0 when it goes on to the verifier. */
export function progLoadErrno(type: ProgTypeName, insnCnt: number, caps: ReadonlySet<Capability>): number {
  const bpf = bpfCapable(caps);
  if (insnCnt === 0 || insnCnt > (bpf ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS)) return 7; // E2BIG
  if (type !== 'SOCKET_FILTER' && type !== 'CGROUP_SKB' && !bpf) return 1; // EPERM
  if (NET_ADMIN_TYPES.has(type) && !caps.has('CAP_NET_ADMIN') && !caps.has('CAP_SYS_ADMIN')) return 1;
  if (PERFMON_TYPES.has(type) && !perfmonCapable(caps)) return 1;
  return 0;
}
