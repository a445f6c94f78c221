/**
 * The simulated kernel as the verifier's Platform, and only that adaptation: it answers the verifier's
 * questions from the kernel's own tables — helper prototypes and their availability per program type
 * (helpers/), context access rules (progtypes/: ctx-access, btf-ctx-access, sock-access, struct-ops),
 * kfunc prototypes and flags (kfuncs/), KTypes of kernel types (btf/ktype.ts) — and names maps by the
 * handle their ld_imm64 carries. These are the tables the run-time checks use too, so the verifier and
 * the interpreter can be checked against each other. No rule is written here.
 */
import type { AttachTypeName, ProgTypeName } from '../src/object/bpf-enums.js';
import { bpfCapable } from '../src/platform/caps.js';
import { resolveProg, type CtxAccess, type KfuncProto, type MapDef, type Platform, type ProgInfo } from '../src/platform/platform.js';
import { BpfRegType } from '../src/uapi/reg-types.js';
import { CTypeConverter } from './btf/ktype.js';
import { protoAllowed } from './helpers/allowed.js';
import { helperName, helperProto, type ProtoQuery } from './helpers/index.js';
import { defaultRegistry, type KfuncRegistry } from './kfuncs/index.js';
import { ctxAccess, CtxRulesMissingError, loadAttachType } from './progtypes/index.js';
import { checkStructOpsMember, structOpsArg, structOpsBtfAccess, structOpsByBtfId, type StructOpsCheck } from './progtypes/struct-ops.js';
import { btfCtxAccess, CTX_STRUCT, traceTargetOf } from './progtypes/btf-ctx-access.js';
import { sockAccess } from './progtypes/sock-access.js';
import { isErrorInjectable, isSleepableLsmHook } from './attach-targets.js';
import { kallsymsLookup } from './kallsyms.js';

export interface KernelPlatformOptions {
  /** The map an ld_imm64 handle names (BPF_PSEUDO_MAP_FD / MAP_VALUE imm). */
  maps?: (fd: number) => MapDef | undefined;
  /** The kfunc registry whose BTF ids kfunc calls carry (Linux 6.1's catalogue by default). */
  kfuncRegistry?: KfuncRegistry;
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

/** The KTypes of the registry's kernel types for a program of `progType` (its kfuncs' context struct). */
function kernelTypes(registry: KfuncRegistry, progType: ProgTypeName | undefined): CTypeConverter {
  return new CTypeConverter(registry.types, progType === undefined ? undefined : CTX_STRUCT[progType]);
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
      return structOpsBtfAccess(so.type, struct, off, size, write, () => kernelTypes(registry, 'STRUCT_OPS').convert(`struct ${struct}`));
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
        const conv = kernelTypes(registry, prog.type);
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
      const t = kernelTypes(registry, undefined).byId(id);
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
