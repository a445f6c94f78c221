/**
 * The simulated kernel's shared state: its address space, maps, clock, random numbers, the current task,
 * the trace_printk pipe and the loader's credentials. Helpers, kfuncs and program types read it; it
 * holds no policy of its own.
 */
import { ALL_CAPS, type Capability } from '../src/platform/caps.js';
import { AddressSpace } from './address-space.js';
import { MapEnv } from './maps/env.js';
import { referenceConfigText } from './kconfig.js';
import type { KernelObject } from './objects/heap.js';

export interface TaskInfo {
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  /** Up to 15 bytes, as TASK_COMM_LEN allows. */
  comm: string;
}

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

/** A deterministic clock: each reading advances it by a fixed step. */
export class SimClock {
  constructor(private ns: bigint, private readonly step: bigint) {}
  /** CLOCK_MONOTONIC. */
  now(): bigint {
    const t = this.ns;
    this.ns += this.step;
    return t;
  }
  /** CLOCK_BOOTTIME: monotonic plus a fixed suspended time. */
  boot(): bigint {
    return this.now() + 1_000_000_000n;
  }
}

/** xorshift32: bpf_get_prandom_u32's stand-in, seeded for repeatable runs. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  nextU32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
}

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
  /**
   * The current task's `struct task_struct` in the kernel model: what get_current_pid_tgid, _uid_gid,
   * _comm, _task and probe_read_user read. Set by the kernel world (a task made from `task`) or the model.
   */
  current: KernelObject | undefined;

  constructor(opts: KernelOptions = {}) {
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

  private readonly kconfigText: string | undefined;

  /** The configuration file's text (undefined: the kernel has none to read). */
  get kconfig(): string | undefined {
    return this.kconfigText ?? referenceConfigText();
  }

  /** The CPU the program runs on. */
  get cpu(): number {
    return this.maps.cpu;
  }
}
