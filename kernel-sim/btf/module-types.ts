/**
 * Types of the kernel modules the simulation behaves as if loaded, where vmlinux's BTF lacks them: in
 * Debian's 6.1 nf_conntrack is a module (CONFIG_NF_CONNTRACK=m), so its kfuncs (bpf_xdp_ct_lookup, …) and
 * the struct their callers fill (net/netfilter/nf_conntrack_bpf.c) live in nf_conntrack's BTF, not
 * vmlinux's. The simulated kernel adds them after vmlinux's ids, as that module's split BTF would.
 */
import type { TypeDef } from './ctypes.js';

export const MODULE_TYPES: readonly TypeDef[] = [
  // struct bpf_ct_opts of nf_conntrack_bpf.c (6.1)
  { kind: 'struct', name: 'bpf_ct_opts', members: [['netns_id', 's32'], ['error', 's32'], ['l4proto', 'u8'], ['dir', 'u8'], ['reserved', 'u8[2]']] },
];
