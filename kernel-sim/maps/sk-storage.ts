/**
 * BPF_MAP_TYPE_SK_STORAGE, and the alloc check every local storage map shares (bpf_local_storage_map_alloc_check).
 */
import type { AllocCheck } from './check.js';
import { LocalStorageMap } from './local-storage.js';
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

/** BPF_MAP_TYPE_SK_STORAGE: a local storage map whose owners are sockets (local-storage.ts). */
export class SkStorageMap extends LocalStorageMap {}
