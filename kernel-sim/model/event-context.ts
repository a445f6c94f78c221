/**
 * The context a tracing program sees for an event, built from the kernel's real BTF: the u64 argument
 * array of fentry/fexit/fmod_ret/lsm (the target's FUNC_PROTO, the return value after the arguments) and
 * of tp_btf/raw_tp (`btf_trace_<event>`), `struct pt_regs` for kprobes and uprobes (x86-64: di, si, dx,
 * cx, r8, r9; ax the return value), the user pt_regs a `__x64_sys_*` wrapper receives for ksyscall, the
 * `struct trace_event_raw_<event>` record of a tracepoint (common header, `__data_loc` strings), and the
 * `struct bpf_iter__<target>` of each step of an iterator (iterators.ts).
 */
import type { Btf } from '../../src/btf/index.js';
import { attachProto, type TargetArg } from '../btf/attach-targets.js';
import type { BpfMap } from '../maps/index.js';
import type { KernelObject } from '../objects/heap.js';
import { ModelError } from './errors.js';
import { TRACEPOINT_CLASSES } from './tracepoint-classes-6.1.js';
import { iterWalk } from './iterators.js';
import type { EventSite } from './event-site.js';
import { isRef, type KernelModel, type ModelRef, type ModelValue } from './model.js';

/** An object made for the event: its type and fields (`{"type": "struct filename", "fields": {…}}`). */
export interface InlineObject {
  type: string;
  fields?: Readonly<Record<string, ModelValue>>;
}

/** An event argument: a number (or a `0x…`/decimal string), a string, a model object, or one made for the event. */
export type EventValue = ModelValue | InlineObject | readonly EventValue[];

/** An event `trigger()` fires: the attach point's arguments and the kernel objects they point to. */
export interface TriggerEvent {
  /** Arguments by name (the prototype's, in its order) or in order. */
  args?: Readonly<Record<string, EventValue>> | readonly EventValue[];
  /** The function's return value (kretprobe, fexit, fmod_ret, lsm: the verdict so far, 0 by default). */
  ret?: number | bigint;
  /** A tracepoint record's fields by name (`common_pid`, `filename` for a `__data_loc_filename`…). */
  fields?: Readonly<Record<string, EventValue>>;
  /** The attach target, when the section names none (`uprobe`) or another is meant. */
  target?: string;
  /** A tracepoint's record struct (`struct trace_event_raw_sched_process_template`), when not `trace_event_raw_<event>`. */
  record?: string;
  /** iter/bpf_map_elem: the map to walk (its name). */
  map?: string;
  /** iter/cgroup: the cgroup the walk starts at (a model object, its id, or a cgroup id; the root by default). */
  cgroup?: KernelObject | ModelRef | string | number;
  /** iter/cgroup: descendants_pre (default), descendants_post, ancestors_up or self_only. */
  order?: string;
  /** perf_event: the sampled registers by name (`ip`, `sp`, `di`…), the sample period and address. */
  regs?: Readonly<Record<string, number | bigint | string>>;
  sample_period?: number | bigint;
  addr?: number | bigint;
}

/** One context: its bytes and the access model the program reads it under. */
export interface EventContext {
  model: 'btf_args' | 'raw_tp' | 'kprobe' | 'tracepoint' | 'perf_event';
  bytes: Uint8Array;
  name: string;
  /** Run before the program sees this context (an iterator step sets its meta's seq_num). */
  prepare?: () => void;
  /** An iterator step after which a non-zero return ends the walk (only the NULL step follows). */
  terminatesOnNonZero?: boolean;
}

/** x86-64's argument registers, in order (arch/x86/include/asm/ptrace.h's regs_get_kernel_argument). */
export const ARG_REGS = ['di', 'si', 'dx', 'cx', 'r8', 'r9'] as const;
/** The syscall convention: the fourth argument is in r10 (rcx holds the return address). */
export const SYSCALL_ARG_REGS = ['di', 'si', 'dx', 'r10', 'r8', 'r9'] as const;

const PAGE_SIZE = 4096;

/** Where user-space strings of an event are placed in the task's user memory. */
const USER_STRINGS = 0x7ffff7f00000n;

