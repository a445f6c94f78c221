/**
 * Linux 6.1's other tracing-hook kfuncs: kernel/cgroup/rstat.c (cgroup_rstat_updated, and the sleepable
 * cgroup_rstat_flush) and kernel/bpf/helpers.c's tracing_kfunc_set (crash_kexec, destructive: the
 * simulation only records the call).
 */
import type { KernelObject } from '../../objects/heap.js';
import type { KernelWorld } from '../../objects/world.js';
import { defineKfunc as k, kfuncSet } from '../define.js';
import { idFlags } from '../types.js';

function rstatOf(world: KernelWorld, cgrp: KernelObject) {
  let s = world.rstat.get(cgrp);
  if (s === undefined) world.rstat.set(cgrp, (s = { pending: new Set(), flushes: 0 }));
  return s;
}

export const rstatUpdated = k('void cgroup_rstat_updated(struct cgroup *cgrp, int cpu)',
  (c) => void rstatOf(c.world, c.object(0)).pending.add(Number(c.scalar(1))));
export const rstatFlush = k('void cgroup_rstat_flush(struct cgroup *cgrp)', (c) => {
  const s = rstatOf(c.world, c.object(0));
  s.pending.clear();
  s.flushes++;
});
export const crashKexec = k('void crash_kexec(struct pt_regs *regs)', (c) => {
  c.world.destructiveCalls.push({ kfunc: c.name, insn: c.ctx.pc });
});

export const BPF_RSTAT_KFUNC_IDS = kfuncSet('kernel/cgroup/rstat.c', [
  idFlags(rstatUpdated),
  idFlags(rstatFlush, 'KF_SLEEPABLE'),
]);

export const TRACING_KFUNC_SET = kfuncSet('kernel/bpf/helpers.c', [idFlags(crashKexec, 'KF_DESTRUCTIVE')]);
