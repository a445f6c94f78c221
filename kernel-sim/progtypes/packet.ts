/**
 * The packet of an skb or XDP test run: head room, metadata, data and tail room in one buffer mapped as
 * a packet region. It implements the helpers' PacketContext (kernel-sim/helpers/packet.ts) and is the
 * `owner` of the context region, so packet helpers given the context pointer find it; the contexts
 * compute data/data_end/data_meta from its offsets on every load, so `moved()` has nothing to update.
 */
import { PERM_RW, type AddressSpace, type Region } from '../../vm/address-space.js';
import type { PacketContext, SkbState } from '../helpers/packet.js';

/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
export const SHINFO_SIZE = 320;

/** The kmalloc bucket of `n` bytes (ksize), which sets the tail room build_skb leaves. */
export function kmallocSize(n: number): number {
  for (const b of [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]) if (n <= b) return b;
  return 2 ** Math.ceil(Math.log2(n));
}

export const align64 = (n: number): number => (n + 63) & ~63;

export class PacketBuffer implements PacketContext {
  buffer: Region;
  meta: number;
  data: number;
  end: number;
  /** skb: where the MAC and network headers start in the buffer (LD_ABS's SKF_LL_OFF / SKF_NET_OFF). */
  macHeader?: number;
  networkHeader?: number;
  skb?: SkbState;

  constructor(
    private readonly space: AddressSpace,
    name: string,
    bytes: Uint8Array,
    readonly headMin: number,
    at: { meta: number; data: number; end: number },
  ) {
    this.buffer = space.map('packet', bytes, PERM_RW, name);
    this.meta = at.meta;
    this.data = at.data;
    this.end = at.end;
  }

  get hardEnd(): number {
    return this.buffer.size;
  }

  moved(): void {}

  /** pskb_expand_head(skb, nhead, 0): the data area grows to the kmalloc bucket of its new size. */
  expandHead(nhead: number): void {
    const old = this.buffer;
    const size = kmallocSize(align64(old.size + nhead) + SHINFO_SIZE) - SHINFO_SIZE;
    const bytes = new Uint8Array(size);
    bytes.set(old.bytes, nhead);
    this.buffer = this.space.map('packet', bytes, PERM_RW, old.name);
    this.space.unmap(old);
    this.meta += nhead;
    this.data += nhead;
    this.end += nhead;
    if (this.macHeader !== undefined) this.macHeader += nhead;
    if (this.networkHeader !== undefined) this.networkHeader += nhead;
  }

  /** data .. data_end. */
  bytes(): Uint8Array {
    return this.buffer.bytes.subarray(this.data, this.end);
  }

  /** The buffer from `header` to the packet's end, for the legacy loads' negative offsets. */
  from(header: number | undefined): Uint8Array | undefined {
    return header === undefined ? undefined : this.buffer.bytes.subarray(header, this.end);
  }

  addr(off: number): bigint {
    return this.buffer.addr(off);
  }
}