export interface ContextInput {
  model: KernelModel;
  site: EventSite;
  event: TriggerEvent;
  /** The program's context struct from its own BTF (`trace_event_raw_sched_process_template`), if it names one. */
  ctxStruct?: string;
  /** The maps a map-element iterator may walk, by name. */
  maps?: readonly BpfMap[];
}

/** The contexts of one event (several for an iterator: one per step). */
export function eventContexts(input: ContextInput): EventContext[] {
  switch (input.site.kind) {
    case 'btf-args': case 'raw-tp': return [btfArgs(input)];
    case 'kprobe': case 'uprobe': return [ptRegs(input)];
    case 'ksyscall': return [syscallRegs(input)];
    case 'tracepoint': return [tracepointRecord(input)];
    case 'iter': return iterSteps(input);
    case 'perf-event': return [perfEventData(input)];
  }
}

class Values {
  private userNext = USER_STRINGS;
  constructor(private readonly model: KernelModel, private readonly user: boolean, private readonly where: string) {}

  /** The u64 an argument is passed as. */
  u64(v: EventValue, name: string): bigint {
    if (typeof v === 'number' || typeof v === 'bigint') return BigInt.asUintN(64, BigInt(v));
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (v === null) return 0n;
    if (typeof v === 'string') {
      if (/^-?(0x[0-9a-f]+|\d+)$/i.test(v)) return BigInt.asUintN(64, v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v));
      return this.user ? this.userString(v) : this.model.kernelString(v);
    }
    if (v instanceof Uint8Array || Array.isArray(v)) throw new ModelError(`${this.where}: argument '${name}' is an array; give a number, a string or an object`);
    return this.object(v as KernelObject | ModelRef | InlineObject, name).home.region.base;
  }

  object(v: KernelObject | ModelRef | InlineObject, name: string): KernelObject {
    if (isRef(v)) return this.model.resolveRef(v);
    if (isInline(v)) return this.model.create(v.type, v.fields ?? {});
    if (typeof (v as KernelObject).home === 'object') return v as KernelObject;
    throw new ModelError(`${this.where}: argument '${name}' is not a number, string or object`);
  }

  /** A string in user memory, on pages of its own (so reads past its NUL, as in a real page, succeed). */
  private userString(s: string): bigint {
    const enc = new TextEncoder().encode(s);
    const bytes = new Uint8Array(Math.ceil((enc.length + 1) / PAGE_SIZE) * PAGE_SIZE);
    bytes.set(enc);
    const at = this.userNext;
    this.model.userMemory().map(at, bytes);
    this.userNext += BigInt(bytes.length);
    return at;
  }
}

function isInline(v: unknown): v is InlineObject {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && !('home' in (v as object));
}

/** The event's arguments in prototype order: by name when they are the prototype's names, else as given. */
function orderedArgs(event: TriggerEvent, names: readonly string[] | undefined, where: string): { name: string; value: EventValue }[] {
  const a = event.args ?? [];
  if (Array.isArray(a)) return a.map((value, i) => ({ name: names?.[i] ?? `arg${i + 1}`, value }));
  const given = Object.entries(a as Record<string, EventValue>);
  if (names === undefined || !given.every(([n]) => names.includes(n))) {
    if (names !== undefined && given.some(([n]) => names.includes(n))) {
      const unknown = given.filter(([n]) => !names.includes(n)).map(([n]) => n);
      throw new ModelError(`${where}: no argument ${unknown.map((n) => `'${n}'`).join(', ')} (its arguments: ${names.join(', ')})`);
    }
    return given.map(([name, value]) => ({ name, value }));
  }
  // by the prototype's names: arguments not given are 0
  return names.map((n) => ({ name: n, value: (a as Record<string, EventValue>)[n] ?? 0 }));
}

