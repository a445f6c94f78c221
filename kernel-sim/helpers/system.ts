/** Time, random numbers, CPU and the current task: bpf_ktime_*, get_prandom_u32, get_smp_processor_id… */
import type { HelperFn } from '../../vm/machine.js';
import { PERM_R, type Region } from '../address-space.js';
import type { Kernel } from '../kernel.js';
import { ret } from './args.js';

export const ktimeGetNs = (k: Kernel): HelperFn => () => k.clock.now();
export const ktimeGetBootNs = (k: Kernel): HelperFn => () => k.clock.boot();
/** CLOCK_MONOTONIC_COARSE: the simulated clock has no coarser tick. */
export const ktimeGetCoarseNs = (k: Kernel): HelperFn => () => k.clock.now();
export const getPrandomU32 = (k: Kernel): HelperFn => () => BigInt(k.random.nextU32());
export const getSmpProcessorId = (k: Kernel): HelperFn => () => BigInt(k.cpu);
/** One NUMA node. */
export const getNumaNodeId: HelperFn = () => 0n;

export const getCurrentPidTgid = (k: Kernel): HelperFn => () => (BigInt(k.task.tgid) << 32n) | BigInt(k.task.pid);
export const getCurrentUidGid = (k: Kernel): HelperFn => () => (BigInt(k.task.gid) << 32n) | BigInt(k.task.uid);

/** TASK_COMM_LEN. */
const TASK_COMM_LEN = 16;

/** bpf_get_current_comm(buf, size): strscpy of the task's comm (cut to size - 1 bytes, NUL-terminated). */
export const getCurrentComm = (k: Kernel): HelperFn => (ctx, buf, size) => {
  const n = Number(size & 0xffffffffn);
  const comm = k.task.comm.slice(0, TASK_COMM_LEN - 1);
  const out = new Uint8Array(Math.min(comm.length + 1, n));
  for (let i = 0; i < out.length - 1; i++) out[i] = comm.charCodeAt(i) & 0xff;
  ctx.space.writeBytes(buf, out);
  return ret(0);
};

/**
 * The current task's `struct task_struct`, as bpf_get_current_task returns it. Until the simulated kernel
 * builds real kernel objects this is a read-only placeholder of zeroes; `setCurrentTaskObject` installs
 * a real one.
 */
const TASK_PLACEHOLDER_SIZE = 64;
const taskObjects = new WeakMap<Kernel, Region | (() => Region)>();

export function currentTaskObject(k: Kernel): Region {
  let r = taskObjects.get(k);
  if (typeof r === 'function') {
    r = r();
    taskObjects.set(k, r);
  }
  if (r === undefined) {
    r = k.space.map('kernel-object', new Uint8Array(TASK_PLACEHOLDER_SIZE), PERM_R, `task_struct of pid ${k.task.pid}`);
    taskObjects.set(k, r);
  }
  return r;
}

/** The current task's object, or how to make it (on the first bpf_get_current_task). */
export function setCurrentTaskObject(k: Kernel, region: Region | (() => Region)): void {
  taskObjects.set(k, region);
}

export const getCurrentTask = (k: Kernel): HelperFn => () => currentTaskObject(k).base;

/**
 * bpf_per_cpu_ptr(percpu_ptr, cpu) and bpf_this_cpu_ptr(percpu_ptr): the simulated per-CPU variables
 * (`__ksym` ones) keep one copy shared by every CPU, so the pointer is the variable's own address; past
 * the last CPU bpf_per_cpu_ptr returns NULL, as the kernel does.
 */
export const perCpuPtr = (k: Kernel): HelperFn => (_ctx, ptr, cpu) => (cpu >= BigInt(k.maps.nrCpus) ? 0n : ptr);
export const thisCpuPtr: HelperFn = (_ctx, ptr) => ptr;
