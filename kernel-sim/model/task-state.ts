/**
 * What the model keeps of a task beyond its struct fields, built as the kernel holds it:
 *
 * - pid namespaces: a task's `thread_pid` is a `struct pid` whose `numbers[]` holds one `struct upid`
 *   (nr, ns) per namespace level, from the initial namespace down; a task without one is in the initial
 *   namespace (`init_pid_ns`, ns.inum PROC_PID_INIT_INO) with its own pid. The namespace files live on
 *   nsfs, whose device the model gives as `nsfsDev` (4, as `stat -L /proc/self/ns/pid` shows on 6.1).
 * - `task_pt_regs(task)`: the `struct pt_regs` at the top of the task's kernel stack, user-mode
 *   (cs = __USER_CS) unless the task is a kernel thread (PF_KTHREAD), made on first use.
 * - open files: `task->files->fdt->fd[fd]`, a real files_struct / fdtable (fd_array for the first 64).
 * - memory mappings: the VMAs of `task->mm` (6.1 keeps them in a maple tree the model does not build:
 *   the model keeps the list, in address order, for iter/task_vma).
 */
import { PERM_RW, type Region } from '../../vm/address-space.js';
import type { KernelObject } from '../objects/heap.js';
import { ModelError } from './errors.js';
import type { ModelObjects } from './model-objects.js';
import type { ModelVfs } from './vfs.js';

/** PROC_PID_INIT_INO (include/linux/proc_ns.h). */
export const PROC_PID_INIT_INO = 0xeffffffcn;
/** PF_KTHREAD. */
const PF_KTHREAD = 0x00200000n;
/** arch/x86/include/asm/segment.h: __USER_CS, __USER_DS. */
const USER_CS = 0x33n;
const USER_DS = 0x2bn;
/** NR_OPEN_DEFAULT: the fd_array inside files_struct. */
const NR_OPEN_DEFAULT = 64;
/** sizeof(struct upid). */
const UPID_SIZE = 16;

export interface PidNumber {
  /** The namespace (a `struct pid_namespace` of the model); the initial one when absent. */
  ns?: KernelObject;
  nr: number;
}

export interface VmaSpec {
  vm_start: number | bigint;
  vm_end: number | bigint;
  vm_flags?: number | bigint;
  vm_pgoff?: number | bigint;
  /** The mapped file: a model `struct file`, or a path for one. */
  file?: KernelObject | string;
}

export class TaskState {
  /** Each task's pt_regs (task_pt_regs), made on first use. */
  private readonly regsOf = new Map<KernelObject, KernelObject>();
  /** Each mm's VMAs, in address order. */
  private readonly vmasOf = new Map<KernelObject, KernelObject[]>();
  /** Each files_struct's grown fd array (past NR_OPEN_DEFAULT). */
  private readonly fdArrays = new Map<KernelObject, { region: Region; max: number }>();
  private initNs: KernelObject | undefined;
  /** nsfs_mnt->mnt_sb->s_dev: the device bpf_get_ns_current_pid_tgid's `dev` must name. */
  nsfsDev = 4n;

  constructor(private readonly model: ModelObjects, private readonly vfs: ModelVfs) {}

  /** init_pid_ns: level 0, ns.inum PROC_PID_INIT_INO. */
  initPidNs(): KernelObject {
    this.initNs ??= this.model.world.heap.create('pid_namespace', { init: { level: 0, 'ns.inum': PROC_PID_INIT_INO }, isStatic: true });
    return this.initNs;
  }

  /** A new pid namespace below `parent` (the initial one by default), with its nsfs inode number. */
  pidNamespace(inum: number | bigint, parent: KernelObject = this.initPidNs()): KernelObject {
    const ns = this.model.create('struct pid_namespace', { 'ns.inum': BigInt(inum), level: parent.get('level') + 1n });
    ns.set('parent', parent.home.region.base);
    return ns;
  }

