/**
 * The kernel objects of the simulated vmlinux, as data. Layouts are the simulation's own (computed by
 * the C rules from these member lists); member names and types follow Linux 6.1 where programs read
 * them (task_struct.pid, nf_conn.mark, prog_test_ref_kfunc.a …), so CO-RE relocations resolve by name.
 */
import type { InlineComposite, MemberDef, TypeDef } from './ctypes.js';

const struct = (name: string, members: readonly MemberDef[]): TypeDef => ({ kind: 'struct', name, members });
const union = (name: string, members: readonly MemberDef[]): TypeDef => ({ kind: 'union', name, members });
const anon = (kind: 'struct' | 'union', members: readonly MemberDef[]): InlineComposite => ({ kind, members });
const tuple = (addr: string): InlineComposite =>
  anon('struct', [['saddr', addr], ['daddr', addr], ['sport', '__be16'], ['dport', '__be16']]);

export const VMLINUX_TYPES: readonly TypeDef[] = [
  // ---- refcounts ----
  { kind: 'typedef', name: 'atomic_t', type: 'struct atomic_struct' },
  struct('atomic_struct', [['counter', 'int']]),
  { kind: 'typedef', name: 'refcount_t', type: 'struct refcount_struct' },
  struct('refcount_struct', [['refs', 'atomic_t']]),

  // ---- tasks and cgroups ----
  struct('task_struct', [
    ['__state', 'unsigned int'], ['flags', 'unsigned int'], ['prio', 'int'], ['pid', 'pid_t'], ['tgid', 'pid_t'],
    ['real_parent', 'struct task_struct *'], ['group_leader', 'struct task_struct *'], ['cgroups', 'struct css_set *'],
    ['comm', 'char[16]'], ['usage', 'refcount_t'],
  ]),
  struct('css_set', [['dfl_cgrp', 'struct cgroup *']]),
  struct('cgroup', [['self', 'struct cgroup_subsys_state'], ['flags', 'unsigned long'], ['level', 'int'], ['id', 'u64']]),
  struct('cgroup_subsys_state', [['cgroup', 'struct cgroup *'], ['parent', 'struct cgroup_subsys_state *'], ['refcnt', 'refcount_t']]),
  // iterators (include/linux/bpf.h) and the test functions tracing programs attach to (net/bpf/test_run.c)
  struct('bpf_iter_meta', [['seq', 'struct seq_file *'], ['session_id', 'u64'], ['seq_num', 'u64']]),
  struct('seq_file', [['buf', 'char *'], ['size', 'unsigned long'], ['from', 'unsigned long'], ['count', 'unsigned long']]),
  struct('bpf_fentry_test_t', [['a', 'struct bpf_fentry_test_t *']]),
  // the scheduler's per-CPU run queue (kernel/sched/sched.h; a few of 6.1's members)
  struct('rq', [
    ['nr_running', 'unsigned int'], ['nr_switches', 'u64'], ['curr', 'struct task_struct *'], ['clock', 'u64'],
    ['cpu', 'int'],
  ]),
  struct('pt_regs', [
    ['r15', 'unsigned long'], ['r14', 'unsigned long'], ['r13', 'unsigned long'], ['r12', 'unsigned long'],
    ['bp', 'unsigned long'], ['bx', 'unsigned long'], ['r11', 'unsigned long'], ['r10', 'unsigned long'],
    ['r9', 'unsigned long'], ['r8', 'unsigned long'], ['ax', 'unsigned long'], ['cx', 'unsigned long'],
    ['dx', 'unsigned long'], ['si', 'unsigned long'], ['di', 'unsigned long'], ['orig_ax', 'unsigned long'],
    ['ip', 'unsigned long'], ['cs', 'unsigned long'], ['flags', 'unsigned long'], ['sp', 'unsigned long'],
    ['ss', 'unsigned long'],
  ]),

  // ---- sockets and packets ----
  struct('sock_common', [
    ['skc_daddr', '__be32'], ['skc_rcv_saddr', '__be32'], ['skc_hash', 'unsigned int'], ['skc_dport', '__be16'],
    ['skc_num', '__u16'], ['skc_family', 'unsigned short'], ['skc_state', 'unsigned char'],
    ['skc_refcnt', 'refcount_t'],
  ]),
  struct('sock', [['__sk_common', 'struct sock_common'], ['sk_mark', '__u32'], ['sk_priority', '__u32'], ['sk_protocol', 'u16']]),
  struct('sk_buff', [
    ['sk', 'struct sock *'], ['len', 'unsigned int'], ['data_len', 'unsigned int'], ['mark', '__u32'], ['hash', '__u32'],
    ['protocol', '__be16'], ['head', 'unsigned char *'], ['data', 'unsigned char *'], ['users', 'refcount_t'],
  ]),
  // program contexts (uapi): kfunc parameters of these types take the program's ctx
  struct('__sk_buff', [['len', '__u32'], ['pkt_type', '__u32'], ['mark', '__u32'], ['queue_mapping', '__u32'], ['protocol', '__u32']]),
  struct('xdp_md', [['data', '__u32'], ['data_end', '__u32'], ['data_meta', '__u32'], ['ingress_ifindex', '__u32'], ['rx_queue_index', '__u32'], ['egress_ifindex', '__u32']]),

  // ---- conntrack (include/net/netfilter/nf_conntrack*.h, nf_conntrack_bpf.c) ----
  union('nf_inet_addr', [['all', '__u32[4]'], ['ip', '__be32'], ['ip6', '__be32[4]']]),
  union('nf_conntrack_man_proto', [['all', '__be16'], ['tcp', 'struct nf_ct_port'], ['udp', 'struct nf_ct_port']]),
  struct('nf_ct_port', [['port', '__be16']]),
  struct('nf_conntrack_man', [['u3', 'union nf_inet_addr'], ['u', 'union nf_conntrack_man_proto'], ['l3num', 'u16']]),
  struct('nf_conntrack_tuple', [
    ['src', 'struct nf_conntrack_man'],
    ['dst', anon('struct', [['u3', 'union nf_inet_addr'], ['u', 'union nf_conntrack_man_proto'], ['protonum', 'u8'], ['dir', 'u8']])],
  ]),
  struct('nf_conntrack_tuple_hash', [['hnnode', 'struct hlist_nulls_node'], ['tuple', 'struct nf_conntrack_tuple']]),
  struct('hlist_nulls_node', [['next', 'struct hlist_nulls_node *'], ['pprev', 'struct hlist_nulls_node **']]),
  struct('nf_conntrack', [['use', 'refcount_t']]),
  struct('nf_conn', [
    ['ct_general', 'struct nf_conntrack'], ['timeout', 'u32'], ['tuplehash', 'struct nf_conntrack_tuple_hash[2]'],
    ['status', 'unsigned long'], ['mark', 'u32'], ['secmark', 'u32'],
  ]),
  struct('nf_conn___init', [['ct', 'struct nf_conn']]),
  struct('bpf_sock_tuple', [['', anon('union', [['ipv4', tuple('__be32')], ['ipv6', tuple('__be32[4]')]])]]),
  struct('bpf_ct_opts', [['netns_id', 's32'], ['error', 's32'], ['l4proto', 'u8'], ['dir', 'u8'], ['reserved', 'u8[2]']]),
  { kind: 'enum', name: 'nf_nat_manip_type', values: [['NF_NAT_MANIP_SRC', 0], ['NF_NAT_MANIP_DST', 1]] },

  // ---- keys ----
  struct('key', [['usage', 'refcount_t'], ['serial', 'key_serial_t'], ['flags', 'unsigned long']]),
  struct('bpf_key', [['key', 'struct key *'], ['has_ref', 'bool']]),
  struct('bpf_dynptr_kern', [['data', 'void *'], ['size', 'u32'], ['offset', 'u32']]),

  // ---- net/bpf/test_run.c ----
  struct('prog_test_member1', [['a', 'int']]),
  struct('prog_test_member', [['m', 'struct prog_test_member1'], ['c', 'int']]),
  struct('prog_test_ref_kfunc', [
    ['a', 'int'], ['b', 'int'], ['memb', 'struct prog_test_member'], ['next', 'struct prog_test_ref_kfunc *'], ['cnt', 'refcount_t'],
  ]),
  struct('prog_test_pass1', [
    ['x0', 'int'],
    ['', anon('struct', [['x1', 'int'], ['', anon('struct', [['x2', 'int'], ['', anon('struct', [['x3', 'int']])]])]])],
  ]),
  struct('prog_test_pass2', [['len', 'int'], ['arr1', 'short[4]'], ['x', anon('struct', [['arr2', 'char[4]'], ['arr3', 'unsigned long[8]']])]]),
  struct('prog_test_fail1', [['p', 'void *'], ['x', 'int']]),
  struct('prog_test_fail2', [['x8', 'int'], ['x', 'struct prog_test_pass1']]),
  struct('prog_test_fail3', [['len', 'int'], ['arr1', 'char[2]'], ['arr2', 'char[]']]),
  // ---- struct_ops (function-pointer members are `void *` here; progtypes/struct-ops.ts has their prototypes) ----
  struct('bpf_dummy_ops_state', [['val', 'int']]),
  struct('bpf_dummy_ops', [['test_1', 'void *'], ['test_2', 'void *']]),
  struct('list_head', [['next', 'struct list_head *'], ['prev', 'struct list_head *']]),
  struct('tcp_congestion_ops', [
    ['ssthresh', 'void *'], ['cong_avoid', 'void *'], ['set_state', 'void *'], ['cwnd_event', 'void *'],
    ['in_ack_event', 'void *'], ['pkts_acked', 'void *'], ['min_tso_segs', 'void *'], ['cong_control', 'void *'],
    ['undo_cwnd', 'void *'], ['sndbuf_expand', 'void *'], ['get_info', 'void *'], ['name', 'char[16]'],
    ['owner', 'void *'], ['list', 'struct list_head'], ['key', 'u32'], ['flags', 'u32'], ['init', 'void *'],
    ['release', 'void *'],
  ]),
  struct('inet_connection_sock', [
    ['icsk_inet', 'struct sock'], ['icsk_ca_state', 'u8'], ['icsk_retransmits', 'u8'], ['icsk_pending', 'u8'],
    ['icsk_ack_pending', 'u8'], ['icsk_ca_priv', 'u64[13]'],
  ]),
  struct('tcp_sock', [
    ['inet_conn', 'struct inet_connection_sock'], ['snd_una', 'u32'], ['snd_nxt', 'u32'], ['srtt_us', 'u32'],
    ['snd_cwnd', 'u32'], ['snd_cwnd_cnt', 'u32'], ['snd_ssthresh', 'u32'], ['prior_cwnd', 'u32'], ['ecn_flags', 'u8'],
    ['delivered', 'u32'], ['mss_cache', 'u32'],
  ]),
  struct('ack_sample', [['pkts_acked', 'u32'], ['rtt_us', 's32'], ['in_flight', 'u32']]),
  struct('rate_sample', [['prior_mstamp', 'u64'], ['prior_delivered', 'u32'], ['delivered', 's32'], ['interval_us', 'long'], ['rtt_us', 'long'], ['losses', 'int'], ['acked_sacked', 'u32']]),
  { kind: 'enum', name: 'tcp_ca_event', values: [['CA_EVENT_TX_START', 0], ['CA_EVENT_CWND_RESTART', 1], ['CA_EVENT_COMPLETE_CWR', 2], ['CA_EVENT_LOSS', 3], ['CA_EVENT_ECN_NO_CE', 4], ['CA_EVENT_ECN_IS_CE', 5]] },
];
