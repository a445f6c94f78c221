/**
 * bpf_get_stackid: the simulated kernel has no call stack to sample, so after 6.1's flag check (-EINVAL)
 * it answers as the kernel does when get_perf_callchain gives nothing: -EFAULT.
 */
import type { HelperFn } from '../../vm/machine.js';
import { StackTraceMap } from '../maps/stack-trace.js';
import { errno, ERRNO, mapOfKind } from './args.js';

/** BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID. */
const STACKID_FLAGS = 0xffn | 1n << 8n | 1n << 9n | 1n << 10n;

export const getStackid: HelperFn = (ctx, _regs, map, flags) => {
  mapOfKind(ctx, 'bpf_get_stackid', 2, map, StackTraceMap, 'a stack_trace map');
  if (flags & ~STACKID_FLAGS) return errno(ERRNO.EINVAL);
  return errno(ERRNO.EFAULT);
};
