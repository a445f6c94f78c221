/**
 * The simulated kernel as the verifier's Platform: helper prototypes and their availability per program
 * type (helpers/), context access rules (progtypes/), kfunc prototypes and flags (kfuncs/), and maps by
 * the handle their ld_imm64 carries. These are the tables the run-time checks use too, so the verifier
 * and the interpreter can be checked against each other.
 */
import type { AttachTypeName, ProgTypeName } from '../src/object/bpf-enums.js';
import { bpfCapable } from '../src/platform/caps.js';
import { resolveProg, type CtxAccess, type KfuncProto, type KType, type MapDef, type Platform, type ProgInfo } from '../src/platform/platform.js';
import type { Btf } from '../src/btf/index.js';
import { attachProto, type AttachProto } from './btf/attach-targets.js';
import { KTypeConverter } from './btf/ktype.js';
import { protoAllowed } from './helpers/allowed.js';
import { helperName, helperProto, type ProtoQuery } from './helpers/index.js';
import { defaultRegistry, type KfuncRegistry } from './kfuncs/index.js';
import { ctxAccess, CtxRulesMissingError, loadAttachType } from './progtypes/index.js';
import { checkStructOpsMember, structOpsArg, structOpsType, type StructOpsCheck } from './progtypes/struct-ops.js';
import { isErrorInjectable, isSleepableLsmHook } from './attach-targets.js';
import { kallsymsLookup } from './kallsyms.js';
import { baseRegType, BpfRegType } from '../src/uapi/reg-types.js';
import { BPF_SOCK as BPF_SOCK_LAYOUT } from './progtypes/layouts-cgroup.js';
import { fieldByName } from './progtypes/layouts.js';

export interface KernelPlatformOptions {
  /** The map an ld_imm64 handle names (BPF_PSEUDO_MAP_FD / MAP_VALUE imm). */
  maps?: (fd: number) => MapDef | undefined;
  /** The kfunc registry whose BTF ids kfunc calls carry (Linux 6.1's catalogue by default). */
  kfuncRegistry?: KfuncRegistry;
}


/** The function a TRACING or LSM program's context describes (its attach target), when the kernel's BTF has it. */
function traceTargetOf(btf: Btf, prog: ProgInfo): AttachProto | undefined {
  if (prog.attachTo === undefined || (prog.type !== 'LSM' && prog.type !== 'TRACING')) return undefined;
  return attachProto(btf, prog.type, prog.expectedAttachType, prog.attachTo);
}

/** btf_type_is_small_int / any enum / a struct passed by value: a scalar context slot. */
function isScalarArg(btf: Btf, id: number): boolean {
  const t = btf.type(btf.resolve(id));
  return (t.kind === 'INT' && t.size <= 8) || t.kind === 'ENUM' || t.kind === 'ENUM64' || t.kind === 'STRUCT' || t.kind === 'UNION';
}

/**
 * btf_ctx_access (6.1): the u64 slots of the arguments (for fexit and LSM, the slot past them is the return
 * value; fmod_ret only for an integer return); integers, enums and structs by value load as scalars,
 * pointers to void and to integers as scalars, pointers to structs as PTR_TO_BTF_ID (or what an
 * iterator's ctx_arg_info says), anything else is refused.
 */
function btfCtxAccess(btf: Btf, t: AttachProto, prog: ProgInfo, off: number): CtxAccess | undefined {
  if (off % 8 !== 0) return undefined;
  let arg = t.args.findIndex((a, i) => off >= a.off && (i === t.args.length - 1 || off < t.args[i + 1]!.off));
  const end = t.args.length === 0 ? 0 : t.args[t.args.length - 1]!.off + 8;
  if (arg >= 0 && off >= end) arg = -1;
  let type: number;
  if (arg >= 0) {
    type = t.args[arg]!.type;
  } else if (off === end) {
    const att = prog.expectedAttachType ?? '';
    if (att === 'TRACE_FEXIT' || att === 'LSM_MAC' || att === 'LSM_CGROUP') type = t.ret;
    else if (att === 'MODIFY_RETURN') {
      const r = btf.type(btf.resolve(t.ret));
      if (!(r.kind === 'INT' && r.size <= 8)) return undefined;
      type = t.ret;
    } else return undefined;
  } else {
    return undefined;
  }
  if (isScalarArg(btf, type)) return { regType: BpfRegType.SCALAR_VALUE };
  const pt = btf.type(btf.resolve(type));
  if (pt.kind !== 'PTR') return undefined;
  const ctxArg = t.ctxArgs.get(off);
  if (ctxArg !== undefined && baseRegType(ctxArg) === BpfRegType.PTR_TO_BUF) return { regType: ctxArg };
  if (pt.type === 0) return { regType: BpfRegType.SCALAR_VALUE };
  const to = btf.type(btf.resolve(pt.type));
  if (to.kind === 'INT') return { regType: BpfRegType.SCALAR_VALUE };
  if (to.kind !== 'STRUCT' && to.kind !== 'UNION') return undefined;
  return { regType: ctxArg ?? BpfRegType.PTR_TO_BTF_ID, btfName: to.name };
}

