/**
 * Context access rules of Linux 6.1 (`*_is_valid_access` in net/core/filter.c, kernel/trace/bpf_trace.c,
 * kernel/bpf/syscall.c, include/linux/bpf.h) as data. `ctx-access.ts` interprets them; the verifier
 * (through the Platform) and the run-time contexts read the same rows.
 */
import { BpfRegType, type RegTypeBits } from '../../src/uapi/reg-types.js';
import { CGROUP_ACCESS_MODELS } from './access-rules-cgroup.js';
import { BPF_SOCK_ADDR, PERF_EVENT_DATA, SK_BUFF, SK_LOOKUP, SK_MSG_MD, XDP_MD } from './layouts.js';
import type { AccessModel, FieldModel, FieldRule, SizeRule } from './access-model.js';

export type { AccessModel, FieldModel, FieldRule, RawModel, SizeRule } from './access-model.js';

// ---- __sk_buff: bpf_skb_is_valid_access, then each program type's own refusals and writes ----------

const SKB_NARROW = [
  'len', 'pkt_type', 'mark', 'queue_mapping', 'protocol', 'vlan_present', 'vlan_tci', 'vlan_proto', 'priority',
  'ingress_ifindex', 'ifindex', 'tc_index', 'hash', 'tc_classid', 'napi_id', 'family', 'remote_port', 'local_port',
  'wire_len', 'gso_segs', 'gso_size',
];
const SKB_EXACT = ['remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'data', 'data_meta', 'data_end', 'tstamp'];
const SK_FIELDS = ['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port'];

interface SkbOverlay {
  refuse: readonly string[];
  write: readonly string[];
  regTypes?: Readonly<Record<string, RegTypeBits>>;
  capBpf?: Readonly<Record<string, FieldRule['capBpf']>>;
  /** tc reads the 1-byte tstamp_type. */
  tstampType?: boolean;
}

function skb(o: SkbOverlay): FieldModel {
  const rules: Record<string, FieldRule> = {};
  const writeRule = (name: string): SizeRule | undefined => {
    if (!o.write.includes(name)) return undefined;
    return name === 'cb' ? 'span' : 'exact';
  };
  for (const name of SKB_NARROW) rules[name] = { read: 'narrow', write: writeRule(name) };
  for (const name of SKB_EXACT) rules[name] = { read: 'exact', write: writeRule(name) };
  rules.cb = { read: 'span', write: writeRule('cb') };
  rules.hwtstamp = { read: 'exact' };
  rules.sk = { read: 'exact', regType: BpfRegType.PTR_TO_SOCK_COMMON_OR_NULL };
  if (o.tstampType === true) rules.tstamp_type = { read: 'exact' };
  for (const [name, regType] of Object.entries(o.regTypes ?? {})) rules[name] = { ...rules[name], regType };
  for (const [name, capBpf] of Object.entries(o.capBpf ?? {})) rules[name] = { ...rules[name], capBpf };
  for (const name of o.refuse) delete rules[name];
  return { kind: 'fields', layout: SK_BUFF, rules: clean(rules) };
}

/** Drops undefined write rules so rows print and compare cleanly. */
function clean(rules: Record<string, FieldRule>): Record<string, FieldRule> {
  for (const r of Object.values(rules)) if (r.write === undefined) delete r.write;
  return rules;
}

const PKT = { data: BpfRegType.PTR_TO_PACKET, data_end: BpfRegType.PTR_TO_PACKET_END } as const;

/** sk_filter_is_valid_access */
const SOCKET_FILTER = skb({
  refuse: ['tc_classid', 'data', 'data_meta', 'data_end', ...SK_FIELDS, 'tstamp', 'wire_len', 'hwtstamp'],
  write: ['cb'],
});

/** tc_cls_act_is_valid_access */
const TC = skb({
  refuse: SK_FIELDS,
  write: ['mark', 'tc_index', 'priority', 'tc_classid', 'cb', 'tstamp', 'queue_mapping'],
  regTypes: { ...PKT, data_meta: BpfRegType.PTR_TO_PACKET_META },
  tstampType: true,
});

/** cg_skb_is_valid_access */
const CGROUP_SKB = skb({
  refuse: ['tc_classid', 'data_meta', 'wire_len'],
  write: ['mark', 'priority', 'cb', 'tstamp'],
  regTypes: PKT,
  capBpf: { data: 'both', data_end: 'both', tstamp: 'write' },
});

/** lwt_is_valid_access */
const LWT = skb({
  refuse: ['tc_classid', ...SK_FIELDS, 'data_meta', 'tstamp', 'wire_len', 'hwtstamp'],
  write: ['mark', 'priority', 'cb'],
  regTypes: PKT,
});

/** sk_skb_is_valid_access */
const SK_SKB = skb({
  refuse: ['tc_classid', 'data_meta', 'tstamp', 'wire_len', 'hwtstamp', 'mark'],
  write: ['tc_index', 'priority'],
  regTypes: PKT,
});

/** flow_dissector_is_valid_access: data, data_end and flow_keys, read only. */
const FLOW_DISSECTOR: FieldModel = {
  kind: 'fields',
  layout: SK_BUFF,
  rules: {
    data: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET },
    data_end: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_END },
    flow_keys: { read: 'exact', regType: BpfRegType.PTR_TO_FLOW_KEYS },
  },
};

/** xdp_is_valid_access (not devmap-attached, not device-bound: no writes, no egress_ifindex). */
const XDP: FieldModel = {
  kind: 'fields',
  layout: XDP_MD,
  rules: {
    data: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET },
    data_end: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_END },
    data_meta: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_META },
    ingress_ifindex: { read: 'exact' },
    rx_queue_index: { read: 'exact' },
  },
};