function btfArgs({ model, site, event }: ContextInput): EventContext {
  const btf = model.types.btf;
  const progType = site.attach === 'LSM' ? 'LSM' : 'TRACING';
  const attach = site.kind === 'raw-tp' ? 'TRACE_RAW_TP' : site.attach;
  const proto = attachProto(btf, progType, attach, site.target);
  const where = `${site.kind === 'raw-tp' ? 'btf_trace_' : ''}${site.target || '(no target)'}`;
  if (proto === undefined) throw new ModelError(`the kernel's BTF has no attach target ${where}`);
  const values = new Values(model, false, where);
  const bytes = new Uint8Array(96);
  const dv = new DataView(bytes.buffer);
  // btf_trace_<event>'s typedef leaves its parameters unnamed; __bpf_trace_<event> (the probe the
  // tracepoint calls, with the same arguments after `void *__data`) names them
  let names = proto.args.map((x) => x.name);
  if (names.some((n) => n === '') && site.kind === 'raw-tp') names = paramNames(btf, `__bpf_trace_${proto.name}`)?.slice(1) ?? names;
  const args = orderedArgs(event, names.some((n) => n === '') ? undefined : names, where);
  if (args.length > proto.args.length) throw new ModelError(`${where}: ${args.length} arguments for a prototype of ${proto.args.length}`);
  let end = 0;
  args.forEach((x, i) => {
    const at: TargetArg = proto.args[i]!;
    dv.setBigUint64(at.off, values.u64(x.value, x.name), true);
  });
  for (const a of proto.args) end = Math.max(end, a.off + 8);
  if (site.ret && proto.ret !== 0) dv.setBigUint64(end, BigInt.asUintN(64, BigInt(event.ret ?? 0)), true);
  return { model: site.kind === 'raw-tp' ? 'raw_tp' : 'btf_args', bytes, name: `${where} args` };
}

/** The names of a kernel function's parameters, from its FUNC_PROTO in BTF. */
function paramNames(btf: Btf, func: string): string[] | undefined {
  const id = btf.idByName(func, 'FUNC');
  if (id === undefined) return undefined;
  const f = btf.type(id);
  if (f.kind !== 'FUNC') return undefined;
  const p = btf.type(f.type);
  return p.kind === 'FUNC_PROTO' ? p.params.map((x) => x.name) : undefined;
}

