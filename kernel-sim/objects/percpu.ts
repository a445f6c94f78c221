/**
 * The run-time objects behind the per-CPU variables of the simulated vmlinux (btf/vmlinux-vars.ts): one copy
 * shared by every simulated CPU, which is what bpf_this_cpu_ptr and bpf_per_cpu_ptr (for any existing CPU)
 * point to. A variable without an initialiser here is zero-filled memory of its type's size.
 */
import { PERM_RW } from '../address-space.js';
import { VMLINUX_PERCPU_VARS } from '../btf/vmlinux-vars.js';
import type { KernelWorld } from './world.js';

export interface PercpuObject {
  name: string;
  /** Its C type text. */
  type: string;
  address: bigint;
}

/** Struct-typed variables: the object's member values, from the world they live in. */
const STRUCT_INIT: Readonly<Record<string, (w: KernelWorld) => Record<string, bigint | number>>> = {
  // the CPU's run queue: the current task is the one running on it
  runqueues: (w) => ({ nr_running: 1, curr: w.currentTask.home.region.base, cpu: w.kernel.cpu, clock: w.kernel.clock.now() }),
};

/** Other variables: their bytes (little-endian values of their type). */
const VALUE_INIT: Readonly<Record<string, (w: KernelWorld) => bigint>> = {
  // x86's `current_task` holds the running task's address
  current_task: (w) => w.currentTask.home.region.base,
};

const tables = new WeakMap<KernelWorld, Map<string, PercpuObject>>();

/** Every per-CPU variable of the world's kernel, by name, created on first use. */
export function percpuObjects(world: KernelWorld): Map<string, PercpuObject> {
  let t = tables.get(world);
  if (t !== undefined) return t;
  t = new Map();
  const types = world.heap.types;
  for (const v of VMLINUX_PERCPU_VARS) {
    const struct = /^struct\s+(\w+)$/.exec(v.type.trim())?.[1];
    let address: bigint;
    if (struct !== undefined) {
      const obj = world.heap.create(struct, { init: STRUCT_INIT[v.name]?.(world) ?? {}, isStatic: true });
      address = obj.home.region.base;
    } else {
      const size = types.sizeOf(v.type);
      const bytes = new Uint8Array(size);
      const init = VALUE_INIT[v.name]?.(world);
      if (init !== undefined) {
        for (let i = 0; i < size; i++) bytes[i] = Number((init >> BigInt(8 * i)) & 0xffn);
      }
      address = world.heap.space.map('kernel-object', bytes, PERM_RW, `per-CPU ${v.name}`).base;
    }
    t.set(v.name, { name: v.name, type: v.type, address });
  }
  tables.set(world, t);
  return t;
}
