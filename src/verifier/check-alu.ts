/**
 * ALU instructions (check_alu_op): reserved fields, moves, scalar arithmetic through the bounds
 * transfer functions, and pointer arithmetic (adjust_ptr_min_max_vals) with its limits for
 * unprivileged programs.
 */
import { AluOp } from '../isa/opcodes.js';
import { planted } from './plant.js';
import type { Insn } from '../isa/insn.js';
import {
  boundsSync, mark32Unbounded, markKnown, scalarAlu, type ScalarOp, zext32To64,
} from './bounds.js';
import { C_ALU64, CLS, OP, SRC_X } from './cfg.js';
import type { Env } from './env.js';
import { markChainPrecision } from './precision.js';
import { assignReg, baseType, copyReg, F, isPktPointer, newReg, type Reg, regTypeStr, S64_MAX, S64_MIN, T } from './reg-state.js';
import {
  newSanitizeInfo, Reason, sanitizeCheckBounds, sanitizeErr, sanitizeNeeded, sanitizePtrAlu, sanitizeValAlu,
} from './sanitize.js';
import { tnumAdd, tnumIsConst, tnumSub, U64 } from './tnum.js';
import { EACCES, EINVAL } from '../uapi/errno.js';

const ALU_NAMES: ScalarOp[] = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'xor', 'mov', 'arsh'];
/** bpf_alu_string[] */
export const ALU_STRING = ['+=', '-=', '*=', '/=', '|=', '&=', '<<=', '>>=', 'neg', '%=', '^=', '=', 's>>=', 'endian'];

const BPF_MAX_VAR_OFF = 1n << 29n;

export function checkAlu(env: Env, insn: Insn): void {
  const regs = env.regs;
  const code = insn.opcode;
  const op = OP(code);
  const is64 = CLS(code) === C_ALU64;
  if (op === AluOp.END || op === AluOp.NEG) {
    if (op === AluOp.NEG) {
      if (SRC_X(code) || insn.src !== 0 || insn.off !== 0 || insn.imm !== 0) env.fail('BPF_NEG uses reserved fields\n', EINVAL);
    } else if (insn.src !== 0 || insn.off !== 0 || (insn.imm !== 16 && insn.imm !== 32 && insn.imm !== 64) || is64) {
      env.fail('BPF_END uses reserved fields\n', EINVAL);
    }
    env.checkRegArg(insn.dst, 'src');
    if (env.isPointerValue(regs[insn.dst]!)) env.fail(`R${insn.dst} pointer arithmetic prohibited\n`, EACCES);
    env.checkRegArg(insn.dst, 'dst');
    return;
  }
  if (op === AluOp.MOV) {
    if (SRC_X(code)) {
      if (insn.imm !== 0 || insn.off !== 0) env.fail('BPF_MOV uses reserved fields\n', EINVAL);
      env.checkRegArg(insn.src, 'src');
    } else if (insn.src !== 0 || insn.off !== 0) {
      env.fail('BPF_MOV uses reserved fields\n', EINVAL);
    }
    env.checkRegArg(insn.dst, 'dst_nomark');
    const dst = regs[insn.dst]!;
    if (SRC_X(code)) {
      const src = regs[insn.src]!;
      if (is64) {
        if (src.type === T.SCALAR_VALUE && !src.id) src.id = env.newId();
        assignReg(dst, src);
        dst.live |= 4;
        dst.subregDef = 0;
      } else {
        if (env.isPointerValue(src)) env.fail(`R${insn.src} partial copy of pointer\n`, EACCES);
        if (src.type === T.SCALAR_VALUE) {
          assignReg(dst, src);
          dst.id = 0;
          dst.live |= 4;
          dst.subregDef = env.insnIdx + 1;
        } else {
          env.markUnknown(dst);
        }
        if (planted !== 'no-zext32') zext32To64(dst);
        boundsSync(dst);
      }
    } else {
      env.markUnknown(dst);
      markKnown(dst, is64 ? BigInt(insn.imm) : BigInt(insn.imm >>> 0));
    }
    return;
  }
  if (op > AluOp.END) env.fail(`invalid BPF_ALU opcode ${op.toString(16)}\n`, EINVAL);
  if (SRC_X(code)) {
    if (insn.imm !== 0 || insn.off !== 0) env.fail('BPF_ALU uses reserved fields\n', EINVAL);
    env.checkRegArg(insn.src, 'src');
  } else if (insn.src !== 0 || insn.off !== 0) {
    env.fail('BPF_ALU uses reserved fields\n', EINVAL);
  }
  env.checkRegArg(insn.dst, 'src');
  if ((op === AluOp.MOD || op === AluOp.DIV) && !SRC_X(code) && insn.imm === 0) env.fail('div by zero\n', EINVAL);
  if ((op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) && !SRC_X(code)) {
    const size = is64 ? 64 : 32;
    if (insn.imm < 0 || insn.imm >= size) env.fail(`invalid shift ${insn.imm}\n`, EINVAL);
  }
  env.checkRegArg(insn.dst, 'dst_nomark');
  adjustRegMinMax(env, insn);
}

