/**
 * Every kfunc Linux 6.1 registers (shared/docs/kfuncs-6.1-catalogue.md), registered as the kernel does.
 * The TCP congestion-control kfuncs of struct_ops (tcp_reno_*, cubictcp_*) are verified but not run: the
 * simulated kernel has no TCP stack for them to act on (dctcp_* and bbr_* are modules in Debian's 6.1).
 */
import type { Btf } from '../../../src/btf/index.js';
import { KfuncRegistry } from '../registry.js';
import { NF_CT_KFUNC_SET, NF_NAT_KFUNC_SET } from './conntrack.js';
import { KEY_SIG_KFUNC_SET } from './keys.js';
import { TCP_CA_KFUNC_SET } from './tcp-ca.js';
import { TEST_SK_CHECK_KFUNC_IDS } from './test-run.js';
import { BPF_RSTAT_KFUNC_IDS, TRACING_KFUNC_SET } from './tracing.js';

/** The register_btf_kfunc_id_set calls of 6.1, in boot order. */
export function registerLinux61(r: KfuncRegistry): void {
  const builtin = { deferTypeCheck: true };
  r.register('TRACING', TRACING_KFUNC_SET, builtin);
  r.register('TRACING', BPF_RSTAT_KFUNC_IDS, builtin);
  r.register('SCHED_CLS', TEST_SK_CHECK_KFUNC_IDS, builtin);
  r.register('TRACING', TEST_SK_CHECK_KFUNC_IDS, builtin);
  r.register('SYSCALL', TEST_SK_CHECK_KFUNC_IDS, builtin);
  r.register('TRACING', KEY_SIG_KFUNC_SET, builtin);
  r.register('XDP', NF_CT_KFUNC_SET, builtin);
  r.register('SCHED_CLS', NF_CT_KFUNC_SET, builtin);
  r.register('XDP', NF_NAT_KFUNC_SET, builtin);
  r.register('SCHED_CLS', NF_NAT_KFUNC_SET, builtin);
  r.register('STRUCT_OPS', TCP_CA_KFUNC_SET, builtin);
}

/** A registry holding the 6.1 catalogue (add your own sets to it, or start from `new KfuncRegistry()`). */
export function linux61Registry(): KfuncRegistry {
  const r = new KfuncRegistry();
  registerLinux61(r);
  return r;
}

let shared: KfuncRegistry | undefined;
/**
 * A cache, not kernel state: the 6.1 catalogue registered over a BTF (immutable) is the same every time,
 * so loads over the same kernel BTF share one registry (as they share the default one).
 */
const perKernel = new WeakMap<Btf, KfuncRegistry>();

/**
 * The 6.1 catalogue over another kernel's vmlinux BTF (`kernelBtf`: e.g. the user's own
 * /sys/kernel/btf/vmlinux): kernel types, kfunc ids and kernel variables come from that BTF.
 */
export function registryForKernel(btf: Btf): KfuncRegistry {
  let r = perKernel.get(btf);
  if (r === undefined) {
    r = new KfuncRegistry({ kernelBtf: btf });
    registerLinux61(r);
    perKernel.set(btf, r);
  }
  return r;
}

/** The 6.1 catalogue registry, shared (its BTF ids are the ones `bpfvm kfuncs` prints). */
export function defaultRegistry(): KfuncRegistry {
  return (shared ??= linux61Registry());
}
