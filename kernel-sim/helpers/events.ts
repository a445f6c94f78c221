/** bpf_perf_event_output and bpf_spin_lock / bpf_spin_unlock. */
import { HelperFault, type HelperFn } from '../../vm/machine.js';
import { PERM_RW } from '../address-space.js';
import { BpfMap } from '../maps/base.js';
import { PerfEventArray } from '../maps/perf-event-array.js';
import { spinLock as take, spinUnlock as give } from '../maps/spin-lock.js';
import { mapOfKind, ret } from './args.js';

/** bpf_perf_event_output(ctx, map, flags, data, size). */
export const perfEventOutput: HelperFn = (ctx, _ctxArg, map, flags, data, size) => {
  const m = mapOfKind(ctx, 'bpf_perf_event_output', 2, map, PerfEventArray, 'a perf event array');
  return ret(m.output(flags, ctx.space.readBytes(data, Number(size & 0xffffffffn))));
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
export const spinLock: HelperFn = (ctx, lock) => {
  const { region, offset } = lockAt(ctx, 'bpf_spin_lock', lock);
  if (!take(region, offset)) throw new HelperFault('helper-error', 'bpf_spin_lock: the lock is already held (deadlock)');
  return 0n;
};

export const spinUnlock: HelperFn = (ctx, lock) => {
  const { region, offset } = lockAt(ctx, 'bpf_spin_unlock', lock);
  if (!give(region, offset)) throw new HelperFault('helper-error', 'bpf_spin_unlock: the lock is not held');
  return 0n;
};
