/**
 * Helpers that read and keep state on the kernel model's objects (kernel-sim/model): bpf_d_path,
 * bpf_get_ns_current_pid_tgid, bpf_task_pt_regs, bpf_get_task_stack / bpf_get_stack (an empty stack:
 * the simulation has no call chains), the task and inode local storage helpers, and
 * bpf_probe_write_user (the current task's user memory).
 */
import { HelperFault, type HelperContext, type HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { InodeStorageMap, TaskStorageMap, type LocalStorageMap } from '../maps/local-storage.js';
import type { KernelObject } from '../objects/heap.js';
import type { KernelModel } from '../model/model.js';
import { TASK_SIZE_MAX } from '../model/user-memory.js';
import { dPath as modelDPath } from '../model/vfs.js';
import { storageAdded, storageRemoved } from '../model/storage-owner.js';
import { ERRNO, errno, mapOfKind, ret } from './args.js';

/** The model the current task belongs to (there is one once any model object exists). */
function modelOf(k: Kernel): KernelModel | undefined {
  const t = k.current;
  return t === undefined ? undefined : k.model(t.heap.types);
}

/** The kernel object a pointer points to the start of, or undefined. */
function objectAt(k: Kernel, addr: bigint): KernelObject | undefined {
  const t = k.current;
  if (t === undefined || addr === 0n) return undefined;
  const w = t.heap.windowAt(addr);
  return w === undefined || w.offset !== 0 ? undefined : w.window.object;
}

/** bpf_d_path(path, buf, sz): d_path of the model's dentries and mounts (model/vfs.ts). */
export const dPath = (k: Kernel): HelperFn => (ctx, path, buf, sz) => {
  const n = Number(sz & 0xffffffffn);
  if (n === 0) return 0n;
  const m = modelOf(k);
  if (m === undefined) return errno(ERRNO.EFAULT);
  const bytes = ctx.space.readBytes(buf, n);
  const r = modelDPath(ctx.space, m.types, k.current, path, bytes);
  ctx.space.writeBytes(buf, bytes);
  return ret(r);
};

/** sizeof(struct bpf_pidns_info). */
const PIDNS_INFO_SIZE = 8;

/**
 * bpf_get_ns_current_pid_tgid(dev, ino, nsdata, size): the current task's pid and tgid in the pid
 * namespace `dev`/`ino` names, which must be the task's own active one (-EINVAL otherwise, or for a
 * size that is not struct bpf_pidns_info's or a dev past dev_t's 32 bits; -ENOENT for a task without
 * one). On failure nsdata is zeroed.
 */
export const getNsCurrentPidTgid = (k: Kernel): HelperFn => (ctx, dev, ino, nsdata, size) => {
  const n = Number(size & 0xffffffffn);
  const clear = (e: number): bigint => {
    ctx.space.writeBytes(nsdata, new Uint8Array(n));
    return errno(e);
  };
  if (n !== PIDNS_INFO_SIZE) return clear(ERRNO.EINVAL);
  if (dev > 0xffffffffn) return clear(ERRNO.EINVAL);
  const m = modelOf(k);
  const task = k.current;
  if (m === undefined || task === undefined) return clear(ERRNO.EINVAL);
  const ns = m.taskState.activePidNs(task);
  if (ns === undefined) return clear(ERRNO.ENOENT);
  if (ns.get('ns.inum') !== ino || m.taskState.nsfsDev !== dev) return clear(ERRNO.EINVAL);
  const out = new Uint8Array(PIDNS_INFO_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, Number(m.taskState.pidNrNs(task, ns) & 0xffffffffn), true);
  dv.setUint32(4, Number(m.taskState.tgidNrNs(task, ns) & 0xffffffffn), true);
  ctx.space.writeBytes(nsdata, out);
  return 0n;
};

/** The model task behind a task pointer argument, or a fault naming the helper. */
function taskArg(k: Kernel, helper: string, addr: bigint): KernelObject {
  const t = objectAt(k, addr);
  if (t === undefined || t.type !== 'task_struct') throw new HelperFault('helper-error', `${helper}: R1 is not a task_struct of the kernel model`);
  return t;
}

/** bpf_task_pt_regs(task): the task's own `struct pt_regs`. */
export const taskPtRegs = (k: Kernel): HelperFn => (_ctx, task) => {
  const m = modelOf(k)!;
  return m.taskState.ptRegs(taskArg(k, 'bpf_task_pt_regs', task)).home.region.base;
};

/** BPF_F_SKIP_FIELD_MASK, BPF_F_USER_STACK, BPF_F_USER_BUILD_ID. */
const SKIP_MASK = 0xffn;
const USER_STACK = 1n << 8n;
const USER_BUILD_ID = 1n << 11n;
/** sizeof(struct bpf_stack_build_id). */
const BUILD_ID_ELEM = 32;

/**
 * __bpf_get_stack with the empty call chain the simulation has: the flag, element-size, user-mode and
 * cross-task checks 6.1 makes, then 0 bytes copied (the buffer zeroed) or -EFAULT when asked to skip
 * frames an empty chain does not have.
 */
function emptyStack(ctx: HelperContext, buf: bigint, sizeArg: bigint, flags: bigint, task: { userMode: boolean; cross: boolean } | undefined): bigint {
  const size = Number(sizeArg & 0xffffffffn);
  const clear = (e: number): bigint => {
    ctx.space.writeBytes(buf, new Uint8Array(size));
    return errno(e);
  };
  const user = (flags & USER_STACK) !== 0n;
  const buildId = (flags & USER_BUILD_ID) !== 0n;
  if ((flags & ~(SKIP_MASK | USER_STACK | USER_BUILD_ID)) !== 0n) return clear(ERRNO.EINVAL);
  if (!user && buildId) return clear(ERRNO.EINVAL);
  const elem = user && buildId ? BUILD_ID_ELEM : 8;
  if (size % elem !== 0) return clear(ERRNO.EINVAL);
  if (task !== undefined && user && !task.userMode) return clear(ERRNO.EFAULT);
  if (task?.cross === true && user) return clear(ERRNO.EOPNOTSUPP);
  const skip = flags & SKIP_MASK;
  if (skip > 0n) return clear(ERRNO.EFAULT); // trace->nr (0) < skip
  ctx.space.writeBytes(buf, new Uint8Array(size));
  return 0n;
}

/** bpf_get_stack(ctx, buf, size, flags): the current context's stack (empty). */
export const getStack: HelperFn = (ctx, _regs, buf, size, flags) => emptyStack(ctx, buf, size, flags, undefined);

/**
 * bpf_get_task_stack(task, buf, size, flags): -EFAULT for a task whose stack is gone (stack_refcount 0,
 * try_get_task_stack), else the task's stack (empty) from its pt_regs.
 */
export const getTaskStack = (k: Kernel): HelperFn => (ctx, taskPtr, buf, size, flags) => {
  const task = taskArg(k, 'bpf_get_task_stack', taskPtr);
  if (task.get('stack_refcount') === 0n) {
    ctx.space.writeBytes(buf, new Uint8Array(Number(size & 0xffffffffn)));
    return errno(ERRNO.EFAULT);
  }
  const regs = modelOf(k)!.taskState.ptRegs(task);
  return emptyStack(ctx, buf, size, flags, { userMode: (regs.get('cs') & 3n) === 3n, cross: task !== k.current });
};

/** BPF_LOCAL_STORAGE_GET_F_CREATE. */
const F_CREATE = 1n;

function storageGet(k: Kernel, ctx: HelperContext, m: LocalStorageMap, ownerPtr: bigint, value: bigint, flags: bigint, create: (o: KernelObject) => boolean): bigint {
  if ((flags & ~F_CREATE) !== 0n || ownerPtr === 0n) return 0n;
  const owner = objectAt(k, ownerPtr);
  if (owner === undefined) return 0n;
  const have = m.storageOf(owner, false, null);
  if (have !== null) return have.region.addr(have.offset);
  if ((flags & F_CREATE) === 0n || !create(owner)) return 0n;
  const init = value === 0n ? null : ctx.space.readBytes(value, m.valueSize);
  const ref = m.storageOf(owner, true, init, `storage of ${modelOf(k)?.nameOf(owner) ?? owner.type}`)!;
  storageAdded(k.world(owner.heap.types), owner);
  return ref.region.addr(ref.offset);
}

/**
 * bpf_task_storage_get(map, task, value, flags): the task's value, or with F_CREATE a new one (from
 * `value`, or zeroed) when the task is refcounted (task->usage); NULL for unknown flags or a NULL task.
 */
export const taskStorageGet = (k: Kernel): HelperFn => (ctx, map, task, value, flags) => {
  const m = mapOfKind(ctx, 'bpf_task_storage_get', 1, map, TaskStorageMap, 'a task storage map');
  return storageGet(k, ctx, m, task, value, flags, (t) => t.get('usage') !== 0n);
};

/** bpf_task_storage_delete(map, task): 0, -ENOENT without a value, -EINVAL for a NULL task. */
export const taskStorageDelete = (k: Kernel): HelperFn => (ctx, map, task) => {
  const m = mapOfKind(ctx, 'bpf_task_storage_delete', 1, map, TaskStorageMap, 'a task storage map');
  if (task === 0n) return errno(ERRNO.EINVAL);
  const owner = objectAt(k, task);
  return owner === undefined ? errno(ERRNO.ENOENT) : ret(deleted(k, owner, m.deleteOf(owner)));
};

function deleted(k: Kernel, owner: KernelObject, r: number): number {
  if (r === 0) storageRemoved(k.world(owner.heap.types), owner);
  return r;
}

/**
 * bpf_inode_storage_get(map, inode, value, flags): as the task's. Every inode of Debian's 6.1 has the
 * BPF LSM's blob (CONFIG_LSM lists bpf), so none is refused for want of one.
 */
export const inodeStorageGet = (k: Kernel): HelperFn => (ctx, map, inode, value, flags) => {
  const m = mapOfKind(ctx, 'bpf_inode_storage_get', 1, map, InodeStorageMap, 'an inode storage map');
  return storageGet(k, ctx, m, inode, value, flags, () => true);
};

/** bpf_inode_storage_delete(map, inode): 0, -ENOENT without a value, -EINVAL for a NULL inode. */
export const inodeStorageDelete = (k: Kernel): HelperFn => (ctx, map, inode) => {
  const m = mapOfKind(ctx, 'bpf_inode_storage_delete', 1, map, InodeStorageMap, 'an inode storage map');
  if (inode === 0n) return errno(ERRNO.EINVAL);
  const owner = objectAt(k, inode);
  return owner === undefined ? errno(ERRNO.ENOENT) : ret(m.deleteOf(owner));
};

/** PF_KTHREAD, PF_EXITING. */
const PF_EXITING = 0x4n;
const PF_KTHREAD = 0x00200000n;

/**
 * bpf_probe_write_user(dst, src, len): copy_to_user_nofault into the current task's user memory: -EPERM
 * from a kernel thread or an exiting task, -EFAULT when the range is not user space or not all mapped
 * (the bytes up to the first unmapped one are written, as a faulting copy leaves them).
 */
export const probeWriteUser = (k: Kernel): HelperFn => (ctx, dst, src, len) => {
  const n = Number(len & 0xffffffffn);
  const task = k.current;
  if (task === undefined || (task.get('flags') & (PF_KTHREAD | PF_EXITING)) !== 0n) return errno(ERRNO.EPERM);
  const bytes = ctx.space.readBytes(src, n);
  const a = BigInt.asUintN(64, dst);
  if (a + BigInt(n) > TASK_SIZE_MAX) return errno(ERRNO.EFAULT);
  return k.world(task.heap.types).userMemory(task).write(a, bytes) ? 0n : errno(ERRNO.EFAULT);
};
