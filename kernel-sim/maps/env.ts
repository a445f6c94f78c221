import { AddressSpace } from '../../vm/address-space.js';
import { boolOption, intOption } from '../../src/options.js';

/** The simulated kernel's memory for maps, by default: 512 MiB. */
export const DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024;

/**
 * What the maps share with the rest of the simulated kernel: the address space their values live in,
 * the CPUs (per-CPU maps keep one copy per CPU; programs see `cpu`'s), the loader's capabilities that
 * map_create checks, and the id registry through which user space names maps and programs (the
 * syscall side stores ids where the kernel takes file descriptors).
 */
export class MapEnv {
  readonly space: AddressSpace;
  readonly nrCpus: number;
  /** The CPU the running program is on. */
  cpu = 0;
  /** CAP_BPF (or CAP_SYS_ADMIN): LRU, queue/stack, LPM trie and bloom filter maps need it. */
  capBpf: boolean;
  /** CAP_SYS_ADMIN: BPF_F_ZERO_SEED needs it. */
  capSysAdmin: boolean;
  /** CAP_NET_ADMIN: sockmap and sockhash maps need it. */
  capNetAdmin: boolean;
  /**
   * bpf_bypass_spec_v1 (CAP_PERFMON or CAP_SYS_ADMIN): without it an array map's max_entries is rounded
   * up to a power of 2 (index masking against Spectre v1).
   */
  bypassSpecV1: boolean;
  /** The memory the kernel may give maps (bytes): past it map creation answers ENOMEM, as a failed vmalloc. */
  readonly memoryLimit: number;
  /** The bytes the kernel allocated for the maps alive now (as Linux 6.1 sizes them). */
  memoryUsed = 0;
  private readonly byId = new Map<number, object>();
  private readonly ids = new Map<object, number>();
  private nextId = 1;

  constructor(space: AddressSpace, opts: {
    nrCpus?: number; capBpf?: boolean; capSysAdmin?: boolean; capNetAdmin?: boolean; bypassSpecV1?: boolean; memoryLimit?: number;
  } = {}) {
    // NR_CPUS of Debian's 6.1 config is 8192
    this.nrCpus = intOption('nrCpus', opts.nrCpus, 1, 8192) ?? 1;
    this.space = space;
    this.capBpf = boolOption('capBpf', opts.capBpf) ?? true;
    this.capSysAdmin = boolOption('capSysAdmin', opts.capSysAdmin) ?? true;
    this.capNetAdmin = boolOption('capNetAdmin', opts.capNetAdmin) ?? true;
    this.bypassSpecV1 = boolOption('bypassSpecV1', opts.bypassSpecV1) ?? this.capSysAdmin;
    this.memoryLimit = intOption('memoryLimit', opts.memoryLimit, 0, Number.MAX_SAFE_INTEGER) ?? DEFAULT_MEMORY_LIMIT;
  }

  /** Whether `bytes` more fit under the memory limit. */
  fits(bytes: number): boolean {
    return this.memoryUsed + bytes <= this.memoryLimit;
  }

  /** Take `bytes` of map memory (the caller checked `fits`). */
  charge(bytes: number): void {
    this.memoryUsed += bytes;
  }

  /** Give back `bytes` of map memory. */
  uncharge(bytes: number): void {
    this.memoryUsed = Math.max(0, this.memoryUsed - bytes);
  }

  /** The id of a map or program (assigned on first use, like the kernel's idr). */
  idOf(obj: object): number {
    let id = this.ids.get(obj);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(obj, id);
      this.byId.set(id, obj);
    }
    return id;
  }

  /** The map or program an id names. */
  objectById(id: number): object | undefined {
    return this.byId.get(id);
  }
}