/** What besides the program type decides a helper prototype, from the program's load attributes. */
function protoQuery(prog: ProgInfo): ProtoQuery {
  const q: ProtoQuery = {};
  if (prog.expectedAttachType !== undefined) q.attachType = prog.expectedAttachType as AttachTypeName;
  if (prog.attachTo !== undefined) {
    if (prog.type === 'LSM') q.lsmHook = prog.attachTo.startsWith('bpf_lsm_') ? prog.attachTo : `bpf_lsm_${prog.attachTo}`;
    if (prog.type === 'TRACING' && prog.expectedAttachType === 'TRACE_ITER') q.iterTarget = prog.attachTo.replace(/^bpf_iter_/, '');
  }
  return q;
}

/** The uapi context struct a program type's kfunc parameters name (btf_get_prog_ctx_type). */
const CTX_STRUCT: Partial<Record<ProgTypeName, string>> = {
  SOCKET_FILTER: '__sk_buff', SCHED_CLS: '__sk_buff', SCHED_ACT: '__sk_buff', CGROUP_SKB: '__sk_buff', LWT_IN: '__sk_buff',
  LWT_OUT: '__sk_buff', LWT_XMIT: '__sk_buff', LWT_SEG6LOCAL: '__sk_buff', SK_SKB: '__sk_buff', XDP: 'xdp_md',
  CGROUP_SOCK: 'bpf_sock', SOCK_OPS: 'bpf_sock_ops', SK_MSG: 'sk_msg_md', CGROUP_SOCK_ADDR: 'bpf_sock_addr',
  CGROUP_SYSCTL: 'bpf_sysctl', FLOW_DISSECTOR: '__sk_buff', SK_LOOKUP: 'bpf_sk_lookup', PERF_EVENT: 'bpf_perf_event_data',
};

/** KTypes of the registry's kernel types, one converter per context struct (cached). */
class TypeConverter {
  private static readonly converters = new WeakMap<object, Map<string, KTypeConverter>>();
  private readonly conv: KTypeConverter;

  constructor(private readonly registry: KfuncRegistry, progType: ProgTypeName) {
    const btf = registry.types.btf;
    let byCtx = TypeConverter.converters.get(btf);
    if (byCtx === undefined) TypeConverter.converters.set(btf, (byCtx = new Map()));
    const ctx = CTX_STRUCT[progType] ?? '';
    let c = byCtx.get(ctx);
    if (c === undefined) byCtx.set(ctx, (c = new KTypeConverter(btf, ctx === '' ? undefined : ctx)));
    this.conv = c;
  }

  convert(text: string): KType {
    return this.conv.convert(this.registry.types.idOf(text));
  }

  byId(id: number): KType {
    return this.conv.convert(id);
  }
}

/** struct bpf_sock offsets (uapi), from its layout. */
const sockOff = (name: string): number => fieldByName(BPF_SOCK_LAYOUT, name).off;
const BPF_SOCK = {
  family: sockOff('family'), type: sockOff('type'), protocol: sockOff('protocol'), priority: sockOff('priority'),
  srcIp4: sockOff('src_ip4'), srcIp6: sockOff('src_ip6'), srcPort: sockOff('src_port'), dstPort: sockOff('dst_port'),
  dstIp4: sockOff('dst_ip4'), dstIp6: sockOff('dst_ip6'), state: sockOff('state'), rxQueue: sockOff('rx_queue_mapping'),
  size: BPF_SOCK_LAYOUT.size,
};
const narrow = (size: number, def: number): boolean => size <= def && (size & (size - 1)) === 0;
const within = (off: number, lo: number, len: number): boolean => off >= lo && off < lo + len;

/** bpf_sock_is_valid_access (reads of a PTR_TO_SOCKET). */
function bpfSockAccess(off: number, size: number): boolean {
  const S = BPF_SOCK;
  if (off < 0 || off >= S.size || off % size !== 0) return false;
  if ([S.state, S.family, S.type, S.protocol, S.srcPort, S.rxQueue].includes(off) || within(off, S.srcIp4, 4) ||
    within(off, S.srcIp6, 16) || within(off, S.dstIp4, 4) || within(off, S.dstIp6, 16)) return narrow(size, 4);
  if (within(off, S.dstPort, 2)) return narrow(size, size === 4 ? 4 : 2);
  if (within(off, S.dstPort + 2, 2)) return false;
  return size === 4;
}