function writeRegs(model: KernelModel, bytes: Uint8Array, values: readonly bigint[], regs: readonly string[], where: string): void {
  if (values.length > regs.length) throw new ModelError(`${where}: ${values.length} arguments; pt_regs passes ${regs.length} in registers`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  values.forEach((v, i) => dv.setBigUint64(regOffset(model, regs[i]!), v, true));
}

function regOffset(model: KernelModel, reg: string): number {
  const m = model.types.member('struct pt_regs', reg);
  if (m === undefined) throw new ModelError(`struct pt_regs has no register ${reg}`);
  return m.offset;
}

function ptRegs({ model, site, event }: ContextInput): EventContext {
  const where = `${site.kind === 'uprobe' ? 'uprobe' : 'kprobe'} ${site.target || '(no target)'}`;
  const names = site.kind === 'kprobe' && site.target !== '' ? paramNames(model.types.btf, site.target) : undefined;
  // a function without BTF (and every uprobe): the arguments in the order given
  const values = new Values(model, site.kind === 'uprobe', where);
  const bytes = new Uint8Array(model.types.sizeOf('struct pt_regs'));
  writeRegs(model, bytes, orderedArgs(event, names, where).map((x) => values.u64(x.value, x.name)), ARG_REGS, where);
  if (site.ret) new DataView(bytes.buffer).setBigUint64(regOffset(model, 'ax'), BigInt.asUintN(64, BigInt(event.ret ?? 0)), true);
  return { model: 'kprobe', bytes, name: `${where} pt_regs` };
}

/**
 * ksyscall: libbpf attaches a kprobe to `__x64_sys_<name>` (6.1 x86-64 has the syscall wrapper), whose
 * only argument, in di, is the user pt_regs holding the syscall's arguments (di, si, dx, r10, r8, r9).
 */
function syscallRegs({ model, site, event }: ContextInput): EventContext {
  const where = `ksyscall ${site.target || '(no target)'}`;
  if (site.target !== '' && model.types.btf.idByName(`__x64_sys_${site.target}`, 'FUNC') === undefined) {
    throw new ModelError(`${where}: the kernel's BTF has no __x64_sys_${site.target}`);
  }
  const values = new Values(model, true, where);
  const inner = model.create('struct pt_regs');
  writeRegs(model, inner.bytes, orderedArgs(event, undefined, where).map((x) => values.u64(x.value, x.name)), SYSCALL_ARG_REGS, where);
  const bytes = new Uint8Array(model.types.sizeOf('struct pt_regs'));
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(regOffset(model, 'di'), inner.home.region.base, true);
  if (site.ret) dv.setBigUint64(regOffset(model, 'ax'), BigInt.asUintN(64, BigInt(event.ret ?? 0)), true);
  return { model: 'kprobe', bytes, name: `${where} pt_regs` };
}

/**
 * The record struct of a tracepoint: given, the program's own, `trace_event_raw_<event>`, that of the
 * event's class (DEFINE_EVENT), or the syscalls' shared ones.
 */
function recordStruct(btf: Btf, target: string, given: string | undefined, ctxStruct: string | undefined): string {
  const event = target.slice(target.lastIndexOf('/') + 1);
  const tried: string[] = [];
  const candidates = [
    given?.replace(/^struct\s+/, ''), ctxStruct?.startsWith('trace_event_raw_') ? ctxStruct : undefined, `trace_event_raw_${event}`,
    TRACEPOINT_CLASSES[event] === undefined ? undefined : `trace_event_raw_${TRACEPOINT_CLASSES[event]}`,
    event.startsWith('sys_enter_') ? 'trace_event_raw_sys_enter' : event.startsWith('sys_exit_') ? 'trace_event_raw_sys_exit' : undefined,
  ];
  for (const c of candidates) {
    if (c === undefined) continue;
    if (btf.idByName(c, 'STRUCT') !== undefined) return c;
    tried.push(c);
  }
  throw new ModelError(`tracepoint ${target}: no record struct in the kernel's BTF (tried ${tried.join(', ')}); give the event's "record"`);
}

function tracepointRecord({ model, site, event, ctxStruct }: ContextInput): EventContext {
  const types = model.types;
  const struct = recordStruct(types.btf, site.target, event.record, ctxStruct);
  const where = `tracepoint ${site.target} (struct ${struct})`;
  const size = types.sizeOf(`struct ${struct}`);
  let bytes = new Uint8Array(size);
  const values = new Values(model, false, where);
  const member = (name: string) => types.member(`struct ${struct}`, name);
  const ent = member('ent')!.offset;
  const entPid = types.member('struct trace_entry', 'pid')!.offset;
  new DataView(bytes.buffer).setInt32(ent + entPid, Number(model.current.get('pid')), true);
  const tail: number[] = [];
  const writes: [number, number, EventValue, string][] = [];
  for (const [name, v] of Object.entries(event.fields ?? {})) {
    const common = /^common_(\w+)$/.exec(name);
    if (common !== null) {
      const m = types.member('struct trace_entry', common[1]!);
      if (m === undefined) throw new ModelError(`${where}: the common header has no field '${common[1]}'`);
      writes.push([ent + m.offset, m.type, v, name]);
      continue;
    }
    const m = member(name);
    if (m !== undefined) {
      writes.push([m.offset, m.type, v, name]);
      continue;
    }
    const loc = member(`__data_loc_${name}`);
    if (loc === undefined || typeof v !== 'string') throw new ModelError(`${where}: no field '${name}'`);
    // a __data_loc string: after the record, located by (length << 16) | offset
    const enc = [...new TextEncoder().encode(v), 0];
    const off = size + tail.length;
    tail.push(...enc);
    writes.unshift([loc.offset, loc.type, (enc.length << 16) | off, `__data_loc_${name}`]);
  }
  if (tail.length > 0) {
    const grown = new Uint8Array(size + tail.length);
    grown.set(bytes);
    grown.set(tail, size);
    bytes = grown;
  }
  for (const [off, type, v, name] of writes) writeField(model, bytes, off, type, v, values, `${where}: field '${name}'`);
  return { model: 'tracepoint', bytes, name: `${struct} record` };
}

/** A record field: an integer, a char array from a string, an array from a list, a pointer. */
function writeField(model: KernelModel, bytes: Uint8Array, off: number, type: number, v: EventValue, values: Values, where: string): void {
  const btf = model.types.btf;
  const t = btf.type(btf.resolve(type));
  const size = model.types.sizeOf(type);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (t.kind === 'ARRAY') {
    if (typeof v === 'string') {
      const enc = new TextEncoder().encode(v).subarray(0, size - 1);
      bytes.fill(0, off, off + size);
      bytes.set(enc, off);
      return;
    }
    if (!Array.isArray(v)) throw new ModelError(`${where}: an array field takes a list (or a string for chars)`);
    const es = model.types.sizeOf(t.type);
    if (v.length > t.nelems) throw new ModelError(`${where}: ${v.length} elements for ${t.nelems}`);
    v.forEach((x, i) => writeField(model, bytes, off + i * es, t.type, x, values, where));
    return;
  }
  if (![1, 2, 4, 8].includes(size)) throw new ModelError(`${where}: ${model.types.textOf(type)} cannot be set from an event`);
  const x = values.u64(v, where);
  switch (size) {
    case 1: dv.setUint8(off, Number(x & 0xffn)); break;
    case 2: dv.setUint16(off, Number(x & 0xffffn), true); break;
    case 4: dv.setUint32(off, Number(x & 0xffffffffn), true); break;
    default: dv.setBigUint64(off, x, true);
  }
}

/** perf_event: bpf_perf_event_data, the registers at the sample (pt_regs layout) then sample_period and addr. */
function perfEventData({ model, event }: ContextInput): EventContext {
  const regsSize = model.types.sizeOf('struct pt_regs');
  const bytes = new Uint8Array(regsSize + 16);
  const dv = new DataView(bytes.buffer);
  const values = new Values(model, false, 'perf_event');
  for (const [reg, v] of Object.entries(event.regs ?? {})) dv.setBigUint64(regOffset(model, reg), values.u64(v, reg), true);
  dv.setBigUint64(regsSize, BigInt.asUintN(64, BigInt(event.sample_period ?? 0)), true);
  dv.setBigUint64(regsSize + 8, BigInt.asUintN(64, BigInt(event.addr ?? 0)), true);
  return { model: 'perf_event', bytes, name: 'bpf_perf_event_data' };
}

/**
 * The steps of an iterator (iterators.ts says what each target walks): each step's `struct
 * bpf_iter__<target>` from the kernel's BTF, its `meta` pointing to a `struct bpf_iter_meta` with the
 * seq_file and the step's seq_num; the last step is the NULL one 6.1's seq_stop makes.
 */
function iterSteps({ model, site, event, maps }: ContextInput): EventContext[] {
  const walk = iterWalk(model, site.target, event, maps ?? []);
  const struct = `struct bpf_iter__${site.target}`;
  if (model.types.btf.idByName(`bpf_iter__${site.target}`, 'STRUCT') === undefined) throw new ModelError(`iter/${site.target}: the kernel's BTF has no ${struct}`);
  const seq = model.create('struct seq_file');
  const meta = model.create('struct bpf_iter_meta');
  meta.set('seq', seq.home.region.base);
  meta.set('session_id', 1);
  const size = Math.max(96, model.types.sizeOf(struct));
  return walk.steps.map((step, i) => {
    const bytes = new Uint8Array(size);
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(model.types.member(struct, 'meta')!.offset, meta.home.region.base, true);
    for (const [name, v] of Object.entries(step)) {
      const m = model.types.member(struct, name);
      if (m === undefined) throw new ModelError(`iter/${site.target}: ${struct} has no member '${name}'`);
      const n = model.types.sizeOf(m.type);
      if (n === 8) dv.setBigUint64(m.offset, v, true);
      else if (n === 4) dv.setUint32(m.offset, Number(v & 0xffffffffn), true);
      else throw new ModelError(`iter/${site.target}: ${struct}.${name} is ${n} bytes`);
    }
    return {
      model: 'btf_args' as const, bytes, name: `bpf_iter__${site.target} #${i}`, prepare: () => meta.set('seq_num', i),
      ...(walk.terminates && { terminatesOnNonZero: true }),
    };
  });
}
