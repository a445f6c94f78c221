/**
 * BPF_PROG_LOAD's own checks before the verifier runs (kernel/bpf/syscall.c bpf_prog_load, Linux 6.1):
 * the instruction count, and which capabilities each program type needs. A refusal here leaves the
 * log empty.
 */
import type { ProgTypeName } from '../object/bpf-enums.js';
import { bpfCapable, type Capability, perfmonCapable } from '../platform/caps.js';
import { E2BIG, EINVAL, EPERM } from '../uapi/errno.js';

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

/**
 * bpf_prog_load_check_attach: the expected attach types a program type may be loaded with (names without
 * `BPF_`), after bpf_prog_load_fixup_attach_type gave CGROUP_SOCK and SK_REUSEPORT their default. Any other
 * value (none given is 0, CGROUP_INET_INGRESS) is EINVAL. Types without a row take any attach type.
 */
export const LOAD_ATTACH_TYPES: Readonly<Partial<Record<ProgTypeName, readonly string[]>>> = {
  CGROUP_SOCK: ['CGROUP_INET_SOCK_CREATE', 'CGROUP_INET_SOCK_RELEASE', 'CGROUP_INET4_POST_BIND', 'CGROUP_INET6_POST_BIND'],
  CGROUP_SOCK_ADDR: [
    'CGROUP_INET4_BIND', 'CGROUP_INET6_BIND', 'CGROUP_INET4_CONNECT', 'CGROUP_INET6_CONNECT', 'CGROUP_INET4_GETPEERNAME',
    'CGROUP_INET6_GETPEERNAME', 'CGROUP_INET4_GETSOCKNAME', 'CGROUP_INET6_GETSOCKNAME', 'CGROUP_UDP4_SENDMSG',
    'CGROUP_UDP6_SENDMSG', 'CGROUP_UDP4_RECVMSG', 'CGROUP_UDP6_RECVMSG',
  ],
  CGROUP_SKB: ['CGROUP_INET_INGRESS', 'CGROUP_INET_EGRESS'],
  CGROUP_SOCKOPT: ['CGROUP_SETSOCKOPT', 'CGROUP_GETSOCKOPT'],
  SK_LOOKUP: ['SK_LOOKUP'],
  SK_REUSEPORT: ['SK_REUSEPORT_SELECT', 'SK_REUSEPORT_SELECT_OR_MIGRATE'],
  // SYSCALL and EXT: no expected attach type at all (0)
  SYSCALL: ['CGROUP_INET_INGRESS'],
  EXT: ['CGROUP_INET_INGRESS'],
};

/** bpf_prog_load_fixup_attach_type: the defaults of a missing (0) expected attach type. */
const FIXUP_ATTACH: Readonly<Partial<Record<ProgTypeName, string>>> = {
  CGROUP_SOCK: 'CGROUP_INET_SOCK_CREATE',
  SK_REUSEPORT: 'SK_REUSEPORT_SELECT',
};

/** Whether bpf_prog_load_check_attach lets `type` load with `attach` (undefined: none given, i.e. 0). */
export function loadAttachAllowed(type: ProgTypeName, attach: string | undefined): boolean {
  const allowed = LOAD_ATTACH_TYPES[type];
  if (allowed === undefined) return true;
  const given = attach === undefined || attach === 'CGROUP_INET_INGRESS' ? FIXUP_ATTACH[type] ?? 'CGROUP_INET_INGRESS' : attach;
  return allowed.includes(given);
}

/** The errno bpf_prog_load returns before verification (positive), or 0 when it goes on to the verifier. */
export function progLoadErrno(type: ProgTypeName, insnCnt: number, caps: ReadonlySet<Capability>, expectedAttachType?: string): number {
  const bpf = bpfCapable(caps);
  if (insnCnt === 0 || insnCnt > (bpf ? BPF_COMPLEXITY_LIMIT_INSNS : BPF_MAXINSNS)) return E2BIG;
  if (type !== 'SOCKET_FILTER' && type !== 'CGROUP_SKB' && !bpf) return EPERM;
  if (NET_ADMIN_TYPES.has(type) && !caps.has('CAP_NET_ADMIN') && !caps.has('CAP_SYS_ADMIN')) return EPERM;
  if (PERFMON_TYPES.has(type) && !perfmonCapable(caps)) return EPERM;
  if (!loadAttachAllowed(type, expectedAttachType)) return EINVAL;
  return 0;
}
