import { attachType, progType, type AttachTypeName, type EnumValue, type ProgTypeName } from './bpf-enums.js';

/**
 * libbpf 1.x's section_defs as data. `sec` ending in `+` matches the name exactly or followed by
 * `/extras` (the attach target); otherwise the match is exact. Order matters: the first match wins.
 */
interface SectionDef {
  sec: string;
  type: ProgTypeName;
  attach?: AttachTypeName;
  sleepable?: true;
}

const d = (sec: string, type: ProgTypeName, attach?: AttachTypeName, sleepable?: true): SectionDef =>
  ({ sec, type, ...(attach && { attach }), ...(sleepable && { sleepable }) });
const S = true;

export const SECTION_DEFS: readonly SectionDef[] = [
  d('socket', 'SOCKET_FILTER'),
  d('sk_reuseport/migrate', 'SK_REUSEPORT', 'SK_REUSEPORT_SELECT_OR_MIGRATE'),
  d('sk_reuseport', 'SK_REUSEPORT', 'SK_REUSEPORT_SELECT'),
  d('kprobe+', 'KPROBE'),
  d('uprobe+', 'KPROBE'),
  d('uprobe.s+', 'KPROBE', undefined, S),
  d('kretprobe+', 'KPROBE'),
  d('uretprobe+', 'KPROBE'),
  d('uretprobe.s+', 'KPROBE', undefined, S),
  d('kprobe.multi+', 'KPROBE', 'TRACE_KPROBE_MULTI'),
  d('kretprobe.multi+', 'KPROBE', 'TRACE_KPROBE_MULTI'),
  d('kprobe.session+', 'KPROBE', 'TRACE_KPROBE_SESSION'),
  d('uprobe.multi+', 'KPROBE', 'TRACE_UPROBE_MULTI'),
  d('uretprobe.multi+', 'KPROBE', 'TRACE_UPROBE_MULTI'),
  d('uprobe.session+', 'KPROBE', 'TRACE_UPROBE_SESSION'),
  d('uprobe.multi.s+', 'KPROBE', 'TRACE_UPROBE_MULTI', S),
  d('uretprobe.multi.s+', 'KPROBE', 'TRACE_UPROBE_MULTI', S),
  d('uprobe.session.s+', 'KPROBE', 'TRACE_UPROBE_SESSION', S),
  d('ksyscall+', 'KPROBE'),
  d('kretsyscall+', 'KPROBE'),
  d('usdt+', 'KPROBE'),
  d('usdt.s+', 'KPROBE', undefined, S),
  d('tc/ingress', 'SCHED_CLS', 'TCX_INGRESS'),
  d('tc/egress', 'SCHED_CLS', 'TCX_EGRESS'),
  d('tcx/ingress', 'SCHED_CLS', 'TCX_INGRESS'),
  d('tcx/egress', 'SCHED_CLS', 'TCX_EGRESS'),
  d('tc', 'SCHED_CLS'),
  d('classifier', 'SCHED_CLS'),
  d('action', 'SCHED_ACT'),
  d('netkit/primary', 'SCHED_CLS', 'NETKIT_PRIMARY'),
  d('netkit/peer', 'SCHED_CLS', 'NETKIT_PEER'),
  d('tracepoint+', 'TRACEPOINT'),
  d('tp+', 'TRACEPOINT'),
  d('tracepoint.s+', 'TRACEPOINT', undefined, S),
  d('tp.s+', 'TRACEPOINT', undefined, S),
  d('raw_tracepoint+', 'RAW_TRACEPOINT'),
  d('raw_tp+', 'RAW_TRACEPOINT'),
  d('raw_tracepoint.s+', 'RAW_TRACEPOINT', undefined, S),
  d('raw_tp.s+', 'RAW_TRACEPOINT', undefined, S),
  d('raw_tracepoint.w+', 'RAW_TRACEPOINT_WRITABLE'),
  d('raw_tp.w+', 'RAW_TRACEPOINT_WRITABLE'),
  d('tp_btf+', 'TRACING', 'TRACE_RAW_TP'),
  d('tp_btf.s+', 'TRACING', 'TRACE_RAW_TP', S),
  d('fentry+', 'TRACING', 'TRACE_FENTRY'),
  d('fmod_ret+', 'TRACING', 'MODIFY_RETURN'),
  d('fexit+', 'TRACING', 'TRACE_FEXIT'),
  d('fentry.s+', 'TRACING', 'TRACE_FENTRY', S),
  d('fmod_ret.s+', 'TRACING', 'MODIFY_RETURN', S),
  d('fexit.s+', 'TRACING', 'TRACE_FEXIT', S),
  d('freplace+', 'EXT'),
  d('lsm+', 'LSM', 'LSM_MAC'),
  d('lsm.s+', 'LSM', 'LSM_MAC', S),
  d('lsm_cgroup+', 'LSM', 'LSM_CGROUP'),
  d('iter+', 'TRACING', 'TRACE_ITER'),
  d('iter.s+', 'TRACING', 'TRACE_ITER', S),
  d('syscall', 'SYSCALL', undefined, S),
  d('xdp.frags/devmap', 'XDP', 'XDP_DEVMAP'),
  d('xdp/devmap', 'XDP', 'XDP_DEVMAP'),
  d('xdp.frags/cpumap', 'XDP', 'XDP_CPUMAP'),
  d('xdp/cpumap', 'XDP', 'XDP_CPUMAP'),
  d('xdp.frags', 'XDP', 'XDP'),
  d('xdp', 'XDP', 'XDP'),
  d('perf_event', 'PERF_EVENT'),
  d('lwt_in', 'LWT_IN'),
  d('lwt_out', 'LWT_OUT'),
  d('lwt_xmit', 'LWT_XMIT'),
  d('lwt_seg6local', 'LWT_SEG6LOCAL'),
  d('sockops', 'SOCK_OPS', 'CGROUP_SOCK_OPS'),
  d('sk_skb/stream_parser', 'SK_SKB', 'SK_SKB_STREAM_PARSER'),
  d('sk_skb/stream_verdict', 'SK_SKB', 'SK_SKB_STREAM_VERDICT'),
  d('sk_skb/verdict', 'SK_SKB', 'SK_SKB_VERDICT'),
  d('sk_skb', 'SK_SKB'),
  d('sk_msg', 'SK_MSG', 'SK_MSG_VERDICT'),
  d('lirc_mode2', 'LIRC_MODE2', 'LIRC_MODE2'),
  d('flow_dissector', 'FLOW_DISSECTOR', 'FLOW_DISSECTOR'),
  d('cgroup_skb/ingress', 'CGROUP_SKB', 'CGROUP_INET_INGRESS'),
  d('cgroup_skb/egress', 'CGROUP_SKB', 'CGROUP_INET_EGRESS'),
  d('cgroup/skb', 'CGROUP_SKB'),
  d('cgroup/sock_create', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE'),
  d('cgroup/sock_release', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_RELEASE'),
  d('cgroup/sock', 'CGROUP_SOCK', 'CGROUP_INET_SOCK_CREATE'),
  d('cgroup/post_bind4', 'CGROUP_SOCK', 'CGROUP_INET4_POST_BIND'),
  d('cgroup/post_bind6', 'CGROUP_SOCK', 'CGROUP_INET6_POST_BIND'),
  d('cgroup/bind4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_BIND'),
  d('cgroup/bind6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_BIND'),
  d('cgroup/connect4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_CONNECT'),
  d('cgroup/connect6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_CONNECT'),
  d('cgroup/connect_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_CONNECT'),
  d('cgroup/sendmsg4', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP4_SENDMSG'),
  d('cgroup/sendmsg6', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP6_SENDMSG'),
  d('cgroup/sendmsg_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_SENDMSG'),
  d('cgroup/recvmsg4', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP4_RECVMSG'),
  d('cgroup/recvmsg6', 'CGROUP_SOCK_ADDR', 'CGROUP_UDP6_RECVMSG'),
  d('cgroup/recvmsg_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_RECVMSG'),
  d('cgroup/getpeername4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_GETPEERNAME'),
  d('cgroup/getpeername6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_GETPEERNAME'),
  d('cgroup/getpeername_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_GETPEERNAME'),
  d('cgroup/getsockname4', 'CGROUP_SOCK_ADDR', 'CGROUP_INET4_GETSOCKNAME'),
  d('cgroup/getsockname6', 'CGROUP_SOCK_ADDR', 'CGROUP_INET6_GETSOCKNAME'),
  d('cgroup/getsockname_unix', 'CGROUP_SOCK_ADDR', 'CGROUP_UNIX_GETSOCKNAME'),
  d('cgroup/sysctl', 'CGROUP_SYSCTL', 'CGROUP_SYSCTL'),
  d('cgroup/getsockopt', 'CGROUP_SOCKOPT', 'CGROUP_GETSOCKOPT'),
  d('cgroup/setsockopt', 'CGROUP_SOCKOPT', 'CGROUP_SETSOCKOPT'),
  d('cgroup/dev', 'CGROUP_DEVICE', 'CGROUP_DEVICE'),
  d('struct_ops+', 'STRUCT_OPS'),
  d('struct_ops.s+', 'STRUCT_OPS', undefined, S),
  d('sk_lookup', 'SK_LOOKUP', 'SK_LOOKUP'),
  d('netfilter', 'NETFILTER', 'NETFILTER'),
];

export interface SectionMatch {
  type: EnumValue;
  /** Expected attach type, when the section names one. */
  attachType?: EnumValue;
  /** What follows `prefix/` in a `+` section: the kernel function, tracepoint, BTF type, ... */
  attachTo?: string;
  sleepable: boolean;
  /** False for `?`-prefixed sections (libbpf: not loaded by default). */
  autoload: boolean;
  /** Matched only by the pre-1.0 rule: the name merely starts with the definition's name. */
  legacy: boolean;
}

/**
 * Program type of a section name, by libbpf 1.x's rules; failing those, by libbpf 0.x's "sloppy"
 * prefix rule (`socket1`, `xdp_prog`), which older objects rely on; failing both, UNSPEC.
 */
export function matchSection(section: string): SectionMatch {
  const autoload = !section.startsWith('?');
  const name = autoload ? section : section.slice(1);
  for (const legacy of [false, true]) {
    for (const def of SECTION_DEFS) {
      const plus = def.sec.endsWith('+');
      const base = plus ? def.sec.slice(0, -1) : def.sec;
      if (!name.startsWith(base)) continue;
      const rest = name.slice(base.length);
      const strict = rest === '' || (plus && rest.startsWith('/'));
      if (!strict && !legacy) continue;
      return {
        type: progType(def.type),
        ...(def.attach !== undefined && { attachType: attachType(def.attach) }),
        ...(plus && strict && rest !== '' && { attachTo: rest.slice(1) }),
        sleepable: def.sleepable === true,
        autoload,
        legacy,
      };
    }
  }
  return { type: progType('UNSPEC'), sleepable: false, autoload, legacy: false };
}
