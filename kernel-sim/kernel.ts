/**
 * The simulated kernel and everything it holds, as one object graph (CONTRIBUTING.md, "The kernel's
 * state"): its address space, maps, capabilities, clock, random numbers and current task, the
 * trace_printk pipe, the kernel worlds (kernel objects over a type table, and their models) and the run in
 * progress (`beginRun`). Helpers, kfuncs and program types read it; it holds no policy of its own. Nothing
 * of a kernel's state lives outside this graph: two Kernels share nothing but immutable caches.
 */
import { ALL_CAPS, type Capability } from '../src/platform/caps.js';
import { AddressSpace, PERM_R, type Region } from '../vm/address-space.js';
import { MapEnv } from './maps/env.js';
import { intOption } from '../src/options.js';
import { referenceConfigText } from './kconfig.js';
import type { KernelObject } from './objects/heap.js';
import type { KernelTypes } from './btf/kernel-types.js';
import { KernelWorld } from './objects/world.js';
import { KernelModel } from './model/model.js';
import { Prng, SimClock, type TaskInfo } from './system.js';

export { Prng, SimClock, type TaskInfo } from './system.js';

/** How a simulated kernel is built: capabilities, CPUs, memory, output limits, seed and clock. */
export interface KernelOptions {
  /** The loader's capabilities (all by default). */
  caps?: Iterable<Capability>;
  /** Simulated CPUs (1 by default). */
  nrCpus?: number;
  /**
   * The memory the simulated kernel gives maps, in bytes (512 MiB by default): a map whose allocation
   * (as Linux 6.1 sizes it, preallocated hash and LRU elements included) does not fit answers ENOMEM.
   */
  memoryLimit?: number;
  /**
   * Lines of trace_printk (and seq_file writes) kept per run, all repeats of a test run together (10,000 by
   * default); the rest are counted in `outputDropped`.
   */
  outputLimit?: number;
  /** Seed of bpf_get_prandom_u32 (fixed by default, so runs repeat). */
  seed?: number;
  /** Clock start and step (each read of the clock advances it): deterministic time. */
  clockStartNs?: bigint;
  clockStepNs?: bigint;
  task?: Partial<TaskInfo>;
  /**
   * The kernel's configuration file as text (what libbpf reads for `__kconfig` externs): Debian 6.1's,
   * the reference kernel's, by default.
   */
  kconfig?: string;
}

/** Lines of output a run keeps by default. */
export const DEFAULT_OUTPUT_LIMIT = 10_000;

/** The atomic sections a helper enters and leaves (bpf_spin_lock / unlock): the kfuncs' ExecContext implements it. */
export interface AtomicSections {
  spinLock(): void;
  spinUnlock(): void;
}

/** Where the last bpf_redirect of a run pointed (bpf_redirect_info): the program type acts on it. */
export interface RedirectTarget {
  ifindex: number;
  flags: bigint;
}

/** The cgroup run context's retval (bpf_get_retval / bpf_set_retval) of a cgroup program's run. */
export interface RetvalCell {
  get(): number;
  set(v: number): void;
}

/** What a run is begun with: the program's execution context (its atomic sections). */
export interface RunBindings {
  exec?: AtomicSections;
}

/**
 * One run of a program in a kernel (a BPF_PROG_TEST_RUN with all its repeats, or one trigger): the state
 * that lives as long as the run, which the helpers of the run read through `kernel.run`. `end()` drops it:
 * what a run set (a pending redirect, the cgroup retval cell, its output accounting) never leaks into the
 * next one.
 */
export class KernelRun {
  /** The program's atomic sections: bpf_spin_lock and bpf_spin_unlock enter and leave them. */
  readonly exec: AtomicSections | undefined;
  /** The cgroup run context's retval, bound by the program type's test run (cgroup and sockopt hooks). */
  cgroupRetval: RetvalCell | undefined;
  /** The pending bpf_redirect of the run, if the program asked for one. */
  redirect: RedirectTarget | undefined;
  /** Lines of trace output before the run: the run's own are counted from here against the output limit. */
  readonly traceStart: number;
  readonly seqStart: number;
  /** Lines of output the run could not keep (past the kernel's `outputLimit`). */
  outputDropped = 0;
  private ended = false;

  constructor(readonly kernel: Kernel, bind: RunBindings, private readonly outer: KernelRun | undefined) {
    this.exec = bind.exec;
    this.traceStart = kernel.trace.length;
    this.seqStart = kernel.seq.length;
  }

  /** Whether the run is still in progress. */
  get active(): boolean {
    return !this.ended;
  }

  /** The run is over: the kernel's current run is the one it interrupted (none, normally), and this one's state is dropped. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.cgroupRetval = undefined;
    this.redirect = undefined;
    if (this.kernel.run === this) this.kernel.run = this.outer;
  }

  /** The pending redirect, taken (taking it clears it). */
  takeRedirect(): RedirectTarget | undefined {
    const r = this.redirect;
    this.redirect = undefined;
    return r;
  }
}

/**
 * One simulated kernel: its address space, maps, capabilities, clock, random source, current task and
 * trace output. Programs loaded into the same Kernel share its maps; each run gets a KernelRun.
 */
