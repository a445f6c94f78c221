/**
 * Conditional jumps (check_cond_jmp_op): branch prediction on known values, branch refinement of
 * scalars in both successors, null checks of maybe-null pointers, packet range discovery by
 * comparisons with pkt_end, and the speculative paths pushed for unprivileged programs.
 */
import type { Insn } from '../isa/insn.js';
import { combineMinMax, type Cond, FLIP, regSetMinMax, scalarBranchTaken } from './bounds.js';
import { C_JMP32, CLS, OP, SRC_X } from './cfg.js';
import type { Env } from './env.js';
import { assignReg, baseType, F, isPktPointer, newReg, type Reg, T } from './reg-state.js';
import { markChainPrecision } from './precision.js';
import { curFrame, forEachReg, type VState } from './state.js';
import { sanitizeSpeculativePath } from './sanitize.js';
import { tnumIsConst, tnumSubreg, U32 } from './tnum.js';
import { markKnown } from './bounds.js';
import { EACCES, EFAULT, EINVAL } from '../uapi/errno.js';

const CONDS: Record<number, Cond> = {
  0x10: 'eq', 0x20: 'gt', 0x30: 'ge', 0x40: 'set', 0x50: 'ne', 0x60: 'sgt', 0x70: 'sge', 0xa0: 'lt', 0xb0: 'le',
  0xc0: 'slt', 0xd0: 'sle',
};

const AT_PKT_END = -1;
const BEYOND_PKT_END = -2;

/** reg_is_pkt_pointer_any */
const isPktPointerAny = (t: number): boolean => isPktPointer(t) || t === T.PTR_TO_PACKET_END;

/** reg_type_not_null (6.1): only these pointer types are known non-NULL in a comparison with 0. */
function regTypeNotNull(r: Reg): boolean {
  const t = r.type;
  return t === T.PTR_TO_SOCKET || t === T.PTR_TO_TCP_SOCK || t === T.PTR_TO_MAP_VALUE || t === T.PTR_TO_MAP_KEY || t === T.PTR_TO_SOCK_COMMON;
}

function branchTaken(r: Reg, val: bigint, op: Cond, is32: boolean): number {
  if (r.type !== T.SCALAR_VALUE) {
    if (!regTypeNotNull(r)) return -1;
    if (val !== 0n) return -1;
    if (op === 'eq') return 0;
    if (op === 'ne') return 1;
    return -1;
  }
  return scalarBranchTaken(r, val, op, is32);
}

function pktBranchTaken(dst: Reg, src: Reg, op: Cond): number {
  let pkt: Reg;
  if (src.type === T.PTR_TO_PACKET_END) pkt = dst;
  else if (dst.type === T.PTR_TO_PACKET_END) { pkt = src; op = FLIP[op]; } else return -1;
  if (pkt.range >= 0) return -1;
  switch (op) {
    case 'le': case 'gt':
      if (pkt.range === BEYOND_PKT_END) return op === 'gt' ? 1 : 0;
      break;
    case 'lt': case 'ge':
      if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return op === 'ge' ? 1 : 0;
      break;
    default:
      break;
  }
  return -1;
}

function findGoodPktPointers(vs: VState, dst: Reg, type: number, rightOpen: boolean): void {
  if (dst.off < 0 || (dst.off === 0 && rightOpen)) return;
  if (dst.umax > 0xffffn || dst.umax + BigInt(dst.off) > 0xffffn) return;
  let newRange = dst.off;
  if (rightOpen) newRange++;
  const id = dst.id;
  forEachReg(vs, (r) => {
    if (r.type === type && r.id === id) r.range = Math.max(r.range, newRange);
  });
}

function markPktEnd(vs: VState, regno: number, rangeOpen: boolean): void {
  const r = curFrame(vs).regs[regno]!;
  if (r.type !== T.PTR_TO_PACKET) return;
  r.range = rangeOpen ? BEYOND_PKT_END : AT_PKT_END;
}

function isInitPkt(r: Reg, which: number): boolean {
  return r.type === which && r.id === 0 && r.off === 0 && tnumIsConst(r.varOff) && r.varOff.value === 0n;
}

