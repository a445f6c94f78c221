/**
 * Context structs of the socket, cgroup, lirc and reuseport program types (Linux 6.1 uapi), as data in
 * the form of layouts.ts. Offsets follow include/uapi/linux/bpf.h (8-byte `__bpf_md_ptr` pointers).
 */
import type { CtxField, CtxLayout } from './layouts.js';

const f = (name: string, off: number, size: number, count?: number): CtxField =>
  count === undefined ? { name, off, size } : { name, off, size, count };

/** struct bpf_sock (80 bytes): CGROUP_SOCK's context, and what socket pointers point to. */
export const BPF_SOCK: CtxLayout = {
  struct: 'bpf_sock',
  size: 80,
  fields: [
    f('bound_dev_if', 0, 4), f('family', 4, 4), f('type', 8, 4), f('protocol', 12, 4), f('mark', 16, 4),
    f('priority', 20, 4), f('src_ip4', 24, 4), f('src_ip6', 28, 4, 4), f('src_port', 44, 4), f('dst_port', 48, 2),
    f('dst_ip4', 52, 4), f('dst_ip6', 56, 4, 4), f('state', 72, 4), f('rx_queue_mapping', 76, 4),
  ],
};

/**
 * struct bpf_sock_ops (216 bytes). The union at 4 is split as the kernel's rules see it: `reply`
 * (= args[0], the only writable word of it) and `args` for the three words after it.
 */
export const BPF_SOCK_OPS: CtxLayout = {
  struct: 'bpf_sock_ops',
  size: 216,
  fields: [
    f('op', 0, 4), f('reply', 4, 4), f('args', 8, 4, 3), f('family', 20, 4), f('remote_ip4', 24, 4),
    f('local_ip4', 28, 4), f('remote_ip6', 32, 4, 4), f('local_ip6', 48, 4, 4), f('remote_port', 64, 4),
    f('local_port', 68, 4), f('is_fullsock', 72, 4),
    ...['snd_cwnd', 'srtt_us', 'bpf_sock_ops_cb_flags', 'state', 'rtt_min', 'snd_ssthresh', 'rcv_nxt', 'snd_nxt',
      'snd_una', 'mss_cache', 'ecn_flags', 'rate_delivered', 'rate_interval_us', 'packets_out', 'retrans_out',
      'total_retrans', 'segs_in', 'data_segs_in', 'segs_out', 'data_segs_out', 'lost_out', 'sacked_out', 'sk_txhash']
      .map((name, i) => f(name, 76 + 4 * i, 4)),
    f('bytes_received', 168, 8), f('bytes_acked', 176, 8), f('sk', 184, 8), f('skb_data', 192, 8),
    f('skb_data_end', 200, 8), f('skb_len', 208, 4), f('skb_tcp_flags', 212, 4),
  ],
};

/** struct bpf_cgroup_dev_ctx (12 bytes): access_type is (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*. */
export const BPF_CGROUP_DEV_CTX: CtxLayout = {
  struct: 'bpf_cgroup_dev_ctx',
  size: 12,
  fields: [f('access_type', 0, 4), f('major', 4, 4), f('minor', 8, 4)],
};

/** LIRC_MODE2's context: one u32 sample (pulse/space/timeout with its value). */
export const LIRC_SAMPLE: CtxLayout = { struct: 'u32 sample', size: 4, fields: [f('sample', 0, 4)] };

/** struct sk_reuseport_md (56 bytes). Bytes 36..39 are padding before sk. */
export const SK_REUSEPORT_MD: CtxLayout = {
  struct: 'sk_reuseport_md',
  size: 56,
  fields: [
    f('data', 0, 8), f('data_end', 8, 8), f('len', 16, 4), f('eth_protocol', 20, 4), f('ip_protocol', 24, 4),
    f('bind_inany', 28, 4), f('hash', 32, 4), f('sk', 40, 8), f('migrating_sk', 48, 8),
  ],
};

/** struct bpf_sysctl (8 bytes). */
export const BPF_SYSCTL: CtxLayout = { struct: 'bpf_sysctl', size: 8, fields: [f('write', 0, 4), f('file_pos', 4, 4)] };

/** struct bpf_sockopt (40 bytes). */
export const BPF_SOCKOPT: CtxLayout = {
  struct: 'bpf_sockopt',
  size: 40,
  fields: [
    f('sk', 0, 8), f('optval', 8, 8), f('optval_end', 16, 8), f('level', 24, 4), f('optname', 28, 4),
    f('optlen', 32, 4), f('retval', 36, 4),
  ],
};
