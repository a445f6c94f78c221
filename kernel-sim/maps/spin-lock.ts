import type { Region } from '../../vm/address-space.js';

/**
 * `struct bpf_spin_lock` inside a map value: one u32, 0 when free. The simulation is single-threaded, so
 * taking a held lock can only be a deadlock: the primitives report it instead of spinning.
 */
export const SPIN_LOCK_SIZE = 4;

/** Take the lock at `offset` of `region`; false when it is already held. */
export function spinLock(region: Region, offset: number): boolean {
  if (region.dv.getUint32(offset, true) !== 0) return false;
  region.dv.setUint32(offset, 1, true);
  return true;
}

/** Release the lock at `offset` of `region`; false when it was not held. */
export function spinUnlock(region: Region, offset: number): boolean {
  if (region.dv.getUint32(offset, true) === 0) return false;
  region.dv.setUint32(offset, 0, true);
  return true;
}

/**
 * copy_map_value: copy `size` bytes of a value, leaving the destination's lock word alone (a copy never
 * transfers lock state). `lockOff` is the lock's offset in the value, or null.
 */
export function copyValue(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, size: number,
  lockOff: number | null): void {
  if (lockOff === null) {
    dst.set(src.subarray(srcOff, srcOff + size), dstOff);
    return;
  }
  dst.set(src.subarray(srcOff, srcOff + lockOff), dstOff);
  const after = lockOff + SPIN_LOCK_SIZE;
  dst.set(src.subarray(srcOff + after, srcOff + size), dstOff + after);
}
