/**
 * kfunc calls (check_kfunc_call with btf_check_kfunc_arg_match, Linux 6.1): the KF_* flags, argument
 * matching against the kfunc's BTF prototype (scalars, rdonly/rdwr_buf_size, ctx, PTR_TO_BTF_ID with
 * struct matching, memory with `__sz` pairs), reference release and acquisition, return types.
 */
import type { Insn } from '../isa/insn.js';
import type { KfuncProto, KType } from '../platform/platform.js';
import { markKnown } from './bounds.js';
import { acquireRef, mayRelease, releaseReference } from './check-call.js';
import { checkFuncArgRegOff, checkHelperMemAccess } from './helper-mem.js';
import { structIdsMatch } from './btf-walk.js';
import type { Env } from './env.js';
import { baseType, F, Live, type Reg, T, typeFlags } from './reg-state.js';
import { dynptrTypeExpected, dynptrValidInit } from './dynptr.js';
import type { ArgSpec } from '../platform/types.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';

const LOCAL_DYNPTR: ArgSpec = { type: 'ARG_PTR_TO_DYNPTR', flags: ['DYNPTR_TYPE_LOCAL'] };
import { tnumIsConst } from './tnum.js';

/** reg2btf_ids: the kernel struct a socket-like register points to. */
const REG2BTF: Partial<Record<number, string>> = {
  [T.PTR_TO_SOCK_COMMON]: 'sock_common', [T.PTR_TO_SOCKET]: 'sock', [T.PTR_TO_TCP_SOCK]: 'tcp_sock', [T.CONST_PTR_TO_MAP]: 'bpf_map',
};

const isScalar = (t: KType): boolean => t.kind === 'int';
const isStruct = (t: KType): t is Extract<KType, { kind: 'struct' }> => t.kind === 'struct';

/** btf_type_str + name, as the messages print a pointee. */
function typeStr(t: KType): [string, string] {
  switch (t.kind) {
    case 'struct': return [t.union ? 'UNION' : 'STRUCT', t.name];
    case 'int': return ['INT', t.name ?? ''];
    case 'ptr': return ['PTR', ''];
    case 'array': return ['ARRAY', ''];
    default: return ['UNKNOWN', ''];
  }
}

/** __btf_type_is_scalar_struct */
function isScalarStruct(env: Env, t: KType, rec: number): boolean {
  if (!isStruct(t)) return false;
  for (const m of t.members) {
    const mt = m.type;
    if (isStruct(mt)) {
      if (rec >= 3) {
        env.verbose('max struct nesting depth exceeded\n');
        return false;
      }
      if (!isScalarStruct(env, mt, rec + 1)) return false;
      continue;
    }
    if (mt.kind === 'array') {
      if (!mt.count) return false;
      if (!isScalar(mt.elem)) return false;
      continue;
    }
    if (!isScalar(mt)) return false;
  }
  return true;
}

const isNullScalar = (r: Reg): boolean => r.type === T.SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;

