/**
 * Where a tracing program is attached, read from its libbpf section name as libbpf reads it
 * (`kprobe/do_unlinkat`, `fexit/do_unlinkat`, `tp/sched/sched_process_exec`, `ksyscall/tgkill`,
 * `tp_btf/sched_switch`, `lsm/file_open`, `iter/task`, `uprobe`…): which kind of context an event
 * builds for it, and for which target.
 */
import { ModelError } from './errors.js';

export type SiteKind =
  /** fentry, fexit, fmod_ret, lsm: the target's arguments as u64s (and the return value after them). */
  | 'btf-args'
  /** tp_btf and raw_tp: the arguments of `btf_trace_<event>` as u64s. */
  | 'raw-tp'
  /** kprobe/kretprobe: `struct pt_regs` with the x86-64 calling convention. */
  | 'kprobe'
  /** ksyscall/kretsyscall: a kprobe on `__x64_sys_<name>`, whose di points to the user pt_regs. */
  | 'ksyscall'
  /** uprobe/uretprobe/usdt: pt_regs of a user function; pointers are the task's user addresses. */
  | 'uprobe'
  /** tp/tracepoint: the `struct trace_event_raw_<event>` record. */
  | 'tracepoint'
  /** iter/<target>: one call per object the iterator walks, then one with NULL. */
  | 'iter'
  /** perf_event: `struct bpf_perf_event_data` (the sampled registers, sample_period, addr). */
  | 'perf-event';

export interface EventSite {
  kind: SiteKind;
  /** The function, event (`sched/sched_switch` for tracepoints) or iterator target; '' when the section names none. */
  target: string;
  /** Whether the program sees the function's return value (kretprobe, fexit, fmod_ret, lsm, uretprobe). */
  ret: boolean;
  /** For btf-args: the TRACING attach type (TRACE_FENTRY…) or 'LSM'. */
  attach?: string;
}

const PREFIXES: Readonly<Record<string, Omit<EventSite, 'target'>>> = {
  fentry: { kind: 'btf-args', ret: false, attach: 'TRACE_FENTRY' },
  fexit: { kind: 'btf-args', ret: true, attach: 'TRACE_FEXIT' },
  fmod_ret: { kind: 'btf-args', ret: true, attach: 'MODIFY_RETURN' },
  lsm: { kind: 'btf-args', ret: true, attach: 'LSM' },
  lsm_cgroup: { kind: 'btf-args', ret: true, attach: 'LSM' },
  tp_btf: { kind: 'raw-tp', ret: false },
  raw_tp: { kind: 'raw-tp', ret: false },
  raw_tracepoint: { kind: 'raw-tp', ret: false },
  kprobe: { kind: 'kprobe', ret: false },
  kretprobe: { kind: 'kprobe', ret: true },
  ksyscall: { kind: 'ksyscall', ret: false },
  kretsyscall: { kind: 'ksyscall', ret: true },
  uprobe: { kind: 'uprobe', ret: false },
  uretprobe: { kind: 'uprobe', ret: true },
  usdt: { kind: 'uprobe', ret: false },
  tp: { kind: 'tracepoint', ret: false },
  tracepoint: { kind: 'tracepoint', ret: false },
  iter: { kind: 'iter', ret: false },
  perf_event: { kind: 'perf-event', ret: false },
};

/** The event site of a section name; `target` (an event's own) replaces the section's. */
export function eventSite(section: string, target?: string): EventSite {
  const s = section.trim();
  const slash = s.indexOf('/');
  const head = (slash < 0 ? s : s.slice(0, slash)).replace(/\.(s|w)$/, '');
  const row = PREFIXES[head];
  if (row === undefined) {
    throw new ModelError(`section "${section}" is not a tracing attach point an event can trigger (${Object.keys(PREFIXES).join(', ')})`);
  }
  let t = slash < 0 ? '' : s.slice(slash + 1);
  // uprobe/<binary>:<function>: the function
  if (row.kind === 'uprobe' && t.includes(':')) t = t.slice(t.lastIndexOf(':') + 1).replace(/\+.*$/, '');
  if (row.kind === 'kprobe') t = t.replace(/\+.*$/, '');
  return { ...row, target: target ?? t };
}
