import type { MapAttr, Result } from './base.js';
import { BpfMap } from './base.js';
import { arrayIndex, arrayNextKey } from './array.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { BPF_F_CURRENT_CPU, BPF_F_INDEX_MASK } from './types.js';

/** A sample bpf_perf_event_output wrote: the CPU it ran on and the bytes. */
export interface PerfRecord {
  readonly cpu: number;
  readonly data: Uint8Array;
}

/** An open perf event in a slot: the CPU it counts on, and what it has received. */
interface PerfEvent {
  readonly cpu: number;
  readonly records: PerfRecord[];
}

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: user space opens a perf event per slot (usually one per CPU, slot i on
 * CPU i); bpf_perf_event_output appends records to the slot's event, which the host drains.
 */
/** Records a slot holds before the host drains it. */
export const MAX_PERF_RECORDS = 10_000;

export class PerfEventArray extends BpfMap {
  /** Samples lost to full slots (a perf ring's lost count). */
  lost = 0;
  /** The open slots only (max_entries may be up to 2^32 - 1). */
  private readonly events = new Map<number, PerfEvent>();

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr);
  }

  /** Open a perf event for slot `index` on `cpu` (default: CPU `index`), as storing its fd does. */
  open(index: number, cpu = index): void {
    this.hostU32('index', index);
    this.hostU32('cpu', cpu);
    if (index >= this.maxEntries) throw this.error(-ERRNO.E2BIG, `index ${index} is past max_entries ${this.maxEntries}`);
    if (cpu >= this.env.nrCpus) throw this.error(-ERRNO.EINVAL, `CPU ${cpu} does not exist (${this.env.nrCpus} CPUs)`);
    this.events.set(index, { cpu, records: [] });
  }

  /** Open slot i on CPU i for every simulated CPU. */
  openAll(): void {
    for (let cpu = 0; cpu < Math.min(this.env.nrCpus, this.maxEntries); cpu++) this.open(cpu);
  }

  /** Take the records slot `index` received so far. */
  drain(index: number): PerfRecord[] {
    const ev = this.events.get(index);
    if (ev === undefined) return [];
    return ev.records.splice(0);
  }

  /** bpf_perf_event_output's map part: 0 or -errno. */
  output(flags: bigint, data: Uint8Array): number {
    if ((flags & ~BPF_F_INDEX_MASK) !== 0n) return -ERRNO.EINVAL;
    const index = flags === BPF_F_CURRENT_CPU ? this.env.cpu : Number(flags);
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    const ev = this.events.get(index);
    if (ev === undefined) return -ERRNO.ENOENT;
    if (ev.cpu !== this.env.cpu) return -ERRNO.EOPNOTSUPP;
    // the perf ring is full until the host drains it: perf_output_begin fails, the sample is lost
    if (ev.records.length >= MAX_PERF_RECORDS) {
      this.lost++;
      return -ERRNO.ENOSPC;
    }
    ev.records.push({ cpu: this.env.cpu, data: data.slice() });
    return 0;
  }

  override deleteElem(key: Uint8Array): number {
    const index = arrayIndex(key);
    if (index >= this.maxEntries) return -ERRNO.E2BIG;
    if (!this.events.delete(index)) return -ERRNO.ENOENT;
    return 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    return arrayNextKey(this.maxEntries, key);
  }
}
