/**
 * The struct_ops types of the simulated 6.1 kernel (bpf_struct_ops_find): each struct's members, the
 * prototype of every function-pointer member, and its verifier ops (btf_struct_access, helpers). A
 * STRUCT_OPS program is loaded with attach_btf_id = the struct's BTF id and expected_attach_type = the
 * member's index (check_struct_ops_btf_id); btf_ctx_access types its u64 argument slots from the
 * member's prototype.
 */
import type { KType } from '../../src/platform/platform.js';
import type { KfuncRegistry } from '../kfuncs/registry.js';

/** A function-pointer member: its return type and parameter types as C texts. */
export interface StructOpsFunc {
  name: string;
  ret: string;
  params: readonly string[];
}

/** A member that is not a function pointer (`name`, `flags` of tcp_congestion_ops). */
export interface StructOpsData {
  name: string;
  data: true;
}

export type StructOpsMember = StructOpsFunc | StructOpsData;

export interface StructOpsType {
  name: string;
  /** The kernel struct's members, in order (the index is the expected attach type). */
  members: readonly StructOpsMember[];
  /** Members check_member refuses (tcp_congestion_ops.get_info: ENOTSUPP). */
  unsupported?: readonly string[];
  /** Arguments of this struct type are promoted to another (bpf_tcp_ca_is_valid_access: sock → tcp_sock). */
  promote?: Readonly<Record<string, string>>;
  /**
   * btf_struct_access: `only` — every access (read or write) must be to this struct
   * (bpf_dummy_ops_btf_struct_access), writes anywhere in it; `fields` — reads of any struct, writes
   * only to these fields of `struct` (bpf_tcp_ca_btf_struct_access).
   */
  access: { only: string } | { struct: string; fields: readonly string[] };
  /** The helper prototypes its verifier ops offer: none (bpf_dummy_ops has no get_func_proto), or bpf_tcp_ca's. */
  helpers: 'none' | 'tcp_ca';
}

const sockArg = 'struct sock *';

export const STRUCT_OPS_TYPES: readonly StructOpsType[] = [
  {
    name: 'bpf_dummy_ops',
    members: [
      { name: 'test_1', ret: 'int', params: ['struct bpf_dummy_ops_state *'] },
      { name: 'test_2', ret: 'int', params: ['struct bpf_dummy_ops_state *', 'int', 'unsigned short', 'char', 'unsigned long'] },
    ],
    access: { only: 'bpf_dummy_ops_state' },
    helpers: 'none',
  },
  {
    name: 'tcp_congestion_ops',
    members: [
      { name: 'ssthresh', ret: 'u32', params: [sockArg] },
      { name: 'cong_avoid', ret: 'void', params: [sockArg, 'u32', 'u32'] },
      { name: 'set_state', ret: 'void', params: [sockArg, 'u8'] },
      { name: 'cwnd_event', ret: 'void', params: [sockArg, 'enum tcp_ca_event'] },
      { name: 'in_ack_event', ret: 'void', params: [sockArg, 'u32'] },
      { name: 'pkts_acked', ret: 'void', params: [sockArg, 'const struct ack_sample *'] },
      { name: 'min_tso_segs', ret: 'u32', params: [sockArg] },
      { name: 'cong_control', ret: 'void', params: [sockArg, 'const struct rate_sample *'] },
      { name: 'undo_cwnd', ret: 'u32', params: [sockArg] },
      { name: 'sndbuf_expand', ret: 'u32', params: [sockArg] },
      { name: 'get_info', ret: 'size_t', params: [sockArg, 'u32', 'int *', 'union tcp_cc_info *'] },
      { name: 'name', data: true },
      { name: 'owner', data: true },
      { name: 'list', data: true },
      { name: 'key', data: true },
      { name: 'flags', data: true },
      { name: 'init', ret: 'void', params: [sockArg] },
      { name: 'release', ret: 'void', params: [sockArg] },
    ],
    unsupported: ['get_info'],
    promote: { sock: 'tcp_sock' },
    access: { struct: 'tcp_sock', fields: ['sk_pacing_rate', 'sk_pacing_status', 'icsk_ca_priv', 'icsk_ack.pending', 'snd_cwnd', 'snd_cwnd_cnt', 'snd_ssthresh', 'ecn_flags'] },
    helpers: 'tcp_ca',
  },
];

export function structOpsType(name: string): StructOpsType | undefined {
  return STRUCT_OPS_TYPES.find((t) => t.name === name);
}

/** A parameter's C text: the struct it points to, or undefined for a scalar (int, enum, int pointer). */
export function pointedStruct(param: string): string | undefined {
  const m = /^(?:const\s+)?struct\s+(\w+)\s*\*$/.exec(param.trim());
  return m === null ? undefined : m[1];
}

/** The outcome of check_struct_ops_btf_id for a struct and member index. */
export type StructOpsCheck =
  | { ok: true; type: StructOpsType; member: StructOpsFunc }
  | { ok: false; message: string; errno: number };

const EINVAL = 22;
const ENOTSUPP = 524;

/** check_struct_ops_btf_id, given the struct the attach BTF id names (undefined: not a struct_ops type). */
export function checkStructOpsMember(btfId: number, type: StructOpsType | undefined, memberIdx: number): StructOpsCheck {
  if (type === undefined) return { ok: false, message: `attach_btf_id ${btfId} is not a supported struct\n`, errno: ENOTSUPP };
  const m = type.members[memberIdx];
  if (m === undefined) return { ok: false, message: `attach to invalid member idx ${memberIdx} of struct ${type.name}\n`, errno: EINVAL };
  if ('data' in m) {
    return { ok: false, message: `attach to invalid member ${m.name}(@idx ${memberIdx}) of struct ${type.name}\n`, errno: EINVAL };
  }
  if (type.unsupported?.includes(m.name)) {
    return { ok: false, message: `attach to unsupported member ${m.name} of struct ${type.name}\n`, errno: ENOTSUPP };
  }
  return { ok: true, type, member: m };
}

/** The u64 argument slot `off` of a member's prototype as the verifier types it (btf_ctx_access). */
export function structOpsArg(type: StructOpsType, member: StructOpsFunc, off: number, size: number, write: boolean):
  { ok: false } | { ok: true; btfStruct?: string } {
  if (write || off < 0 || off >= 96 || off % size !== 0 || off % 8 !== 0) return { ok: false };
  const arg = off / 8;
  if (arg >= member.params.length) return { ok: false };
  const s = pointedStruct(member.params[arg]!);
  if (s === undefined) return { ok: true };
  return { ok: true, btfStruct: type.promote?.[s] ?? s };
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

/**
 * The struct_ops type's btf_struct_access: which kernel structs its programs may read through their
 * arguments and which fields of which struct they may write (`structKType` gives the written struct's
 * layout); undefined when allowed, else the kernel's message.
 */
export function structOpsBtfAccess(
  type: StructOpsType, struct: string, off: number, size: number, write: boolean, structKType: () => KType,
): string | undefined {
  const rule = type.access;
  if ('only' in rule) return struct === rule.only ? undefined : `only access to ${rule.only} is supported\n`;
  if (!write) return undefined;
  if (struct !== rule.struct) return 'only read is supported\n';
  const field = writableField(structKType(), rule.fields, off);
  if (field === undefined) return `no write support to ${struct} at off ${off}\n`;
  if (off + size > field.end) {
    return `write access at off ${off} with size ${size} beyond the member of ${struct} ended at ${field.end}\n`;
  }
  return undefined;
}
