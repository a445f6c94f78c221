/**
 * The BPF_PROG_TEST_RUN facts bpfvm's program-type tests rely on, as a batch for the 6.1 oracle
 * (../shared/oracle). `gen-manifest.ts` turns this list into `manifest`; the tests import the same
 * programs and packets and hold bpfvm to the kernel's answers, which they quote by case id.
 *
 *   npx vite-node test/oracle/progtypes/gen-manifest.ts
 *   ../shared/oracle/run-batch.sh 6.1 test/oracle/progtypes progtypes.jsonl
 */

export interface OracleCase {
  id: string;
  /** Program type as the oracle's manifest names it. */
  type: string;
  attach?: string;
  attachBtf?: string;
  /** Program text (pseudo-C). */
  asm: string;
  /** data_in, hex ('' = none). */
  pkt: string;
  /** ctx_in, hex. */
  ctx?: string;
  repeat?: number;
  /** prog_flags, as the manifest names them. */
  flags?: string;
}

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

const MAC_DST = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const MAC_SRC = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

/** An Ethernet frame of `total` bytes: the given destination, EtherType and L3 bytes, zero padded. */
export function frame(etherType: number, l3: readonly number[], total: number, dst = MAC_DST): string {
  const b = [...dst, ...MAC_SRC, etherType >> 8, etherType & 0xff, ...l3];
  while (b.length < total) b.push(0);
  return hex(b);
}

/** IPv4 header 192.168.0.1 → 192.168.0.2, UDP. */
const IPV4 = [0x45, 0x00, 0x00, 0x32, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 192, 168, 0, 1, 192, 168, 0, 2];
/** IPv6 header ::1 → ::2, UDP. */
const IPV6 = [0x60, 0, 0, 0, 0, 0x0a, 0x11, 0x40, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 2];

