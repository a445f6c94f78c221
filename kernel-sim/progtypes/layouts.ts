/**
 * The context structs programs see (Linux 6.1 uapi), as data: each field's name, byte offset and
 * element size (`count` for arrays). Sizes checked against the 6.1 headers with sizeof/offsetof.
 */

export interface CtxField {
  name: string;
  off: number;
  /** Element size in bytes. */
  size: number;
  /** Array length (1 when absent). */
  count?: number;
}

export interface CtxLayout {
  struct: string;
  size: number;
  fields: readonly CtxField[];
}

const f = (name: string, off: number, size: number, count?: number): CtxField =>
  count === undefined ? { name, off, size } : { name, off, size, count };

/** struct __sk_buff (192 bytes). Bytes 181..183 are padding. */
export const SK_BUFF: CtxLayout = {
  struct: '__sk_buff',
  size: 192,
  fields: [
    f('len', 0, 4), f('pkt_type', 4, 4), f('mark', 8, 4), f('queue_mapping', 12, 4), f('protocol', 16, 4),
    f('vlan_present', 20, 4), f('vlan_tci', 24, 4), f('vlan_proto', 28, 4), f('priority', 32, 4),
    f('ingress_ifindex', 36, 4), f('ifindex', 40, 4), f('tc_index', 44, 4), f('cb', 48, 4, 5), f('hash', 68, 4),
    f('tc_classid', 72, 4), f('data', 76, 4), f('data_end', 80, 4), f('napi_id', 84, 4), f('family', 88, 4),
    f('remote_ip4', 92, 4), f('local_ip4', 96, 4), f('remote_ip6', 100, 4, 4), f('local_ip6', 116, 4, 4),
    f('remote_port', 132, 4), f('local_port', 136, 4), f('data_meta', 140, 4), f('flow_keys', 144, 8),
    f('tstamp', 152, 8), f('wire_len', 160, 4), f('gso_segs', 164, 4), f('sk', 168, 8), f('gso_size', 176, 4),
    f('tstamp_type', 180, 1), f('hwtstamp', 184, 8),
  ],
};

/** struct xdp_md (24 bytes). */
export const XDP_MD: CtxLayout = {
  struct: 'xdp_md',
  size: 24,
  fields: [
    f('data', 0, 4), f('data_end', 4, 4), f('data_meta', 8, 4), f('ingress_ifindex', 12, 4),
    f('rx_queue_index', 16, 4), f('egress_ifindex', 20, 4),
  ],
};

/** struct bpf_flow_keys (56 bytes): the flow dissector's output. ipv4_src/dst overlay ipv6_src. */
export const FLOW_KEYS: CtxLayout = {
  struct: 'bpf_flow_keys',
  size: 56,
  fields: [
    f('nhoff', 0, 2), f('thoff', 2, 2), f('addr_proto', 4, 2), f('is_frag', 6, 1), f('is_first_frag', 7, 1),
    f('is_encap', 8, 1), f('ip_proto', 9, 1), f('n_proto', 10, 2), f('sport', 12, 2), f('dport', 14, 2),
    f('ipv6_src', 16, 4, 4), f('ipv6_dst', 32, 4, 4), f('flags', 48, 4), f('flow_label', 52, 4),
  ],
};

/** struct bpf_sk_lookup (72 bytes). Bytes 38..39 are the zero padding after remote_port. */
export const SK_LOOKUP: CtxLayout = {
  struct: 'bpf_sk_lookup',
  size: 72,
  fields: [
    f('sk', 0, 8), f('family', 8, 4), f('protocol', 12, 4), f('remote_ip4', 16, 4), f('remote_ip6', 20, 4, 4),
    f('remote_port', 36, 2), f('remote_port_pad', 38, 2), f('local_ip4', 40, 4), f('local_ip6', 44, 4, 4),
    f('local_port', 60, 4), f('ingress_ifindex', 64, 4),
  ],
};

/** struct sk_msg_md (80 bytes): data/data_end/sk are 8-byte __bpf_md_ptr fields. */
export const SK_MSG_MD: CtxLayout = {
  struct: 'sk_msg_md',
  size: 80,
  fields: [
    f('data', 0, 8), f('data_end', 8, 8), f('family', 16, 4), f('remote_ip4', 20, 4), f('local_ip4', 24, 4),
    f('remote_ip6', 28, 4, 4), f('local_ip6', 44, 4, 4), f('remote_port', 60, 4), f('local_port', 64, 4), f('size', 68, 4),
    f('sk', 72, 8),
  ],
};

/** struct bpf_sock_addr (72 bytes): the cgroup sock_addr hooks' context. */
export const BPF_SOCK_ADDR: CtxLayout = {
  struct: 'bpf_sock_addr',
  size: 72,
  fields: [
    f('user_family', 0, 4), f('user_ip4', 4, 4), f('user_ip6', 8, 4, 4), f('user_port', 24, 4), f('family', 28, 4),
    f('type', 32, 4), f('protocol', 36, 4), f('msg_src_ip4', 40, 4), f('msg_src_ip6', 44, 4, 4), f('sk', 64, 8),
  ],
};

/** x86-64 struct pt_regs (168 bytes): 21 registers of 8 bytes, in kernel order. */
export const PT_REGS: CtxLayout = {
  struct: 'pt_regs',
  size: 168,
  fields: [
    'r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip',
    'cs', 'flags', 'sp', 'ss',
  ].map((name, i) => f(name, i * 8, 8)),
};

/** struct bpf_perf_event_data (184 bytes): pt_regs, then sample_period and addr. */
export const PERF_EVENT_DATA: CtxLayout = {
  struct: 'bpf_perf_event_data',
  size: 184,
  fields: [...PT_REGS.fields, f('sample_period', 168, 8), f('addr', 176, 8)],
};

/** The field covering byte `off`, with the element index for arrays; undefined in padding. */
export function fieldAt(layout: CtxLayout, off: number): { field: CtxField; index: number } | undefined {
  for (const field of layout.fields) {
    const end = field.off + field.size * (field.count ?? 1);
    if (off >= field.off && off < end) return { field, index: Math.floor((off - field.off) / field.size) };
  }
  return undefined;
}

export function fieldByName(layout: CtxLayout, name: string): CtxField {
  const field = layout.fields.find((x) => x.name === name);
  if (field === undefined) throw new Error(`${layout.struct} has no field ${name}`);
  return field;
}
