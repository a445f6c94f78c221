/** Time, random numbers, CPU and the current task: bpf_ktime_*, get_prandom_u32, get_smp_processor_id… */
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import type { KernelObject } from '../objects/heap.js';
import { ret } from './args.js';

export const ktimeGetNs = (k: Kernel): HelperFn => () => k.clock.now();
export const ktimeGetBootNs = (k: Kernel): HelperFn => () => k.clock.boot();
/** CLOCK_MONOTONIC_COARSE: the simulated clock has no coarser tick. */
export const ktimeGetCoarseNs = (k: Kernel): HelperFn => () => k.clock.now();
export const getPrandomU32 = (k: Kernel): HelperFn => () => BigInt(k.random.nextU32());
export const getSmpProcessorId = (k: Kernel): HelperFn => () => BigInt(k.cpu);
/** One NUMA node. */
export const getNumaNodeId: HelperFn = () => 0n;

/** A u32 member of the current task (or of the kernel's TaskInfo when no task object exists). */
function taskU32(k: Kernel, member: 'pid' | 'tgid'): bigint {
  return k.current === undefined ? BigInt(k.task[member]) : k.current.get(member) & 0xffffffffn;
}

export const getCurrentPidTgid = (k: Kernel): HelperFn => () => (taskU32(k, 'tgid') << 32n) | taskU32(k, 'pid');

/** from_kuid(&init_user_ns, cred->uid) and the gid: the current task's cred (its `cred`, not `real_cred`). */
export const getCurrentUidGid = (k: Kernel): HelperFn => () => {
  const t = k.current;
  if (t === undefined) return (BigInt(k.task.gid) << 32n) | BigInt(k.task.uid);
  const cred = t.heap.windowAt(t.get('cred'));
  if (cred === undefined) return 0n; // a model task whose cred is not an object of the model: root's ids
  const c = cred.window.object;
  return (c.get('gid.val') << 32n) | c.get('uid.val');
};

/** The current task's comm: its task_struct's char array up to the NUL. */
function currentComm(k: Kernel): Uint8Array {
  const t = k.current;
  if (t === undefined) return new TextEncoder().encode(k.task.comm.slice(0, TASK_COMM_LEN - 1));
  const off = t.field('comm').offset;
  const raw = t.bytes.subarray(off, off + TASK_COMM_LEN - 1);
  const end = raw.indexOf(0);
  return end < 0 ? raw : raw.subarray(0, end);
}

/** TASK_COMM_LEN. */
const TASK_COMM_LEN = 16;

/** bpf_get_current_comm(buf, size): strscpy of the task's comm (cut to size - 1 bytes, NUL-terminated). */
export const getCurrentComm = (k: Kernel): HelperFn => (ctx, buf, size) => {
  const n = Number(size & 0xffffffffn);
  const comm = currentComm(k);
  const out = new Uint8Array(Math.min(comm.length + 1, n));
  out.set(comm.subarray(0, out.length - 1));
  ctx.space.writeBytes(buf, out);
  return ret(0);
};

/** The current task's `struct task_struct` (the kernel's current task, its world's, or a placeholder). */
export const getCurrentTask = (k: Kernel): HelperFn => () => k.currentTaskAddress();

/**
 * bpf_per_cpu_ptr(percpu_ptr, cpu) and bpf_this_cpu_ptr(percpu_ptr): the simulated per-CPU variables
 * (`__ksym` ones) keep one copy shared by every CPU, so the pointer is the variable's own address; past
 * the last CPU bpf_per_cpu_ptr returns NULL, as the kernel does.
 */
export const perCpuPtr = (k: Kernel): HelperFn => (_ctx, ptr, cpu) => (cpu >= BigInt(k.maps.nrCpus) ? 0n : ptr);
export const thisCpuPtr: HelperFn = (_ctx, ptr) => ptr;

/** The object a pointer member of `obj` points to (its start), or undefined (NULL, or not an object). */
function follow(obj: KernelObject, path: string): KernelObject | undefined {
  const at = obj.heap.windowAt(obj.get(path));
  return at === undefined || at.offset !== 0 ? undefined : at.window.object;
}

/** The current task's cgroup on the default hierarchy: task->cgroups->dfl_cgrp (task_dfl_cgroup). */
function currentDflCgroup(k: Kernel): KernelObject | undefined {
  const css = k.current === undefined ? undefined : follow(k.current, 'cgroups');
  return css === undefined ? undefined : follow(css, 'dfl_cgrp');
}

/** cgroup_id(): the cgroup's kernfs node id (0 where the model gives the cgroup none). */
function cgroupId(cg: KernelObject | undefined): bigint {
  const kn = cg === undefined ? undefined : follow(cg, 'kn');
  return kn === undefined ? 0n : kn.get('id');
}

/** bpf_get_current_cgroup_id: the id of the current task's default-hierarchy cgroup. */
export const getCurrentCgroupId = (k: Kernel): HelperFn => () => cgroupId(currentDflCgroup(k));

/**
 * bpf_get_current_ancestor_cgroup_id(level): the id of the current cgroup's ancestor at `level`
 * (6.1's cgroup_ancestor: NULL, so 0, for a negative level or one deeper than the cgroup's). 6.1 reads
 * `cgrp->ancestors[level]`, a flexible array past the struct the model does not hold; the same chain
 * is walked through `self.parent` (a cgroup's css is its first member, so it points to the cgroup).
 */
export const getCurrentAncestorCgroupId = (k: Kernel): HelperFn => (_ctx, levelArg) => {
  const level = BigInt.asIntN(32, levelArg);
  let cg = currentDflCgroup(k);
  if (cg === undefined || level < 0n) return 0n;
  const own = BigInt.asIntN(32, cg.get('level'));
  if (level > own) return 0n;
  for (let l = own; l > level && cg !== undefined; l--) cg = follow(cg, 'self.parent');
  return cgroupId(cg);
};
