/**
 * BPF_MAP_TYPE_CGROUP_STORAGE and BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE. In the kernel a storage element exists
 * per (cgroup, attach type) a program is attached to; the simulation attaches nothing, so user space finds
 * no elements. A test run gets fresh zeroed storage of its own (bpf_cgroup_storages_alloc in bpf_test_run),
 * which bpf_get_local_storage returns: shared, or this CPU's copy for the per-CPU type.
 */
import { BpfMap, type MapAttr, type Result, type ValueRef } from './base.js';
import { accessOk, type AllocCheck } from './check.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import type { Region } from '../../vm/address-space.js';
import { BPF_ANY, BPF_EXIST, BPF_F, LIMITS } from './types.js';

/** sizeof(struct bpf_cgroup_storage_key) (u64 cgroup_inode_id, u32 attach_type, padding). */
const KEY_SIZE = 16;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX less sizeof(struct bpf_local_storage_elem). */
const MAX_VALUE_SIZE = 0xffff - 128;

/** cgroup_storage_map_alloc. */
export const checkCgroupStorage: AllocCheck = (attr) => {
  const max = attr.type === 'percpu_cgroup_storage' ? Math.min(MAX_VALUE_SIZE, LIMITS.PCPU_MIN_UNIT_SIZE) : MAX_VALUE_SIZE;
  if (attr.keySize !== KEY_SIZE && attr.keySize !== 8) return [-ERRNO.EINVAL, `key_size must be ${KEY_SIZE} or 8, got ${attr.keySize}`];
  if (attr.valueSize === 0) return [-ERRNO.EINVAL, 'value_size must not be 0'];
  if (attr.valueSize > max) return [-ERRNO.E2BIG, `value_size ${attr.valueSize} exceeds ${max}`];
  const flags = attr.flags ?? 0;
  const allowed = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY | BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG;
  if (flags & ~allowed || !accessOk(flags)) return [-ERRNO.EINVAL, 'flags other than NUMA_NODE and the access flags'];
  if (attr.maxEntries !== 0) return [-ERRNO.EINVAL, 'max_entries must be 0 (storage is per cgroup)'];
  return null;
};

export class CgroupStorageMap extends BpfMap {
  readonly percpu: boolean;
  /** The running test's storage: one region, or one per CPU. */
  private storage: Region[] = [];

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr);
    this.percpu = attr.type === 'percpu_cgroup_storage';
    this.beginTestRun();
  }

  /** bpf_test_run allocates the program's storage anew: the last run's becomes unreachable. */
  override beginTestRun(): void {
    for (const r of this.storage) this.retire(r, `cgroup storage of an earlier test run of map "${this.name}"`);
    const copies = this.percpu ? this.env.nrCpus : 1;
    this.storage = Array.from({ length: copies }, (_, cpu) => this.newRegion(this.valueSize, this.percpu ? `storage (CPU ${cpu})` : 'storage'));
  }

  /** bpf_get_local_storage: the running program's storage (this CPU's, per-CPU). */
  localStorage(): ValueRef {
    return { region: this.storage[this.percpu ? this.env.cpu : 0]!, offset: 0 };
  }

  /** cgroup_storage_lookup_elem: no cgroup has storage of this map. */
  override lookupElem(_key: Uint8Array): null {
    return null;
  }

  override updateElem(_key: Uint8Array, _value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY && flags !== BPF_EXIST) return -ERRNO.EINVAL;
    return -ERRNO.ENOENT;
  }

  /** cgroup_storage_delete_elem: storage goes with the cgroup, never by key. */
  override deleteElem(_key: Uint8Array): number {
    return -ERRNO.EINVAL;
  }

  override getNextKey(_key: Uint8Array | null): Result<Uint8Array> {
    return -ERRNO.ENOENT;
  }

  override get sysValueSize(): number {
    return this.percpu ? ((this.valueSize + 7) & ~7) * this.env.nrCpus : this.valueSize;
  }
}
