/**
 * Linux 6.1's program types as data: the context each one gets, whether BPF_PROG_TEST_RUN works for it
 * (and through which function of net/bpf/test_run.c), the context-access rules, and the names libbpf's
 * SEC() prefixes use for it.
 */
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { AccessModelName } from './access-rules.js';

/** The 6.1 test-run function a type's `prog_ops.test_run` points to. */
export type TestRunKind =
  | 'skb' | 'xdp' | 'flow_dissector' | 'raw_tp' | 'tracing' | 'syscall' | 'sk_lookup'
  /** bpf_struct_ops_test_run (bpf_dummy_ops only): not modelled, testRun refuses it as unsupported. */
  | 'struct_ops';

export interface ProgTypeRow {
  name: ProgTypeName;
  /** The context struct and its size; size null when it depends on the attach point. */
  ctx: { struct: string; size: number | null };
  /** null: 6.1 answers BPF_PROG_TEST_RUN with ENOTSUPP (bpfvm still runs it, see test-run.ts). */
  testRun: TestRunKind | null;
  /**
   * The context-access rules; null: not modelled (ctxAccess throws CtxRulesMissingError). EXT's row
   * holds the rules of an extension without a known target (u64 arguments); with a target program the
   * target type's rules apply.
   */
  access: AccessModelName | null;
  /** libbpf SEC() prefixes that select this type (section_defs of libbpf 1.x). */
  sections: readonly string[];
}

const SKB = { struct: '__sk_buff', size: 192 };
const ARGS = { struct: 'u64 args[]', size: 96 };

