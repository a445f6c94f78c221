/**
 * The kernel objects of one simulated kernel that outlive a run: the heap, the static test object of
 * net/bpf/test_run.c, the conntrack table, the keyring, the root cgroup, kptr declarations of maps, the
 * kernel's variables, the tasks' user memory, local storage links, and the record of destructive calls.
 * The Kernel owns its worlds (`kernel.world(types)`, one per type table).
 */
import type { AddressSpace } from '../../vm/address-space.js';
import type { KernelTypes } from '../btf/kernel-types.js';
import type { MapEnv } from '../maps/env.js';
import { UserMemory } from '../model/user-memory.js';
import type { TaskInfo } from '../system.js';
import { ConntrackTable, HZ } from './conntrack.js';
import { KernelHeap, type KernelObject } from './heap.js';
import { Keyring } from './keyring.js';
import { KptrTable } from './kptr.js';

/** A destructive kfunc's call, recorded instead of performed. */
export interface DestructiveCall {
  kfunc: string;
  insn: number;
}

/**
 * What a world reads of the kernel that owns it (the Kernel of kernel.ts, which cannot be imported here
 * since it owns the worlds): its memory, maps, clock, CPU, task and current task.
 */
export interface WorldKernel {
  readonly space: AddressSpace;
  readonly maps: MapEnv;
  readonly clock: { now(): bigint };
  readonly task: Readonly<TaskInfo>;
  readonly cpu: number;
  current: KernelObject | undefined;
}

/** A kernel variable's object (kernel-sim/objects/percpu.ts makes them). */
export interface PercpuObject {
  name: string;
  /** BTF id of its type. */
  type: number;
  address: bigint;
}

/** What a `struct bpf_key` stands for: a user key (by serial) or a system keyring (by id). */
export type BpfKeyTarget = { serial: number } | { system: number };

export class KernelWorld {
  readonly heap: KernelHeap;
  /** 6.1's `prog_test_struct`: a = 42, b = 108, next = itself, count 1 held by the kernel. */
  readonly progTestStruct: KernelObject;
  readonly conntrack: ConntrackTable;
  readonly keyring = new Keyring();
  readonly rootCgroup: KernelObject;
  /** The task programs run in (the Kernel's TaskInfo), what bpf_get_current_task returns; its parent is init. */
  readonly currentTask: KernelObject;
  readonly initTask: KernelObject;
  readonly kptrs: KptrTable;
  /** Per cgroup: the CPUs with pending rstat updates, and how many flushes happened. */
  readonly rstat = new Map<KernelObject, { pending: Set<number>; flushes: number }>();
  readonly destructiveCalls: DestructiveCall[] = [];
  /** The kernel variables (`__ksym` VARs) made so far, by name. */
  readonly percpu = new Map<string, PercpuObject>();
  /** What each live `struct bpf_key` object stands for (bpf_lookup_user_key / _system_key). */
  readonly bpfKeys = new Map<KernelObject, BpfKeyTarget>();
  /** Per local storage owner (a task or socket): how many storage values it has across maps. */
  readonly storageCounts = new Map<KernelObject, number>();
  /** Each task's user memory (what bpf_probe_read_user reads), made empty on first use. */
  private readonly userMemories = new Map<KernelObject, UserMemory>();
  /** The css_set every task of the world starts in (its default cgroup: the root). */
  readonly cssSet: KernelObject;

  constructor(readonly kernel: WorldKernel, types: KernelTypes) {
    this.heap = new KernelHeap(kernel.space, types);
    this.progTestStruct = this.heap.create('prog_test_ref_kfunc', { init: { a: 42, b: 108 }, isStatic: true });
    this.progTestStruct.set('next', this.progTestStruct.home.region.base);
    this.conntrack = new ConntrackTable(this.heap, () => jiffies(kernel));
    // the root cgroup; its id is its kernfs node's (cgroup_id() reads cgrp->kn->id in 6.1)
    const rootKn = this.heap.create('kernfs_node', { init: { id: 1 }, isStatic: true });
    // online (CSS_ONLINE), as every live cgroup is
    this.rootCgroup = this.heap.create('cgroup', { init: { level: 0, kn: rootKn.home.region.base, 'self.flags': 2 }, isStatic: true });
    this.kptrs = new KptrTable(this.heap);
    const cssSet = this.heap.create('css_set', { isStatic: true });
    cssSet.set('dfl_cgrp', this.rootCgroup.home.region.base);
    const task = (pid: number, tgid: number, comm: string, parent?: KernelObject, ids = { uid: 0, gid: 0 }): KernelObject => {
      const t = this.heap.create('task_struct', { init: { pid, tgid }, isStatic: true });
      const cred = this.heap.create('cred', { init: credIds(ids), isStatic: true });
      t.set('cred', cred.home.region.base);
      t.set('real_cred', cred.home.region.base);
      t.bytes.set(new TextEncoder().encode(comm.slice(0, 15)), t.field('comm').offset);
      t.set('real_parent', (parent ?? t).home.region.base);
      t.set('group_leader', t.home.region.base);
      t.set('cgroups', cssSet.home.region.base);
      t.set('stack_refcount', 1);
      return t;
    };
    this.initTask = task(1, 1, 'systemd');
    this.currentTask = task(kernel.task.pid, kernel.task.tgid, kernel.task.comm, this.initTask, kernel.task);
    this.cssSet = cssSet;
    kernel.current ??= this.currentTask;
  }

  /** The user memory of a task (created empty on first use). */
  userMemory(task: KernelObject): UserMemory {
    let m = this.userMemories.get(task);
    if (m === undefined) this.userMemories.set(task, (m = new UserMemory()));
    return m;
  }
}

/** A cred's user and group ids: real, effective, saved and filesystem ones alike. */
export function credIds(ids: { uid: number; gid: number }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['uid', 'euid', 'suid', 'fsuid']) out[`${k}.val`] = ids.uid;
  for (const k of ['gid', 'egid', 'sgid', 'fsgid']) out[`${k}.val`] = ids.gid;
  return out;
}

/** The kernel's jiffies (HZ=250) from its deterministic clock. */
function jiffies(kernel: WorldKernel): number {
  return Number((kernel.clock.now() / (1_000_000_000n / BigInt(HZ))) & 0xffffffffn);
}
