/**
 * skb and XDP packet helpers over a PacketContext (packet.ts): skb_load_bytes, skb_store_bytes,
 * l3/l4_csum_replace, csum_diff, xdp_adjust_head/tail/meta, and redirect (tc and XDP forms). The skb
 * is modelled linear with ip_summed = CHECKSUM_NONE.
 */
import { HelperFault, type HelperContext, type HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { ERRNO, errno } from './args.js';
import { csumPartial, csumReplace2, csumReplace4, csumReplaceByDiff } from './csum.js';
import { isPacketContext, type PacketContext } from './packet.js';

const BPF_F_RECOMPUTE_CSUM = 1n;
const BPF_F_INVALIDATE_HASH = 2n;
const BPF_F_HDR_FIELD_MASK = 0xfn;
const BPF_F_PSEUDO_HDR = 0x10n;
const BPF_F_MARK_MANGLED_0 = 0x20n;
const BPF_F_MARK_ENFORCE = 0x40n;
const BPF_F_IPV6 = 0x80n;
const BPF_F_INGRESS = 1n;
const CSUM_MANGLED_0 = 0xffff;
const ETH_HLEN = 14;
const INT_MAX = 0x7fffffffn;
/** TC_ACT_* and XDP_* verdicts the redirect helpers return. */
const TC_ACT_SHOT = 2n, TC_ACT_REDIRECT = 7n, XDP_ABORTED = 0n, XDP_REDIRECT = 4n;

/** The packet behind a context pointer argument. */
function packet(ctx: HelperContext, helper: string, addr: bigint): PacketContext {
  const owner = ctx.space.regionAt(addr)?.owner;
  if (!isPacketContext(owner)) throw new HelperFault('helper-error', `${helper}: R1 is not a packet context`);
  return owner;
}

/** Offset `off` (u32) and `len` bytes inside [data, end), or false. */
const inPacket = (p: PacketContext, off: bigint, len: number): boolean => off <= INT_MAX && Number(off) + len <= p.end - p.data;

export const skbLoadBytes: HelperFn = (ctx, skb, offset, to, len) => {
  const p = packet(ctx, 'bpf_skb_load_bytes', skb);
  const n = Number(len & 0xffffffffn), off = offset & 0xffffffffn;
  if (!inPacket(p, off, n)) {
    ctx.space.writeBytes(to, new Uint8Array(n));
    return errno(ERRNO.EFAULT);
  }
  const at = p.data + Number(off);
  ctx.space.writeBytes(to, p.buffer.bytes.slice(at, at + n));
  return 0n;
};

export const skbStoreBytes: HelperFn = (ctx, skb, offset, from, len, flags) => {
  const p = packet(ctx, 'bpf_skb_store_bytes', skb);
  const n = Number(len & 0xffffffffn), off = offset & 0xffffffffn;
  if (flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) return errno(ERRNO.EINVAL);
  if (!inPacket(p, off, n)) return errno(ERRNO.EFAULT);
  p.buffer.bytes.set(ctx.space.readBytes(from, n), p.data + Number(off));
  return 0n;
};

/** The checksum field at `offset` of the packet, or an errno: 16-bit aligned, below 64 KiB, inside. */
function sumField(p: PacketContext, offset: bigint): number | bigint {
  if (offset > 0xffffn || offset & 1n) return errno(ERRNO.EFAULT);
  if (!inPacket(p, offset, 2)) return errno(ERRNO.EFAULT);
  return p.data + Number(offset);
}

/** Rewrite the checksum at `at` for a field change by the `flags & BPF_F_HDR_FIELD_MASK` rule; 0 or -EINVAL. */
function replace(p: PacketContext, at: number, from: bigint, to: bigint, flags: bigint): bigint {
  const dv = p.buffer.dv;
  const sum = dv.getUint16(at, true);
  const f = Number(from & 0xffffffffn), t = Number(to & 0xffffffffn);
  let next: number;
  switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0n:
      if (from !== 0n) return errno(ERRNO.EINVAL);
      next = csumReplaceByDiff(sum, t);
      break;
    case 2n: next = csumReplace2(sum, f, t); break;
    case 4n: next = csumReplace4(sum, f, t); break;
    default: return errno(ERRNO.EINVAL);
  }
  dv.setUint16(at, next, true);
  return 0n;
}

export const l3CsumReplace: HelperFn = (ctx, skb, offset, from, to, flags) => {
  const p = packet(ctx, 'bpf_l3_csum_replace', skb);
  if (flags & ~BPF_F_HDR_FIELD_MASK) return errno(ERRNO.EINVAL);
  const at = sumField(p, offset & 0xffffffffn);
  return typeof at === 'bigint' ? at : replace(p, at, from, to, flags);
};

