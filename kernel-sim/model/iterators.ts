/**
 * What an iterator program (`iter/<target>`) walks in the kernel model, as 6.1's seq iterators do: the
 * pointer members of each step's `struct bpf_iter__<target>` (by name, laid out from the kernel's BTF),
 * then the last step the kernel's seq_stop makes, with every object pointer NULL.
 *
 * - task: every task, in pid order.
 * - task_file: each process's open files (fd order); a thread sharing its leader's files is skipped.
 * - task_vma: each process's memory mappings (address order), likewise.
 * - bpf_map: every map of the kernel, by id. bpf_map_elem: the elements of the event's `map`.
 * - cgroup: from the event's `cgroup` (the root by default) in its `order` (descendants_pre by default,
 *   descendants_post, ancestors_up, self_only); an offline cgroup (no CSS_ONLINE) is skipped, and a
 *   program returning non-zero ends the walk.
 * - tcp, udp, unix: the model's sockets of that kind (listening TCP sockets first, as the listening hash
 *   is walked before the established one), with the socket's owner uid (0 for TIME_WAIT).
 */
import { PERM_R } from '../../vm/address-space.js';
import { BpfMap } from '../maps/base.js';
import type { KernelObject } from '../objects/heap.js';
import { ModelError } from './errors.js';
import type { KernelModel } from './model.js';
import { CSS_ONLINE } from './model-objects.js';
import { sockField, sockPath } from './sockets.js';

/** One step: the iterator context's members (other than meta) by name. */
export type IterStep = Record<string, bigint>;

/** The cgroup walk orders of `enum bpf_cgroup_iter_order`. */
export const CGROUP_ITER_ORDERS = ['self_only', 'descendants_pre', 'descendants_post', 'ancestors_up'] as const;
export type CgroupIterOrder = (typeof CGROUP_ITER_ORDERS)[number];

export interface IterEvent {
  map?: string;
  /** iter/cgroup: where the walk starts (a model object, its id, or a cgroup id number). */
  cgroup?: unknown;
  order?: string;
}

/** The iterator targets the model can walk. */
export const ITER_TARGETS = ['task', 'task_file', 'task_vma', 'bpf_map', 'bpf_map_elem', 'cgroup', 'tcp', 'udp', 'unix'] as const;

const AF_UNIX = 1n;
const AF_INET = 2n;
const AF_INET6 = 10n;
const IPPROTO_TCP = 6n;
const IPPROTO_UDP = 17n;
const TCP_TIME_WAIT = 6n;
const TCP_LISTEN = 10n;

export interface IterWalk {
  steps: IterStep[];
  /** Whether a non-zero return ends the walk (cgroup_iter's terminate). */
  terminates: boolean;
}

export function iterWalk(model: KernelModel, target: string, event: IterEvent, maps: readonly BpfMap[]): IterWalk {
  const addr = (o: KernelObject): bigint => o.home.region.base;
  switch (target) {
    case 'task':
      return { steps: [...model.tasks().map((t) => ({ task: addr(t) })), { task: 0n }], terminates: false };
    case 'task_file': {
      const steps: IterStep[] = [];
      for (const t of processes(model, 'files')) {
        for (const f of model.taskState.openFiles(t)) steps.push({ task: addr(t), fd: BigInt(f.fd), file: f.file });
      }
      return { steps: [...steps, { task: 0n, fd: 0n, file: 0n }], terminates: false };
    }
    case 'task_vma': {
      const steps: IterStep[] = [];
      for (const t of processes(model, 'mm')) for (const v of model.taskState.vmas(t)) steps.push({ task: addr(t), vma: addr(v) });
      return { steps: [...steps, { task: 0n, vma: 0n }], terminates: false };
    }
    case 'bpf_map':
      return { steps: [...allMaps(model).map((m) => ({ map: m.object.base })), { map: 0n }], terminates: false };
    case 'bpf_map_elem':
      return { steps: mapElemSteps(model, event, maps), terminates: false };
    case 'cgroup':
      return { steps: [...cgroupWalk(model, event).map((c) => ({ cgroup: addr(c) })), { cgroup: 0n }], terminates: true };
    case 'tcp': {
      const socks = sockets(model, 'tcp');
      const ordered = [...socks.filter((s) => sockField(s, '__sk_common.skc_state') === TCP_LISTEN), ...socks.filter((s) => sockField(s, '__sk_common.skc_state') !== TCP_LISTEN)];
      return { steps: [...ordered.map((s) => ({ sk_common: addr(s), uid: sockUid(s) })), { sk_common: 0n, uid: 0n }], terminates: false };
    }
    case 'udp':
      return { steps: [...sockets(model, 'udp').map((s) => ({ udp_sk: addr(s), uid: sockUid(s), bucket: 0n })), { udp_sk: 0n, uid: 0n, bucket: 0n }], terminates: false };
    case 'unix':
      return { steps: [...sockets(model, 'unix').map((s) => ({ unix_sk: addr(s), uid: sockUid(s) })), { unix_sk: 0n, uid: 0n }], terminates: false };
    default:
      throw new ModelError(`iter/${target}: the iterators that walk the model are ${ITER_TARGETS.map((t) => `iter/${t}`).join(', ')}`);
  }
}

/** Tasks in pid order, without threads that share `member` (files, mm) with their group leader. */
function processes(model: KernelModel, member: 'files' | 'mm'): KernelObject[] {
  return model.tasks().filter((t) => {
    const leader = t.get('group_leader');
    if (leader === 0n || leader === t.home.region.base) return true;
    const l = model.world.heap.windowAt(leader)?.window.object;
    return l === undefined || l.get(member) !== t.get(member);
  });
}