function tryMatchPkt(insn: Insn, dst: Reg, src: Reg, thisB: VState, other: VState): boolean {
  if (!SRC_X(insn.opcode) || CLS(insn.opcode) === C_JMP32) return false;
  const op = OP(insn.opcode);
  const a = (dst.type === T.PTR_TO_PACKET && src.type === T.PTR_TO_PACKET_END) || (dst.type === T.PTR_TO_PACKET_META && isInitPkt(src, T.PTR_TO_PACKET));
  const b = (dst.type === T.PTR_TO_PACKET_END && src.type === T.PTR_TO_PACKET) || (isInitPkt(dst, T.PTR_TO_PACKET) && src.type === T.PTR_TO_PACKET_META);
  const dOther = curFrame(other).regs[insn.dst]!;
  const sOther = curFrame(other).regs[insn.src]!;
  switch (op) {
    case 0x20: // JGT
      if (a) { findGoodPktPointers(thisB, dst, dst.type, false); markPktEnd(other, insn.dst, true); } else if (b) {
        findGoodPktPointers(other, sOther, src.type, true); markPktEnd(thisB, insn.src, false);
      } else return false;
      break;
    case 0xa0: // JLT
      if (a) { findGoodPktPointers(other, dOther, dst.type, true); markPktEnd(thisB, insn.dst, false); } else if (b) {
        findGoodPktPointers(thisB, src, src.type, false); markPktEnd(other, insn.src, true);
      } else return false;
      break;
    case 0x30: // JGE
      if (a) { findGoodPktPointers(thisB, dst, dst.type, true); markPktEnd(other, insn.dst, false); } else if (b) {
        findGoodPktPointers(other, sOther, src.type, false); markPktEnd(thisB, insn.src, true);
      } else return false;
      break;
    case 0xb0: // JLE
      if (a) { findGoodPktPointers(other, dOther, dst.type, false); markPktEnd(thisB, insn.dst, true); } else if (b) {
        findGoodPktPointers(thisB, src, src.type, true); markPktEnd(other, insn.src, false);
      } else return false;
      break;
    default:
      return false;
  }
  return true;
}

function findEqualScalars(vs: VState, known: Reg): void {
  const id = known.id;
  forEachReg(vs, (r) => {
    if (r !== known && r.type === T.SCALAR_VALUE && r.id === id) {
      const sd = r.subregDef;
      assignReg(r, known);
      r.subregDef = sd;
    }
  });
}

/** mark_ptr_or_null_regs */
export function markPtrOrNullRegs(env: Env, vs: VState, regno: number, isNull: boolean): void {
  const regs = curFrame(vs).regs;
  const refObjId = regs[regno]!.refObjId;
  const id = regs[regno]!.id;
  if (refObjId && refObjId === id && isNull) {
    const f = curFrame(vs);
    const i = f.refs.findIndex((r) => r.id === id);
    if (i >= 0) f.refs.splice(i, 1);
  }
  forEachReg(vs, (r) => {
    if ((r.type & F.PTR_MAYBE_NULL) && r.id === id && r.id) {
      if (isNull) {
        r.type = T.SCALAR_VALUE;
        r.id = 0;
        r.refObjId = 0;
        return;
      }
      markPtrNotNull(r);
      if (!mayPointToSpinLock(r)) r.id = 0;
    }
  });
  void env;
}

function mayPointToSpinLock(r: Reg): boolean {
  return r.type === T.PTR_TO_MAP_VALUE && r.map !== undefined && r.map.spinLockOff >= 0;
}

export function markPtrNotNull(r: Reg): void {
  if (baseType(r.type) === T.PTR_TO_MAP_VALUE && r.map) {
    const m = r.map;
    if (m.inner) {
      r.type = T.CONST_PTR_TO_MAP;
      r.map = m.inner;
      if (m.inner.timerOff >= 0) r.mapUid = r.id;
    } else if (m.type === 17) {
      r.type = T.PTR_TO_XDP_SOCK;
    } else if (m.type === 15 || m.type === 18) {
      r.type = T.PTR_TO_SOCKET;
    } else {
      r.type = T.PTR_TO_MAP_VALUE;
    }
    return;
  }
  r.type &= ~F.PTR_MAYBE_NULL;
}

/** A branch decided by scalar values: they must stay precise for pruning. */
function markBranchPrecision(env: Env, insn: Insn, dst: Reg, src: Reg | undefined): void {
  if (dst.type === T.SCALAR_VALUE) markChainPrecision(env, insn.dst);
  if (src && src.type === T.SCALAR_VALUE) markChainPrecision(env, insn.src);
}