/**
 * Reads through socket pointers, as Linux 6.1's bpf_sock_common_is_valid_access (no type..priority),
 * bpf_sock_is_valid_access, bpf_tcp_sock_is_valid_access (u64 byte counters) and bpf_xdp_sock_is_valid_access.
 */
export function sockAccess(kind: string, off: number, size: number): boolean {
  switch (kind) {
    case 'sock_common':
      if (off >= BPF_SOCK.type && off < BPF_SOCK.priority + 4) return false;
      return bpfSockAccess(off, size);
    case 'sock':
      return bpfSockAccess(off, size);
    case 'tcp_sock':
      if (off < 0 || off >= 112 || off % size !== 0) return false;
      return off === 80 || off === 88 ? size === 8 : size === 4;
    case 'xdp_sock':
      return off >= 0 && off < 4 && off % size === 0 && size === 4;
    default:
      return false;
  }
}

/** The struct_ops type a BTF id of the simulated vmlinux names, if it is one. */
export function structOpsByBtfId(registry: KfuncRegistry, btfId: number): ReturnType<typeof structOpsType> {
  const { btf } = registry.btf;
  if (btfId <= 0 || btfId >= btf.count) return undefined;
  const t = btf.type(btfId);
  return t.kind === 'STRUCT' ? structOpsType(t.name) : undefined;
}

/** The struct_ops type and member index a struct_ops program names (attach_btf_id, expected_attach_type). */
export function structOpsAttach(registry: KfuncRegistry, struct: string, member: string): { btfId: number; memberIdx: number } {
  const btfId = registry.btf.typeId(`struct ${struct}`) ?? 0;
  const type = structOpsType(struct);
  if (type === undefined) return { btfId: 0, memberIdx: 0 };
  const idx = type.members.findIndex((m) => m.name === member);
  // a member the kernel's struct lacks: an index past its members (libbpf would stop before loading)
  return { btfId, memberIdx: idx < 0 ? type.members.length : idx };
}

/**
 * A writable field starting at `off`, with its end. Names are searched through nested structs; a dotted name
 * (`icsk_ack.pending`) names a member of a named nested struct.
 */
function writableField(t: KType, names: readonly string[], off: number, base = 0): { end: number } | undefined {
  if (t.kind !== 'struct') return undefined;
  for (const m of t.members) {
    const at = base + m.off;
    if (names.includes(m.name)) {
      const size = sizeOfKType(m.type);
      // an array field (icsk_ca_priv) may be written anywhere inside it
      if (off === at || (m.type.kind === 'array' && off > at && off < at + size)) return { end: at + size };
    } else if (m.type.kind === 'struct') {
      const inner = names.filter((n) => n.startsWith(m.name + '.')).map((n) => n.slice(m.name.length + 1));
      const f = writableField(m.type, inner.length > 0 ? inner : names, off, at);
      if (f !== undefined) return f;
    }
  }
  return undefined;
}

function sizeOfKType(t: KType): number {
  switch (t.kind) {
    case 'int': return t.size;
    case 'ptr': return 8;
    case 'struct': return t.size;
    case 'array': return t.count * sizeOfKType(t.elem);
    default: return 0;
  }
}

