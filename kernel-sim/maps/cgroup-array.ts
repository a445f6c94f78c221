/**
 * BPF_MAP_TYPE_CGROUP_ARRAY: slots holding cgroups (user space stores cgroup directory fds). The simulated
 * kernel has no cgroup file system, so no fd names a cgroup (cgroup_get_from_fd: -EBADF) and every slot
 * stays empty.
 */
import type { Result } from './base.js';
import { ERRNO } from './errno.js';
import { FdArray } from './fd-array.js';

export class CgroupArray extends FdArray<object> {
  protected accept(): Result<object> {
    return -ERRNO.EBADF;
  }

  /** The syscall cannot read slots: the type has no map_fd_sys_lookup_elem (-ENOTSUPP). */
  protected override copyOut(): Result<Uint8Array> {
    return -ERRNO.ENOTSUPP;
  }
}