export const l4CsumReplace: HelperFn = (ctx, skb, offset, from, to, flags) => {
  const p = packet(ctx, 'bpf_l4_csum_replace', skb);
  if (flags & ~(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6)) {
    return errno(ERRNO.EINVAL);
  }
  const at = sumField(p, offset & 0xffffffffn);
  if (typeof at === 'bigint') return at;
  const mmzero = (flags & BPF_F_MARK_MANGLED_0) !== 0n;
  if (mmzero && !(flags & BPF_F_MARK_ENFORCE) && p.buffer.dv.getUint16(at, true) === 0) return 0n;
  const r = replace(p, at, from, to, flags);
  if (r === 0n && mmzero && p.buffer.dv.getUint16(at, true) === 0) p.buffer.dv.setUint16(at, CSUM_MANGLED_0, true);
  return r;
};

/** MAX_BPF_STACK: csum_diff's scratch buffer. */
const CSUM_DIFF_MAX = 512;

/** bpf_csum_diff(from, from_size, to, to_size, seed): csum_partial of ~from then to, seeded. */
export const csumDiff: HelperFn = (ctx, from, fromSize, to, toSize, seed) => {
  const fs = Number(fromSize & 0xffffffffn), ts = Number(toSize & 0xffffffffn);
  if ((fs | ts) & 3 || fs + ts > CSUM_DIFF_MAX) return errno(ERRNO.EINVAL);
  const buf = new Uint8Array(fs + ts);
  buf.set(ctx.space.readBytes(from, fs).map((b) => ~b & 0xff));
  buf.set(ctx.space.readBytes(to, ts), fs);
  return BigInt(csumPartial(buf, Number(seed & 0xffffffffn)));
};

const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

export const xdpAdjustHead: HelperFn = (ctx, xdp, offset) => {
  const p = packet(ctx, 'bpf_xdp_adjust_head', xdp);
  const d = s32(offset), metalen = p.data - p.meta;
  const data = p.data + d;
  if (data < p.headMin + metalen || data > p.end - ETH_HLEN) return errno(ERRNO.EINVAL);
  if (metalen > 0) p.buffer.bytes.copyWithin(p.meta + d, p.meta, p.data);
  p.meta += d;
  p.data = data;
  p.moved();
  return 0n;
};

export const xdpAdjustTail: HelperFn = (ctx, xdp, offset) => {
  const p = packet(ctx, 'bpf_xdp_adjust_tail', xdp);
  const d = s32(offset);
  const end = p.end + d;
  if (end > p.hardEnd || end < p.data + ETH_HLEN) return errno(ERRNO.EINVAL);
  if (d > 0) p.buffer.bytes.fill(0, p.end, end);
  p.end = end;
  p.moved();
  return 0n;
};

/** xdp_metalen_invalid: metadata is a multiple of 4 bytes, at most 32. */
const XDP_META_MAX = 32;

export const xdpAdjustMeta: HelperFn = (ctx, xdp, offset) => {
  const p = packet(ctx, 'bpf_xdp_adjust_meta', xdp);
  const meta = p.meta + s32(offset);
  if (meta < p.headMin || meta > p.data) return errno(ERRNO.EINVAL);
  const len = p.data - meta;
  if (len & 3 || len > XDP_META_MAX) return errno(ERRNO.EACCES);
  p.meta = meta;
  p.moved();
  return 0n;
};

/** Record a redirect in the run's bpf_redirect_info (`kernel.run.redirect`), which the program type acts on. */
function setRedirect(k: Kernel, ifindex: bigint, flags: bigint): void {
  if (k.run !== undefined) k.run.redirect = { ifindex: Number(ifindex & 0xffffffffn), flags };
}

/** bpf_redirect (tc): TC_ACT_REDIRECT, or TC_ACT_SHOT for flags other than BPF_F_INGRESS. */
export const redirectTc = (k: Kernel): HelperFn => (_ctx, ifindex, flags) => {
  if (flags & ~BPF_F_INGRESS) return TC_ACT_SHOT;
  setRedirect(k, ifindex, flags);
  return TC_ACT_REDIRECT;
};

/** bpf_redirect (XDP): XDP_REDIRECT, or XDP_ABORTED for any flag. */
export const redirectXdp = (k: Kernel): HelperFn => (_ctx, ifindex, flags) => {
  if (flags !== 0n) return XDP_ABORTED;
  setRedirect(k, ifindex, flags);
  return XDP_REDIRECT;
};
