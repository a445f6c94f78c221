/**
 * Run-time contexts of the socket program types SOCK_OPS and SK_REUSEPORT (ctx-runs-common.ts says what
 * they share).
 */
import type { AddressSpace } from '../../vm/address-space.js';
import type { SockOpsState } from '../helpers/sock-ops.js';
import { ACCESS_MODELS } from './access-rules.js';
import { readLE } from './context-region.js';
import {
  AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM, TCP_CLOSE, TCP_LISTEN, contextRun, dataBuffer, mapBpfSock, offOf,
  structIn, type CgroupRunInput,
} from './ctx-runs-common.js';
import { BPF_SOCK, BPF_SOCK_OPS, SK_REUSEPORT_MD } from './layouts-cgroup.js';
import { fieldByName } from './layouts.js';
import type { CtxRun } from './other-runs.js';

const ETH_P_IPV6 = 0x86dd;

/** The fields sock_ops reads from the TCP socket: zero unless is_fullsock (SOCK_OPS_GET_FIELD). */
const SOCK_OPS_FULLSOCK_FIELDS = [
  'snd_cwnd', 'srtt_us', 'bpf_sock_ops_cb_flags', 'rtt_min', 'snd_ssthresh', 'rcv_nxt', 'snd_nxt', 'snd_una', 'mss_cache',
  'ecn_flags', 'rate_delivered', 'rate_interval_us', 'packets_out', 'retrans_out', 'total_retrans', 'segs_in',
  'data_segs_in', 'segs_out', 'data_segs_out', 'lost_out', 'sacked_out', 'sk_txhash', 'bytes_received', 'bytes_acked',
];

/**
 * SOCK_OPS: bpf_sock_ops from ctx_in. Without is_fullsock the TCP fields read 0, sk is NULL and
 * sk_txhash stores are dropped; with it, sk points to the connection's bpf_sock (addresses, ports and
 * state from the context). data_in, when given, is the skb's TCP segment: skb_data..skb_data_end and
 * skb_len; without it there is no skb and skb_data, skb_data_end, skb_len and skb_tcp_flags read 0.
 */
export function sockOpsContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const L = BPF_SOCK_OPS;
  const bytes = structIn(L, input.ctx);
  const dv = new DataView(bytes.buffer);
  for (const name of ['sk', 'skb_data', 'skb_data_end']) bytes.fill(0, offOf(L, name), offOf(L, name) + 8);
  const u32 = (name: string): number => dv.getUint32(offOf(L, name), true);
  const fullsock = (): boolean => u32('is_fullsock') !== 0;

  const sk = new Uint8Array(BPF_SOCK.size);
  const sdv = new DataView(sk.buffer);
  sdv.setUint32(offOf(BPF_SOCK, 'family'), u32('family'), true);
  sdv.setUint32(offOf(BPF_SOCK, 'type'), SOCK_STREAM, true);
  sdv.setUint32(offOf(BPF_SOCK, 'protocol'), IPPROTO_TCP, true);
  sk.set(bytes.subarray(offOf(L, 'local_ip4'), offOf(L, 'local_ip4') + 4), offOf(BPF_SOCK, 'src_ip4'));
  sk.set(bytes.subarray(offOf(L, 'remote_ip4'), offOf(L, 'remote_ip4') + 4), offOf(BPF_SOCK, 'dst_ip4'));
  sk.set(bytes.subarray(offOf(L, 'local_ip6'), offOf(L, 'local_ip6') + 16), offOf(BPF_SOCK, 'src_ip6'));
  sk.set(bytes.subarray(offOf(L, 'remote_ip6'), offOf(L, 'remote_ip6') + 16), offOf(BPF_SOCK, 'dst_ip6'));
  sdv.setUint32(offOf(BPF_SOCK, 'src_port'), u32('local_port'), true);
  // remote_port holds the network-order port in its upper half (skc_dport << 16).
  sk.set(bytes.subarray(offOf(L, 'remote_port') + 2, offOf(L, 'remote_port') + 4), offOf(BPF_SOCK, 'dst_port'));
  sdv.setUint32(offOf(BPF_SOCK, 'state'), u32('state'), true);
  sdv.setInt32(offOf(BPF_SOCK, 'rx_queue_mapping'), -1, true);
  const sock = mapBpfSock(space, sk, 'bpf_sock of the sock_ops connection');

  const packet = input.data === undefined ? undefined : dataBuffer(space, 'sock_ops skb', input.data);
  const derived: Record<string, () => bigint> = {
    sk: () => (fullsock() ? sock.base : 0n),
    skb_data: () => (packet === undefined ? 0n : packet.addr(packet.data)),
    skb_data_end: () => (packet === undefined ? 0n : packet.addr(packet.end)),
    skb_len: () => BigInt(packet === undefined ? 0 : packet.end - packet.data),
    skb_tcp_flags: () => (packet === undefined ? 0n : BigInt(u32('skb_tcp_flags'))),
  };
  for (const name of SOCK_OPS_FULLSOCK_FIELDS) {
    const fl = fieldByName(L, name);
    derived[name] = () => (fullsock() ? readLE(dv, fl.off, fl.size) : 0n);
  }
  const cbFlags = offOf(L, 'bpf_sock_ops_cb_flags');
  const state: SockOpsState = { kind: 'sock_ops', fullsock, setCbFlags: (v) => dv.setUint32(cbFlags, v, true) };
  return contextRun(space, {
    model: ACCESS_MODELS.sock_ops, bytes, name: 'bpf_sock_ops', attachType: input.attachType, capBpf: input.capBpf, derived,
    ignoreStore: { sk_txhash: () => !fullsock() }, owner: state,
  }, { regions: [sock], ...(packet === undefined ? {} : { packet, dataOut: () => packet.bytes().slice() }) });
}

