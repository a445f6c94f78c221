/**
 * bpf_probe_read_{kernel,user}[_str] (and the compat bpf_probe_read[_str]): a read through the address
 * space that may fail. A fault is -EFAULT with the destination zero-filled, never a stopped run. The
 * _user forms read the current task's simulated user memory.
 */
import type { HelperFn } from '../../vm/machine.js';
import { MemoryFault } from '../../vm/address-space.js';
import { checkLivePointer } from '../kfuncs/args.js';
import { ERRNO, errno, ret } from './args.js';
import type { Kernel } from '../kernel.js';
import type { KernelObject } from '../objects/heap.js';
import { TASK_SIZE_MAX, type UserMemory } from '../model/user-memory.js';

/**
 * x86-64's copy_from_kernel_nofault_allowed(): a kernel read of a user-space address (below TASK_SIZE_MAX
 * plus a guard page, NULL included) is refused with -ERANGE before any access. bpfvm's own regions
 * are kernel memory wherever their windows lie, so only unmapped addresses are judged by this rule.
 */
const USER_TOP = 0x00007ffffffff000n + 4096n;
function userRangeRead(ctx: Parameters<HelperFn>[0], src: bigint): boolean {
  const a = BigInt.asUintN(64, src);
  return a < USER_TOP && ctx.space.regionAt(a) === undefined;
}

export const probeRead: HelperFn = (ctx, dst, size, src) => {
  const n = Number(size & 0xffffffffn);
  if (n > 0 && userRangeRead(ctx, src)) {
    ctx.space.writeBytes(dst, new Uint8Array(n));
    return errno(ERRNO.ERANGE);
  }
  // A released (or freed) object pointer is a use of a dead reference, not a fault to report as -EFAULT.
  if (n > 0) checkLivePointer(ctx.space, src, 'bpf_probe_read: R3');
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
  if (userRangeRead(ctx, src)) {
    ctx.space.writeBytes(dst, new Uint8Array(n));
    return errno(ERRNO.ERANGE);
  }
  checkLivePointer(ctx.space, src, 'bpf_probe_read_str: R3');
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

/** The user memory of the current task (kept by the world the task belongs to). */
function currentUserMemory(k: Kernel, task: KernelObject): UserMemory {
  return k.world(task.heap.types).userMemory(task);
}

/**
 * bpf_probe_read_user[_str]: copy_from_user_nofault / strncpy_from_user_nofault read the current task's
 * user memory (the kernel model's, `UserMemory`): a range outside user space or not wholly mapped is
 * -EFAULT with the destination zeroed, as bpf_probe_read_user[_str]_common leave it.
 */
export const probeReadUser = (k: Kernel): HelperFn => (ctx, dst, size, src) => {
  const n = Number(size & 0xffffffffn);
  if (n === 0) return 0n;
  const a = BigInt.asUintN(64, src);
  const bytes = a + BigInt(n) <= TASK_SIZE_MAX && k.current !== undefined ? currentUserMemory(k, k.current).read(a, n) : undefined;
  ctx.space.writeBytes(dst, bytes ?? new Uint8Array(n));
  return bytes === undefined ? errno(ERRNO.EFAULT) : 0n;
};

/**
 * The _str form (strncpy_from_user_nofault): up to size - 1 bytes and a NUL, returning the length with
 * the NUL; a string that fills the buffer is cut and size returned; a fault before the NUL is -EFAULT.
 */
export const probeReadUserStr = (k: Kernel): HelperFn => (ctx, dst, size, src) => {
  const n = Number(size & 0xffffffffn);
  if (n === 0) return 0n;
  const a = BigInt.asUintN(64, src);
  const mem = k.current === undefined || a >= TASK_SIZE_MAX ? undefined : currentUserMemory(k, k.current);
  const out = new Uint8Array(n);
  let len = 0;
  for (; len < n - 1; len++) {
    const b = a + BigInt(len) < TASK_SIZE_MAX ? mem?.byte(a + BigInt(len)) : undefined;
    if (b === undefined) {
      ctx.space.writeBytes(dst, new Uint8Array(n));
      return errno(ERRNO.EFAULT);
    }
    if (b === 0) break;
    out[len] = b;
  }
  ctx.space.writeBytes(dst, out.subarray(0, len + 1));
  return ret(len + 1);
};