/** Every live map of the kernel, by id. */
function allMaps(model: KernelModel): BpfMap[] {
  const env = model.world.kernel.maps;
  const out: BpfMap[] = [];
  for (let id = 1; ; id++) {
    const o = env.objectById(id);
    if (o === undefined) break;
    if (o instanceof BpfMap && !o.freed) out.push(o);
  }
  return out;
}

/** bpf_iter__bpf_map_elem steps: (map, key, value) per element of a hash or array map, then (map, NULL, NULL). */
function mapElemSteps(model: KernelModel, event: IterEvent, maps: readonly BpfMap[]): IterStep[] {
  const m = maps.find((x) => x.name === event.map);
  if (m === undefined) throw new ModelError(`iter/bpf_map_elem: no map "${event.map ?? ''}" to walk (maps: ${maps.map((x) => x.name).join(', ')})`);
  const steps: IterStep[] = [];
  let key: Uint8Array | null = null;
  for (let n = 0; n < 1 << 20; n++) {
    const next: Uint8Array | number = m.getNextKey(key);
    if (typeof next === 'number') break;
    const ref = m.lookupElem(next);
    if (ref !== null) {
      const k = model.world.kernel.space.map('mem', next.slice(), PERM_R, `${m.name} key`);
      steps.push({ map: m.object.base, key: k.base, value: ref.region.addr(ref.offset) });
    }
    key = next;
  }
  steps.push({ map: m.object.base, key: 0n, value: 0n });
  return steps;
}

/** The model's cgroups (the root included), in creation order. */
function cgroups(model: KernelModel): KernelObject[] {
  return model.objects().filter((o) => o.type === 'cgroup');
}

function parentOf(model: KernelModel, cg: KernelObject): KernelObject | undefined {
  const p = cg.get('self.parent');
  const w = p === 0n ? undefined : model.world.heap.windowAt(p);
  return w === undefined || w.offset !== 0 || w.window.object === cg ? undefined : w.window.object;
}

function cgroupWalk(model: KernelModel, event: IterEvent): KernelObject[] {
  const order = (event.order ?? 'descendants_pre').toLowerCase().replace(/^bpf_cgroup_iter_/, '') as CgroupIterOrder;
  if (!CGROUP_ITER_ORDERS.includes(order)) throw new ModelError(`iter/cgroup: order "${event.order}" is none of ${CGROUP_ITER_ORDERS.join(', ')}`);
  const all = cgroups(model);
  let start = model.world.rootCgroup;
  const c = event.cgroup;
  if (typeof c === 'string' && !/^\d+$/.test(c)) start = model.object(c);
  else if (typeof c === 'object' && c !== null && typeof (c as { $ref?: unknown }).$ref === 'string') start = model.resolveRef(c as { $ref: string });
  else if (c !== undefined) {
    const id = BigInt(c as number | string);
    const found = all.find((g) => cgroupId(model, g) === id);
    if (found === undefined) throw new ModelError(`iter/cgroup: no cgroup with id ${id}`);
    start = found;
  }
  if (start.type !== 'cgroup') throw new ModelError(`iter/cgroup: the start is a struct ${start.type}, not a struct cgroup`);
  const children = (p: KernelObject) => all.filter((g) => parentOf(model, g) === p);
  const out: KernelObject[] = [];
  const pre = (g: KernelObject, depth: number): void => {
    if (depth > 64) return;
    out.push(g);
    for (const ch of children(g)) pre(ch, depth + 1);
  };
  const post = (g: KernelObject, depth: number): void => {
    if (depth > 64) return;
    for (const ch of children(g)) post(ch, depth + 1);
    out.push(g);
  };
  switch (order) {
    case 'self_only': out.push(start); break;
    case 'descendants_pre': pre(start, 0); break;
    case 'descendants_post': post(start, 0); break;
    case 'ancestors_up': for (let g: KernelObject | undefined = start; g !== undefined && out.length < 64; g = parentOf(model, g)) out.push(g); break;
  }
  return out.filter((g) => (g.get('self.flags') & CSS_ONLINE) !== 0n);
}

function cgroupId(model: KernelModel, g: KernelObject): bigint {
  const kn = g.get('kn');
  const w = kn === 0n ? undefined : model.world.heap.windowAt(kn);
  return w === undefined ? 0n : w.window.object.get('id');
}

/** The model's sockets of a kind: by their struct (tcp_sock, udp6_sock, unix_sock…) or family and protocol. */
function sockets(model: KernelModel, kind: 'tcp' | 'udp' | 'unix'): KernelObject[] {
  return model.objects().filter((o) => {
    if (sockPath(o) === undefined) return false;
    switch (o.type) {
      case 'tcp_sock': case 'tcp6_sock': return kind === 'tcp';
      case 'udp_sock': case 'udp6_sock': return kind === 'udp';
      case 'unix_sock': return kind === 'unix';
      default: break;
    }
    const family = sockField(o, '__sk_common.skc_family')!;
    const proto = sockField(o, 'sk_protocol')!;
    if (kind === 'unix') return family === AF_UNIX;
    if (family !== AF_INET && family !== AF_INET6) return false;
    return proto === (kind === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP);
  });
}

/** sock_i_uid: the socket's owner (0 for a TIME_WAIT socket, which has none). */
function sockUid(s: KernelObject): bigint {
  if (sockField(s, '__sk_common.skc_state') === TCP_TIME_WAIT) return 0n;
  return sockField(s, 'sk_uid.val') ?? 0n;
}