function argMatch(env: Env, proto: KfuncProto, meta: { r0Size: number; r0Rdonly: boolean; refObjId: number }): number {
  const flags = proto.flags;
  const rel = flags.includes('KF_RELEASE');
  const kptrGet = flags.includes('KF_KPTR_GET');
  const trusted = flags.includes('KF_TRUSTED_ARGS');
  const regs = env.regs;
  const fname = proto.name;
  const nargs = proto.params.length;
  let refRegno = 0;
  let refObjId = 0;
  for (let i = 0; i < nargs; i++) {
    const regno = i + 1;
    const reg = regs[regno]!;
    const p = proto.params[i]!;
    const t = p.type;
    if (isScalar(t)) {
      const bufSize = p.name === 'rdonly_buf_size' || p.name === 'rdwr_buf_size';
      if (bufSize && reg.type === T.SCALAR_VALUE) {
        if (p.name === 'rdonly_buf_size') meta.r0Rdonly = true;
        if (meta.r0Size) env.fail('2 or more rdonly/rdwr_buf_size parameters for kfunc', EINVAL);
        if (!tnumIsConst(reg.varOff)) env.fail(`R${regno} is not a const\n`, EINVAL);
        meta.r0Size = Number(reg.varOff.value);
        if (reg.varOff.value > 0xffffffffn) env.fail(`R${regno} rdonly/rdwr_buf_size exceeds u32 max\n`, EINVAL);
      }
      if (reg.type === T.SCALAR_VALUE) continue;
      env.fail(`R${regno} is not a scalar\n`, EINVAL);
    }
    if (t.kind !== 'ptr') {
      const [k] = typeStr(t);
      env.fail(`Unrecognized arg#${i} type ${k}\n`, EINVAL);
    }
    const objPtr = reg.type === T.PTR_TO_CTX || reg.type === T.PTR_TO_BTF_ID || REG2BTF[baseType(reg.type)] !== undefined;
    if (trusted && objPtr && reg.type !== T.PTR_TO_CTX && !reg.refObjId) env.fail(`R${regno} must be referenced\n`, EINVAL);
    const refT = t.to;
    const release = (trusted && objPtr) || (rel && reg.refObjId !== 0);
    checkFuncArgRegOff(env, reg, regno, '', release);
    if (reg.refObjId) {
      if (refObjId) env.fail(`verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${refObjId}\n`, EFAULT);
      refRegno = regno;
      refObjId = reg.refObjId;
    }
    if (i === 0 && kptrGet) {
      if (reg.type !== T.PTR_TO_MAP_VALUE) env.fail('arg#0 expected pointer to map value\n', EINVAL);
      if (!tnumIsConst(reg.varOff)) env.fail('arg#0 must have constant offset\n', EINVAL);
      const off = reg.off + Number(reg.varOff.value);
      const kp = reg.map?.kptrs?.find((k) => k.off === off);
      if (!kp || !kp.ref) env.fail(`arg#0 no referenced kptr at map value offset=${off}\n`, EINVAL);
      if (refT.kind !== 'ptr') env.fail('arg#0 BTF type must be a double pointer\n', EINVAL);
      const inner = refT.to;
      const [k, n] = typeStr(inner);
      if (!isStruct(inner)) env.fail(`kernel function ${fname} args#${i} pointer type ${k} ${n} is not supported\n`, EINVAL);
      if (inner.name !== kp.btfName) env.fail(`kernel function ${fname} args#${i} expected pointer to ${k} ${n}\n`, EINVAL);
    } else if (refT.kind === 'ctx') {
      if (reg.type !== T.PTR_TO_CTX) env.fail(`arg#${i} expected pointer to ctx, but got PTR\n`, EINVAL);
    } else if (reg.type === T.PTR_TO_BTF_ID || (REG2BTF[baseType(reg.type)] !== undefined && !typeFlags(reg.type))) {
      const [k, n] = typeStr(refT);
      if (!isStruct(refT)) env.fail(`kernel function ${fname} args#${i} pointer type ${k} ${n} is not supported\n`, EINVAL);
      const have = reg.type === T.PTR_TO_BTF_ID ? reg.btfName ?? '' : REG2BTF[baseType(reg.type)]!;
      if (!structIdsMatch(env, have, reg.off, refT.name, trusted || (rel && reg.refObjId !== 0))) {
        env.fail(`kernel function ${fname} args#${i} expected pointer to ${k} ${n} but R${regno} has a pointer to STRUCT ${have}\n`, EINVAL);
      }
    } else {
      const next = proto.params[i + 1];
      const argMemSize = next !== undefined && next.name.endsWith('__sz') && isScalar(next.type);
      const dynptr = isStruct(refT) && refT.name === 'bpf_dynptr_kern';
      if (!isScalar(refT) && !isScalarStruct(env, refT, 0) && !dynptr && (argMemSize ? refT.kind !== 'void' : true)) {
        const [k, n] = typeStr(refT);
        env.fail(`arg#${i} pointer type ${k} ${n} must point to ${argMemSize ? 'void, ' : ''}scalar, or struct with scalar\n`, EINVAL);
      }
      if (dynptr) {
        // an initialised local dynptr only (btf_check_func_arg_match, 6.1)
        if (reg.type !== T.PTR_TO_STACK) env.fail(`arg#${i} pointer type STRUCT bpf_dynptr_kern not to stack\n`, EINVAL);
        if (!dynptrValidInit(env, reg)) env.fail(`arg#${i} pointer type STRUCT bpf_dynptr_kern must be valid and initialized\n`, EINVAL);
        if (!dynptrTypeExpected(env, reg, LOCAL_DYNPTR)) {
          env.fail(`arg#${i} pointer type STRUCT bpf_dynptr_kern points to unsupported dynamic pointer type\n`, EINVAL);
        }
        continue;
      }
      if (argMemSize) {
        const sz = regs[regno + 1]!;
        if (!checkKfuncMemSize(env, sz, regno + 1)) {
          env.fail(`arg#${i} arg#${i + 1} memory, len pair leads to invalid memory access\n`, EINVAL);
        }
        i++;
        continue;
      }
      const size = refT.kind === 'int' ? refT.size : isStruct(refT) ? refT.size : 0;
      if (isStruct(refT) && refT.flex) {
        env.fail(`arg#${i} reference type('STRUCT ${refT.name}') size cannot be determined: -22\n`, EINVAL);
      }
      // check_mem_reg: NULL is fine for a maybe-null scalar pointer only through helpers; kfuncs need memory.
      if (isNullScalar(reg)) {
        // check_helper_mem_access on a NULL register: refused below with the helper's message
      }
      checkHelperMemAccess(env, regno, size, false, undefined, false);
    }
  }
  if (rel && !refObjId) env.fail(`release kernel function ${fname} expects refcounted PTR_TO_BTF_ID\n`, EINVAL);
  if (flags.includes('KF_SLEEPABLE') && !env.prog.sleepable) {
    env.fail(`kernel function ${fname} is sleepable but the program is not\n`, EINVAL);
  }
  if (refObjId) meta.refObjId = refObjId;
  return rel ? refRegno : 0;
}

