/**
 * BPF_MAP_TYPE_SK_STORAGE: one value per socket, created by bpf_sk_storage_get with F_CREATE and gone with the
 * socket. Programs reach it through a socket pointer; user space would name the socket by an fd, and the
 * simulation has no socket fds, so the syscall side finds no socket (sockfd_lookup: -EBADF).
 */
import type { Region } from '../address-space.js';
import { BpfMap, type Result, type ValueRef } from './base.js';
import type { AllocCheck } from './check.js';
import { ERRNO } from './errno.js';
import { BPF_F } from './types.js';

/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX less sizeof(struct bpf_local_storage_elem). */
const MAX_VALUE_SIZE = 0xffff - 128;

/** bpf_local_storage_map_alloc_check (its BTF requirement aside: MapAttr carries no BTF ids). */
export const checkSkStorage: AllocCheck = (attr, env) => {
  const flags = attr.flags ?? 0;
  const allowed = BPF_F.NO_PREALLOC | BPF_F.CLONE;
  if (flags & ~allowed || !(flags & BPF_F.NO_PREALLOC) || attr.maxEntries !== 0 || attr.keySize !== 4 || attr.valueSize === 0) {
    return [-ERRNO.EINVAL, 'needs BPF_F_NO_PREALLOC, max_entries 0, an int key and a value'];
  }
  if (!env.capBpf) return [-ERRNO.EPERM, 'socket storage maps need CAP_BPF'];
  if (attr.valueSize > MAX_VALUE_SIZE) return [-ERRNO.E2BIG, `value_size ${attr.valueSize} exceeds ${MAX_VALUE_SIZE}`];
  return null;
};

export class SkStorageMap extends BpfMap {
  /** The storage of each socket (by the socket's object), while the socket lives. */
  private readonly bySocket = new WeakMap<Region, Region>();

  /**
   * bpf_sk_storage_get's map part: the socket's value, or with `create` a new one initialised from `init`
   * (zeroed when absent; the spin lock word stays zero).
   */
  storageOf(sock: Region, create: boolean, init: Uint8Array | null): ValueRef | null {
    let v = this.bySocket.get(sock);
    if (v === undefined) {
      if (!create) return null;
      v = this.newRegion(this.valueSize, `storage of ${sock.name}`);
      if (init !== null) this.store(v, 0, init);
      this.bySocket.set(sock, v);
    }
    return { region: v, offset: 0 };
  }

  /** bpf_sk_storage_delete's map part: 0, or -ENOENT when the socket has none. */
  deleteOf(sock: Region): number {
    const v = this.bySocket.get(sock);
    if (v === undefined) return -ERRNO.ENOENT;
    this.bySocket.delete(sock);
    this.retire(v, `socket storage deleted from map "${this.name}"`);
    return 0;
  }

  /** Programs cannot look up by key (the verifier refuses it); the syscall's fd names no socket. */
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
