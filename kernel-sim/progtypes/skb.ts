/**
 * bpf_prog_test_run_skb (net/bpf/test_run.c, 6.1): how data_in becomes an skb on the loopback device,
 * which ctx_in fields are accepted (convert___skb_to_skb), and what comes back (data_out, ctx_out).
 */
import type { AddressSpace, Region } from '../../vm/address-space.js';
import { PERM_R } from '../../vm/address-space.js';
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { AccessModel } from './access-rules.js';
import { mapContext } from './context-region.js';
import { TestRunError } from './errors.js';
import { hex } from '../../src/errors.js';
import { SK_BUFF, fieldByName } from './layouts.js';
import { BPF_SOCK } from './layouts-cgroup.js';
import { align64, kmallocSize, PacketBuffer, SHINFO_SIZE } from './packet.js';

export { SHINFO_SIZE };

export const ETH_HLEN = 14;
/** NET_SKB_PAD (64 on x86-64) + NET_IP_ALIGN (2): the head room bpf_test_init reserves. */
export const SKB_HEADROOM = 66;
const PAGE_SIZE = 4096;
const LOOPBACK_IFINDEX = 1;
const GSO_LEGACY_MAX_SIZE = 65536;
const GSO_MAX_SEGS = 65535;

/** ctx_in fields convert___skb_to_skb accepts; every other byte must be zero. */
const CTX_IN_FIELDS = ['mark', 'priority', 'ingress_ifindex', 'ifindex', 'cb', 'tstamp', 'wire_len', 'gso_segs', 'gso_size', 'hwtstamp'];
/** Fields convert_skb_to___skb writes back into ctx_out. */
const CTX_OUT_FIELDS = ['mark', 'priority', 'ingress_ifindex', 'ifindex', 'tstamp', 'cb', 'wire_len', 'gso_segs', 'hwtstamp'];

/** Where the kernel keeps a field in fewer bytes than the UAPI gives it. */
const STORE_WIDTH = { queue_mapping: 2, tc_index: 2, tc_classid: 2 };

const ETH_P_802_3 = 0x0001;
const ETH_P_802_2 = 0x0004;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const AF_INET = 2;
const AF_INET6 = 10;
const TCP_CLOSE = 7;

/** Frame types as eth_type_trans sets pkt_type (the loopback device has address and broadcast 0). */
const PACKET_HOST = 0;
const PACKET_MULTICAST = 2;
const PACKET_OTHERHOST = 3;

export interface SkbRun {
  ctx: Region;
  packet: PacketBuffer;
  /** After the run(s): data_out and ctx_out as the kernel copies them out. */
  finish(): { dataOut: Uint8Array; ctxOut?: Uint8Array };
  release(): void;
}

/** Program types whose skb starts at the MAC header (is_l2) / gets data pointers (direct access). */
const L2: readonly ProgTypeName[] = ['SCHED_CLS', 'SCHED_ACT'];
const DIRECT: readonly ProgTypeName[] = ['LWT_IN', 'LWT_OUT', 'LWT_XMIT'];

