/**
 * Helpers that change an skb beyond its bytes (net/core/filter.c, 6.1): VLAN tags (skb_vlan_push/pop, the
 * hardware-accelerated tag and tags in the payload), head room (skb_change_head), the flow hash
 * (get_hash_recalc), and the FIB lookup of the simulated network namespace.
 */
import { HelperFault, type HelperContext, type HelperFn } from '../../vm/machine.js';
import { ERRNO, errno } from './args.js';
import { isPacketContext, type PacketContext, type SkbState } from './packet.js';

const ETH_HLEN = 14;
const ETH_ALEN = 6;
const VLAN_HLEN = 4;
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;
const ETH_P_802_3 = 0x0001;
const ETH_P_802_2 = 0x0004;
const ETH_P_802_3_MIN = 0x0600;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
/** NET_SKB_PAD: skb_cow grows the head room in steps of this. */
const NET_SKB_PAD = 64;
/** BPF_SKB_MAX_LEN = SKB_MAX_ALLOC: four pages less the shared info. */
const BPF_SKB_MAX_LEN = 16384 - 320;

type Skb = PacketContext & { skb: SkbState };

function skbOf(ctx: HelperContext, helper: string, addr: bigint): Skb {
  const owner = ctx.space.regionAt(addr)?.owner;
  if (!isPacketContext(owner) || owner.skb === undefined) throw new HelperFault('helper-error', `${helper}: R1 is not an skb context`);
  return owner as Skb;
}

const be16 = (p: PacketContext, at: number): number => p.buffer.dv.getUint16(at, false);
const isVlan = (proto: number): boolean => proto === ETH_P_8021Q || proto === ETH_P_8021AD;
const swap16 = (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff);

/** skb_cow_head / skb_cow: at least `headroom` bytes before data, growing the head in NET_SKB_PAD steps. */
function cowHead(p: Skb, headroom: number): void {
  const have = p.data;
  if (headroom > have) p.expandHead?.(Math.ceil((headroom - have) / NET_SKB_PAD) * NET_SKB_PAD);
}

/** __vlan_insert_tag: the tag goes between the MAC addresses and the EtherType. */
function insertTag(p: Skb, proto: number, tci: number): bigint {
  if (p.end - p.data < ETH_HLEN) return errno(ERRNO.EINVAL);
  cowHead(p, VLAN_HLEN);
  const bytes = p.buffer.bytes;
  p.data -= VLAN_HLEN;
  bytes.copyWithin(p.data, p.data + VLAN_HLEN, p.data + VLAN_HLEN + 2 * ETH_ALEN);
  if (p.macHeader !== undefined) p.macHeader -= VLAN_HLEN;
  p.buffer.dv.setUint16(p.data + 2 * ETH_ALEN, proto, false);
  p.buffer.dv.setUint16(p.data + ETH_HLEN, tci, false);
  return 0n;
}

/** __skb_vlan_pop: the outer payload tag comes out; its TCI is returned, or a negative errno. */
function popPayloadTag(p: Skb): { tci: number } | bigint {
  if (p.macHeader !== undefined && p.data !== p.macHeader) return errno(ERRNO.EINVAL);
  if (p.end - p.data < ETH_HLEN + VLAN_HLEN) return errno(ERRNO.ENOMEM);
  const tci = be16(p, p.data + ETH_HLEN);
  const inner = be16(p, p.data + ETH_HLEN + 2);
  p.buffer.bytes.copyWithin(p.data + VLAN_HLEN, p.data, p.data + 2 * ETH_ALEN);
  // vlan_set_encap_proto
  if (inner >= ETH_P_802_3_MIN) p.skb.protocol = inner;
  else p.skb.protocol = be16(p, p.data + ETH_HLEN + VLAN_HLEN) === 0xffff ? ETH_P_802_3 : ETH_P_802_2;
  p.data += VLAN_HLEN;
  if (p.macHeader !== undefined) p.macHeader += VLAN_HLEN;
  if (p.networkHeader !== undefined && p.networkHeader - p.data < ETH_HLEN) p.networkHeader = p.data + ETH_HLEN;
  return { tci };
}

/** bpf_skb_vlan_push(skb, vlan_proto, vlan_tci): an existing accelerated tag moves into the payload first. */
export const skbVlanPush: HelperFn = (ctx, skbPtr, vlanProto, vlanTci) => {
  const p = skbOf(ctx, 'bpf_skb_vlan_push', skbPtr);
  let proto = swap16(Number(vlanProto & 0xffffn));
  if (!isVlan(proto)) proto = ETH_P_8021Q;
  const tci = Number(vlanTci & 0xffffn);
  const held = p.skb.vlan;
  if (held !== null) {
    if (p.macHeader !== undefined && p.data !== p.macHeader) return errno(ERRNO.EINVAL);
    const err = insertTag(p, held.proto, held.tci);
    if (err !== 0n) return err;
    p.skb.protocol = held.proto;
  }
  p.skb.vlan = { proto, tci };
  p.moved();
  return 0n;
};

/** bpf_skb_vlan_pop(skb): drops the accelerated tag (or the outer payload tag), then accelerates the next one. */
export const skbVlanPop: HelperFn = (ctx, skbPtr) => {
  const p = skbOf(ctx, 'bpf_skb_vlan_pop', skbPtr);
  if (p.skb.vlan !== null) {
    p.skb.vlan = null;
  } else {
    if (!isVlan(p.skb.protocol)) return 0n;
    const r = popPayloadTag(p);
    if (typeof r === 'bigint') return r;
  }
  p.moved();
  if (!isVlan(p.skb.protocol)) return 0n;
  const proto = p.skb.protocol;
  const r = popPayloadTag(p);
  if (typeof r === 'bigint') return r;
  p.skb.vlan = { proto, tci: r.tci };
  return 0n;
};

