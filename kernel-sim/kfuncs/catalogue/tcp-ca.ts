/**
 * Linux 6.1's TCP congestion-control kfuncs, registered for STRUCT_OPS programs: bpf_tcp_ca.c's
 * bpf_tcp_ca_check_kfunc_ids (the reno helpers and slow start) and tcp_cubic.c's tcp_cubic_check_kfunc_ids
 * (built in: CONFIG_TCP_CONG_CUBIC=y in Debian's 6.1; DCTCP and BBR are modules, =m, whose kfuncs a kernel
 * without them loaded does not have). The verifier checks calls to them as 6.1 does; the simulated kernel
 * has no TCP stack, so a call at run time stops the run naming the kfunc.
 */
import { HelperFault } from '../../../vm/machine.js';
import { defineKfunc as k, kfuncSet } from '../define.js';
import { idFlags, type KfuncImpl } from '../types.js';

const noTcpStack: KfuncImpl = (c) => {
  throw new HelperFault('unknown-helper', `kfunc ${c.name} is not simulated: the simulated kernel has no TCP stack`);
};

const PROTOTYPES = [
  // net/ipv4/bpf_tcp_ca.c
  'u32 tcp_reno_ssthresh(struct sock *sk)',
  'void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)',
  'u32 tcp_reno_undo_cwnd(struct sock *sk)',
  'u32 tcp_slow_start(struct tcp_sock *tp, u32 acked)',
  'void tcp_cong_avoid_ai(struct tcp_sock *tp, u32 w, u32 acked)',
  // net/ipv4/tcp_cubic.c
  'void cubictcp_init(struct sock *sk)',
  'u32 cubictcp_recalc_ssthresh(struct sock *sk)',
  'void cubictcp_cong_avoid(struct sock *sk, u32 ack, u32 acked)',
  'void cubictcp_state(struct sock *sk, u8 new_state)',
  'void cubictcp_cwnd_event(struct sock *sk, enum tcp_ca_event event)',
  'void cubictcp_acked(struct sock *sk, const struct ack_sample *sample)',
];

/** BTF_SET8 bpf_tcp_ca_check_kfunc_ids and tcp_cubic_check_kfunc_ids, no flags. */
export const TCP_CA_KFUNC_SET = kfuncSet('bpf_tcp_ca', PROTOTYPES.map((p) => idFlags(k(p, noTcpStack))));
