/**
 * BPF_MAP_TYPE_CPUMAP: XDP redirect targets by CPU, values `struct bpf_cpumap_val` (qsize, and optionally
 * a program fd). An entry may name only a CPU the simulated kernel has; qsize 0 empties the slot. No
 * program can be attached to an entry here: a program fd > 0 fails as __cpu_map_entry_alloc's failure
 * does (-ENOMEM).
 */
import { arrayIndex, arrayNextKey } from './array.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import type { AllocCheck } from './check.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { s32At, SlotTable, u32At } from './slot-table.js';
import { BPF_EXIST, BPF_F, BPF_NOEXIST } from './types.js';

/** NR_CPUS of the kernel configuration modelled (x86_64 distribution kernels). */
export const NR_CPUS = 8192;
/** The largest queue an entry may ask for. */
const CPUMAP_MAX_QSIZE = 16384;

/** cpu_map_alloc's checks. */
export const checkCpumap: AllocCheck = (attr, env) => {
  if (!env.capBpf) return [-ERRNO.EPERM, 'cpumap maps need CAP_BPF'];
  if (attr.maxEntries === 0 || attr.keySize !== 4 || (attr.valueSize !== 4 && attr.valueSize !== 8)
    || (attr.flags ?? 0) & ~BPF_F.NUMA_NODE) {
    return [-ERRNO.EINVAL, 'max_entries must not be 0, key_size must be 4, value_size 4 or 8, flags NUMA_NODE only'];
  }
  if (attr.maxEntries > NR_CPUS) return [-ERRNO.E2BIG, `max_entries above NR_CPUS (${NR_CPUS})`];
  return null;
};

export class CpuMap extends SlotTable {
  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, attr.maxEntries);
  }

  /** __cpu_map_lookup_elem (redirects and programs' lookups). */
  override lookupElem(key: Uint8Array): ValueRef | null {
    return this.refAt(arrayIndex(key));
  }

  /** cpu_map_update_elem. */
  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    const cpu = arrayIndex(key);
    const qsize = u32At(value, 0);
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    if (cpu >= this.maxEntries) return -ERRNO.E2BIG;
    if (flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (qsize > CPUMAP_MAX_QSIZE) return -ERRNO.EOVERFLOW;
    if (cpu >= this.env.nrCpus) return -ERRNO.ENODEV;
    if (qsize === 0) {
      this.clear(cpu);
      return 0;
    }
    if (this.valueSize === 8 && s32At(value, 4) > 0) return -ERRNO.ENOMEM;
    const entry = new Uint8Array(this.valueSize);
    entry.set(value.subarray(0, 4));
    this.put(cpu, entry);
    return 0;
  }

  /** cpu_map_delete_elem. */
  override deleteElem(key: Uint8Array): number {
    const cpu = arrayIndex(key);
    if (cpu >= this.maxEntries) return -ERRNO.EINVAL;
    this.clear(cpu);
    return 0;
  }

  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    return arrayNextKey(this.maxEntries, key);
  }
}
