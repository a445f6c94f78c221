/**
 * sock_ops helpers over the context sock_ops programs run on (kernel-sim/progtypes/cgroup-runs.ts): the
 * context region's owner is a `SockOpsState` holding the bpf_sock_ops bytes the program sees.
 */
import type { HelperFn } from '../../vm/machine.js';
import { errno, ERRNO } from './args.js';

/** What a sock_ops context region's owner offers its helpers. */
export interface SockOpsState {
  readonly kind: 'sock_ops';
  /** Whether the context has a full (TCP) socket (is_fullsock). */
  fullsock(): boolean;
  /** tcp_sock->bpf_sock_ops_cb_flags, as bpf_sock_ops.bpf_sock_ops_cb_flags reads it. */
  setCbFlags(flags: number): void;
}

export function isSockOpsState(o: unknown): o is SockOpsState {
  return typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === 'sock_ops';
}

/** BPF_SOCK_OPS_ALL_CB_FLAGS of 6.1: RTO, RETRANS, STATE, RTT, PARSE_ALL_HDR_OPT, PARSE_UNKNOWN_HDR_OPT, WRITE_HDR_OPT. */
const ALL_CB_FLAGS = 0x7f;

/**
 * bpf_sock_ops_cb_flags_set(bpf_sock, argval): -EINVAL without a full socket; otherwise the socket's
 * callback flags become argval's supported bits, and the unsupported bits are returned (0: all set).
 */
export const sockOpsCbFlagsSet: HelperFn = (ctx, r1, r2) => {
  const owner = ctx.space.regionAt(r1)?.owner;
  if (!isSockOpsState(owner) || !owner.fullsock()) return errno(ERRNO.EINVAL);
  const argval = Number(BigInt.asIntN(32, r2));
  owner.setCbFlags(argval & ALL_CB_FLAGS);
  return BigInt.asUintN(64, BigInt(argval & ~ALL_CB_FLAGS));
};
