/**
 * Spectre v1 sanitation for loaders without CAP_PERFMON (bypass_spec_v1 unset), as Linux 6.1 models it:
 *
 * - pointer arithmetic with a register offset (sanitize_ptr_alu) records per instruction how the JIT will
 *   mask the offset (direction, limit); one instruction reached with different masks, or with a pointer on
 *   one path and a scalar on another (sanitize_val_alu), cannot be masked and is refused;
 * - the masked outcome (offset truncated to 0) is explored as a speculative path, as is the not-taken side of
 *   every branch whose direction is known (sanitize_speculative_path);
 * - a pointer must stay inside its object after the arithmetic (sanitize_check_bounds);
 * - the map of a tail call must be the same on every path (record_func_map: map_ptr_unpriv / poison).
 *
 * Stores that may overwrite a spilled pointer or uninitialised bytes get a barrier when bypass_spec_v4 is
 * unset (sanitize_stack_spill); that only rewrites the program, so it is recorded, never refused.
 */
import type { Insn } from '../isa/insn.js';
import type { MapDef } from '../platform/platform.js';
import { checkMapAccess } from './mem-region.js';
import { C_ALU64, CLS, OP, SRC_X } from './cfg.js';
import type { Env } from './env.js';
import { assignReg, copyReg, type Reg, T } from './reg-state.js';
import { curFrame, MAX_BPF_STACK, S, type VState } from './state.js';
import { tnumIsConst, tnumStr, tnumSubregIsConst } from './tnum.js';
import { EACCES, EINVAL } from '../uapi/errno.js';
import { BPF_FUNC } from '../uapi/index.js';

/** aux->alu_state bits (BPF_ALU_*). */
export const enum AluState { SANITIZE_SRC = 1, SANITIZE_DST = 2, NEG_VALUE = 4, NON_POINTER = 8, IMMEDIATE = 16 }

/** Why sanitation refuses an instruction (the kernel's REASON_*). */
export const enum Reason { NONE = 0, BOUNDS = -1, TYPE = -2, PATHS = -3, LIMIT = -4, STACK = -5 }

/** bpf_sanitize_info: what the first look at an instruction found, for the commit after the operation. */
export interface SanitizeInfo {
  aluState: number;
  aluLimit: number;
  maskToLeft: boolean;
}

export const newSanitizeInfo = (): SanitizeInfo => ({ aluState: 0, aluLimit: 0, maskToLeft: false });

const OP_ADD = 0x00;
const OP_SUB = 0x10;

/** sanitize_needed: only additions and subtractions are masked. */
export const sanitizeNeeded = (op: number): boolean => op === OP_ADD || op === OP_SUB;

/** can_skip_alu_sanitation: privileged loaders, and immediate operands (rewritten, never masked). */
function canSkip(env: Env, insn: Insn): boolean {
  return env.bypassSpecV1 || !SRC_X(insn.opcode);
}

const u32 = (x: bigint): number => Number(BigInt.asUintN(32, x));

/** retrieve_ptr_limit: how far the pointer may move in the masked direction (u32), or a reason. */
function retrievePtrLimit(ptr: Reg, maskToLeft: boolean): number {
  let max: number;
  let limit: number;
  switch (ptr.type) {
    case T.PTR_TO_STACK:
      // Offset 0 is out of bounds but a valid start for moving left (the frame pointer itself).
      max = MAX_BPF_STACK + (maskToLeft ? 1 : 0);
      limit = u32(-(ptr.varOff.value + BigInt(ptr.off)));
      break;
    case T.PTR_TO_MAP_VALUE:
      max = ptr.map!.valueSize;
      limit = u32((maskToLeft ? ptr.smin : ptr.umax) + BigInt(ptr.off));
      break;
    default:
      return Reason.TYPE;
  }
  return limit >= max ? Reason.LIMIT : limit;
}

/** update_alu_sanitation_state: the instruction's mask must be the same from every path. */
function updateAluState(aux: { aluState: number; aluLimit: number }, state: number, limit: number): Reason {
  if (aux.aluState && (aux.aluState !== state || aux.aluLimit !== limit)) return Reason.PATHS;
  aux.aluState = state;
  aux.aluLimit = limit;
  return Reason.NONE;
}

/**
 * sanitize_val_alu for scalar `+=`/`-=` with a register: the instruction is marked as a non-pointer one.
 * Only reached when the source's bounds are usable (otherwise the destination is made unknown untouched).
 */
export function sanitizeValAlu(env: Env, insn: Insn, src: Reg): void {
  if (!sanitizeNeeded(OP(insn.opcode)) || canSkip(env, insn)) return;
  if (!scalarSrcUsable(src, CLS(insn.opcode) !== C_ALU64)) return;
  const r = updateAluState(env.aux(env.insnIdx), AluState.NON_POINTER, 0);
  if (r !== Reason.NONE) sanitizeErr(env, insn, r, undefined, undefined);
}