/** sk_lookup_is_valid_access: read only. */
const SK_LOOKUP_RULES: FieldModel = {
  kind: 'fields',
  layout: SK_LOOKUP,
  rules: {
    sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCKET_OR_NULL },
    ...Object.fromEntries(
      ['family', 'protocol', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'local_port', 'ingress_ifindex']
        .map((n) => [n, { read: 'narrow' } as FieldRule]),
    ),
    remote_port: { read: 'u32-or-narrow' },
    remote_port_pad: { read: 'narrow' },
  },
};

/** pe_prog_is_valid_access: registers as whole longs; sample_period and addr also narrow. */
const PERF_EVENT: FieldModel = {
  kind: 'fields',
  layout: PERF_EVENT_DATA,
  rules: Object.fromEntries(PERF_EVENT_DATA.fields.map((fl) => [
    fl.name, { read: fl.name === 'sample_period' || fl.name === 'addr' ? 'narrow' : 'exact' } as FieldRule,
  ])),
};

/** sk_msg_is_valid_access: read only; data, data_end and sk as 8-byte pointers, the rest 4-byte exact. */
const SK_MSG: FieldModel = {
  kind: 'fields',
  layout: SK_MSG_MD,
  rules: {
    data: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET },
    data_end: { read: 'exact', regType: BpfRegType.PTR_TO_PACKET_END },
    sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCKET },
    ...Object.fromEntries(
      ['family', 'remote_ip4', 'local_ip4', 'remote_ip6', 'local_ip6', 'remote_port', 'local_port', 'size']
        .map((n) => [n, { read: 'exact' } as FieldRule]),
    ),
  },
};

const INET4 = ['CGROUP_INET4_BIND', 'CGROUP_INET4_CONNECT', 'CGROUP_INET4_GETPEERNAME', 'CGROUP_INET4_GETSOCKNAME',
  'CGROUP_UDP4_SENDMSG', 'CGROUP_UDP4_RECVMSG'];
const INET6 = ['CGROUP_INET6_BIND', 'CGROUP_INET6_CONNECT', 'CGROUP_INET6_GETPEERNAME', 'CGROUP_INET6_GETSOCKNAME',
  'CGROUP_UDP6_SENDMSG', 'CGROUP_UDP6_RECVMSG'];
const ADDR: FieldRule = { read: 'narrow-or-wide', write: 'exact-or-wide' };

/**
 * sock_addr_is_valid_access: the IPv4 fields only for IPv4 hooks and the IPv6 ones for IPv6 hooks (msg_src_*
 * for sendmsg only); addresses and the port read narrow (or 8 bytes wide inside the IPv6 arrays) and
 * written as 4 bytes (or wide); family, type and protocol read only; sk a socket pointer.
 */
const SOCK_ADDR: FieldModel = {
  kind: 'fields',
  layout: BPF_SOCK_ADDR,
  rules: {
    user_family: { read: 'exact' },
    user_ip4: { ...ADDR, attach: INET4 },
    user_ip6: { ...ADDR, attach: INET6 },
    user_port: ADDR,
    family: { read: 'exact' },
    type: { read: 'exact' },
    protocol: { read: 'exact' },
    msg_src_ip4: { ...ADDR, attach: ['CGROUP_UDP4_SENDMSG'] },
    msg_src_ip6: { ...ADDR, attach: ['CGROUP_UDP6_SENDMSG'] },
    sk: { read: 'exact', regType: BpfRegType.PTR_TO_SOCKET },
  },
};

/** MAX_BPF_FUNC_ARGS u64 slots. */
const ARGS_SIZE = 12 * 8;

export const ACCESS_MODELS = {
  socket_filter: SOCKET_FILTER,
  tc: TC,
  cgroup_skb: CGROUP_SKB,
  lwt: LWT,
  sk_skb: SK_SKB,
  flow_dissector: FLOW_DISSECTOR,
  xdp: XDP,
  sk_lookup: SK_LOOKUP_RULES,
  sk_msg: SK_MSG,
  sock_addr: SOCK_ADDR,
  perf_event: PERF_EVENT,
  /** kprobe_prog_is_valid_access: read only, inside pt_regs. */
  kprobe: { kind: 'raw', minOff: 0, size: 168, write: false, offAlign: 1 },
  /** tp_prog_is_valid_access: read only, past the first 8 bytes, below PERF_MAX_TRACE_SIZE. */
  tracepoint: { kind: 'raw', minOff: 8, size: 8192, write: false, offAlign: 1 },
  /** bpf_tracing_ctx_access: read only u64 arguments. */
  raw_tp: { kind: 'raw', minOff: 0, size: ARGS_SIZE, write: false, offAlign: 1 },
  /**
   * btf_ctx_access (tracing, LSM): offsets multiple of 8; which argument is a pointer (PTR_TO_BTF_ID)
   * and how many there are is the attach target's BTF, which the verifier asks of BTF, not of this table.
   */
  btf_args: { kind: 'raw', minOff: 0, size: ARGS_SIZE, write: false, offAlign: 8 },
  /** syscall_prog_is_valid_access: read and write below U16_MAX. */
  syscall: { kind: 'raw', minOff: 0, size: 0xffff, write: true, offAlign: 1 },
  ...CGROUP_ACCESS_MODELS,
} as const satisfies Record<string, AccessModel>;

export type AccessModelName = keyof typeof ACCESS_MODELS;
