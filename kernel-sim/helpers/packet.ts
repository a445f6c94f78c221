/**
 * The packet as skb and XDP helpers see it. A program type (kernel-sim/progtypes) implements
 * `PacketContext` and makes it the `owner` of the context region it maps, so a helper given the context
 * pointer (R1) finds the packet. `SimplePacket` is a plain implementation.
 *
 * Geometry, as offsets into `buffer` (the region the program's data pointers point into):
 *   headMin <= meta <= data <= end <= hardEnd <= buffer.size
 * `headMin` is where usable headroom starts (XDP: after the xdp_frame), `hardEnd` where the tailroom
 * ends (XDP: before skb_shared_info). [meta, data) is XDP metadata (empty for an skb).
 */
import { PERM_RW, type AddressSpace, type Region } from '../../vm/address-space.js';

export interface PacketContext {
  readonly buffer: Region;
  readonly headMin: number;
  readonly hardEnd: number;
  meta: number;
  data: number;
  end: number;
  /** Called after a helper moved meta/data/end, so the context's data pointers follow. */
  moved(): void;
  /** skb: the sk_buff fields outside the bytes that skb helpers read and change. */
  skb?: SkbState;
  /** skb: where the MAC and network headers start in the buffer. */
  macHeader?: number;
  networkHeader?: number;
  /**
   * skb: pskb_expand_head with `nhead` more bytes of head room: the bytes move to a new, larger buffer (all
   * offsets shift by `nhead`); addresses into the old buffer stop mapping.
   */
  expandHead?(nhead: number): void;
}

/** The sk_buff state besides its bytes. */
export interface SkbState {
  /** skb->protocol, host order (ETH_P_IP = 0x0800). */
  protocol: number;
  /** The hardware-accelerated VLAN tag (skb_vlan_tag_present), host-order protocol and TCI. */
  vlan: { proto: number; tci: number } | null;
  /** skb->hash, 0 until computed. */
  hash: number;
}

export function isPacketContext(o: unknown): o is PacketContext {
  return typeof o === 'object' && o !== null && 'buffer' in o && 'data' in o && 'end' in o && 'moved' in o;
}

/** sizeof(struct xdp_frame) on x86-64: XDP headroom below it is not usable. */
export const XDP_FRAME_SIZE = 40;
/** XDP_PACKET_HEADROOM. */
export const XDP_PACKET_HEADROOM = 256;

/** A packet in a buffer of `headroom` + bytes + `tailroom`, mapped read-write. */
export class SimplePacket implements PacketContext {
  readonly buffer: Region;
  readonly headMin: number;
  readonly hardEnd: number;
  meta: number;
  data: number;
  end: number;
  /** How often a helper moved the packet's bounds. */
  moves = 0;

  constructor(space: AddressSpace, bytes: Uint8Array, opts: { headroom?: number; tailroom?: number; headMin?: number } = {}) {
    const headroom = opts.headroom ?? XDP_PACKET_HEADROOM;
    const tailroom = opts.tailroom ?? 0;
    const buf = new Uint8Array(headroom + bytes.length + tailroom);
    buf.set(bytes, headroom);
    this.buffer = space.map('packet', buf, PERM_RW, 'packet');
    this.headMin = opts.headMin ?? XDP_FRAME_SIZE;
    this.hardEnd = buf.length;
    this.meta = this.data = headroom;
    this.end = headroom + bytes.length;
  }

  /** The packet bytes [data, end). */
  get bytes(): Uint8Array {
    return this.buffer.bytes.subarray(this.data, this.end);
  }

  moved(): void {
    this.moves++;
  }
}