/** The source-bounds test adjust_scalar_min_max_vals passes before it sanitises. */
function scalarSrcUsable(s: Reg, alu32: boolean): boolean {
  if (alu32) {
    const known = tnumSubregIsConst(s.varOff);
    return !((known && (s.s32min !== s.s32max || s.u32min !== s.u32max)) || s.s32min > s.s32max || s.u32min > s.u32max);
  }
  const known = tnumIsConst(s.varOff);
  return !((known && (s.smin !== s.smax || s.umin !== s.umax)) || s.smin > s.smax || s.umin > s.umax);
}

/**
 * sanitize_speculative_path: queue `next` as a path only a mispredicting CPU takes. With a jump
 * instruction, its operands are unknown there. Returns null when the queue is full.
 */
export function sanitizeSpeculativePath(env: Env, insn: Insn | undefined, next: number, cur: number): VState | null {
  const branch = env.tryPushStack(next, cur, true);
  if (branch && insn) {
    const regs = curFrame(branch).regs;
    env.markUnknown(regs[insn.dst]!);
    if (SRC_X(insn.opcode)) env.markUnknown(regs[insn.src]!);
  }
  return branch;
}

/**
 * sanitize_ptr_alu. First look (commit false): refuse offsets of mixed sign and unsupported pointer types,
 * remember the mask direction and limit in `info`, and explore the masked outcome (the unmoved pointer in
 * dst) speculatively. Commit (after the operation, `ptr` is the result): narrow the limit by the observed
 * move and record it for the instruction, refusing a different record from another path.
 */
export function sanitizePtrAlu(env: Env, insn: Insn, ptr: Reg, off: Reg, dst: Reg, info: SanitizeInfo, commit: boolean): Reason {
  if (canSkip(env, insn)) return Reason.NONE;
  const offIsImm = tnumIsConst(off.varOff);
  const offIsNeg = off.smin < 0n;
  const ptrIsDst = ptr === dst;
  const op = OP(insn.opcode);
  if (!env.cur.speculative) {
    if (!commit) {
      if (!offIsImm && (off.smin < 0n) !== (off.smax < 0n)) return Reason.BOUNDS;
      info.maskToLeft = (op === OP_ADD && offIsNeg) || (op === OP_SUB && !offIsNeg);
    }
    const limit = retrievePtrLimit(ptr, info.maskToLeft);
    if (limit < 0) return limit;
    let state: number;
    let aluLimit: number;
    if (commit) {
      state = info.aluState;
      aluLimit = Math.abs((info.aluLimit - limit) | 0);
    } else {
      state = (offIsNeg ? AluState.NEG_VALUE : 0) | (offIsImm ? AluState.IMMEDIATE : 0) |
        (ptrIsDst ? AluState.SANITIZE_SRC : AluState.SANITIZE_DST);
      aluLimit = limit;
      // Unknown offsets: compare scalars exactly when pruning, to meet every masking difference.
      if (!offIsImm) env.exploreAluLimits = true;
    }
    const r = updateAluState(commit ? env.aux(env.insnIdx) : info, state, aluLimit);
    if (r !== Reason.NONE) return r;
  }
  // A constant offset is rewritten to an immediate: nothing masked, nothing to simulate.
  if (commit || offIsImm) return Reason.NONE;
  let saved: Reg | undefined;
  if (!ptrIsDst) {
    saved = copyReg(dst);
    assignReg(dst, ptr);
  }
  const branch = sanitizeSpeculativePath(env, undefined, env.insnIdx + 1, env.insnIdx);
  if (saved) assignReg(dst, saved);
  return branch ? Reason.NONE : Reason.STACK;
}

const SANITIZE_ERR = 'pointer arithmetic with it prohibited for !root';

/** sanitize_err: the refusal message for a Reason. */
export function sanitizeErr(env: Env, insn: Insn, reason: Reason, off: Reg | undefined, dst: Reg | undefined): never {
  const op = OP(insn.opcode) === OP_ADD ? 'add' : 'sub';
  const d = insn.dst;
  const s = insn.src;
  switch (reason) {
    case Reason.BOUNDS:
      env.fail(`R${off === dst ? d : s} has unknown scalar with mixed signed bounds, ${SANITIZE_ERR}\n`, EACCES);
      break;
    case Reason.TYPE:
      env.fail(`R${off === dst ? s : d} has pointer with unsupported alu operation, ${SANITIZE_ERR}\n`, EACCES);
      break;
    case Reason.PATHS:
      env.fail(`R${d} tried to ${op} from different maps, paths or scalars, ${SANITIZE_ERR}\n`, EACCES);
      break;
    case Reason.LIMIT:
      env.fail(`R${d} tried to ${op} beyond pointer bounds, ${SANITIZE_ERR}\n`, EACCES);
      break;
    case Reason.STACK:
      env.fail(`R${d} could not be pushed for speculative verification, ${SANITIZE_ERR}\n`, EACCES);
      break;
    default:
      env.fail(`verifier internal error: unknown reason (${reason as number})\n`, EACCES);
  }
}

