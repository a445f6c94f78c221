/**
 * bpf_get_retval / bpf_set_retval (kernel/bpf/cgroup.c, 6.1): the retval of the cgroup run context, which
 * the hook returns to the syscall. A test run binds the cell to its run (`kernel.run.cgroupRetval`; sockopt
 * programs share it with bpf_sockopt.retval); without one the run context's retval is the 0 every cgroup
 * run starts with.
 */
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { ret } from './args.js';

export const getRetval = (k: Kernel): HelperFn => () => ret(k.run?.cgroupRetval?.get() ?? 0);

export const setRetval = (k: Kernel): HelperFn => (_ctx, retval) => {
  k.run?.cgroupRetval?.set(Number(BigInt.asIntN(32, retval)));
  return ret(0);
};