/** Returns the next instruction index. */
export function checkCondJmp(env: Env, insn: Insn, idx: number): number {
  const op = OP(insn.opcode);
  if (op === 0x00 || op > 0xd0 || CONDS[op] === undefined) env.fail(`invalid BPF_JMP/JMP32 opcode ${op.toString(16)}\n`, EINVAL);
  const cond = CONDS[op]!;
  const regs = env.regs;
  let src: Reg | undefined;
  if (SRC_X(insn.opcode)) {
    if (insn.imm !== 0) env.fail('BPF_JMP/JMP32 uses reserved fields\n', EINVAL);
    env.checkRegArg(insn.src, 'src');
    src = regs[insn.src]!;
    // Packet pointers may be compared with each other (and pkt_end) by any loader that has them.
    // (the destination is checked after the source, as check_cond_jmp_op does: it may be no register yet)
    const dstType = regs[insn.dst]?.type;
    const pktPair = dstType !== undefined && isPktPointerAny(dstType) && isPktPointerAny(src.type);
    if (!pktPair && env.isPointerValue(src)) env.fail(`R${insn.src} pointer comparison prohibited\n`, EACCES);
  } else if (insn.src !== 0) {
    env.fail('BPF_JMP/JMP32 uses reserved fields\n', EINVAL);
  }
  env.checkRegArg(insn.dst, 'src');
  const dst = regs[insn.dst]!;
  const is32 = CLS(insn.opcode) === C_JMP32;
  let pred = -1;
  if (!src) pred = branchTaken(dst, BigInt(insn.imm), cond, is32);
  else if (src.type === T.SCALAR_VALUE && is32 && tnumIsConst(tnumSubreg(src.varOff))) {
    pred = branchTaken(dst, tnumSubreg(src.varOff).value, cond, is32);
  } else if (src.type === T.SCALAR_VALUE && !is32 && tnumIsConst(src.varOff)) {
    pred = branchTaken(dst, src.varOff.value, cond, is32);
  } else if ((isPktPointer(dst.type) || dst.type === T.PTR_TO_PACKET_END) && (isPktPointer(src.type) || src.type === T.PTR_TO_PACKET_END) && !is32) {
    pred = pktBranchTaken(dst, src, cond);
  }
  // A known outcome: only the predicted side is real; without CAP_PERFMON the other one is explored as a
  // speculative path (a full queue there is -EFAULT).
  if (pred >= 0) markBranchPrecision(env, insn, dst, src);
  if (pred === 1) {
    if (!env.bypassSpecV1 && !sanitizeSpeculativePath(env, insn, idx + 1, idx)) env.fail('', EFAULT);
    return idx + insn.off + 1;
  }
  if (pred === 0) {
    if (!env.bypassSpecV1 && !sanitizeSpeculativePath(env, insn, idx + insn.off + 1, idx)) env.fail('', EFAULT);
    return idx + 1;
  }
  const other = env.pushStack(idx + insn.off + 1, idx, false);
  const oregs = curFrame(other).regs;
  if (src) {
    if (dst.type === T.SCALAR_VALUE && src.type === T.SCALAR_VALUE) {
      if (tnumIsConst(src.varOff) || (is32 && tnumIsConst(tnumSubreg(src.varOff)))) {
        regSetMinMax(oregs[insn.dst]!, dst, is32 ? src.varOff.value & U32 : src.varOff.value, cond, is32);
      } else if (tnumIsConst(dst.varOff) || (is32 && tnumIsConst(tnumSubreg(dst.varOff)))) {
        regSetMinMax(oregs[insn.src]!, src, is32 ? dst.varOff.value & U32 : dst.varOff.value, FLIP[cond], is32);
      } else if (!is32 && (cond === 'eq' || cond === 'ne')) {
        if (cond === 'eq') combineMinMax(oregs[insn.src]!, oregs[insn.dst]!);
        else combineMinMax(src, dst);
      }
      if (src.id && src.id === oregs[insn.src]!.id) {
        findEqualScalars(env.cur, src);
        findEqualScalars(other, oregs[insn.src]!);
      }
    }
  } else if (dst.type === T.SCALAR_VALUE) {
    regSetMinMax(oregs[insn.dst]!, dst, BigInt(insn.imm), cond, is32);
  }
  if (dst.type === T.SCALAR_VALUE && dst.id && dst.id === oregs[insn.dst]!.id) {
    findEqualScalars(env.cur, dst);
    findEqualScalars(other, oregs[insn.dst]!);
  }
  if (!is32 && !src && insn.imm === 0 && (cond === 'eq' || cond === 'ne') && (dst.type & F.PTR_MAYBE_NULL)) {
    markPtrOrNullRegs(env, env.cur, insn.dst, cond === 'ne');
    markPtrOrNullRegs(env, other, insn.dst, cond === 'eq');
  } else if (!tryMatchPkt(insn, dst, src ?? newReg(), env.cur, other) && env.isPointerValue(dst)) {
    env.fail(`R${insn.dst} pointer comparison prohibited\n`, EACCES);
  }
  return idx + 1;
}

export { markKnown };