export const PROG_TYPE_TABLE: readonly ProgTypeRow[] = [
  { name: 'SOCKET_FILTER', ctx: SKB, testRun: 'skb', access: 'socket_filter', sections: ['socket'] },
  { name: 'KPROBE', ctx: { struct: 'pt_regs', size: 168 }, testRun: null, access: 'kprobe',
    sections: ['kprobe', 'kretprobe', 'uprobe', 'uretprobe', 'ksyscall', 'kretsyscall', 'usdt', 'kprobe.multi', 'kretprobe.multi'] },
  { name: 'SCHED_CLS', ctx: SKB, testRun: 'skb', access: 'tc', sections: ['tc', 'classifier'] },
  { name: 'SCHED_ACT', ctx: SKB, testRun: 'skb', access: 'tc', sections: ['action'] },
  { name: 'TRACEPOINT', ctx: { struct: 'trace event record', size: null }, testRun: null, access: 'tracepoint',
    sections: ['tracepoint', 'tp'] },
  { name: 'XDP', ctx: { struct: 'xdp_md', size: 24 }, testRun: 'xdp', access: 'xdp',
    sections: ['xdp', 'xdp.frags', 'xdp/devmap', 'xdp/cpumap'] },
  { name: 'PERF_EVENT', ctx: { struct: 'bpf_perf_event_data', size: 184 }, testRun: null, access: 'perf_event', sections: ['perf_event'] },
  { name: 'CGROUP_SKB', ctx: SKB, testRun: 'skb', access: 'cgroup_skb', sections: ['cgroup_skb', 'cgroup/skb'] },
  { name: 'CGROUP_SOCK', ctx: { struct: 'bpf_sock', size: 80 }, testRun: null, access: 'cgroup_sock',
    sections: ['cgroup/sock', 'cgroup/sock_create', 'cgroup/sock_release', 'cgroup/post_bind4', 'cgroup/post_bind6'] },
  { name: 'LWT_IN', ctx: SKB, testRun: 'skb', access: 'lwt', sections: ['lwt_in'] },
  { name: 'LWT_OUT', ctx: SKB, testRun: 'skb', access: 'lwt', sections: ['lwt_out'] },
  { name: 'LWT_XMIT', ctx: SKB, testRun: 'skb', access: 'lwt', sections: ['lwt_xmit'] },
  { name: 'SOCK_OPS', ctx: { struct: 'bpf_sock_ops', size: 216 }, testRun: null, access: 'sock_ops', sections: ['sockops'] },
  { name: 'SK_SKB', ctx: SKB, testRun: null, access: 'sk_skb', sections: ['sk_skb'] },
  { name: 'CGROUP_DEVICE', ctx: { struct: 'bpf_cgroup_dev_ctx', size: 12 }, testRun: null, access: 'cgroup_device', sections: ['cgroup/dev'] },
  { name: 'SK_MSG', ctx: { struct: 'sk_msg_md', size: 80 }, testRun: null, access: 'sk_msg', sections: ['sk_msg'] },
  { name: 'RAW_TRACEPOINT', ctx: ARGS, testRun: 'raw_tp', access: 'raw_tp', sections: ['raw_tracepoint', 'raw_tp'] },
  { name: 'CGROUP_SOCK_ADDR', ctx: { struct: 'bpf_sock_addr', size: 72 }, testRun: null, access: 'sock_addr',
    sections: ['cgroup/bind4', 'cgroup/bind6', 'cgroup/connect4', 'cgroup/connect6', 'cgroup/sendmsg4', 'cgroup/sendmsg6',
      'cgroup/recvmsg4', 'cgroup/recvmsg6', 'cgroup/getpeername4', 'cgroup/getpeername6', 'cgroup/getsockname4',
      'cgroup/getsockname6'] },
  { name: 'LWT_SEG6LOCAL', ctx: SKB, testRun: null, access: 'lwt', sections: ['lwt_seg6local'] },
  { name: 'LIRC_MODE2', ctx: { struct: 'u32 sample', size: 4 }, testRun: null, access: 'lirc_mode2', sections: ['lirc_mode2'] },
  { name: 'SK_REUSEPORT', ctx: { struct: 'sk_reuseport_md', size: 56 }, testRun: null, access: 'sk_reuseport',
    sections: ['sk_reuseport', 'sk_reuseport/migrate'] },
  { name: 'FLOW_DISSECTOR', ctx: SKB, testRun: 'flow_dissector', access: 'flow_dissector', sections: ['flow_dissector'] },
  { name: 'CGROUP_SYSCTL', ctx: { struct: 'bpf_sysctl', size: 8 }, testRun: null, access: 'cgroup_sysctl', sections: ['cgroup/sysctl'] },
  { name: 'RAW_TRACEPOINT_WRITABLE', ctx: ARGS, testRun: null, access: 'raw_tp_writable',
    sections: ['raw_tracepoint.w', 'raw_tp.w'] },
  { name: 'CGROUP_SOCKOPT', ctx: { struct: 'bpf_sockopt', size: 40 }, testRun: null, access: 'cgroup_sockopt',
    sections: ['cgroup/getsockopt', 'cgroup/setsockopt'] },
  { name: 'TRACING', ctx: ARGS, testRun: 'tracing', access: 'btf_args',
    sections: ['fentry', 'fexit', 'fmod_ret', 'tp_btf', 'iter', 'iter.s', 'fentry.s', 'fexit.s', 'fmod_ret.s'] },
  { name: 'STRUCT_OPS', ctx: ARGS, testRun: 'struct_ops', access: 'btf_args', sections: ['struct_ops'] },
  { name: 'EXT', ctx: ARGS, testRun: null, access: 'btf_args', sections: ['freplace'] },
  { name: 'LSM', ctx: ARGS, testRun: null, access: 'btf_args', sections: ['lsm', 'lsm.s', 'lsm_cgroup'] },
  { name: 'SK_LOOKUP', ctx: { struct: 'bpf_sk_lookup', size: 72 }, testRun: 'sk_lookup', access: 'sk_lookup', sections: ['sk_lookup'] },
  { name: 'SYSCALL', ctx: { struct: 'user memory', size: null }, testRun: 'syscall', access: 'syscall', sections: ['syscall'] },
];

export function progTypeRow(name: ProgTypeName): ProgTypeRow {
  const row = PROG_TYPE_TABLE.find((r) => r.name === name);
  if (row === undefined) throw new Error(`BPF_PROG_TYPE_${name} is not a Linux 6.1 program type`);
  return row;
}