/**
 * SK_REUSEPORT: data_in is the packet from its L4 header (data..data_end, len); eth_protocol,
 * ip_protocol, bind_inany and hash come from ctx_in; sk is the reuseport group's listening socket (its
 * family from eth_protocol, its type from ip_protocol); no socket is migrating (migrating_sk NULL).
 */
export function skReuseportContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const L = SK_REUSEPORT_MD;
  const bytes = structIn(L, input.ctx);
  const dv = new DataView(bytes.buffer);
  for (const name of ['data', 'data_end', 'sk', 'migrating_sk']) bytes.fill(0, offOf(L, name), offOf(L, name) + 8);
  bytes.fill(0, 36, 40);
  const data = input.data ?? new Uint8Array(0);
  const packet = dataBuffer(space, 'sk_reuseport skb', data);
  const ethProto = dv.getUint32(offOf(L, 'eth_protocol'), true);
  const ipProto = dv.getUint32(offOf(L, 'ip_protocol'), true);
  const sk = new Uint8Array(BPF_SOCK.size);
  const sdv = new DataView(sk.buffer);
  const be16 = ((ethProto & 0xff) << 8) | ((ethProto >> 8) & 0xff);
  sdv.setUint32(offOf(BPF_SOCK, 'family'), be16 === ETH_P_IPV6 ? AF_INET6 : AF_INET, true);
  sdv.setUint32(offOf(BPF_SOCK, 'type'), ipProto === IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM, true);
  sdv.setUint32(offOf(BPF_SOCK, 'protocol'), ipProto === IPPROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP, true);
  sdv.setUint32(offOf(BPF_SOCK, 'state'), ipProto === IPPROTO_UDP ? TCP_CLOSE : TCP_LISTEN, true);
  sdv.setInt32(offOf(BPF_SOCK, 'rx_queue_mapping'), -1, true);
  const sock = mapBpfSock(space, sk, 'bpf_sock of the reuseport group');
  return contextRun(space, {
    model: ACCESS_MODELS.sk_reuseport, bytes, name: 'sk_reuseport_md', attachType: input.attachType, capBpf: input.capBpf, owner: packet,
    derived: {
      data: () => packet.addr(packet.data),
      data_end: () => packet.addr(packet.end),
      len: () => BigInt(packet.end - packet.data),
      sk: () => sock.base,
      migrating_sk: () => 0n,
    },
  }, { packet, regions: [sock] });
}