export class Kernel {
  readonly space: AddressSpace;
  readonly maps: MapEnv;
  readonly caps: ReadonlySet<Capability>;
  readonly clock: SimClock;
  readonly random: Prng;
  readonly task: TaskInfo;
  /** Lines written by bpf_trace_printk (and friends), in order. */
  readonly trace: string[] = [];
  /** Text iterator programs wrote to their seq_file (bpf_seq_printf, bpf_seq_write), in order. */
  readonly seq: string[] = [];
  /** Lines of output kept per run (trace and seq each). */
  readonly outputLimit: number;
  /**
   * The current task's `struct task_struct` in the kernel model: what get_current_pid_tgid, _uid_gid,
   * _comm, _task and probe_read_user read. Set by the kernel world (a task made from `task`) or the model.
   */
  current: KernelObject | undefined;
  /**
   * The type table of the world bpf_get_current_task makes when no world exists yet (the kfunc
   * registry's of the programs loaded: a program's kfunc runtime sets it). Without one the current task
   * is a read-only placeholder of zeroes. A thunk: the types (and so the kernel's BTF) are read only when
   * a program asks for the current task.
   */
  taskTypes: (() => KernelTypes) | undefined;
  /** The run in progress (`beginRun`), if any. */
  run: KernelRun | undefined;
  /** The kernel worlds, one per type table: made on first use, so a program that names no kernel type never reads BTF. */
  private readonly worldByTypes = new Map<KernelTypes, KernelWorld>();
  /** The kernel model over each world. */
  private readonly modelByWorld = new Map<KernelWorld, KernelModel>();
  private taskPlaceholder: Region | undefined;
  private readonly kconfigText: string | undefined;

  constructor(opts: KernelOptions = {}) {
    this.outputLimit = intOption('outputLimit', opts.outputLimit, 0, 2 ** 31 - 1) ?? DEFAULT_OUTPUT_LIMIT;
    this.space = new AddressSpace();
    this.caps = new Set(opts.caps ?? ALL_CAPS);
    this.maps = new MapEnv(this.space, {
      nrCpus: opts.nrCpus,
      capBpf: this.caps.has('CAP_BPF') || this.caps.has('CAP_SYS_ADMIN'),
      capSysAdmin: this.caps.has('CAP_SYS_ADMIN'),
      capNetAdmin: this.caps.has('CAP_NET_ADMIN'),
      bypassSpecV1: this.caps.has('CAP_PERFMON') || this.caps.has('CAP_SYS_ADMIN'),
      memoryLimit: opts.memoryLimit,
    });
    this.clock = new SimClock(opts.clockStartNs ?? 1_000_000_000_000n, opts.clockStepNs ?? 1_000n);
    this.random = new Prng(opts.seed ?? 0x5eed);
    this.task = { pid: 1234, tgid: 1234, uid: 0, gid: 0, comm: 'bpfvm', ...opts.task };
    this.kconfigText = opts.kconfig;
  }

  /** The configuration file's text (undefined: the kernel has none to read). */
  get kconfig(): string | undefined {
    return this.kconfigText ?? referenceConfigText();
  }

  /** The kernel objects over type table `types` (made on first use; its current task becomes the kernel's). */
  world(types: KernelTypes): KernelWorld {
    let w = this.worldByTypes.get(types);
    if (w === undefined) this.worldByTypes.set(types, (w = new KernelWorld(this, types)));
    return w;
  }

  /** The worlds made so far. */
  get worlds(): readonly KernelWorld[] {
    return [...this.worldByTypes.values()];
  }

  /** The kernel model (tasks, files, user memory…) over the world of `types`. */
  model(types: KernelTypes): KernelModel {
    const w = this.world(types);
    let m = this.modelByWorld.get(w);
    if (m === undefined) this.modelByWorld.set(w, (m = new KernelModel(w)));
    return m;
  }

  /**
   * The current task's `struct task_struct` as bpf_get_current_task returns it: the model's current task,
   * the world's (made now from `taskTypes`), or a read-only placeholder.
   */
  currentTaskAddress(): bigint {
    if (this.current === undefined && this.taskTypes !== undefined) this.world(this.taskTypes());
    if (this.current !== undefined) return this.current.home.region.base;
    this.taskPlaceholder ??= this.space.map('kernel-object', new Uint8Array(TASK_PLACEHOLDER_SIZE), PERM_R, `task_struct of pid ${this.task.pid}`);
    return this.taskPlaceholder.base;
  }

  /**
   * A run begins: the helpers of the run find its state in `kernel.run` until `end()`, and its output
   * counts against the output limit from here. A run begun inside another (a program run from a helper)
   * gives the outer one back at its end.
   */
  beginRun(bind: RunBindings = {}): KernelRun {
    const r = new KernelRun(this, bind, this.run);
    this.run = r;
    return r;
  }

  /** A trace_printk line, kept while the run is under its output limit. */
  writeTrace(line: string): void {
    if (this.trace.length - (this.run?.traceStart ?? 0) < this.outputLimit) this.trace.push(line);
    else if (this.run !== undefined) this.run.outputDropped++;
  }

  /** A seq_file write, likewise. */
  writeSeq(text: string): void {
    if (this.seq.length - (this.run?.seqStart ?? 0) < this.outputLimit) this.seq.push(text);
    else if (this.run !== undefined) this.run.outputDropped++;
  }

  /** The CPU the program runs on. */
  get cpu(): number {
    return this.maps.cpu;
  }
}

/** The size of the placeholder task_struct bpf_get_current_task returns when the kernel has no world. */
const TASK_PLACEHOLDER_SIZE = 64;