function adjustRegMinMax(env: Env, insn: Insn): void {
  const regs = env.regs;
  const op = OP(insn.opcode);
  const dst = regs[insn.dst]!;
  let ptrReg: Reg | undefined;
  if (dst.type !== T.SCALAR_VALUE) ptrReg = dst;
  else dst.id = 0;
  let src: Reg;
  if (SRC_X(insn.opcode)) {
    src = regs[insn.src]!;
    if (src.type !== T.SCALAR_VALUE) {
      if (dst.type !== T.SCALAR_VALUE) {
        if (op === AluOp.SUB && env.allowPtrLeaks) {
          env.markUnknown(dst);
          return;
        }
        env.fail(`R${insn.dst} pointer ${ALU_STRING[op >> 4]} pointer prohibited\n`, EACCES);
      }
      markChainPrecision(env, insn.dst);
      const offReg = copyReg(dst);
      adjustPtr(env, insn, src, offReg);
      return;
    } else if (ptrReg) {
      markChainPrecision(env, insn.src);
      adjustPtr(env, insn, ptrReg, src);
      return;
    } else if (dst.precise) {
      markChainPrecision(env, insn.src);
    }
  } else {
    src = newReg();
    src.type = T.SCALAR_VALUE;
    markKnown(src, BigInt(insn.imm));
    if (ptrReg) {
      adjustPtr(env, insn, ptrReg, src);
      return;
    }
  }
  sanitizeValAlu(env, insn, src);
  scalarAlu(ALU_NAMES[op >> 4]!, CLS(insn.opcode) !== C_ALU64, dst, copyReg(src), !env.bpfCapable);
}

function checkSaneOffset(env: Env, reg: Reg, type: number): void {
  const known = tnumIsConst(reg.varOff);
  const val = BigInt.asIntN(64, reg.varOff.value);
  if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
    env.fail(`math between ${regTypeStr(type)} pointer and ${val} is not allowed\n`, EINVAL);
  }
  if (reg.off >= Number(BPF_MAX_VAR_OFF) || reg.off <= -Number(BPF_MAX_VAR_OFF)) {
    env.fail(`${regTypeStr(type)} pointer offset ${reg.off} is not allowed\n`, EINVAL);
  }
  if (reg.smin === S64_MIN) {
    env.fail(`math between ${regTypeStr(type)} pointer and register with unbounded min value is not allowed\n`, EINVAL);
  }
  if (reg.smin >= BPF_MAX_VAR_OFF || reg.smin <= -BPF_MAX_VAR_OFF) {
    env.fail(`value ${reg.smin} makes ${regTypeStr(type)} pointer be out of bounds\n`, EINVAL);
  }
}

