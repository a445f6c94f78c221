import { AddressSpace } from '../address-space.js';

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
  private readonly byId = new Map<number, object>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  constructor(space: AddressSpace, opts: { nrCpus?: number; capBpf?: boolean; capSysAdmin?: boolean; capNetAdmin?: boolean } = {}) {
    const nrCpus = opts.nrCpus ?? 1;
    if (!Number.isInteger(nrCpus) || nrCpus < 1) throw new RangeError(`CPU count must be a positive integer, got ${nrCpus}`);
    this.space = space;
    this.nrCpus = nrCpus;
    this.capBpf = opts.capBpf ?? true;
    this.capSysAdmin = opts.capSysAdmin ?? true;
    this.capNetAdmin = opts.capNetAdmin ?? true;
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
