/**
 * The run-time objects behind the kernel's variables (the VARs of vmlinux BTF: 6.1's pahole encodes the
 * per-CPU ones): one copy shared by every simulated CPU, which is what bpf_this_cpu_ptr and
 * bpf_per_cpu_ptr (for any existing CPU) point to. Each is made the first time it is named, with its
 * type's real size; a variable without an initialiser here is zero-filled memory.
 */
import { PERM_RW } from '../../vm/address-space.js';
import type { KernelWorld, PercpuObject } from './world.js';

export type { PercpuObject } from './world.js';

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

/** The object of the kernel variable `name` (a VAR of the kernel's BTF), made on first use; undefined when BTF has no such VAR. */
export function percpuObject(world: KernelWorld, name: string): PercpuObject | undefined {
  const t = world.percpu;
  const known = t.get(name);
  if (known !== undefined) return known;
  const types = world.heap.types;
  const varId = types.base.idByName(name, 'VAR');
  if (varId === undefined) return undefined;
  const type = (types.base.type(varId) as { type: number }).type;
  const btf = types.btf;
  const rid = btf.resolve(type);
  const rt = btf.type(rid);
  let address: bigint;
  if (rt.kind === 'STRUCT' && rt.name !== '') {
    const obj = world.heap.create(rt.name, { init: STRUCT_INIT[name]?.(world) ?? {}, isStatic: true });
    address = obj.home.region.base;
  } else {
    const size = Math.max(1, btf.sizeOf(rid));
    const bytes = new Uint8Array(size);
    const init = VALUE_INIT[name]?.(world);
    if (init !== undefined) for (let i = 0; i < Math.min(size, 8); i++) bytes[i] = Number((init >> BigInt(8 * i)) & 0xffn);
    address = world.heap.space.map('kernel-object', bytes, PERM_RW, `per-CPU ${name}`).base;
  }
  const o = { name, type, address };
  t.set(name, o);
  return o;
}