function adjustPtr(env: Env, insn: Insn, ptr: Reg, off: Reg): void {
  const dstno = insn.dst;
  const dst = env.regs[dstno]!;
  const op = OP(insn.opcode);
  const known = tnumIsConst(off.varOff);
  if ((known && (off.smin !== off.smax || off.umin !== off.umax)) || off.smin > off.smax || off.umin > off.umax) {
    env.markUnknown(dst);
    return;
  }
  if (CLS(insn.opcode) !== C_ALU64) {
    if (op === AluOp.SUB && env.allowPtrLeaks) {
      env.markUnknown(dst);
      return;
    }
    env.fail(`R${dstno} 32-bit pointer arithmetic prohibited\n`, EACCES);
  }
  if (ptr.type & F.PTR_MAYBE_NULL) {
    env.fail(`R${dstno} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited, null-check it first\n`, EACCES);
  }
  const bt = baseType(ptr.type);
  let prohibited = false;
  switch (bt) {
    case T.PTR_TO_FLOW_KEYS:
      if (!known) prohibited = true;
      break;
    case T.CONST_PTR_TO_MAP:
      if (!(known && off.smin === 0n && op === AluOp.ADD)) prohibited = true;
      break;
    case T.PTR_TO_PACKET_END: case T.PTR_TO_SOCKET: case T.PTR_TO_SOCK_COMMON: case T.PTR_TO_TCP_SOCK: case T.PTR_TO_XDP_SOCK:
      prohibited = true;
      break;
  }
  if (prohibited) env.fail(`R${dstno} pointer arithmetic on ${regTypeStr(ptr.type)} prohibited\n`, EACCES);
  checkSaneOffset(env, off, ptr.type);
  checkSaneOffset(env, ptr, ptr.type);
  const p = copyReg(ptr);
  const res = dst;
  mark32Unbounded(res);
  const info = newSanitizeInfo();
  if (sanitizeNeeded(op)) {
    const r = sanitizePtrAlu(env, insn, ptr, off, dst, info, false);
    if (r !== Reason.NONE) sanitizeErr(env, insn, r, off, dst);
  }
  switch (op) {
    case AluOp.ADD: {
      if (known && p.off + Number(off.smin) === ((p.off + Number(off.smin)) | 0)) {
        copyPtrFields(res, p);
        res.smin = p.smin; res.smax = p.smax; res.umin = p.umin; res.umax = p.umax;
        res.varOff = p.varOff;
        res.off = p.off + Number(off.smin);
        break;
      }
      copyPtrFields(res, p);
      addBounds(res, p, off);
      res.varOff = tnumAdd(p.varOff, off.varOff);
      res.off = p.off;
      if (isPktPointer(p.type)) {
        res.id = env.newId();
        res.range = 0;
      }
      break;
    }
    case AluOp.SUB: {
      if (res !== ptr) env.fail(`R${dstno} tried to subtract pointer from scalar\n`, EACCES);
      if (p.type === T.PTR_TO_STACK) env.fail(`R${dstno} subtraction from stack pointer prohibited\n`, EACCES);
      if (known && p.off - Number(off.smin) === ((p.off - Number(off.smin)) | 0)) {
        copyPtrFields(res, p);
        res.smin = p.smin; res.smax = p.smax; res.umin = p.umin; res.umax = p.umax;
        res.varOff = p.varOff;
        res.id = p.id;
        res.off = p.off - Number(off.smin);
        break;
      }
      copyPtrFields(res, p);
      subBounds(res, p, off);
      res.varOff = tnumSub(p.varOff, off.varOff);
      res.off = p.off;
      if (isPktPointer(p.type)) {
        res.id = env.newId();
        if (off.smin < 0n) res.range = 0;
      }
      break;
    }
    case AluOp.OR: case AluOp.AND: case AluOp.XOR:
      env.fail(`R${dstno} bitwise operator ${ALU_STRING[op >> 4]} on pointer prohibited\n`, EACCES);
      break;
    default:
      env.fail(`R${dstno} pointer arithmetic with ${ALU_STRING[op >> 4]} operator prohibited\n`, EACCES);
  }
  checkSaneOffset(env, res, p.type);
  boundsSync(res);
  sanitizeCheckBounds(env, insn, res);
  if (sanitizeNeeded(op)) {
    const r = sanitizePtrAlu(env, insn, res, off, res, info, true);
    if (r !== Reason.NONE) sanitizeErr(env, insn, r, off, res);
  }
}

function copyPtrFields(dst: Reg, p: Reg): void {
  dst.type = p.type;
  dst.id = p.id;
  dst.refObjId = p.refObjId;
  dst.range = p.range;
  dst.memSize = p.memSize;
  dst.map = p.map;
  dst.mapUid = p.mapUid;
  dst.btfName = p.btfName;
  dst.subprogno = p.subprogno;
  dst.frameno = p.frameno;
}

function addBounds(d: Reg, p: Reg, o: Reg): void {
  const smin = p.smin + o.smin;
  const smax = p.smax + o.smax;
  if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
    d.smin = S64_MIN; d.smax = S64_MAX;
  } else { d.smin = smin; d.smax = smax; }
  if (p.umin + o.umin > U64 || p.umax + o.umax > U64) { d.umin = 0n; d.umax = U64; } else {
    d.umin = p.umin + o.umin; d.umax = p.umax + o.umax;
  }
}

function subBounds(d: Reg, p: Reg, o: Reg): void {
  const smin = p.smin - o.smax;
  const smax = p.smax - o.smin;
  if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
    d.smin = S64_MIN; d.smax = S64_MAX;
  } else { d.smin = smin; d.smax = smax; }
  if (p.umin < o.umax) { d.umin = 0n; d.umax = U64; } else { d.umin = p.umin - o.umax; d.umax = p.umax - o.umin; }
}
