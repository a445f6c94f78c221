/**
 * A stand-in Platform for tests and the corpus until kernel-sim's tables land: Linux 6.1 helper
 * prototypes and per-program-type availability (helpers-6.1.ts), context access rules for the
 * common program types, and maps given as plain fd-numbered definitions.
 */
import type { ProgTypeName } from '../../object/bpf-enums.js';
import { bpfCapable, type Capability, perfmonCapable } from '../../platform/caps.js';
import type { CtxAccess, KfuncProto, KType, MapDef, Platform, ProgInfo } from '../../platform/platform.js';
import type { ArgBase, ArgSpec, HelperProto, RetBase, RetSpec, TypeFlag } from '../../platform/types.js';
import { BASE_TIER, FUNC_PROTO_FNS, HELPER_NAMES, PROG_TYPE_PROTO_FN, PROTOS, type RawProto } from './helpers-6.1.js';
import { ctxAccess61 } from './ctx-6.1.js';

const ARG_ALIASES: Record<string, string> = {
  ARG_PTR_TO_MAP_VALUE_OR_NULL: 'ARG_PTR_TO_MAP_VALUE | PTR_MAYBE_NULL',
  ARG_PTR_TO_MEM_OR_NULL: 'ARG_PTR_TO_MEM | PTR_MAYBE_NULL',
  ARG_PTR_TO_CTX_OR_NULL: 'ARG_PTR_TO_CTX | PTR_MAYBE_NULL',
  ARG_PTR_TO_SOCKET_OR_NULL: 'ARG_PTR_TO_SOCKET | PTR_MAYBE_NULL',
  ARG_PTR_TO_ALLOC_MEM_OR_NULL: 'ARG_PTR_TO_ALLOC_MEM | PTR_MAYBE_NULL',
  ARG_PTR_TO_STACK_OR_NULL: 'ARG_PTR_TO_STACK | PTR_MAYBE_NULL',
  ARG_PTR_TO_BTF_ID_OR_NULL: 'ARG_PTR_TO_BTF_ID | PTR_MAYBE_NULL',
  ARG_PTR_TO_UNINIT_MEM: 'ARG_PTR_TO_MEM | MEM_UNINIT',
  ARG_PTR_TO_FIXED_SIZE_MEM: 'ARG_PTR_TO_MEM | MEM_FIXED_SIZE',
  RET_PTR_TO_MAP_VALUE_OR_NULL: 'RET_PTR_TO_MAP_VALUE | PTR_MAYBE_NULL',
  RET_PTR_TO_SOCKET_OR_NULL: 'RET_PTR_TO_SOCKET | PTR_MAYBE_NULL',
  RET_PTR_TO_TCP_SOCK_OR_NULL: 'RET_PTR_TO_TCP_SOCK | PTR_MAYBE_NULL',
  RET_PTR_TO_SOCK_COMMON_OR_NULL: 'RET_PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL',
  RET_PTR_TO_ALLOC_MEM_OR_NULL: 'RET_PTR_TO_ALLOC_MEM | PTR_MAYBE_NULL',
  RET_PTR_TO_DYNPTR_MEM_OR_NULL: 'RET_PTR_TO_ALLOC_MEM | PTR_MAYBE_NULL',
  RET_PTR_TO_BTF_ID_OR_NULL: 'RET_PTR_TO_BTF_ID | PTR_MAYBE_NULL',
};

function parseType(s: string): { base: string; flags: TypeFlag[] } {
  const parts = s.split('|').map((p) => p.trim()).flatMap((p) => (ARG_ALIASES[p] ?? p).split('|').map((x) => x.trim()));
  const base = parts.find((p) => p.startsWith('ARG_') || p.startsWith('RET_')) ?? 'ARG_DONTCARE';
  return { base, flags: parts.filter((p) => p !== base) as TypeFlag[] };
}

const protoCache = new Map<string, HelperProto>();

function convert(id: number, name: string, varName: string, raw: RawProto): HelperProto {
  const key = `${id}:${varName}`;
  const c = protoCache.get(key);
  if (c) return c;
  const args: ArgSpec[] = raw.args.map((a, i) => {
    if (a === null) return { type: 'ARG_DONTCARE' as ArgBase };
    const { base, flags } = parseType(a);
    const spec: ArgSpec = { type: base as ArgBase, flags };
    const btf = raw.btf?.[String(i + 1)];
    if (btf) spec.btfType = btf;
    const size = raw.size?.[String(i + 1)];
    if (size) spec.size = /^\d+$/.test(size) ? Number(size) : size.includes('u64') ? 8 : size.includes('u32') ? 4 : 8;
    return spec;
  });
  const r = parseType(raw.ret ?? 'RET_INTEGER');
  const ret: RetSpec = { type: r.base as RetBase, flags: r.flags };
  if (raw.retBtf) ret.btfType = raw.retBtf;
  const p: HelperProto = { id, name: `bpf_${name}`, gplOnly: !!raw.gpl, ret, args, pktAccess: !!raw.pkt };
  protoCache.set(key, p);
  return p;
}

function resolveHelper(type: ProgTypeName, name: string, caps: ReadonlySet<Capability>): string | undefined {
  let fn: string | null | undefined = PROG_TYPE_PROTO_FN[type];
  const seen = new Set<string>();
  while (fn && !seen.has(fn)) {
    seen.add(fn);
    if (fn === 'bpf_base_func_proto') {
      const tier = BASE_TIER[name];
      if (tier === undefined) return undefined;
      if (tier >= 1 && !bpfCapable(caps)) return undefined;
      if (tier >= 2 && !perfmonCapable(caps)) return undefined;
    }
    const f: { c: Record<string, string | [string | null, number] | null>; f: string | null } | undefined = FUNC_PROTO_FNS[fn];
    if (!f) return undefined;
    const c = f.c[name];
    if (c !== undefined) {
      if (c === null) return undefined;
      if (Array.isArray(c)) return c[0] ?? undefined;
      return c;
    }
    fn = f.f;
  }
  return undefined;
}

export interface TestPlatformOptions {
  maps?: ReadonlyMap<number, MapDef>;
  kfuncs?: ReadonlyMap<number, { name: string; proto?: KfuncProto; progTypes?: readonly ProgTypeName[] }>;
  structs?: ReadonlyMap<string, KType>;
}

export function createTestPlatform(opts: TestPlatformOptions = {}): Platform {
  return {
    profile: '6.1',
    helperName: (id) => (id >= 0 && id < HELPER_NAMES.length ? `bpf_${HELPER_NAMES[id]}` : undefined),
    helper(prog: ProgInfo, id: number, caps) {
      const name = HELPER_NAMES[id];
      if (name === undefined || id === 0) return undefined;
      const v = resolveHelper(prog.type, name, caps);
      if (!v) return undefined;
      const raw = PROTOS[v];
      if (!raw) return undefined;
      return convert(id, name, v, raw);
    },
    kfunc(btfId, prog) {
      const k = opts.kfuncs?.get(btfId);
      if (!k) return undefined;
      if (k.progTypes && !k.progTypes.includes(prog.type)) return { name: k.name };
      return { name: k.name, proto: k.proto };
    },
    ctxAccess(prog, off, size, write, caps): CtxAccess | undefined {
      return ctxAccess61(prog, off, size, write, caps ? bpfCapable(caps) : true);
    },
    sockAccess(_kind, off, size) {
      return off >= 0 && off % size === 0 && off + size <= 80;
    },
    btfStruct: (name) => opts.structs?.get(name),
    map: (fd) => opts.maps?.get(fd),
  };
}
