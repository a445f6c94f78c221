/**
 * Context access rules of the socket, cgroup, lirc, reuseport and writable-tracepoint program types, as
 * Linux 6.1 decides them: sock_filter_is_valid_access (+ __sock_filter_check_attach_type),
 * sock_ops_is_valid_access, sk_reuseport_is_valid_access (net/core/filter.c), cgroup_dev_is_valid_access,
 * sysctl_is_valid_access, cg_sockopt_is_valid_access (kernel/bpf/cgroup.c), lirc_mode2_is_valid_access
 * (drivers/media/rc/bpf-lirc.c) and raw_tp_writable_prog_is_valid_access (kernel/trace/bpf_trace.c).
 */
import { BpfRegType } from '../../src/uapi/reg-types.js';
import type { FieldModel, FieldRule, RawModel } from './access-model.js';
import { BPF_CGROUP_DEV_CTX, BPF_SOCK, BPF_SOCK_OPS, BPF_SOCKOPT, BPF_SYSCTL, LIRC_SAMPLE, SK_REUSEPORT_MD } from './layouts-cgroup.js';

const READ_NARROW: FieldRule = { read: 'narrow' };
const READ_EXACT: FieldRule = { read: 'exact' };
/** Narrow reads at the field's offset only (the kernel names the offset, not the range). */
const READ_NARROW_AT_START: FieldRule = { read: 'narrow-at-start' };

/**
 * CGROUP_SOCK: bpf_sock read through the kernel's socket (family, type, protocol, src_port, state and
 * rx_queue_mapping narrow only at their first byte, the addresses anywhere in them). bound_dev_if, mark and priority are read and
 * written only by sock_create/sock_release programs; the source address and port only by post_bind
 * programs of their family; everything else is read only.
 */
const CGROUP_SOCK: FieldModel = {
  kind: 'fields',
  layout: BPF_SOCK,
  rules: {
    bound_dev_if: { read: 'exact', write: 'exact', attach: ['CGROUP_INET_SOCK_CREATE', 'CGROUP_INET_SOCK_RELEASE'] },
    mark: { read: 'exact', write: 'exact', attach: ['CGROUP_INET_SOCK_CREATE', 'CGROUP_INET_SOCK_RELEASE'] },
    priority: { read: 'exact', write: 'exact', attach: ['CGROUP_INET_SOCK_CREATE', 'CGROUP_INET_SOCK_RELEASE'] },
    family: READ_NARROW_AT_START,
    type: READ_NARROW_AT_START,
    protocol: READ_NARROW_AT_START,
    src_ip4: { read: 'narrow', attach: ['CGROUP_INET4_POST_BIND'] },
    src_ip6: { read: 'narrow', attach: ['CGROUP_INET6_POST_BIND'] },
    src_port: { read: 'narrow-at-start', attach: ['CGROUP_INET4_POST_BIND', 'CGROUP_INET6_POST_BIND'] },
    dst_port: { read: 'u32-or-narrow' },
    dst_ip4: READ_NARROW,
    dst_ip6: READ_NARROW,
    state: READ_NARROW_AT_START,
    rx_queue_mapping: READ_NARROW_AT_START,
  },
};

/**
 * SOCK_OPS: every field read as 4 bytes except the 8-byte counters and pointers and the narrow
 * skb_tcp_flags; only reply (args[0]) and sk_txhash are written, as 4 bytes.
 */
const SOCK_OPS: FieldModel = {
  kind: 'fields',
  layout: BPF_SOCK_OPS,
  rules: {
    ...Object.fromEntries(BPF_SOCK_OPS.fields.map((fl) => [fl.name, READ_EXACT])),
    reply: { read: 'exact', write: 'exact' },
    sk_txhash: { read: 'exact', write: 'exact' },
    sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCKET_OR_NULL },
    skb_data: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET },
    skb_data_end: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_END },
    skb_tcp_flags: READ_NARROW_AT_START,
  },
};

/** CGROUP_DEVICE: read only; access_type narrow, major and minor as 4 bytes. */
const CGROUP_DEVICE: FieldModel = {
  kind: 'fields',
  layout: BPF_CGROUP_DEV_CTX,
  rules: { access_type: READ_NARROW, major: READ_EXACT, minor: READ_EXACT },
};

/** LIRC_MODE2: the one u32, read whole. */
const LIRC_MODE2: FieldModel = { kind: 'fields', layout: LIRC_SAMPLE, rules: { sample: READ_EXACT } };

/**
 * SK_REUSEPORT: read only; data/data_end are the packet from the L4 header, sk the reuseport group's
 * socket, migrating_sk the socket being migrated (NULL when selecting); eth_protocol reads 2 or 4 bytes.
 */
const SK_REUSEPORT: FieldModel = {
  kind: 'fields',
  layout: SK_REUSEPORT_MD,
  rules: {
    data: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET },
    data_end: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_END },
    len: READ_NARROW,
    eth_protocol: { read: 'narrow', minSize: 2 },
    ip_protocol: READ_NARROW,
    bind_inany: READ_NARROW,
    hash: READ_EXACT,
    sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCKET },
    migrating_sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCK_COMMON_OR_NULL },
  },
};

/** CGROUP_SYSCTL: write read only (narrow); file_pos read narrow and written as 4 bytes. */
const CGROUP_SYSCTL: FieldModel = {
  kind: 'fields',
  layout: BPF_SYSCTL,
  rules: { write: READ_NARROW, file_pos: { read: 'narrow', write: 'exact' } },
};

/**
 * CGROUP_SOCKOPT: sk, optval and optval_end as 8-byte pointers (optval..optval_end is packet-like);
 * retval only for getsockopt programs; level and optname written only by setsockopt programs; optlen
 * read and written by both.
 */
const CGROUP_SOCKOPT: FieldModel = {
  kind: 'fields',
  layout: BPF_SOCKOPT,
  rules: {
    sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCKET },
    optval: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET },
    optval_end: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_END },
    level: { read: 'exact', write: 'exact', writeAttach: ['CGROUP_SETSOCKOPT'] },
    optname: { read: 'exact', write: 'exact', writeAttach: ['CGROUP_SETSOCKOPT'] },
    optlen: { read: 'exact', write: 'exact' },
    retval: { read: 'exact', write: 'exact', attach: ['CGROUP_GETSOCKOPT'] },
  },
};

/**
 * RAW_TRACEPOINT_WRITABLE: raw_tp's read-only u64 arguments, except that args[0] is read only as 8
 * bytes and is the writable tracepoint buffer (PTR_TO_TP_BUFFER).
 */
const RAW_TP_WRITABLE: RawModel = { kind: 'raw', minOff: 0, size: 96, write: false, offAlign: 1, tpBufferArg0: true };

export const CGROUP_ACCESS_MODELS = {
  cgroup_sock: CGROUP_SOCK,
  sock_ops: SOCK_OPS,
  cgroup_device: CGROUP_DEVICE,
  lirc_mode2: LIRC_MODE2,
  sk_reuseport: SK_REUSEPORT,
  cgroup_sysctl: CGROUP_SYSCTL,
  cgroup_sockopt: CGROUP_SOCKOPT,
  raw_tp_writable: RAW_TP_WRITABLE,
} as const;