  /**
   * Give a task its `struct pid`: its number in each namespace from the initial one down
   * (`[{ nr: 4242 }, { ns, nr: 1 }]`: pid 4242 in the initial namespace, 1 in `ns`).
   */
  setPids(task: KernelObject, numbers: readonly PidNumber[]): KernelObject {
    if (numbers.length === 0) throw new ModelError('a task\'s pid has a number in at least the initial namespace');
    const pid = this.model.world.heap.create('pid', { extraBytes: numbers.length * UPID_SIZE });
    const level = numbers.length - 1;
    pid.set('level', level);
    const base = pid.field('numbers').offset;
    numbers.forEach((n, i) => {
      const ns = n.ns ?? (i === 0 ? this.initPidNs() : undefined);
      if (ns === undefined) throw new ModelError(`pid level ${i}: a namespace below the initial one is a model object ("ns")`);
      if (ns.type !== 'pid_namespace') throw new ModelError(`pid level ${i}: "ns" is a struct ${ns.type}, not a struct pid_namespace`);
      if (ns.get('level') !== BigInt(i)) throw new ModelError(`pid level ${i}: its namespace is at level ${ns.get('level')}`);
      pid.dv.setInt32(base + i * UPID_SIZE, n.nr, true);
      pid.dv.setBigUint64(base + i * UPID_SIZE + 8, ns.home.region.base, true);
    });
    task.set('thread_pid', pid.home.region.base);
    return pid;
  }

  /** task_active_pid_ns: the namespace of the task's pid at its own level. */
  activePidNs(task: KernelObject): KernelObject | undefined {
    const pid = this.follow(task.get('thread_pid'));
    if (pid === undefined) return this.initPidNs();
    const level = Number(pid.get('level'));
    const at = pid.field('numbers').offset + level * UPID_SIZE;
    if (at + UPID_SIZE > pid.bytes.length) return undefined;
    return this.follow(pid.dv.getBigUint64(at + 8, true));
  }

  /** pid_nr_ns of a task's pid: its number in `ns`, 0 where the pid is not seen there. */
  pidNrNs(task: KernelObject, ns: KernelObject): bigint {
    const pid = this.follow(task.get('thread_pid'));
    if (pid === undefined) return ns === this.initPidNs() ? task.get('pid') : 0n;
    const level = Number(ns.get('level'));
    const at = pid.field('numbers').offset + level * UPID_SIZE;
    if (level > Number(pid.get('level')) || at + UPID_SIZE > pid.bytes.length) return 0n;
    if (pid.dv.getBigUint64(at + 8, true) !== ns.home.region.base) return 0n;
    return BigInt(pid.dv.getInt32(at, true) >>> 0);
  }

  /** The thread group's id in `ns`: its leader's pid there. */
  tgidNrNs(task: KernelObject, ns: KernelObject): bigint {
    const leader = this.follow(task.get('group_leader'));
    if (leader === undefined || leader === task) {
      return this.follow(task.get('thread_pid')) === undefined ? (ns === this.initPidNs() ? task.get('tgid') : 0n) : this.pidNrNs(task, ns);
    }
    return this.pidNrNs(leader, ns);
  }

  /** task_pt_regs(task): its `struct pt_regs` (user mode unless a kernel thread). */
  ptRegs(task: KernelObject): KernelObject {
    let r = this.regsOf.get(task);
    if (r === undefined) {
      r = this.model.world.heap.create('pt_regs', { isStatic: true });
      if ((task.get('flags') & PF_KTHREAD) === 0n) {
        r.set('cs', USER_CS);
        r.set('ss', USER_DS);
      }
      this.regsOf.set(task, r);
    }
    return r;
  }

