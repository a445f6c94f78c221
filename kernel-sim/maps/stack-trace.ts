/**
 * BPF_MAP_TYPE_STACK_TRACE: stack ids → instruction pointers (or build ids). The simulated kernel has no
 * call stacks to sample, so bpf_get_stackid fails as the kernel does when no callchain can be taken
 * (-EFAULT) and the map stays empty: user space finds no ids, and cannot store any (-EINVAL, as in 6.1).
 */
import { arrayIndex } from './array.js';
import { BpfMap, type Result } from './base.js';
import type { AllocCheck } from './check.js';
import { ERRNO } from './errno.js';
import { BPF_F } from './types.js';

const STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY | BPF_F.STACK_BUILD_ID;
/** sysctl kernel.perf_event_max_stack's default. */
export const PERF_EVENT_MAX_STACK = 127;
/** sizeof(struct bpf_stack_build_id). */
const BUILD_ID_ENTRY = 32;

/** stack_map_alloc's checks. */
export const checkStackTrace: AllocCheck = (attr, env) => {
  if (!env.capBpf) return [-ERRNO.EPERM, 'stack_trace maps need CAP_BPF'];
  const flags = attr.flags ?? 0;
  if (flags & ~STACK_CREATE_FLAG_MASK) return [-ERRNO.EINVAL, 'flags other than NUMA_NODE, RDONLY, WRONLY, STACK_BUILD_ID'];
  const v = attr.valueSize;
  if (attr.maxEntries === 0 || attr.keySize !== 4 || v < 8 || v % 8 !== 0) {
    return [-ERRNO.EINVAL, 'max_entries must not be 0, key_size must be 4, value_size a non-zero multiple of 8'];
  }
  const entry = flags & BPF_F.STACK_BUILD_ID ? BUILD_ID_ENTRY : 8;
  if (v % entry !== 0 || v / entry > PERF_EVENT_MAX_STACK) {
    return [-ERRNO.EINVAL, `value_size must hold at most ${PERF_EVENT_MAX_STACK} entries of ${entry} bytes`];
  }
  if (attr.maxEntries > 2 ** 31) return [-ERRNO.E2BIG, 'max_entries above 2^31'];
  return null;
};

export class StackTraceMap extends BpfMap {
  /** roundup_pow_of_two(max_entries): the ids the map can hold. */
  get nBuckets(): number {
    return 2 ** Math.ceil(Math.log2(this.maxEntries));
  }

  /** Programs cannot look stacks up (stack_map_lookup_elem: -EOPNOTSUPP; the verifier refuses the call). */
  override lookupElem(): null {
    return null;
  }

  /** stack_map_update_elem. */
  override updateElem(): number {
    return -ERRNO.EINVAL;
  }

  /** stack_map_delete_elem: -E2BIG past the buckets, -ENOENT for an empty one. */
  override deleteElem(key: Uint8Array): number {
    return arrayIndex(key) >= this.nBuckets ? -ERRNO.E2BIG : -ERRNO.ENOENT;
  }

  /** stack_map_get_next_key: no bucket is ever filled. */
  override getNextKey(_key: Uint8Array | null): Result<Uint8Array> {
    return -ERRNO.ENOENT;
  }

  /** bpf_stackmap_copy: -ENOENT for an empty bucket. */
  protected override copyOut(): Result<Uint8Array> {
    return -ERRNO.ENOENT;
  }
}
