import { PERM_RW, type Region } from '../../vm/address-space.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import { BpfMap } from './base.js';
import { isPowerOf2, unknownFlags, type AllocCheck } from './check.js';
import { roundUp8 } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import {
  BPF_F, BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE, BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, BPF_RINGBUF_HDR_SZ, LIMITS,
} from './types.js';

/** Pages before the data: the consumer and producer position pages (RINGBUF_PGOFF + RINGBUF_POS_PAGES). */
const RINGBUF_META_PAGES = 3;
const RINGBUF_MAX_DATA_SZ = ((1 << 24) - RINGBUF_META_PAGES) * LIMITS.PAGE_SIZE;
/** RINGBUF_MAX_RECORD_SZ: UINT_MAX / 4. */
const RINGBUF_MAX_RECORD_SZ = Math.floor(0xffffffff / 4);

/** ringbuf_map_alloc's checks. */
export const checkRingbuf: AllocCheck = (attr) => {
  const bad = unknownFlags(attr.flags ?? 0, BPF_F.NUMA_NODE);
  if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by ringbuf maps`];
  if (attr.keySize !== 0 || attr.valueSize !== 0) return [-ERRNO.EINVAL, 'key_size and value_size must be 0'];
  if (!isPowerOf2(attr.maxEntries) || attr.maxEntries % LIMITS.PAGE_SIZE !== 0) {
    return [-ERRNO.EINVAL, `max_entries (the data size) must be a power of 2 and a multiple of ${LIMITS.PAGE_SIZE}, got ${attr.maxEntries}`];
  }
  if (attr.maxEntries > RINGBUF_MAX_DATA_SZ) return [-ERRNO.E2BIG, `max_entries ${attr.maxEntries} is too large`];
  return null;
};

/** A reserved record not yet submitted: where its header is in the ring. */
interface Pending {
  readonly pos: number;
}

/**
 * BPF_MAP_TYPE_RINGBUF: records of an 8-byte header (u32 length with the busy and discard bits, u32 page
 * offset) then the data, each rounded up to 8 bytes, in a power-of-2 ring. A reservation is its own
 * region (exactly the size asked); submit or discard copies it into the ring, clears the busy bit and
 * retires the region, so a later access through its pointer is a use-after-release. The host consumes
 * committed records in order.
 */
export class RingbufMap extends BpfMap {
  /** The ring's data area (size = max_entries). */
  readonly data: Uint8Array;
  private readonly dv: DataView;
  private readonly mask: number;
  private consumerPos = 0;
  private producerPos = 0;
  private pendingPos = 0;
  private readonly pending = new Map<Region, Pending>();
  /** Consumer notifications sent (BPF_RB_* wake-up rules). */
  wakeups = 0;

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr);
    this.data = new Uint8Array(this.maxEntries);
    this.dv = new DataView(this.data.buffer);
    this.mask = this.maxEntries - 1;
  }

  /** bpf_ringbuf_reserve: a record of `size` bytes, or null when flags are set or there is no room. */
  reserve(size: number, flags: bigint): ValueRef | null {
    if (flags !== 0n || size > RINGBUF_MAX_RECORD_SZ) return null;
    const len = roundUp8(size + BPF_RINGBUF_HDR_SZ);
    if (len > this.maxEntries) return null;
    // Move pending_pos past records already committed.
    while (this.producerPos - this.pendingPos > 0) {
      const hdr = this.dv.getUint32(this.pendingPos & this.mask, true);
      if (hdr & BPF_RINGBUF_BUSY_BIT) break;
      this.pendingPos += roundUp8((hdr & ~BPF_RINGBUF_DISCARD_BIT) + BPF_RINGBUF_HDR_SZ);
    }
    const newProd = this.producerPos + len;
    if (newProd - this.consumerPos > this.mask || newProd - this.pendingPos > this.mask) return null;
    const pos = this.producerPos;
    this.dv.setUint32(pos & this.mask, (size | BPF_RINGBUF_BUSY_BIT) >>> 0, true);
    this.dv.setUint32((pos & this.mask) + 4, ((pos & this.mask) >>> 12) + RINGBUF_META_PAGES, true);
    this.producerPos = newProd;
    const region = this.env.space.map('ringbuf', new Uint8Array(size), PERM_RW, `record at ${pos} of ringbuf "${this.name}"`, this);
    this.pending.set(region, { pos });
    return { region, offset: 0 };
  }

  /** bpf_ringbuf_submit. -EINVAL when `region` is not a pending record of this ring. */
  submit(region: Region, flags: bigint): number {
    return this.commit(region, flags, false);
  }

  /** bpf_ringbuf_discard. */
  discard(region: Region, flags: bigint): number {
    return this.commit(region, flags, true);
  }

  /** bpf_ringbuf_output: reserve, copy, submit; -EAGAIN when there is no room. */
  output(data: Uint8Array, flags: bigint): number {
    if ((flags & ~BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0n) return -ERRNO.EINVAL;
    const rec = this.reserve(data.length, 0n);
    if (rec === null) return -ERRNO.EAGAIN;
    rec.region.bytes.set(data);
    return this.commit(rec.region, flags, false);
  }

  /** bpf_ringbuf_query. */
  query(flags: bigint): bigint {
    switch (flags) {
      case BigInt(BPF_RB_AVAIL_DATA): return BigInt(this.producerPos - this.consumerPos);
      case BigInt(BPF_RB_RING_SIZE): return BigInt(this.maxEntries);
      case BigInt(BPF_RB_CONS_POS): return BigInt(this.consumerPos);
      case BigInt(BPF_RB_PROD_POS): return BigInt(this.producerPos);
      default: return 0n;
    }
  }

  /** Host consumer: take the committed records in order (discarded ones skipped), stopping at a busy one. */
  consume(): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.consumerPos < this.producerPos) {
      const at = this.consumerPos & this.mask;
      const hdr = this.dv.getUint32(at, true);
      if (hdr & BPF_RINGBUF_BUSY_BIT) break;
      const len = hdr & ~BPF_RINGBUF_DISCARD_BIT;
      if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) out.push(this.readRing(at + BPF_RINGBUF_HDR_SZ, len));
      this.consumerPos += roundUp8(len + BPF_RINGBUF_HDR_SZ);
    }
    return out;
  }

  override lookupElem(): ValueRef | null {
    return null;
  }

  override updateElem(): number {
    return -ERRNO.ENOTSUPP;
  }

  override deleteElem(): number {
    return -ERRNO.ENOTSUPP;
  }

  override getNextKey(): Result<Uint8Array> {
    return -ERRNO.ENOTSUPP;
  }

  private commit(region: Region, flags: bigint, discard: boolean): number {
    const rec = this.pending.get(region);
    if (rec === undefined) return -ERRNO.EINVAL;
    this.pending.delete(region);
    this.writeRing((rec.pos & this.mask) + BPF_RINGBUF_HDR_SZ, region.bytes);
    const at = rec.pos & this.mask;
    let len = this.dv.getUint32(at, true) ^ BPF_RINGBUF_BUSY_BIT;
    if (discard) len |= BPF_RINGBUF_DISCARD_BIT;
    this.dv.setUint32(at, len >>> 0, true);
    this.retire(region, discard ? 'was discarded' : 'was submitted', 'use-after-release');
    if (flags & BigInt(BPF_RB_FORCE_WAKEUP)) this.wakeups++;
    else if ((this.consumerPos & this.mask) === at && !(flags & BigInt(BPF_RB_NO_WAKEUP))) this.wakeups++;
    return 0;
  }

  /** Ring offsets wrap: the kernel maps the data pages twice so a record reads contiguously. */
  private writeRing(at: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.data[(at + i) & this.mask] = bytes[i]!;
  }

  private readRing(at: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.data[(at + i) & this.mask]!;
    return out;
  }
}
