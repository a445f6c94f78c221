/** bpf_ringbuf_{output,reserve,submit,discard,query}. */
import { HelperFault, type HelperContext, type HelperFn } from '../../vm/machine.js';
import { RingbufMap } from '../maps/ringbuf.js';
import { mapOfKind, ret } from './args.js';

const ringbuf = (ctx: HelperContext, helper: string, addr: bigint): RingbufMap =>
  mapOfKind(ctx, helper, 1, addr, RingbufMap, 'a ring buffer');

export const ringbufOutput: HelperFn = (ctx, map, data, size, flags) => {
  const rb = ringbuf(ctx, 'bpf_ringbuf_output', map);
  return ret(rb.output(ctx.space.readBytes(data, Number(size & 0xffffffffn)), flags));
};

export const ringbufReserve: HelperFn = (ctx, map, size, flags) => {
  const rb = ringbuf(ctx, 'bpf_ringbuf_reserve', map);
  const rec = size > 0xffffffffn ? null : rb.reserve(Number(size), flags);
  return rec === null ? 0n : rec.region.addr(rec.offset);
};

/** submit / discard: the record pointer must be the start of a pending record of some ring buffer. */
function commit(helper: string, discard: boolean): HelperFn {
  return (ctx, sample, flags) => {
    const r = ctx.space.regionAt(sample);
    if (r === undefined || !(r.owner instanceof RingbufMap) || BigInt.asUintN(64, sample) !== r.base) {
      throw new HelperFault('helper-error', `${helper}: R1 is not a ring buffer record`);
    }
    const err = discard ? r.owner.discard(r, flags) : r.owner.submit(r, flags);
    if (err !== 0) throw new HelperFault('double-release', `${helper}: the record at R1 was already submitted or discarded`);
    return 0n;
  };
}

export const ringbufSubmit = commit('bpf_ringbuf_submit', false);
export const ringbufDiscard = commit('bpf_ringbuf_discard', true);

export const ringbufQuery: HelperFn = (ctx, map, flags) => ringbuf(ctx, 'bpf_ringbuf_query', map).query(flags);
