/**
 * The program's BTF as the verifier reads it for functions: func_info records (check_btf_func), the
 * subprogram rules without BTF (check_abnormal_return), a global function's arguments turned into
 * registers (btf_prepare_func_args) and the BTF check of the registers at a call (btf_check_func_arg_match
 * for subprograms, with 6.1's messages).
 */
import type { Btf, BtfType } from '../btf/index.js';
import type { ProgTypeName } from '../object/bpf-enums.js';
import { type Env, type FuncInfoAux, Reject } from './env.js';
import { resolveProg } from '../platform/platform.js';
import { markKnown } from './bounds.js';
import { checkFuncArgRegOff, checkHelperMemAccess } from './helper-mem.js';
import { F, type Reg, T } from './reg-state.js';
import { tnumIsConst } from './tnum.js';
import { EFAULT, EINVAL } from '../uapi/errno.js';

export const BTF_FUNC_STATIC = 0;
export const BTF_FUNC_GLOBAL = 1;

/** A func_info record as BPF_PROG_LOAD takes it. */
export interface FuncInfoRecord {
  insn: number;
  typeId: number;
}

const MAX_ARGS = 5;
const MAX_RESOLVE_DEPTH = 32;
const MODIFIERS = new Set(['TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT', 'TYPE_TAG']);

/**
 * The context type each program type's BTF argument must point to (bpf_types.h, x86-64): a struct name,
 * then what the kernel's own type resolves to when it is a typedef.
 */
const CTX_TYPE_NAMES: Partial<Record<ProgTypeName, readonly string[]>> = {
  SOCKET_FILTER: ['__sk_buff'], SCHED_CLS: ['__sk_buff'], SCHED_ACT: ['__sk_buff'], XDP: ['xdp_md'],
  CGROUP_SKB: ['__sk_buff'], CGROUP_SOCK: ['bpf_sock'], CGROUP_SOCK_ADDR: ['bpf_sock_addr'], LWT_IN: ['__sk_buff'],
  LWT_OUT: ['__sk_buff'], LWT_XMIT: ['__sk_buff'], LWT_SEG6LOCAL: ['__sk_buff'], SOCK_OPS: ['bpf_sock_ops'],
  SK_SKB: ['__sk_buff'], SK_MSG: ['sk_msg_md'], FLOW_DISSECTOR: ['__sk_buff'], KPROBE: ['bpf_user_pt_regs_t', 'pt_regs'],
  TRACEPOINT: ['__u64', 'long long unsigned int'], PERF_EVENT: ['bpf_perf_event_data'],
  RAW_TRACEPOINT: ['bpf_raw_tracepoint_args'], RAW_TRACEPOINT_WRITABLE: ['bpf_raw_tracepoint_args'], TRACING: [''],
  CGROUP_DEVICE: ['bpf_cgroup_dev_ctx'], CGROUP_SYSCTL: ['bpf_sysctl'], CGROUP_SOCKOPT: ['bpf_sockopt'],
  LIRC_MODE2: ['__u32', 'unsigned int'], SK_REUSEPORT: ['sk_reuseport_md'], SK_LOOKUP: ['bpf_sk_lookup'],
  STRUCT_OPS: [''], EXT: [''], LSM: [''], SYSCALL: [''],
};

/** btf_type_str(): the kind's name as the kernel prints it. */
export function btfKindStr(t: BtfType): string {
  return t.kind === 'VOID' ? 'UNKNOWN' : t.kind;
}

function typeOf(btf: Btf, id: number): BtfType | undefined {
  return btf.types[id];
}

/** btf_type_skip_modifiers: the type id past typedefs, qualifiers and type tags. */
function skipModifiers(btf: Btf, id: number): number {
  for (let i = 0; i < MAX_RESOLVE_DEPTH; i++) {
    const t = typeOf(btf, id);
    if (t === undefined || !MODIFIERS.has(t.kind)) return id;
    id = (t as { type: number }).type;
  }
  return id;
}

const isInt = (t: BtfType): boolean => t.kind === 'INT';
const isAnyEnum = (t: BtfType): boolean => t.kind === 'ENUM' || t.kind === 'ENUM64';

