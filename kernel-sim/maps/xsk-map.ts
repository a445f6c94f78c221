/**
 * BPF_MAP_TYPE_XSKMAP: slots that hold AF_XDP sockets. The simulated kernel has no AF_XDP sockets, so every
 * slot stays empty: a program's lookup finds NULL, and storing an fd fails as sockfd_lookup does for an fd
 * that names no socket.
 */
import { arrayIndex, arrayNextKey } from './array.js';
import { BpfMap, type Result } from './base.js';
import type { AllocCheck } from './check.js';
import { ERRNO } from './errno.js';
import { BPF_EXIST, BPF_F } from './types.js';

/** xsk_map_alloc: u32 keys and values (socket fds), and only the NUMA / access flags. */
export const checkXskMap: AllocCheck = (attr) => {
  if (attr.maxEntries === 0 || attr.keySize !== 4 || attr.valueSize !== 4) {
    return [-ERRNO.EINVAL, 'max_entries must not be 0, key_size and value_size must be 4'];
  }
  if ((attr.flags ?? 0) & ~(BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY)) return [-ERRNO.EINVAL, 'flags other than NUMA_NODE, RDONLY, WRONLY'];
  return null;
};

export class XskMap extends BpfMap {
  /** __xsk_map_lookup_elem: the socket in the slot, always NULL here. */
  override lookupElem(_key: Uint8Array): null {
    return null;
  }

  /** xsk_map_update_elem: a valid slot, then the fd must name a socket (none does in the simulation). */
  override updateElem(key: Uint8Array, _value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    if (arrayIndex(key) >= this.maxEntries) return -ERRNO.E2BIG;
    return -ERRNO.EBADF;
  }

  /** xsk_map_delete_elem: -EINVAL past the end; an empty slot is not an error. */
  override deleteElem(key: Uint8Array): number {
    return arrayIndex(key) >= this.maxEntries ? -ERRNO.EINVAL : 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    return arrayNextKey(this.maxEntries, key);
  }

  /** The syscall cannot read slots (map_lookup_elem_sys_only: -EOPNOTSUPP). */
  protected override copyOut(): Result<Uint8Array> {
    return -ERRNO.EOPNOTSUPP;
  }
}
