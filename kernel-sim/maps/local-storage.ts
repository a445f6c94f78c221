/**
 * The local storage maps (BPF_MAP_TYPE_SK_STORAGE, INODE_STORAGE, TASK_STORAGE): one value per owner
 * object (a socket, an inode, a task), created by the map's *_storage_get helper with
 * BPF_LOCAL_STORAGE_GET_F_CREATE and gone with the owner or its *_storage_delete. Programs reach a value
 * through the owner's pointer; user space would name the owner by an fd (a socket, a file, a pidfd), and
 * the simulation has no such fds, so the syscall side finds none (-EBADF) and the key walk is
 * notsupp_get_next_key's. `entries()` lists the values by owner, what a run's result shows.
 */
import type { Region } from '../../vm/address-space.js';
import { BpfMap, type Result, type ValueRef } from './base.js';
import { ERRNO } from './errno.js';

/** An owner: the kernel object behind the owner pointer (or, for a context that is no object, its region). */
export type StorageOwner = object;

export class LocalStorageMap extends BpfMap {
  private readonly byOwner = new Map<StorageOwner, Region>();

  /**
   * The get helper's map part: the owner's value, or with `create` a new one initialised from `init`
   * (zeroed when absent; the spin lock word stays zero).
   */
  storageOf(owner: StorageOwner, create: boolean, init: Uint8Array | null, what = 'storage'): ValueRef | null {
    let v = this.byOwner.get(owner);
    if (v === undefined) {
      if (!create) return null;
      v = this.newRegion(this.valueSize, what);
      if (init !== null) this.store(v, 0, init);
      this.byOwner.set(owner, v);
    }
    return { region: v, offset: 0 };
  }

  /** Whether the owner has a value in this map. */
  has(owner: StorageOwner): boolean {
    return this.byOwner.has(owner);
  }

  /** The delete helper's map part: 0, or -ENOENT when the owner has none. */
  deleteOf(owner: StorageOwner): number {
    const v = this.byOwner.get(owner);
    if (v === undefined) return -ERRNO.ENOENT;
    this.byOwner.delete(owner);
    this.retire(v, `${this.typeName} value deleted from map "${this.name}"`);
    return 0;
  }

  /** The values by owner, in the order they were created (the lock word zeroed, as a copy shows it). */
  entries(): { owner: StorageOwner; value: Uint8Array }[] {
    return [...this.byOwner].map(([owner, r]) => {
      const value = r.bytes.slice(0, this.valueSize);
      if (this.spinLockOff !== null) value.fill(0, this.spinLockOff, this.spinLockOff + 4);
      return { owner, value };
    });
  }

  /**
   * Between runs: values whose owner is gone (a freed object, a context region unmapped at the end of its
   * run) go with it, as the kernel frees an owner's storage with the owner.
   */
  override reclaim(): void {
    for (const [owner, r] of this.byOwner) {
      const gone = (owner as { freed?: unknown }).freed === true
        || (owner instanceof Object && 'base' in owner && this.env.space.regionAt((owner as Region).base) !== owner);
      if (gone) {
        this.byOwner.delete(owner);
        this.retire(r, `the owner of this ${this.typeName} value is gone`);
      }
    }
    super.reclaim();
  }

  /** Programs cannot look up by key (the verifier refuses it); the syscall's fd names no owner. */
  override lookupElem(_key: Uint8Array): null {
    return null;
  }

  protected override copyOut(): Result<Uint8Array> {
    return -ERRNO.EBADF;
  }

  override updateElem(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -ERRNO.EBADF;
  }

  override deleteElem(_key: Uint8Array): number {
    return -ERRNO.EBADF;
  }

  /** notsupp_get_next_key. */
  override getNextKey(_key: Uint8Array | null): Result<Uint8Array> {
    return -ERRNO.ENOTSUPP;
  }
}

/** BPF_MAP_TYPE_INODE_STORAGE. */
export class InodeStorageMap extends LocalStorageMap {}

/** BPF_MAP_TYPE_TASK_STORAGE. */
export class TaskStorageMap extends LocalStorageMap {}