  /** Open `file` as descriptor `fd` of the task (its files_struct made on first use). */
  openFile(task: KernelObject, fd: number, file: KernelObject): void {
    if (!Number.isInteger(fd) || fd < 0 || fd >= 1 << 20) throw new ModelError(`fd ${fd} is not a descriptor number (0 .. ${(1 << 20) - 1})`);
    if (file.type !== 'file') throw new ModelError(`fd ${fd}: a struct ${file.type} is not a struct file`);
    let files = this.follow(task.get('files'));
    if (files === undefined) {
      files = this.model.create('struct files_struct', { 'count.counter': 1 });
      const fdtab = files.home.region.base + BigInt(files.field('fdtab').offset);
      files.set('fdt', fdtab);
      files.set('fdtab.max_fds', NR_OPEN_DEFAULT);
      files.set('fdtab.fd', files.home.region.base + BigInt(files.field('fd_array').offset));
      task.set('files', files.home.region.base);
    }
    const grown = this.fdArrays.get(files);
    const max = grown?.max ?? NR_OPEN_DEFAULT;
    if (fd >= max) {
      // expand_fdtable: a bigger array (a power of two), the pointers copied, max_fds raised
      let n = max;
      while (n <= fd) n *= 2;
      const bytes = new Uint8Array(n * 8);
      bytes.set(this.fdBytes(files).subarray(0, max * 8));
      const region = this.model.world.kernel.space.map('kernel-object', bytes, PERM_RW, `fd array of ${n}`);
      this.fdArrays.set(files, { region, max: n });
      files.set('fdtab.fd', region.base);
      files.set('fdtab.max_fds', n);
    }
    new DataView(this.fdBytes(files).buffer, this.fdBytes(files).byteOffset).setBigUint64(fd * 8, file.home.region.base, true);
  }

  /** A task's open files in descriptor order. */
  openFiles(task: KernelObject): { fd: number; file: bigint }[] {
    const files = this.follow(task.get('files'));
    if (files === undefined) return [];
    const bytes = this.fdBytes(files);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: { fd: number; file: bigint }[] = [];
    for (let i = 0; i * 8 < bytes.length; i++) {
      const f = dv.getBigUint64(i * 8, true);
      if (f !== 0n) out.push({ fd: i, file: f });
    }
    return out;
  }

  /** Map a VMA into the task's mm (made on first use). */
  addVma(task: KernelObject, spec: VmaSpec): KernelObject {
    const start = BigInt(spec.vm_start);
    const end = BigInt(spec.vm_end);
    if (end <= start) throw new ModelError(`a VMA ends after it starts (0x${start.toString(16)} .. 0x${end.toString(16)})`);
    let mm = this.follow(task.get('mm'));
    if (mm === undefined) {
      mm = this.model.create('struct mm_struct');
      task.set('mm', mm.home.region.base);
    }
    const list = this.vmasOf.get(mm) ?? [];
    if (list.some((v) => v.get('vm_start') < end && start < v.get('vm_end'))) {
      throw new ModelError(`the VMA 0x${start.toString(16)} .. 0x${end.toString(16)} overlaps another of the task`);
    }
    const vma = this.model.create('struct vm_area_struct', { vm_start: start, vm_end: end, vm_flags: BigInt(spec.vm_flags ?? 0), vm_pgoff: BigInt(spec.vm_pgoff ?? 0) });
    vma.set('vm_mm', mm.home.region.base);
    if (spec.file !== undefined) vma.set('vm_file', (typeof spec.file === 'string' ? this.vfs.file(spec.file) : spec.file).home.region.base);
    list.push(vma);
    list.sort((a, b) => (a.get('vm_start') < b.get('vm_start') ? -1 : 1));
    this.vmasOf.set(mm, list);
    mm.set('map_count', list.length);
    return vma;
  }

  /** The VMAs of the task's mm, in address order. */
  vmas(task: KernelObject): KernelObject[] {
    const mm = this.follow(task.get('mm'));
    return mm === undefined ? [] : [...(this.vmasOf.get(mm) ?? [])];
  }

  private fdBytes(files: KernelObject): Uint8Array {
    const g = this.fdArrays.get(files);
    if (g !== undefined) return g.region.bytes;
    const off = files.field('fd_array').offset;
    return files.bytes.subarray(off, off + NR_OPEN_DEFAULT * 8);
  }

  private follow(addr: bigint): KernelObject | undefined {
    if (addr === 0n) return undefined;
    const w = this.model.world.heap.windowAt(addr);
    return w === undefined || w.offset !== 0 ? undefined : w.window.object;
  }
}