/** check_kfunc_mem_size_reg: a size register for a kfunc's memory argument; false when the pair is invalid. */
function checkKfuncMemSize(env: Env, reg: Reg, regno: number): boolean {
  env.checkRegArg(regno, 'src');
  if (reg.type !== T.SCALAR_VALUE) return false;
  if (reg.smin < 0n) return false;
  if (reg.umax >= 1n << 29n) return false;
  checkHelperMemAccess(env, regno - 1, Number(reg.umax), true, undefined, false);
  return true;
}

export function checkKfuncCall(env: Env, insn: Insn, idx: number): number {
  if (insn.imm === 0) {
    env.liveZeroKfuncCall = true; // reported by the fixup pass, after do_check
    return idx + 1;
  }
  const k = env.platform.kfunc(insn.imm, env.prog);
  if (!k || !k.proto) env.fail(`calling kernel function ${k?.name ?? ''} is not allowed\n`, EACCES);
  const proto = k.proto;
  if (proto.flags.includes('KF_DESTRUCTIVE') && !env.caps.has('CAP_SYS_BOOT')) {
    env.fail('destructive kfunc calls require CAP_SYS_BOOT capabilities\n', EACCES);
  }
  const meta = { r0Size: 0, r0Rdonly: false, refObjId: 0 };
  const relRegno = argMatch(env, proto, meta);
  const regs = env.regs;
  if (relRegno) {
    const id = regs[relRegno]!.refObjId;
    if (!mayRelease(env, id)) env.fail(`kfunc ${proto.name}#${insn.imm} reference has not been acquired before\n`, EINVAL);
    releaseReference(env, id);
  }
  for (let i = 0; i < 6; i++) {
    env.markNotInit(regs[i]!);
    regs[i]!.live |= Live.WRITTEN;
    env.markRegScratched(i);
  }
  const r0 = regs[0]!;
  const ret = proto.ret;
  const acq = proto.flags.includes('KF_ACQUIRE');
  if (acq && !(ret.kind === 'ptr' && isStruct(ret.to))) env.fail('acquire kernel function does not return PTR_TO_BTF_ID\n', EINVAL);
  if (ret.kind === 'int') {
    env.markUnknown(r0);
  } else if (ret.kind === 'ptr') {
    const to = ret.to;
    env.markUnknown(r0);
    markKnown(r0, 0n);
    if (!isStruct(to)) {
      if (!meta.r0Size) {
        const [kk, n] = typeStr(to);
        env.fail(`kernel function ${proto.name} returns pointer type ${kk} ${n} is not supported\n`, EINVAL);
      }
      r0.type = T.PTR_TO_MEM | (meta.r0Rdonly ? F.MEM_RDONLY : 0);
      r0.memSize = meta.r0Size;
      if (meta.refObjId) r0.refObjId = meta.refObjId;
    } else {
      r0.type = T.PTR_TO_BTF_ID;
      r0.btfName = to.name;
    }
    if (proto.flags.includes('KF_RET_NULL')) {
      r0.type |= F.PTR_MAYBE_NULL;
      r0.id = env.newId();
    }
    if (acq) {
      // acquire_reference_state: a reference taken in a callback belongs to the callback's frame
      const id = acquireRef(env, idx);
      r0.id = id;
      r0.refObjId = id;
    }
  }
  return idx + 1;
}