/** btf_resolve_size: the size of a (modifier-free) type, or -22 when it has none. */
function resolveSize(btf: Btf, id: number): number {
  let t = typeOf(btf, skipModifiers(btf, id));
  let nelems = 1;
  for (let i = 0; i < MAX_RESOLVE_DEPTH && t?.kind === 'ARRAY'; i++) {
    nelems *= t.nelems;
    if (nelems > 0xffffffff) return -22;
    t = typeOf(btf, skipModifiers(btf, t.type));
  }
  if (t === undefined) return -22;
  let size: number;
  switch (t.kind) {
    case 'INT': case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'DATASEC': case 'FLOAT':
      size = t.size;
      break;
    case 'PTR':
      size = 8;
      break;
    default:
      return -22;
  }
  if (nelems && size > Math.floor(0xffffffff / nelems)) return -22;
  return nelems * size;
}

/** The program type whose context BTF arguments may point to (an extension program: its target's). */
function ctxProgType(env: Env): ProgTypeName {
  return resolveProg(env.prog).type;
}

/** btf_get_prog_ctx_type: whether the pointer type `ptrId` points to the program type's context struct. */
function isProgCtxType(btf: Btf, ptrId: number, progType: ProgTypeName): boolean {
  const ptr = typeOf(btf, ptrId);
  if (ptr?.kind !== 'PTR') return false;
  const t = typeOf(btf, skipModifiers(btf, ptr.type));
  if (t === undefined || t.kind !== 'STRUCT') return false;
  return (CTX_TYPE_NAMES[progType] ?? []).includes(t.name);
}

/** check_abnormal_return: without BTF, subprograms may neither use LD_ABS nor tail calls. */
function checkAbnormalReturn(env: Env): void {
  for (let i = 1; i < env.subprogs.length; i++) {
    if (env.subprogs[i]!.hasLdAbs) env.fail('LD_ABS is not allowed in subprogs without BTF\n', EINVAL);
    if (env.subprogs[i]!.hasTailCall) env.fail('tail_call is not allowed in subprogs without BTF\n', EINVAL);
  }
}

/**
 * check_btf_info / check_btf_func: one func_info record per subprogram, at its first instruction, naming a
 * FUNC; its linkage decides whether the subprogram is verified as a global function.
 */
export function checkBtfInfo(env: Env, btf: Btf | undefined, records: readonly FuncInfoRecord[] | undefined, hasLineInfo: boolean): void {
  const n = records?.length ?? 0;
  if (n === 0) {
    checkAbnormalReturn(env);
    if (!hasLineInfo) return;
  }
  if (btf === undefined) {
    if (n === 0) return;
    env.fail('', EINVAL);
  }
  env.btf = btf;
  if (n === 0) return;
  if (n !== env.subprogs.length) env.fail("number of funcs in func_info doesn't match number of subprogs\n", EINVAL);
  const aux: FuncInfoAux[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const rec = records![i]!;
    if (i === 0) {
      if (rec.insn) env.fail(`nonzero insn_off ${rec.insn} for the first func info record`, EINVAL);
    } else if (rec.insn <= prev) {
      env.fail(`same or smaller insn offset (${rec.insn}) than previous func info record (${prev})`, EINVAL);
    }
    if (env.subprogs[i]!.start !== rec.insn) env.fail("func_info BTF section doesn't match subprog layout in BPF program\n", EINVAL);
    const fn = typeOf(btf, rec.typeId);
    if (fn === undefined || fn.kind !== 'FUNC' || rec.typeId === 0) env.fail(`invalid type id ${rec.typeId} in func info`, EINVAL);
    const proto = typeOf(btf, fn.type);
    if (proto === undefined || proto.kind !== 'FUNC_PROTO') env.fail('', EINVAL);
    const ret = typeOf(btf, skipModifiers(btf, proto.returnType))!;
    const scalarReturn = (isInt(ret) && (ret as { size: number }).size <= 8) || isAnyEnum(ret);
    if (i && !scalarReturn && env.subprogs[i]!.hasLdAbs) env.fail("LD_ABS is only allowed in functions that return 'int'.\n", EINVAL);
    if (i && !scalarReturn && env.subprogs[i]!.hasTailCall) env.fail("tail_call is only allowed in functions that return 'int'.\n", EINVAL);
    aux.push({ typeId: rec.typeId, linkage: fn.linkage, unreliable: false });
    prev = rec.insn;
  }
  env.funcInfo = aux;
}

