/** bpf_perf_event_output and bpf_spin_lock / bpf_spin_unlock. */
import { HelperFault, type HelperFn } from '../../vm/machine.js';
import { PERM_RW } from '../../vm/address-space.js';
import type { Kernel } from '../kernel.js';
import { BpfMap } from '../maps/base.js';
import { PerfEventArray } from '../maps/perf-event-array.js';
import { spinLock as take, spinUnlock as give } from '../maps/spin-lock.js';
import { ERRNO, mapOfKind, ret } from './args.js';
import { isPacketContext } from './packet.js';

/** bpf_perf_event_output(ctx, map, flags, data, size). */
export const perfEventOutput: HelperFn = (ctx, _ctxArg, map, flags, data, size) => {
  const m = mapOfKind(ctx, 'bpf_perf_event_output', 2, map, PerfEventArray, 'a perf event array');
  return ret(m.output(flags, ctx.space.readBytes(data, Number(size & 0xffffffffn))));
};

const BPF_F_INDEX_MASK = 0xffffffffn;
const BPF_F_CTXLEN_MASK = 0xfffffn << 32n;

/**
 * bpf_skb_event_output / bpf_xdp_event_output: as bpf_perf_event_output, and the first
 * (flags & BPF_F_CTXLEN_MASK) >> 32 bytes of the packet appended to the record; asking for more than the
 * packet holds is -EFAULT (bpf_skb_event_output's `skb_size > skb->len`).
 */
export const packetEventOutput: HelperFn = (ctx, ctxArg, map, flags, data, size) => {
  const m = mapOfKind(ctx, 'bpf_perf_event_output', 2, map, PerfEventArray, 'a perf event array');
  if ((flags & ~(BPF_F_CTXLEN_MASK | BPF_F_INDEX_MASK)) !== 0n) return ret(-ERRNO.EINVAL);
  const ctxLen = Number((flags & BPF_F_CTXLEN_MASK) >> 32n);
  const owner = ctx.space.regionAt(ctxArg)?.owner;
  if (!isPacketContext(owner)) throw new HelperFault('helper-error', 'bpf_perf_event_output: R1 is not a packet context');
  if (ctxLen > owner.end - owner.data) return ret(-ERRNO.EFAULT);
  const head = ctx.space.readBytes(data, Number(size & 0xffffffffn));
  const record = new Uint8Array(head.length + ctxLen);
  record.set(head);
  record.set(owner.buffer.bytes.subarray(owner.data, owner.data + ctxLen), head.length);
  return ret(m.output(flags & BPF_F_INDEX_MASK, record));
};

/** The lock word a bpf_spin_lock pointer names: inside a map value at the map's lock offset. */
function lockAt(ctx: Parameters<HelperFn>[0], helper: string, addr: bigint) {
  const { region, offset } = ctx.space.resolve(addr, 4, PERM_RW);
  const m = region.owner;
  if (!(m instanceof BpfMap) || region.kind !== 'map-value' || m.spinLockOff === null) {
    throw new HelperFault('helper-error', `${helper}: R1 does not point into a map value with a bpf_spin_lock`);
  }
  return { region, offset };
}

/** The simulation is single-threaded: taking a held lock could only deadlock, so it is reported. */
export const spinLock = (k: Kernel): HelperFn => (ctx, lock) => {
  const { region, offset } = lockAt(ctx, 'bpf_spin_lock', lock);
  if (!take(region, offset)) throw new HelperFault('helper-error', 'bpf_spin_lock: the lock is already held (deadlock)');
  k.run?.exec?.spinLock();
  return 0n;
};

export const spinUnlock = (k: Kernel): HelperFn => (ctx, lock) => {
  const { region, offset } = lockAt(ctx, 'bpf_spin_unlock', lock);
  if (!give(region, offset)) throw new HelperFault('helper-error', 'bpf_spin_unlock: the lock is not held');
  k.run?.exec?.spinUnlock();
  return 0n;
};
