/**
 * The packet of an skb or XDP test run: head room, metadata, data and tail room in one buffer mapped as
 * a packet region. It implements the helpers' PacketContext (kernel-sim/helpers/packet.ts) and is the
 * `owner` of the context region, so packet helpers given the context pointer find it; the contexts
 * compute data/data_end/data_meta from its offsets on every load, so `moved()` has nothing to update.
 */
import { PERM_RW, type AddressSpace, type Region } from '../address-space.js';
import type { PacketContext } from '../helpers/packet.js';

export class PacketBuffer implements PacketContext {
  readonly buffer: Region;
  meta: number;
  data: number;
  end: number;
  /** skb: where the MAC and network headers start in the buffer (LD_ABS's SKF_LL_OFF / SKF_NET_OFF). */
  macHeader?: number;
  networkHeader?: number;

  constructor(
    space: AddressSpace,
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