export const isGlobalFunc = (env: Env, subprog: number): boolean => env.funcInfo?.[subprog]?.linkage === BTF_FUNC_GLOBAL;

/**
 * btf_check_func_arg_match for a subprogram: do the registers match the BTF prototype? Returns 0 or the
 * errno; messages go to the log as the kernel writes them (a mismatch for a static function is not an error
 * but its message stays). `call`: checking a call site (pointers to sized memory allowed for globals).
 */
function funcArgMatch(env: Env, typeId: number, regs: readonly Reg[], global: boolean, call: boolean): number {
  const btf = env.btf!;
  const fn = typeOf(btf, typeId);
  if (fn?.kind !== 'FUNC') {
    env.verbose(`BTF of func_id ${typeId} doesn't point to KIND_FUNC\n`);
    return 14;
  }
  const proto = typeOf(btf, fn.type);
  if (proto?.kind !== 'FUNC_PROTO') {
    env.verbose(`Invalid BTF of func ${fn.name}\n`);
    return 14;
  }
  const args = proto.params;
  if (args.length > MAX_ARGS) {
    env.verbose(`Function ${fn.name} has ${args.length} > ${MAX_ARGS} args\n`);
    return 22;
  }
  const progType = ctxProgType(env);
  for (let i = 0; i < args.length; i++) {
    const regno = i + 1;
    const reg = regs[regno]!;
    const tid = skipModifiers(btf, args[i]!.type);
    const t = typeOf(btf, tid)!;
    if (t.kind === 'INT' || t.kind === 'ENUM') {
      if (reg.type === T.SCALAR_VALUE) continue;
      env.verbose(`R${regno} is not a scalar\n`);
      return 22;
    }
    if (t.kind !== 'PTR') {
      env.verbose(`Unrecognized arg#${i} type ${btfKindStr(t)}\n`);
      return 22;
    }
    const offErr = attempt(() => checkFuncArgRegOff(env, reg, regno, 'ARG_DONTCARE', false));
    if (offErr) return offErr;
    const refId = skipModifiers(btf, t.type);
    const ref = typeOf(btf, refId)!;
    if (isProgCtxType(btf, tid, progType)) {
      if (reg.type !== T.PTR_TO_CTX) {
        env.verbose(`arg#${i} expected pointer to ctx, but got ${btfKindStr(t)}\n`);
        return 22;
      }
    } else if (global && call) {
      const size = resolveSize(btf, refId);
      if (size < 0) {
        env.verbose(`arg#${i} reference type('${btfKindStr(ref)} ${ref.name}') size cannot be determined: ${size}\n`);
        return 22;
      }
      if (!checkMemReg(env, reg, regno, size)) return 22;
    } else {
      env.verbose(`reg type unsupported for arg#${i} function ${fn.name}#${typeId}\n`);
      return 22;
    }
  }
  return 0;
}

/** Run a check that rejects by throwing: its errno (its message is in the log), or 0 when it passed. */
function attempt(check: () => void): number {
  try {
    check();
    return 0;
  } catch (e) {
    if (e instanceof Reject) return e.errno;
    throw e;
  }
}

/** check_mem_reg: `size` bytes readable and writable behind the register (NULL allowed). */
function checkMemReg(env: Env, reg: Reg, regno: number, size: number): boolean {
  if (reg.type === T.SCALAR_VALUE && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) return true;
  const saved = reg.type;
  if (reg.type & F.PTR_MAYBE_NULL) reg.type &= ~F.PTR_MAYBE_NULL;
  // Readable, then writable (a pointer to memory the function may write).
  const err = attempt(() => {
    checkHelperMemAccess(env, regno, size, true, undefined, false);
    checkHelperMemAccess(env, regno, size, true, { rawMode: true }, false);
  });
  reg.type = saved;
  return err === 0;
}