/**
 * check_stack_access_for_ptr_arithmetic: a stack pointer made by arithmetic must have a constant offset
 * inside the 512-byte frame. `off` includes the fixed and the constant variable part.
 */
export function checkStackAccessForPtrArithmetic(env: Env, regno: number, reg: Reg, off: number): boolean {
  if (!tnumIsConst(reg.varOff)) {
    env.verbose(`R${regno} variable stack access prohibited for !root, var_off=${tnumStr(reg.varOff)} off=${off}\n`);
    return false;
  }
  if (off >= 0 || off < -MAX_BPF_STACK) {
    env.verbose(`R${regno} stack pointer arithmetic goes out of range, prohibited for !root; off=${off}\n`);
    return false;
  }
  return true;
}

/** sanitize_check_bounds: after the arithmetic, the pointer must still point into its stack frame or map value. */
export function sanitizeCheckBounds(env: Env, insn: Insn, dst: Reg): void {
  if (env.bypassSpecV1) return;
  const d = insn.dst;
  if (dst.type === T.PTR_TO_STACK) {
    const off = dst.off + Number(BigInt.asIntN(32, dst.varOff.value));
    if (!checkStackAccessForPtrArithmetic(env, d, dst, off)) env.fail('', EACCES);
  } else if (dst.type === T.PTR_TO_MAP_VALUE) {
    if (!checkMapAccess(env, d, dst.off, 1, false, true, true)) {
      env.fail(`R${d} pointer arithmetic of map value goes out of range, prohibited for !root\n`, EACCES);
    }
  }
}

/** Helper ids record_func_map looks at: map_{lookup,update,delete}_elem, tail_call, redirect_map, map_{push,pop,peek}_elem, for_each_map_elem, map_lookup_percpu_elem. */
const RECORDS_MAP = new Set([BPF_FUNC.map_lookup_elem, BPF_FUNC.map_update_elem, BPF_FUNC.map_delete_elem, BPF_FUNC.tail_call, BPF_FUNC.redirect_map, BPF_FUNC.map_push_elem, BPF_FUNC.map_pop_elem, BPF_FUNC.map_peek_elem, BPF_FUNC.for_each_map_elem, BPF_FUNC.map_lookup_percpu_elem]);
/** The map-changing ones among them: map_{update,delete,push,pop}_elem. */
const WRITES_MAP = new Set([BPF_FUNC.map_update_elem, BPF_FUNC.map_delete_elem, BPF_FUNC.map_push_elem, BPF_FUNC.map_pop_elem]);
const BPF_F_RDONLY_PROG = 0x80;

/**
 * record_func_map, after a helper's arguments were checked: a map the program may only read refuses the
 * changing helpers; the call instruction keeps its map, or is poisoned when paths pass different maps. The
 * map counts as made by the loader itself, so it is "unpriv" (bpf_map_ptr_unpriv) without CAP_PERFMON.
 */
export function recordFuncMap(env: Env, map: MapDef | undefined, funcId: number, idx: number): void {
  if (!RECORDS_MAP.has(funcId)) return;
  if (!map) env.fail('kernel subsystem misconfigured verifier\n', EINVAL);
  if (map.flags & BPF_F_RDONLY_PROG && WRITES_MAP.has(funcId)) env.fail('write into map forbidden\n', EACCES);
  const aux = env.aux(idx);
  if (!aux.callMap) aux.callMap = map;
  else if (aux.callMap !== map) aux.callMapPoisoned = true;
  aux.callMapUnpriv = !env.bypassSpecV1;
}

/**
 * The refusals of do_misc_fixups, in instruction order, after a successful walk: a kfunc call left with id 0
 * on a path the verifier took (dead code is removed or neutralised first), and a tail call whose map differs
 * between paths for a loader subject to Spectre v1 sanitation (it cannot be bound-checked against one map).
 */
export function miscFixupChecks(env: Env): void {
  for (let i = 0; i < env.insns.length; i++) {
    const insn = env.insns[i]!;
    if (insn.opcode !== 0x85) continue;
    if (insn.src === 2 && insn.imm === 0 && env.seen[i]) env.fail('invalid kernel function call not eliminated in verifier pass\n', EINVAL);
    if (insn.src !== 0 || insn.imm !== 12) continue;
    const aux = env.peekAux(i);
    if (aux?.callMapUnpriv && aux.callMapPoisoned) env.fail('tail_call abusing map_ptr\n', EINVAL);
  }
}

/** sanitize_stack_spill for a fixed-offset stack store (no verdict change: the JIT adds a barrier). */
export function markStackSpillSanitation(env: Env, spillsPointer: boolean, slotTypes: readonly number[]): void {
  if (env.bypassSpecV4) return;
  let sanitize = spillsPointer;
  for (const t of slotTypes) if (t !== S.MISC && t !== S.ZERO) sanitize = true;
  if (sanitize) env.aux(env.insnIdx).sanitizeStackSpill = true;
}
