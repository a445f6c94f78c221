/**
 * An owner's local storage as the kernel links it: the first value any local storage map creates for a
 * task or socket makes a `struct bpf_local_storage` (its `owner` the object) that the owner's
 * `bpf_storage` / `sk_bpf_storage` member points to; when its last value is deleted the member is NULL
 * again (bpf_local_storage_unlink_nolock). An inode's storage hangs off its LSM blob, which the model does
 * not lay out, so inodes are left as they are.
 */
import type { KernelObject } from '../objects/heap.js';
import type { KernelWorld } from '../objects/world.js';
import { sockPath } from './sockets.js';

function member(owner: KernelObject): string | undefined {
  if (owner.type === 'task_struct') return 'bpf_storage';
  const sk = sockPath(owner);
  return sk === undefined ? undefined : sk === '' ? 'sk_bpf_storage' : `${sk}.sk_bpf_storage`;
}

/** A value was created for `owner` (an object of `world`) in some local storage map. */
export function storageAdded(world: KernelWorld, owner: KernelObject): void {
  const counts = world.storageCounts;
  const n = counts.get(owner) ?? 0;
  counts.set(owner, n + 1);
  const m = member(owner);
  if (m === undefined || owner.get(m) !== 0n) return;
  const s = owner.heap.create('bpf_local_storage');
  s.set('owner', owner.home.region.base);
  owner.set(m, s.home.region.base);
}

/** A value of `owner` was deleted. */
export function storageRemoved(world: KernelWorld, owner: KernelObject): void {
  const counts = world.storageCounts;
  const n = (counts.get(owner) ?? 1) - 1;
  if (n > 0) counts.set(owner, n);
  else counts.delete(owner);
  const m = member(owner);
  if (n > 0 || m === undefined) return;
  const at = owner.get(m);
  const w = at === 0n ? undefined : owner.heap.windowAt(at);
  owner.set(m, 0);
  if (w !== undefined) owner.heap.put(w.window.object);
}