/** bpf_skb_change_head(skb, head_room, flags): `head_room` zeroed bytes in front; the MAC header starts there. */
export const skbChangeHead: HelperFn = (ctx, skbPtr, headRoom, flags) => {
  const p = skbOf(ctx, 'bpf_skb_change_head', skbPtr);
  const room = Number(headRoom & 0xffffffffn);
  const len = p.end - p.data;
  const newLen = (len + room) >>> 0;
  if (flags !== 0n || newLen > BPF_SKB_MAX_LEN || newLen < len) return errno(ERRNO.EINVAL);
  cowHead(p, room);
  p.data -= room;
  p.buffer.bytes.fill(0, p.data, p.data + room);
  p.macHeader = p.data;
  p.moved();
  return 0n;
};

/**
 * bpf_skb_pull_data(skb, len): make the first `len` bytes (the whole linear part for 0) linear and writable
 * (skb_ensure_writable). A simulated skb is all linear and never a clone, as BPF_PROG_TEST_RUN builds it, so
 * the call succeeds for len <= skb->len and is -ENOMEM past it (pskb_may_pull finds too few bytes; 6.1 built
 * without CONFIG_DEBUG_NET has no separate INT_MAX check). The tc / lwt variant then recomputes the data
 * pointers (bpf_compute_data_pointers); the verifier has already invalidated the program's packet pointers.
 */
export const skbPullData: HelperFn = (ctx, skbPtr, len) => {
  const p = skbOf(ctx, 'bpf_skb_pull_data', skbPtr);
  const r = ensureWritable(p, len);
  p.moved();
  return r;
};

/** sk_skb_pull_data: the same for sk_skb programs, without recomputing the data pointers. */
export const skSkbPullData: HelperFn = (ctx, skbPtr, len) => ensureWritable(skbOf(ctx, 'bpf_skb_pull_data', skbPtr), len);

function ensureWritable(p: Skb, len: bigint): bigint {
  const headlen = p.end - p.data;
  const n = Number(len & 0xffffffffn) || headlen;
  return n <= headlen ? 0n : errno(ERRNO.ENOMEM);
}

/**
 * The flow hash (__skb_get_hash): the flow's addresses, protocol and ports (IPv4 / IPv6 over Ethernet), mixed
 * with the kernel's hash key; never 0. The kernel's key is random per boot; the simulated one is fixed.
 */
function flowHash(p: Skb): number {
  const b = p.buffer.bytes;
  const net = p.networkHeader ?? p.data;
  const words: number[] = [p.skb.protocol];
  const rd = (at: number, n: number): number[] => Array.from(b.subarray(at, Math.min(at + n, p.end)));
  if (p.skb.protocol === ETH_P_IP && p.end - net >= 20) {
    const ihl = (b[net]! & 0xf) * 4;
    const proto = b[net + 9]!;
    const frag = ((b[net + 6]! << 8) | b[net + 7]!) & 0x3fff;
    words.push(proto, ...rd(net + 12, 8));
    if (frag === 0 && (proto === 6 || proto === 17)) words.push(...rd(net + ihl, 4));
  } else if (p.skb.protocol === ETH_P_IPV6 && p.end - net >= 40) {
    const next = b[net + 6]!;
    words.push(next, ...rd(net + 8, 32));
    if (next === 6 || next === 17) words.push(...rd(net + 40, 4));
  }
  let h = 0x9e3779b9 ^ FLOW_HASH_KEY;
  for (const w of words) {
    h = Math.imul(h ^ w, 0x85ebca6b) >>> 0;
    h = ((h << 13) | (h >>> 19)) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35) >>> 0;
  return h === 0 ? 1 : h;
}

const FLOW_HASH_KEY = 0x5bd1e995;

/** bpf_get_hash_recalc(skb): the hash recomputed from the flow (and kept in skb->hash). */
export const getHashRecalc: HelperFn = (ctx, skbPtr) => {
  const p = skbOf(ctx, 'bpf_get_hash_recalc', skbPtr);
  p.skb.hash = flowHash(p);
  return BigInt(p.skb.hash);
};

/** sizeof(struct bpf_fib_lookup). */
const FIB_LOOKUP_SIZE = 64;
/** BPF_FIB_LOOKUP_MASK of 6.1.192: DIRECT, OUTPUT, SKIP_NEIGH, TBID, SRC. */
const FIB_LOOKUP_MASK = 0x1fn;
const AF_INET = 2;
const AF_INET6 = 10;
const BPF_FIB_LKUP_RET_FWD_DISABLED = 5n;
/** The simulated network namespace has one device, the loopback (ifindex 1), with forwarding off (the default). */
const LOOPBACK_IFINDEX = 1;

/** bpf_xdp_fib_lookup / bpf_skb_fib_lookup: a lookup through the loopback device stops at its forwarding setting. */
export const fibLookup: HelperFn = (ctx, _c, params, plen, flags) => {
  if (BigInt.asIntN(32, plen & 0xffffffffn) < FIB_LOOKUP_SIZE) return errno(ERRNO.EINVAL);
  if ((flags & 0xffffffffn) & ~FIB_LOOKUP_MASK) return errno(ERRNO.EINVAL);
  const p = ctx.space.readBytes(params, FIB_LOOKUP_SIZE);
  const family = p[0]!;
  if (family !== AF_INET && family !== AF_INET6) return errno(ERRNO.EAFNOSUPPORT);
  const ifindex = new DataView(p.buffer, p.byteOffset).getUint32(8, true);
  if (ifindex !== LOOPBACK_IFINDEX) return errno(ERRNO.ENODEV);
  return BPF_FIB_LKUP_RET_FWD_DISABLED;
};
