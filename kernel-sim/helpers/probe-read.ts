/**
 * bpf_probe_read_{kernel,user}[_str] (and the compat bpf_probe_read[_str]): a read through the address
 * space that may fail. A fault is -EFAULT with the destination zero-filled, never a stopped run. The
 * simulation has no user memory: the _user forms (probeReadUser) always fault.
 */
import type { HelperFn } from '../../vm/machine.js';
import { MemoryFault } from '../address-space.js';
import { ERRNO, errno, ret } from './args.js';

export const probeRead: HelperFn = (ctx, dst, size, src) => {
  const n = Number(size & 0xffffffffn);
  let bytes: Uint8Array;
  try {
    bytes = ctx.space.readBytes(src, n);
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    ctx.space.writeBytes(dst, new Uint8Array(n));
    return errno(ERRNO.EFAULT);
  }
  ctx.space.writeBytes(dst, bytes);
  return 0n;
};

/**
 * The _str forms: copy up to size - 1 bytes and a NUL; return the length with the NUL. A fault before
 * the NUL is -EFAULT with the whole destination zeroed (as strncpy_from_*_nofault's callers do).
 */
export const probeReadStr: HelperFn = (ctx, dst, size, src) => {
  const n = Number(size & 0xffffffffn);
  if (n === 0) return 0n;
  const out = new Uint8Array(n);
  let len = 0;
  try {
    for (; len < n - 1; len++) {
      const b = Number(ctx.space.read(src + BigInt(len), 1));
      if (b === 0) break;
      out[len] = b;
    }
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    ctx.space.writeBytes(dst, new Uint8Array(n));
    return errno(ERRNO.EFAULT);
  }
  ctx.space.writeBytes(dst, out.subarray(0, len + 1));
  return ret(len + 1);
};

/**
 * bpf_probe_read_user[_str]: copy_from_user_nofault / strncpy_from_user_nofault read user memory only
 * (access_ok refuses kernel addresses with -EFAULT). Every region bpfvm maps is kernel memory (stack,
 * context, maps, packets, kernel objects) and nothing is mapped as user memory, so every non-empty read
 * fails: -EFAULT with the destination zeroed, as bpf_probe_read_user[_str]_common leave it.
 */
export const probeReadUser: HelperFn = (ctx, dst, size) => {
  const n = Number(size & 0xffffffffn);
  if (n === 0) return 0n;
  ctx.space.writeBytes(dst, new Uint8Array(n));
  return errno(ERRNO.EFAULT);
};

/** The _str form: 0 for a 0-byte buffer (strncpy_from_user_nofault's count <= 0), else -EFAULT. */
export const probeReadUserStr: HelperFn = probeReadUser;