export function kernelPlatform(opts: KernelPlatformOptions = {}): Platform {
  const registry = opts.kfuncRegistry ?? defaultRegistry();
  const protoCache = new Map<string, KfuncProto>();
  const structOps = (prog: ProgInfo): StructOpsCheck | undefined => (prog.type === 'STRUCT_OPS' && prog.structOps !== undefined
    ? checkStructOpsMember(prog.structOps.btfId, structOpsByBtfId(registry, prog.structOps.btfId), prog.structOps.memberIdx)
    : undefined);
  return {
    profile: '6.1',
    helperName: (id) => (id >= 0 ? helperName(id) : undefined),
    helper(prog, id, caps) {
      const p = resolveProg(prog);
      const so = structOps(p);
      if (so?.ok === true && so.type.helpers === 'none') return undefined;
      const q = protoQuery(p);
      if (so?.ok === true) q.structOpsMember = so.member.name;
      const proto = helperProto(p.type, id, caps, q);
      // the allowed callbacks look at the program itself (an extension has a dst_prog)
      return proto === undefined || protoAllowed(proto.proto, prog) ? proto : { ...proto, notAllowed: true };
    },
    errorInjectable: (func) => isErrorInjectable(func),
    sleepableLsmHook: (hook) => isSleepableLsmHook(hook),
    attachReturnsVoid(prog) {
      const t = traceTargetOf(registry.types.btf, resolveProg(prog));
      return t === undefined ? undefined : t.ret === 0;
    },
    structOpsMember(prog) {
      const so = structOps(prog);
      if (so === undefined) return { ok: false, message: 'attach_btf_id 0 is not a supported struct\n', errno: 524 };
      if (!so.ok) return so;
      return { ok: true, struct: so.type.name, member: so.member.name, voidRet: so.member.ret === 'void' };
    },
    btfAccess(prog, struct, off, size, write) {
      const so = structOps(resolveProg(prog));
      if (so?.ok !== true) return 'default';
      const rule = so.type.access;
      if ('only' in rule) return struct === rule.only ? undefined : `only access to ${rule.only} is supported\n`;
      if (!write) return undefined;
      if (struct !== rule.struct) return 'only read is supported\n';
      const st = new TypeConverter(registry, 'STRUCT_OPS').convert(`struct ${struct}`);
      const field = writableField(st, rule.fields, off);
      if (field === undefined) return `no write support to ${struct} at off ${off}\n`;
      if (off + size > field.end) {
        return `write access at off ${off} with size ${size} beyond the member of ${struct} ended at ${field.end}\n`;
      }
      return undefined;
    },
    kfunc(btfId, prog) {
      const k = registry.byId(btfId);
      if (k === undefined) return undefined;
      const name = k.def.name;
      const flags = registry.flagsFor(name, prog.type as ProgTypeName);
      if (flags === undefined) return { name };
      const key = `${btfId}:${prog.type}`;
      let proto = protoCache.get(key);
      if (proto === undefined) {
        const conv = new TypeConverter(registry, prog.type);
        proto = {
          name,
          flags: [...flags],
          params: k.def.params.map((p) => ({ name: p.name, type: conv.convert(p.type) })),
          ret: conv.convert(k.def.ret),
        };
        protoCache.set(key, proto);
      }
      return { name, proto };
    },
    ctxAccess(prog0, off, size, write, caps): CtxAccess | undefined {
      const prog = resolveProg(prog0);
      const so = structOps(prog);
      if (so !== undefined) {
        if (!so.ok) return undefined;
        const arg = structOpsArg(so.type, so.member, off, size, write);
        if (!arg.ok) return undefined;
        return arg.btfStruct === undefined ? { regType: BpfRegType.SCALAR_VALUE } : { regType: BpfRegType.PTR_TO_BTF_ID, btfName: arg.btfStruct };
      }
      let a;
      try {
        a = ctxAccess(prog.type, off, size, write ? 'write' : 'read', {
          capBpf: caps ? bpfCapable(caps) : true, attachType: loadAttachType(prog.type, prog.expectedAttachType),
        });
      } catch (e) {
        if (e instanceof CtxRulesMissingError) return undefined;
        throw e;
      }
      if (!a.ok) return undefined;
      // only BTF-typed programs read the kernel's BTF here
      const traced = prog.type === 'TRACING' || prog.type === 'LSM' ? traceTargetOf(registry.types.btf, prog) : undefined;
      if (traced !== undefined) return btfCtxAccess(registry.types.btf, traced, prog, off);
      return { regType: a.regType ?? BpfRegType.SCALAR_VALUE };
    },
    btfStruct(name) {
      const btf = registry.types.btf;
      const id = btf.idByName(name, 'STRUCT') ?? btf.idByName(name, 'UNION');
      if (id === undefined) return undefined;
      const t = new TypeConverter(registry, 'UNSPEC' as ProgTypeName).byId(id);
      return t.kind === 'struct' && t.size > 0 ? t : undefined;
    },
    kernelBtf: () => registry.types.btf,
    sockAccess(kind, off, size) {
      return sockAccess(kind, off, size);
    },
    map: (fd) => opts.maps?.(fd),
    // the loading process: stdin, stdout and stderr are open, and every map fd
    fdOpen: (fd) => (fd >= 0 && fd <= 2) || opts.maps?.(fd) !== undefined,
    kernelSymbol: (name) => {
      const e = kallsymsLookup(name);
      return e !== undefined && 'address' in e ? e.address : undefined;
    },
    ksymVar(btfId) {
      const vmlinux = registry.btf;
      const v = vmlinux.varById(btfId);
      if (v === undefined) return btfId >= 0 && btfId < vmlinux.btf.count ? { kind: 'not_var' } : { kind: 'none' };
      // every variable of vmlinux has a run-time object (made on first use), so kallsyms knows them all
      const btf = vmlinux.btf;
      const rid = btf.resolve(v.type);
      const t = btf.type(rid);
      const struct = t.kind === 'STRUCT' ? t.name : undefined;
      let size: number | undefined;
      try {
        size = btf.sizeOf(rid);
      } catch {
        size = undefined;
      }
      const typeName = struct ?? btf.typeName(rid);
      return { kind: 'var', name: v.name, hasAddress: true, percpu: v.percpu, typeName, size, ...(struct !== undefined && { struct }) };
    },
  };
}
