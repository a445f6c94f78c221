/**
 * The simulated kernel's shared state: its address space, maps, clock, random numbers, the current task,
 * the trace_printk pipe and the loader's credentials. Helpers, kfuncs and program types read it; it
 * holds no policy of its own.
 */
import { ALL_CAPS, type Capability } from '../src/platform/caps.js';
import { AddressSpace } from '../vm/address-space.js';
import { MapEnv } from './maps/env.js';
import { intOption } from '../src/options.js';
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

/** Lines of output a run keeps by default. */
export const DEFAULT_OUTPUT_LIMIT = 10_000;

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
  /** Lines of output the current run could not keep (past `outputLimit`). */
  outputDropped = 0;
  private traceBase = 0;
  private seqBase = 0;
  /**
   * The current task's `struct task_struct` in the kernel model: what get_current_pid_tgid, _uid_gid,
   * _comm, _task and probe_read_user read. Set by the kernel world (a task made from `task`) or the model.
   */
  current: KernelObject | undefined;

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

  private readonly kconfigText: string | undefined;

  /** The configuration file's text (undefined: the kernel has none to read). */
  get kconfig(): string | undefined {
    return this.kconfigText ?? referenceConfigText();
  }

  /** A run starts: its output limit counts from here. */
  beginOutput(): void {
    this.traceBase = this.trace.length;
    this.seqBase = this.seq.length;
    this.outputDropped = 0;
  }

  /** A trace_printk line, kept while the run is under its output limit. */
  writeTrace(line: string): void {
    if (this.trace.length - this.traceBase < this.outputLimit) this.trace.push(line);
    else this.outputDropped++;
  }

  /** A seq_file write, likewise. */
  writeSeq(text: string): void {
    if (this.seq.length - this.seqBase < this.outputLimit) this.seq.push(text);
    else this.outputDropped++;
  }

  /** The CPU the program runs on. */
  get cpu(): number {
    return this.maps.cpu;
  }
}
