/**
 * bpf_prog_test_run_xdp (net/bpf/test_run.c, 6.1): the frame goes into a page after
 * XDP_PACKET_HEADROOM, on the loopback device's receive queue 0; ctx_in may carve metadata out of
 * data_in (xdp_md.data = metadata length) and name the device and queue.
 */
import type { AddressSpace, Region } from '../../vm/address-space.js';
import type { AccessModel } from './access-rules.js';
import { mapContext } from './context-region.js';
import { TestRunError } from './errors.js';
import { XDP_FRAME_SIZE } from '../helpers/packet.js';
import { PacketBuffer } from './packet.js';
import { ETH_HLEN, SHINFO_SIZE } from './skb.js';

export const XDP_PACKET_HEADROOM = 256;
const PAGE_SIZE = 4096;
const XDP_MD_SIZE = 24;
/** The usable frame: a page less the shared info at its end. */
const FRAME_END = PAGE_SIZE - SHINFO_SIZE;
const LOOPBACK_IFINDEX = 1;
/** The loopback device has one receive queue. */
const LOOPBACK_RX_QUEUES = 1;
/** xdp_metalen_invalid: a multiple of 4, at most 32. */
const META_MAX = 32;

export interface XdpRun {
  ctx: Region;
  packet: PacketBuffer;
  finish(): { dataOut: Uint8Array; ctxOut?: Uint8Array };
  release(): void;
}

export function setupXdp(space: AddressSpace, model: AccessModel, data: Uint8Array, ctxIn: Uint8Array | undefined): XdpRun {
  let metaLen = 0;
  let linear = data.length;
  let md: Uint32Array | undefined;
  if (ctxIn !== undefined) {
    if (ctxIn.subarray(XDP_MD_SIZE).some((b) => b !== 0)) throw new TestRunError('E2BIG', 'ctx_in has non-zero bytes past xdp_md');
    const b = new Uint8Array(XDP_MD_SIZE);
    b.set(ctxIn.subarray(0, XDP_MD_SIZE));
    md = new Uint32Array(b.buffer);
    const [mdData, mdEnd, mdMeta, ingress, rxq, egress] = md as unknown as number[];
    if (mdMeta !== 0 || mdEnd! > data.length || mdData! > mdEnd!) {
      throw new TestRunError('EINVAL', 'ctx_in: data_meta must be 0 and data ≤ data_end ≤ data_size_in');
    }
    if (mdData! % 4 !== 0 || mdData! > META_MAX) throw new TestRunError('EINVAL', `ctx_in: metadata of ${mdData} bytes`);
    metaLen = mdData!;
    linear = mdEnd!;
    if (egress !== 0) throw new TestRunError('EINVAL', 'ctx_in: egress_ifindex must be 0');
    if (ingress === 0 && rxq !== 0) throw new TestRunError('EINVAL', 'ctx_in: rx_queue_index without ingress_ifindex');
    if (ingress !== 0 && ingress !== LOOPBACK_IFINDEX) throw new TestRunError('ENODEV', `ctx_in: no device ${ingress}`);
    if (ingress !== 0 && rxq! >= LOOPBACK_RX_QUEUES) throw new TestRunError('EINVAL', `ctx_in: the device has no queue ${rxq}`);
  }
  if (data.length - metaLen < ETH_HLEN) throw new TestRunError('EINVAL', 'data_in is shorter than an Ethernet header');
  const maxLinear = FRAME_END - XDP_PACKET_HEADROOM;
  if (data.length > Math.min(linear, maxLinear)) {
    throw new TestRunError('unsupported', 'multi-buffer XDP (data_in beyond the linear part) is not modelled');
  }

  const buffer = new Uint8Array(FRAME_END);
  const metaOff = XDP_PACKET_HEADROOM - metaLen;
  buffer.set(data, metaOff);
  const packet = new PacketBuffer(space, 'xdp packet', buffer, XDP_FRAME_SIZE, { meta: metaOff, data: metaOff + metaLen, end: metaOff + linear });

  const bytes = new Uint8Array(XDP_MD_SIZE);
  const ctx = mapContext(space, {
    model, bytes, name: 'xdp_md', owner: packet,
    derived: {
      data: () => packet.addr(packet.data),
      data_end: () => packet.addr(packet.end),
      data_meta: () => packet.addr(packet.meta),
      ingress_ifindex: () => BigInt(LOOPBACK_IFINDEX),
      rx_queue_index: () => 0n,
    },
  });

  return {
    ctx,
    packet,
    finish() {
      const dataOut = packet.buffer.bytes.slice(packet.meta, packet.end);
      if (md === undefined) return { dataOut };
      md[0] = packet.data - packet.meta;
      md[1] = packet.end - packet.meta;
      return { dataOut, ctxOut: new Uint8Array(md.buffer) };
    },
    release() {
      space.unmap(packet.buffer);
      space.unmap(ctx);
    },
  };
}