export const PKT_IPV4 = frame(0x0800, IPV4, 64);
export const PKT_IPV6 = frame(0x86dd, IPV6, 80);
/** An 802.3 frame: a length (0x40) where the EtherType would be, then an LLC header. */
export const PKT_8023 = frame(0x0040, [0xaa, 0xaa, 0x03], 64);
/** EtherType IPv4 with only 6 bytes of L3: too short for an IP header. */
export const PKT_IPV4_SHORT = frame(0x0800, [0x45, 0, 0, 0, 0, 0], 20);
export const PKT_BCAST = frame(0x0800, IPV4, 64, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const PKT_MCAST = frame(0x0800, IPV4, 64, [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01]);
export const PKT_HOST = frame(0x0800, IPV4, 64, [0, 0, 0, 0, 0, 0]);

/** A __sk_buff (192 bytes) for ctx_in with the given u32 fields set (byte offset → value). */
export function skbCtx(fields: Record<number, number> = {}): string {
  const b = new Uint8Array(192);
  const dv = new DataView(b.buffer);
  for (const [off, v] of Object.entries(fields)) dv.setUint32(Number(off), v, true);
  return hex([...b]);
}

/** A struct of u32 words, for xdp_md and other small contexts. */
export function words(...w: number[]): string {
  const b = new Uint8Array(w.length * 4);
  const dv = new DataView(b.buffer);
  w.forEach((v, i) => dv.setUint32(i * 4, v >>> 0, true));
  return hex([...b]);
}

/** 1 when the u32 field at `off` equals `v`, else 0. */
const IS = (off: number, v: number) => `r2 = *(u32 *)(r1 + ${off})\nr0 = 1\nif r2 == ${v} goto out\nr0 = 0\nout:\nexit`;

const RET_FIELD = (off: number) => `r0 = *(u32 *)(r1 + ${off})\nexit`;

/** Store 0xaa into the first packet byte (tc: direct packet access), return 1. */
const TC_STORE = `
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = 0xaa
*(u8 *)(r2 + 0) = r5
out:
r0 = 1
exit`;

/** bpf_xdp_adjust_head(ctx, delta) (helper 44), then return data_end - data. */
const xdpAdjust = (helper: number, delta: number) => `
r6 = r1
r2 = ${delta}
call ${helper}
if r0 != 0 goto fail
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r0 = r3
r0 -= r2
exit
fail:
r0 = 99
exit`;

export const CASES: readonly OracleCase[] = [
  // __sk_buff->len: socket filters see the frame without its Ethernet header, tc the whole frame.
  { id: 'sf_len', type: 'socket_filter', asm: RET_FIELD(0), pkt: PKT_IPV4 },
  { id: 'tc_len', type: 'sched_cls', asm: RET_FIELD(0), pkt: PKT_IPV4 },
  // (cgroup_skb may only return 0 or 1: these answer 1 when the field has the value named.)
  { id: 'cgskb_len_is_50', type: 'cgroup_skb', asm: IS(0, 50), pkt: PKT_IPV4 },
  { id: 'cgskb_data_end_is_0', type: 'cgroup_skb', asm: IS(80, 0), pkt: PKT_IPV4 },
  { id: 'tc_len_ipv6', type: 'sched_cls', asm: RET_FIELD(0), pkt: PKT_IPV6 },
  // skb->protocol from the EtherType (network byte order in a u32).
  { id: 'sf_protocol_ipv4', type: 'socket_filter', asm: RET_FIELD(16), pkt: PKT_IPV4 },
  { id: 'tc_protocol_ipv6', type: 'sched_cls', asm: RET_FIELD(16), pkt: PKT_IPV6 },
  { id: 'tc_protocol_8023', type: 'sched_cls', asm: RET_FIELD(16), pkt: PKT_8023 },
  { id: 'tc_ipv4_short', type: 'sched_cls', asm: RET_FIELD(0), pkt: PKT_IPV4_SHORT },
  { id: 'tc_too_short', type: 'sched_cls', asm: RET_FIELD(0), pkt: '00112233445566778899aabb08' },
  // pkt_type from the destination MAC against the loopback device's address.
  { id: 'tc_pkt_type_other', type: 'sched_cls', asm: RET_FIELD(4), pkt: PKT_IPV4 },
  { id: 'tc_pkt_type_bcast', type: 'sched_cls', asm: RET_FIELD(4), pkt: PKT_BCAST },
  { id: 'tc_pkt_type_mcast', type: 'sched_cls', asm: RET_FIELD(4), pkt: PKT_MCAST },
  { id: 'tc_pkt_type_host', type: 'sched_cls', asm: RET_FIELD(4), pkt: PKT_HOST },
  { id: 'tc_ifindex', type: 'sched_cls', asm: RET_FIELD(40), pkt: PKT_IPV4 },
  { id: 'tc_ingress_ifindex', type: 'sched_cls', asm: RET_FIELD(36), pkt: PKT_IPV4 },
  { id: 'tc_wire_len_noctx', type: 'sched_cls', asm: RET_FIELD(160), pkt: PKT_IPV4 },
  { id: 'tc_wire_len_ctx', type: 'sched_cls', asm: RET_FIELD(160), pkt: PKT_IPV4, ctx: skbCtx() },
  { id: 'tc_data_len', type: 'sched_cls', asm: 'r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr0 = r3\nr0 -= r2\nexit', pkt: PKT_IPV4 },
  { id: 'tc_meta_len', type: 'sched_cls', asm: 'r2 = *(u32 *)(r1 + 140)\nr3 = *(u32 *)(r1 + 76)\nr0 = r3\nr0 -= r2\nexit', pkt: PKT_IPV4 },
  // ctx_in: allowed fields reach the program; others are refused.
  { id: 'tc_ctx_mark', type: 'sched_cls', asm: RET_FIELD(8), pkt: PKT_IPV4, ctx: skbCtx({ 8: 7 }) },
  { id: 'tc_ctx_cb', type: 'sched_cls', asm: RET_FIELD(56), pkt: PKT_IPV4, ctx: skbCtx({ 56: 0x1234 }) },
  { id: 'tc_ctx_len_refused', type: 'sched_cls', asm: RET_FIELD(0), pkt: PKT_IPV4, ctx: skbCtx({ 0: 1 }) },
  { id: 'tc_ctx_ifindex_nodev', type: 'sched_cls', asm: RET_FIELD(0), pkt: PKT_IPV4, ctx: skbCtx({ 40: 5 }) },
  { id: 'tc_ctx_wire_len_small', type: 'sched_cls', asm: RET_FIELD(160), pkt: PKT_IPV4, ctx: skbCtx({ 160: 10 }) },
  { id: 'tc_ctx_wire_len', type: 'sched_cls', asm: RET_FIELD(160), pkt: PKT_IPV4, ctx: skbCtx({ 160: 100 }) },
  // retval: the low 32 bits of r0.
  { id: 'sf_retval_trunc', type: 'socket_filter', asm: 'r0 = 0x100000005 ll\nexit', pkt: PKT_IPV4 },
  { id: 'tc_retval_neg', type: 'sched_cls', asm: 'r0 = -1\nexit', pkt: PKT_IPV4 },
  // data_out: a socket filter's frame comes back with a zeroed Ethernet header; tc's stores show.
  { id: 'sf_data_out', type: 'socket_filter', asm: 'r0 = 0\nexit', pkt: PKT_IPV4 },
  { id: 'tc_data_out_store', type: 'sched_cls', asm: TC_STORE, pkt: PKT_IPV4 },
  // LD_ABS reads from skb->data: the network header for socket filters, the MAC header for tc.
  { id: 'sf_ld_abs', type: 'socket_filter', asm: 'r6 = r1\nr0 = *(u8 *)skb[0]\nexit', pkt: PKT_IPV4 },
  { id: 'tc_ld_abs', type: 'sched_cls', asm: 'r6 = r1\nr0 = *(u16 *)skb[12]\nexit', pkt: PKT_IPV4 },
  // repeat: the same skb runs again; state the program leaves carries over.
  { id: 'tc_repeat_mark', type: 'sched_cls', asm: 'r2 = *(u32 *)(r1 + 8)\nr2 += 1\n*(u32 *)(r1 + 8) = r2\nr0 = r2\nexit', pkt: PKT_IPV4, repeat: 3 },
  // xdp
  { id: 'xdp_len', type: 'xdp', asm: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r3\nr0 -= r2\nexit', pkt: PKT_IPV4 },
  { id: 'xdp_ingress_ifindex', type: 'xdp', asm: RET_FIELD(12), pkt: PKT_IPV4 },
  { id: 'xdp_rx_queue', type: 'xdp', asm: RET_FIELD(16), pkt: PKT_IPV4 },
  { id: 'xdp_meta_eq_data', type: 'xdp', asm: 'r2 = *(u32 *)(r1 + 8)\nr3 = *(u32 *)(r1 + 0)\nr0 = r3\nr0 -= r2\nexit', pkt: PKT_IPV4 },
  { id: 'xdp_adjust_head_grow', type: 'xdp', asm: xdpAdjust(44, -4), pkt: PKT_IPV4 },
  { id: 'xdp_adjust_head_shrink', type: 'xdp', asm: xdpAdjust(44, 14), pkt: PKT_IPV4 },
  { id: 'xdp_adjust_meta', type: 'xdp', asm: xdpAdjust(54, -8), pkt: PKT_IPV4 },
  { id: 'xdp_adjust_head_too_far', type: 'xdp', asm: xdpAdjust(44, -300), pkt: PKT_IPV4 },
  { id: 'xdp_ctx_meta', type: 'xdp', asm: 'r2 = *(u32 *)(r1 + 8)\nr3 = *(u32 *)(r1 + 0)\nr0 = r3\nr0 -= r2\nexit', pkt: PKT_IPV4, ctx: words(8, 64, 0, 0, 0, 0) },
  { id: 'xdp_ctx_data_meta_refused', type: 'xdp', asm: 'r0 = 2\nexit', pkt: PKT_IPV4, ctx: words(0, 64, 4, 0, 0, 0) },
  { id: 'xdp_ctx_ifindex', type: 'xdp', asm: RET_FIELD(12), pkt: PKT_IPV4, ctx: words(0, 64, 0, 1, 0, 0) },
  { id: 'xdp_ctx_rxq_no_dev', type: 'xdp', asm: 'r0 = 2\nexit', pkt: PKT_IPV4, ctx: words(0, 64, 0, 0, 1, 0) },
  { id: 'xdp_too_short', type: 'xdp', asm: 'r0 = 2\nexit', pkt: '00112233445566778899aabb08' },
  { id: 'xdp_retval', type: 'xdp', asm: 'r0 = 0x700000003 ll\nexit', pkt: PKT_IPV4 },
  // raw_tp, syscall: ctx only; the program's r0 is the retval.
  { id: 'rawtp_arg', type: 'raw_tracepoint', asm: 'r0 = *(u64 *)(r1 + 8)\nexit', pkt: '', ctx: words(1, 0, 0x1234, 5), repeat: 0 },
  { id: 'rawtp_data_refused', type: 'raw_tracepoint', asm: 'r0 = 0\nexit', pkt: PKT_IPV4, ctx: words(1, 0), repeat: 0 },
  { id: 'rawtp_repeat_refused', type: 'raw_tracepoint', asm: 'r0 = 0\nexit', pkt: '', ctx: words(1, 0), repeat: 2 },
  { id: 'syscall_ctx', type: 'syscall', flags: 'sleepable', asm: 'r0 = *(u32 *)(r1 + 4)\nr0 += 1\n*(u32 *)(r1 + 0) = r0\nexit', pkt: '', ctx: words(0, 41), repeat: 0 },
  { id: 'syscall_ctx_too_small', type: 'syscall', flags: 'sleepable', asm: 'r0 = *(u32 *)(r1 + 4)\nexit', pkt: '', ctx: words(0), repeat: 0 },
  { id: 'syscall_repeat_refused', type: 'syscall', flags: 'sleepable', asm: 'r0 = 0\nexit', pkt: '', ctx: words(0), repeat: 1 },
  // tracing: 6.1 calls its test functions; an unattached program does not change the answer.
  { id: 'fentry_retval', type: 'tracing', attach: 'trace_fentry', attachBtf: 'bpf_fentry_test1', asm: 'r0 = 0\nexit', pkt: '', ctx: '00' },
  { id: 'fexit_retval', type: 'tracing', attach: 'trace_fexit', attachBtf: 'bpf_fentry_test1', asm: 'r0 = 0\nexit', pkt: '', ctx: '00' },
  // (Debian's 6.1 refuses fmod_ret on bpf_modify_return_test; any int function serves, the test run calls it anyway.)
  { id: 'fmod_ret_retval', type: 'tracing', attach: 'modify_return', attachBtf: 'security_file_open', asm: 'r0 = 0\nexit', pkt: '', ctx: '00' },
  { id: 'lsm_no_test_run', type: 'lsm', attach: 'lsm_mac', attachBtf: 'file_open', asm: 'r0 = 0\nexit', pkt: '', ctx: '00' },
  // Types without a test run in 6.1.
  { id: 'kprobe_no_test_run', type: 'kprobe', asm: 'r0 = 0\nexit', pkt: PKT_IPV4 },
  // flow dissector: data_out is the bpf_flow_keys the kernel prepared (nhoff/thoff 14, n_proto).
  { id: 'flow_keys', type: 'flow_dissector', asm: 'r0 = 0\nexit', pkt: PKT_IPV4 },
  // sk_lookup: ctx required, family must be AF_INET or AF_INET6.
  { id: 'sk_lookup_family', type: 'sk_lookup', attach: 'sk_lookup', asm: IS(8, 2), pkt: '', ctx: words(0, 0, 2, 17) },
  { id: 'sk_lookup_no_family', type: 'sk_lookup', attach: 'sk_lookup', asm: 'r0 = 1\nexit', pkt: '', ctx: words(0, 0, 0, 17) },
  { id: 'sk_lookup_no_ctx', type: 'sk_lookup', attach: 'sk_lookup', asm: 'r0 = 1\nexit', pkt: PKT_IPV4 },
];