export function setupSkb(
  space: AddressSpace, progType: ProgTypeName, model: AccessModel, data: Uint8Array, ctxIn: Uint8Array | undefined,
  capBpf: boolean,
): SkbRun {
  const size = data.length;
  if (size < ETH_HLEN) throw new TestRunError('EINVAL', `data_in of ${size} bytes is shorter than an Ethernet header`);
  if (size > PAGE_SIZE - SKB_HEADROOM - SHINFO_SIZE) throw new TestRunError('EINVAL', `data_in of ${size} bytes does not fit a page`);
  const ctxBytes = ctxIn === undefined ? undefined : sizedCtx(ctxIn);
  const user = ctxBytes === undefined ? undefined : new DataView(ctxBytes.buffer);
  if (user !== undefined) checkZeroOutside(ctxBytes!);
  const ifindex = user === undefined ? 0 : user.getUint32(fieldByName(SK_BUFF, 'ifindex').off, true);
  if (ifindex > LOOPBACK_IFINDEX) throw new TestRunError('ENODEV', `ctx ifindex ${ifindex}: only the loopback device (1) exists`);

  const end = kmallocSize(align64(size) + SKB_HEADROOM + SHINFO_SIZE) - SHINFO_SIZE;
  const buffer = new Uint8Array(end);
  buffer.set(data, SKB_HEADROOM);
  const etherType = (data[12]! << 8) | data[13]!;
  const l3 = data.subarray(ETH_HLEN);
  const protocol = etherType >= 0x600 ? etherType : l3[0] === 0xff && l3[1] === 0xff ? ETH_P_802_3 : ETH_P_802_2;
  if ((protocol === ETH_P_IP && l3.length < 20) || (protocol === ETH_P_IPV6 && l3.length < 40)) {
    throw new TestRunError('EINVAL', `EtherType ${hex(protocol)} with only ${l3.length} bytes of network header`);
  }
  const isL2 = L2.includes(progType);
  const direct = isL2 || DIRECT.includes(progType);
  const start = isL2 ? SKB_HEADROOM : SKB_HEADROOM + ETH_HLEN;
  const packet = new PacketBuffer(space, 'skb packet', buffer, 0, { meta: start, data: start, end: SKB_HEADROOM + size });
  packet.macHeader = SKB_HEADROOM;
  packet.networkHeader = SKB_HEADROOM + ETH_HLEN;
  const skb = { protocol, vlan: null, hash: 0 } as NonNullable<PacketBuffer['skb']>;
  packet.skb = skb;

  // The struct the program sees: plain fields live in these bytes; the rest is derived on each load.
  const bytes = new Uint8Array(SK_BUFF.size);
  const dv = new DataView(bytes.buffer);
  const put = (name: string, v: number): void => dv.setUint32(fieldByName(SK_BUFF, name).off, v, true);
  put('pkt_type', pktType(data));
  put('ifindex', LOOPBACK_IFINDEX);
  if (user !== undefined) {
    for (const name of ['mark', 'priority', 'ingress_ifindex', 'gso_segs', 'gso_size']) put(name, user.getUint32(fieldByName(SK_BUFF, name).off, true));
    for (const name of ['cb', 'tstamp', 'hwtstamp']) copyField(ctxBytes!, bytes, name);
    const wire = user.getUint32(fieldByName(SK_BUFF, 'wire_len').off, true);
    const len = packet.end - packet.data;
    if (wire !== 0 && (wire < len || wire > GSO_LEGACY_MAX_SIZE)) throw new TestRunError('EINVAL', `ctx wire_len ${wire} is below len ${len} or too large`);
    put('wire_len', wire === 0 ? len : wire);
    if (user.getUint32(fieldByName(SK_BUFF, 'gso_segs').off, true) > GSO_MAX_SEGS) throw new TestRunError('EINVAL', 'ctx gso_segs too large');
  }
  const sock = mapSock(space, protocol, l3);
  const ctx = mapContext(space, {
    model, bytes, name: '__sk_buff', owner: packet, capBpf, storeWidth: STORE_WIDTH,
    ignoreStore: { queue_mapping: (v) => BigInt.asUintN(32, v) >= 0xffffn },
    derived: {
      len: () => BigInt(packet.end - packet.data),
      data: () => packet.addr(packet.data),
      // Only types with direct packet access get bpf_compute_data_pointers; others read data_end 0.
      data_end: () => (direct ? packet.addr(packet.end) : 0n),
      data_meta: () => packet.addr(packet.meta),
      sk: () => sock.base,
      // sk_buff fields skb helpers change (vlan push/pop, hash recalculation)
      protocol: () => BigInt(swap16(skb.protocol)),
      vlan_present: () => (skb.vlan === null ? 0n : 1n),
      vlan_tci: () => BigInt(skb.vlan?.tci ?? 0),
      vlan_proto: () => BigInt(skb.vlan === null ? 0 : swap16(skb.vlan.proto)),
      hash: () => BigInt(skb.hash),
    },
  });

  return {
    ctx,
    packet,
    finish() {
      const out = packet.bytes();
      const dataOut = isL2 ? out.slice() : concat(new Uint8Array(ETH_HLEN), out);
      if (ctxBytes === undefined) return { dataOut };
      for (const name of CTX_OUT_FIELDS) copyField(bytes, ctxBytes, name);
      return { dataOut, ctxOut: ctxBytes };
    },
    release() {
      space.unmap(packet.buffer);
      space.unmap(ctx);
      space.unmap(sock);
    },
  };
}

/** ctx_in as bpf_ctx_init takes it: at most sizeof(__sk_buff) bytes, anything past it must be zero. */
function sizedCtx(ctxIn: Uint8Array): Uint8Array {
  if (ctxIn.subarray(SK_BUFF.size).some((b) => b !== 0)) throw new TestRunError('E2BIG', 'ctx_in has non-zero bytes past __sk_buff');
  const b = new Uint8Array(SK_BUFF.size);
  b.set(ctxIn.subarray(0, SK_BUFF.size));
  return b;
}

function checkZeroOutside(ctx: Uint8Array): void {
  const allowed = new Uint8Array(SK_BUFF.size);
  for (const name of CTX_IN_FIELDS) {
    const f = fieldByName(SK_BUFF, name);
    allowed.fill(1, f.off, f.off + f.size * (f.count ?? 1));
  }
  const bad = ctx.findIndex((b, i) => b !== 0 && allowed[i] === 0);
  if (bad >= 0) throw new TestRunError('EINVAL', `ctx_in sets byte ${bad} of __sk_buff, which BPF_PROG_TEST_RUN does not accept`);
}

function copyField(from: Uint8Array, to: Uint8Array, name: string): void {
  const f = fieldByName(SK_BUFF, name);
  to.set(from.subarray(f.off, f.off + f.size * (f.count ?? 1)), f.off);
}

function pktType(frame: Uint8Array): number {
  const dst = frame.subarray(0, 6);
  if (dst.every((b) => b === 0)) return PACKET_HOST;
  return (dst[0]! & 1) !== 0 ? PACKET_MULTICAST : PACKET_OTHERHOST;
}

const swap16 = (v: number): number => ((v & 0xff) << 8) | (v >> 8);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The dummy socket bpf_prog_test_run_skb attaches (skb->sk), as the struct bpf_sock a program reads:
 * family and addresses from the IP header (sk_rcv_saddr = source, sk_daddr = destination), state
 * TCP_CLOSE as sock_init_data leaves it. Read-only.
 */
function mapSock(space: AddressSpace, protocol: number, l3: Uint8Array): Region {
  const off = (name: string): number => fieldByName(BPF_SOCK, name).off;
  const b = new Uint8Array(BPF_SOCK.size);
  const dv = new DataView(b.buffer);
  if (protocol === ETH_P_IP) {
    dv.setUint32(off('family'), AF_INET, true);
    b.set(l3.subarray(12, 16), off('src_ip4'));
    b.set(l3.subarray(16, 20), off('dst_ip4'));
  } else if (protocol === ETH_P_IPV6) {
    dv.setUint32(off('family'), AF_INET6, true);
    b.set(l3.subarray(8, 24), off('src_ip6'));
    b.set(l3.subarray(24, 40), off('dst_ip6'));
  }
  dv.setUint32(off('state'), TCP_CLOSE, true);
  return space.map('kernel-object', b, PERM_R, 'bpf_sock of the test skb');
}