function subprogArgCheck(env: Env, subprog: number, regs: readonly Reg[], call: boolean): number {
  const fi = env.funcInfo?.[subprog];
  if (fi === undefined) return 22;
  if (fi.unreliable) return 22;
  const err = funcArgMatch(env, fi.typeId, regs, fi.linkage === BTF_FUNC_GLOBAL, call);
  if (err) fi.unreliable = true;
  return err;
}

/** btf_check_subprog_call: the registers at a call of `subprog` against its BTF. */
export function btfCheckSubprogCall(env: Env, subprog: number, regs: readonly Reg[]): number {
  return subprogArgCheck(env, subprog, regs, true);
}

/** btf_check_subprog_arg_match: the main program's entry registers against its BTF. */
export function btfCheckSubprogArgMatch(env: Env, subprog: number, regs: readonly Reg[]): number {
  return subprogArgCheck(env, subprog, regs, false);
}

/**
 * btf_prepare_func_args + do_check_common's register set-up: a global function's arguments from BTF —
 * scalars, the context, or pointers to memory of the pointee's size that may be NULL; it must return a scalar.
 */
export function prepareGlobalFuncArgs(env: Env, subprog: number, regs: Reg[]): void {
  const fi = env.funcInfo?.[subprog];
  if (fi === undefined || fi.linkage !== BTF_FUNC_GLOBAL) env.fail('Verifier bug\n', EFAULT);
  const btf = env.btf!;
  if (!fi.typeId) env.fail('Global functions need valid BTF\n', EFAULT);
  const fn = typeOf(btf, fi.typeId);
  if (fn?.kind !== 'FUNC') env.fail(`BTF of func#${subprog} doesn't point to KIND_FUNC\n`, EFAULT);
  if (env.log.level & 3) env.verbose(`Validating ${fn.name}() func#${subprog}...\n`);
  if (fi.unreliable) env.fail(`Verifier bug in function ${fn.name}()\n`, EFAULT);
  const proto = typeOf(btf, fn.type);
  if (proto?.kind !== 'FUNC_PROTO') env.fail(`Invalid type of function ${fn.name}()\n`, EFAULT);
  const args = proto.params;
  if (args.length > MAX_ARGS) env.fail(`Global function ${fn.name}() with ${args.length} > ${MAX_ARGS} args. Buggy compiler.\n`, EINVAL);
  const ret = typeOf(btf, skipModifiers(btf, proto.returnType))!;
  if (!isInt(ret) && !isAnyEnum(ret)) env.fail(`Global function ${fn.name}() doesn't return scalar. Only those are supported.\n`, EINVAL);
  const progType = ctxProgType(env);
  const kinds: ('scalar' | 'ctx' | 'mem')[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const tid = skipModifiers(btf, args[i]!.type);
    const t = typeOf(btf, tid)!;
    if (isInt(t) || isAnyEnum(t)) {
      kinds.push('scalar');
      continue;
    }
    if (t.kind === 'PTR') {
      if (isProgCtxType(btf, tid, progType)) {
        kinds.push('ctx');
        continue;
      }
      const refId = skipModifiers(btf, t.type);
      const size = resolveSize(btf, refId);
      if (size < 0) {
        const ref = typeOf(btf, refId)!;
        env.fail(`arg#${i} reference type('${btfKindStr(ref)} ${ref.name}') size cannot be determined: ${size}\n`, EINVAL);
      }
      kinds.push('mem');
      sizes[i] = size;
      env.newId(); // btf_prepare_func_args numbers the pointer; do_check_common numbers it again
      continue;
    }
    env.fail(`Arg#${i} type ${btfKindStr(t)} in ${fn.name}() is not supported yet.\n`, EINVAL);
  }
  for (let i = 0; i < kinds.length; i++) {
    const reg = regs[i + 1]!;
    if (kinds[i] === 'ctx') {
      markKnown(reg, 0n);
      reg.type = T.PTR_TO_CTX;
    } else if (kinds[i] === 'scalar') {
      env.markUnknown(reg);
    } else {
      markKnown(reg, 0n);
      reg.type = T.PTR_TO_MEM | F.PTR_MAYBE_NULL;
      reg.memSize = sizes[i]!;
      reg.id = env.newId();
    }
  }
}
