/**
 * Memory accesses (check_mem_access): alignment, stack slots with spill/fill, context fields through
 * the platform's rules, map values (bounds, read/write permission, spin locks, timers, kptrs),
 * packets, sockets, PTR_TO_MEM/BUF and BTF objects.
 */
import { planted } from './plant.js';
import { btfStructAccess, structIdByName, structIdsMatch } from './btf-walk.js';
import { coerceRegToSize, markKnown } from './bounds.js';
import type { Env } from './env.js';
import { resolveProg } from '../platform/platform.js';
import {
  assignReg, baseType, F, isPktPointer, Live, newReg, type Reg, regTypeStr, T,
} from './reg-state.js';
import { markChainPrecision } from './precision.js';
import { allocatedStack, BPF_REG_SIZE, type FuncState, growStack, isSpilledReg, ownFrame, ownSlot, S } from './state.js';
import { tnumAdd, tnumConst, tnumIsAligned, tnumIsConst, tnumIsUnknown, tnumStr } from './tnum.js';
import type { KptrField } from '../platform/platform.js';
import { markStackSpillSanitation } from './sanitize.js';
import { checkMapAccess, checkMemRegion, checkPtrOffReg, memErr } from './mem-region.js';
import { hasDirectValueAddr, mapDirectRead, mapIsRdonly } from './map-direct.js';
import { EACCES, EFAULT, EINVAL, EPERM } from '../uapi/errno.js';

const BPF_MAX_VAR_OFF = 1 << 29;

/** check_ptr_alignment */
export function alignmentCheck(env: Env, reg: Reg, off: number, size: number, strictOnce: boolean): void {
  let strict = env.strictAlignment || strictOnce;
  let desc = '';
  switch (reg.type) {
    case T.PTR_TO_PACKET: case T.PTR_TO_PACKET_META: {
      if (!strict || size === 1) return;
      const o = tnumAdd(reg.varOff, tnumConst(BigInt(2 + reg.off + off)));
      if (!tnumIsAligned(o, size)) {
        env.fail(`misaligned packet access off 2+${tnumStr(reg.varOff)}+${reg.off}+${off} size ${size}\n`, EACCES);
      }
      return;
    }
    case T.PTR_TO_FLOW_KEYS: desc = 'flow keys '; break;
    case T.PTR_TO_MAP_KEY: desc = 'key '; break;
    case T.PTR_TO_MAP_VALUE: desc = 'value '; break;
    case T.PTR_TO_CTX: desc = 'context '; break;
    case T.PTR_TO_STACK: desc = 'stack '; strict = true; break;
    case T.PTR_TO_SOCKET: desc = 'sock '; break;
    case T.PTR_TO_SOCK_COMMON: desc = 'sock_common '; break;
    case T.PTR_TO_TCP_SOCK: desc = 'tcp_sock '; break;
    case T.PTR_TO_XDP_SOCK: desc = 'xdp_sock '; break;
    default: break;
  }
  if (!strict || size === 1) return;
  const o = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
  if (!tnumIsAligned(o, size)) {
    env.fail(`misaligned ${desc}access off ${tnumStr(reg.varOff)}+${reg.off}+${off} size ${size}\n`, EACCES);
  }
}

function growStackDepth(env: Env, state: FuncState, size: number): void {
  growStack(state, size);
  const sp = env.subprogs[state.subprogno];
  const bytes = state.stack.length * BPF_REG_SIZE;
  if (sp !== undefined && sp.stackDepth < bytes) sp.stackDepth = bytes;
}

export function stackFrameOf(env: Env, reg: Reg): FuncState {
  return ownFrame(env.cur, reg.frameno);
}

/** check_stack_access_within_bounds */
export function checkStackBounds(env: Env, regno: number, off: number, size: number, helper: boolean, write: boolean): void {
  const reg = env.regs[regno]!;
  const state = stackFrameOf(env, reg);
  const extra = helper ? ' indirect access to' : write ? ' write to' : ' read from';
  let minOff: number;
  let maxOff: number;
  if (tnumIsConst(reg.varOff)) {
    minOff = Number(BigInt.asIntN(64, reg.varOff.value)) + off;
    maxOff = size > 0 ? minOff + size : minOff;
  } else {
    if (reg.smax >= BigInt(BPF_MAX_VAR_OFF) || reg.smin <= -BigInt(BPF_MAX_VAR_OFF)) {
      env.fail(`invalid unbounded variable-offset${extra} stack R${regno}\n`, EACCES);
    }
    minOff = Number(reg.smin) + off;
    maxOff = size > 0 ? Number(reg.smax) + off + size : minOff;
  }
  const minValid = write || env.allowUninitStack ? -env.profile.maxBpfStack : -allocatedStack(state);
  // the slot check answers EACCES; past the frame's top (into non-negative offsets) EINVAL; a negative size EFAULT
  const errno = minOff < minValid || minOff > -1 ? EACCES : maxOff > 0 ? EINVAL : size < 0 ? EFAULT : 0;
  if (errno !== 0) {
    if (tnumIsConst(reg.varOff)) env.fail(`invalid${extra} stack R${regno} off=${off} size=${size}\n`, errno);
    env.fail(`invalid variable-offset${extra} stack R${regno} var_off=${tnumStr(reg.varOff)} size=${size}\n`, errno);
  }
  growStackDepth(env, state, Math.ceil(-minOff / 8) * 8);
}

function isSpillable(t: number): boolean {
  const b = baseType(t);
  return [T.PTR_TO_STACK, T.PTR_TO_CTX, T.CONST_PTR_TO_MAP, T.PTR_TO_MAP_VALUE, T.PTR_TO_MAP_KEY, T.PTR_TO_PACKET, T.PTR_TO_PACKET_META, T.PTR_TO_PACKET_END, T.PTR_TO_FLOW_KEYS, T.PTR_TO_SOCKET,
    T.PTR_TO_SOCK_COMMON, T.PTR_TO_TCP_SOCK, T.PTR_TO_XDP_SOCK, T.PTR_TO_BTF_ID, T.PTR_TO_BUF, T.PTR_TO_MEM, T.PTR_TO_FUNC, T.PTR_TO_TP_BUFFER].includes(b);
}

function saveRegState(state: FuncState, spi: number, reg: Reg, size: number): void {
  const slot = ownSlot(state, spi);
  assignReg(slot.spilled, reg);
  // Only a full-slot spill screens later reads from the parent state.
  if (size === BPF_REG_SIZE) slot.spilled.live |= Live.WRITTEN;
  for (let i = BPF_REG_SIZE; i > BPF_REG_SIZE - size; i--) slot.types[i - 1] = S.SPILL;
  for (let i = 0; i < BPF_REG_SIZE - size; i++) if (slot.types[i] !== S.INVALID) slot.types[i] = S.MISC;
}

function stackWrite(env: Env, regno: number, off: number, size: number, valueRegno: number): void {
  const reg = env.regs[regno]!;
  const state = stackFrameOf(env, reg);
  if (!tnumIsConst(reg.varOff)) {
    // Variable-offset write: every byte it may touch becomes MISC (or stays ZERO for a zero store).
    const minOff = Number(reg.smin) + off;
    const maxOff = Number(reg.smax) + off + size;
    growStackDepth(env, state, -minOff);
    const value = valueRegno >= 0 ? env.regs[valueRegno] : undefined;
    const zero = value !== undefined && value.type === T.SCALAR_VALUE && tnumIsConst(value.varOff) && value.varOff.value === 0n;
    let zeroUsed = false;
    for (let i = minOff; i < maxOff; i++) {
      const slot = -i - 1;
      const spi = Math.floor(slot / 8);
      const st = ownSlot(state, spi);
      const old = st.types[slot % 8];
      if (!env.allowPtrLeaks && old !== S.MISC && old !== S.ZERO) {
        env.fail(`spilled ptr in range of var-offset stack write; insn ${env.insnIdx}, ptr off: ${i}`, EACCES);
      }
      st.spilled.type = T.NOT_INIT;
      // A zero keeps a zero byte zero; any other byte may or may not be written: MISC.
      let nt = S.MISC;
      if (zero && old === S.ZERO) {
        nt = S.ZERO;
        zeroUsed = true;
      }
      if (old === S.INVALID && !env.allowUninitStack) {
        env.fail(`uninit stack in range of var-offset write prohibited for !root; insn ${env.insnIdx}, off: ${i}`, EACCES);
      }
      st.types[slot % 8] = nt;
    }
    // Backtracking does not follow STACK_ZERO: what made the zero must be precise now.
    if (zeroUsed) markChainPrecision(env, valueRegno);
    return;
  }
  const o = off + Number(BigInt.asIntN(64, reg.varOff.value));
  const slotIdx = -o - 1;
  const spi = Math.floor(slotIdx / BPF_REG_SIZE);
  growStackDepth(env, state, Math.ceil((slotIdx + 1) / 8) * 8);
  const cur = env.frame;
  const st = ownSlot(state, spi);
  if (!env.allowPtrLeaks && isSpilledReg(st) && size !== BPF_REG_SIZE) {
    env.fail('attempt to corrupt spilled pointer on stack\n', EACCES);
  }
  const value = valueRegno >= 0 ? cur.regs[valueRegno]! : undefined;
  if (!env.bypassSpecV4) {
    const touched: number[] = [];
    for (let i = 0; i < size; i++) touched.push(st.types[(slotIdx - i) % BPF_REG_SIZE]!);
    markStackSpillSanitation(env, value !== undefined && isSpillable(value.type), touched);
  }
  env.markSlotScratched(spi);
  const insn = env.insns[env.insnIdx]!;
  if (value && o % BPF_REG_SIZE === 0 && value.type === T.SCALAR_VALUE && !scalarUnbounded(value) && !isNullConst(value) && env.bpfCapable) {
    // Backtracking only recognises spills through fp itself; other spills pin the value now.
    if (regno !== 10) markChainPrecision(env, valueRegno);
    saveRegState(state, spi, value, size);
    if (value.umax > 0n && value.umax.toString(2).length > 8 * size) st.spilled.id = 0;
  } else if (!value && o % BPF_REG_SIZE === 0 && (insn.opcode & 7) === 2 && insn.imm !== 0 && env.bpfCapable) {
    const fake = newReg();
    fake.type = T.SCALAR_VALUE;
    markKnown(fake, BigInt(insn.imm));
    fake.type = T.SCALAR_VALUE;
    saveRegState(state, spi, fake, size);
  } else if (value && isSpillable(value.type)) {
    if (size !== BPF_REG_SIZE) env.fail('invalid size of register spill\n', EACCES);
    if (state !== cur && value.type === T.PTR_TO_STACK) env.fail('cannot spill pointers to stack into stack frame of the caller\n', EINVAL);
    saveRegState(state, spi, value, size);
  } else {
    if (planted === 'spill-partial-overwrite' && isSpilledReg(st) && size < BPF_REG_SIZE) return;
    let type = S.MISC;
    st.spilled.type = T.NOT_INIT;
    if (isSpilledReg(st)) for (let i = 0; i < BPF_REG_SIZE; i++) if (st.types[i] !== S.INVALID) st.types[i] = S.MISC;
    if (size === BPF_REG_SIZE) st.spilled.live |= Live.WRITTEN;
    if ((value && value.type === T.SCALAR_VALUE && isNullConst(value)) || (!value && (insn.opcode & 7) === 2 && insn.imm === 0)) {
      if (valueRegno >= 0) markChainPrecision(env, valueRegno);
      type = S.ZERO;
    }
    for (let i = 0; i < size; i++) st.types[(slotIdx - i) % BPF_REG_SIZE] = type;
  }
}

/** __is_scalar_unbounded: nothing is known of the scalar (register_is_bounded is its negation): it is not spilled. */
function scalarUnbounded(r: Reg): boolean {
  return tnumIsUnknown(r.varOff) && r.smin === -(1n << 63n) && r.smax === (1n << 63n) - 1n && r.umin === 0n && r.umax === (1n << 64n) - 1n &&
    r.s32min === -(2 ** 31) && r.s32max === 2 ** 31 - 1 && r.u32min === 0 && r.u32max === 2 ** 32 - 1;
}

function isNullConst(r: Reg): boolean {
  return r.type === T.SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;
}

function stackRead(env: Env, regno: number, off: number, size: number, dstRegno: number): void {
  const reg = env.regs[regno]!;
  const state = stackFrameOf(env, reg);
  const cur = env.frame;
  if (!tnumIsConst(reg.varOff)) {
    const minOff = Number(reg.smin) + off;
    const maxOff = Number(reg.smax) + off;
    checkStackRangeInit(env, regno, off, size, false, 'read', minOff, maxOff);
    if (dstRegno >= 0) {
      // mark_reg_stack_read: every byte the read may touch is a known zero: the register is a zero.
      let zeros = 0;
      for (let i = minOff; i < maxOff + size; i++) {
        const slot = -i - 1;
        if (state.stack[Math.floor(slot / 8)]?.types[slot % 8] !== S.ZERO) break;
        zeros++;
      }
      const dst = cur.regs[dstRegno]!;
      if (zeros === maxOff + size - minOff) {
        markKnown(dst, 0n);
        dst.type = T.SCALAR_VALUE;
        dst.precise = true;
      } else env.markUnknown(dst);
      dst.live |= Live.WRITTEN;
    }
    return;
  }
  const o = off + Number(BigInt.asIntN(64, reg.varOff.value));
  const slotIdx = -o - 1;
  const spi = Math.floor(slotIdx / BPF_REG_SIZE);
  const st = state.stack[spi]!;
  const sp = st.spilled;
  if (isSpilledReg(st)) {
    let spillSize = 1;
    for (let i = BPF_REG_SIZE - 1; i > 0 && st.types[i - 1] === S.SPILL; i--) spillSize++;
    if (size !== BPF_REG_SIZE || spillSize !== BPF_REG_SIZE) {
      if (sp.type !== T.SCALAR_VALUE) env.fail('invalid size of register fill\n', EACCES);
      env.markRegRead(sp);
      if (dstRegno < 0) return;
      const dst = cur.regs[dstRegno]!;
      if (o % BPF_REG_SIZE === 0 && size === spillSize) {
        const sd = dst.subregDef;
        assignReg(dst, sp);
        dst.subregDef = sd;
      } else {
        for (let i = 0; i < size; i++) {
          const t = st.types[(slotIdx - i) % BPF_REG_SIZE];
          if (t === S.SPILL || t === S.MISC) continue;
          if (t === S.INVALID && env.allowUninitStack) continue;
          env.fail(`invalid read from stack off ${o}+${i} size ${size}\n`, EACCES);
        }
        env.markUnknown(dst);
      }
      dst.live |= Live.WRITTEN;
      return;
    }
    if (dstRegno >= 0) {
      const dst = cur.regs[dstRegno]!;
      assignReg(dst, sp);
      dst.live |= Live.WRITTEN;
    } else if (env.isPointerValue(sp)) {
      env.fail(`leaking pointer from stack off ${o}\n`, EACCES);
    }
    env.markRegRead(sp);
  } else {
    let zeros = 0;
    for (let i = 0; i < size; i++) {
      const t = st.types[(slotIdx - i) % BPF_REG_SIZE];
      if (t === S.ZERO) { zeros++; continue; }
      if (t === S.MISC) continue;
      if (t === S.INVALID && env.allowUninitStack) continue;
      env.fail(`invalid read from stack off ${o}+${i} size ${size}\n`, EACCES);
    }
    env.markRegRead(sp);
    if (dstRegno >= 0) {
      const dst = cur.regs[dstRegno]!;
      if (zeros === size) {
        markKnown(dst, 0n);
        dst.type = T.SCALAR_VALUE;
        // Stops backtracking here: whatever made the zeros was marked precise when they were stored.
        dst.precise = true;
      } else env.markUnknown(dst);
      dst.live |= Live.WRITTEN;
    }
  }
}

/** check_stack_range_initialized for helpers and variable-offset reads. */
export function checkStackRangeInit(env: Env, regno: number, off: number, accessSize: number, zeroOk: boolean,
  kind: 'read' | 'helper', minOffIn?: number, maxOffIn?: number, uninitOk = false): void {
  const reg = env.regs[regno]!;
  const state = stackFrameOf(env, reg);
  const extra = kind === 'helper' ? ' indirect' : '';
  let minOff: number;
  let maxOff: number;
  if (minOffIn !== undefined) {
    minOff = minOffIn;
    maxOff = maxOffIn!;
  } else if (tnumIsConst(reg.varOff)) {
    minOff = maxOff = Number(BigInt.asIntN(64, reg.varOff.value)) + off;
  } else {
    if (!env.bypassSpecV1) {
      env.fail(`R${regno}${extra} variable offset stack access prohibited for !root, var_off=${tnumStr(reg.varOff)}\n`, EACCES);
    }
    minOff = Number(reg.smin) + off;
    maxOff = Number(reg.smax) + off;
  }
  if (uninitOk) {
    // ARG_PTR_TO_UNINIT_MEM: the helper writes the bytes.
    growStackDepth(env, state, -minOff);
    for (let i = minOff; i < maxOff + accessSize; i++) {
      const slot = -i - 1;
      const st = ownSlot(state, Math.floor(slot / 8));
      st.types[slot % 8] = S.MISC;
      if (isSpilledReg(st) === false) st.spilled.type = T.NOT_INIT;
    }
    return;
  }
  // A helper may write anything it reads: what it is given becomes STACK_MISC (spilled registers unknown).
  const clobber = kind === 'helper';
  for (let i = minOff; i < maxOff + accessSize; i++) {
    const slot = -i - 1;
    const spi = Math.floor(slot / 8);
    // A helper access may clobber the slot (below): make it this state's own.
    const st = kind === 'helper' && spi < state.stack.length ? ownSlot(state, spi) : state.stack[spi];
    let ok = false;
    if (st) {
      const t = st.types[slot % 8];
      if (t === S.MISC) ok = true;
      else if (t === S.ZERO || (t === S.INVALID && env.allowUninitStack)) {
        ok = true;
        if (clobber) st.types[slot % 8] = S.MISC;
      } else if (isSpilledReg(st) && (st.spilled.type === T.SCALAR_VALUE || env.allowPtrLeaks)) {
        ok = true;
        if (clobber) {
          env.markUnknown(st.spilled);
          for (let j = 0; j < BPF_REG_SIZE; j++) if (st.types[j] !== S.INVALID) st.types[j] = S.MISC;
        }
      }
      if (ok) { env.markRegRead(st.spilled); continue; }
    } else if (env.allowUninitStack) {
      continue;
    }
    if (tnumIsConst(reg.varOff)) {
      env.fail(`invalid${extra} read from stack R${regno} off ${minOff}+${i - minOff} size ${accessSize}\n`, EACCES);
    }
    env.fail(`invalid${extra} read from stack R${regno} var_off ${tnumStr(reg.varOff)}+${i - minOff} size ${accessSize}\n`, EACCES);
  }
}

function mapCanWrite(flags: number): boolean {
  return (flags & 0x80) === 0;
}
function mapCanRead(flags: number): boolean {
  return (flags & 0x100) === 0;
}

/** check_mem_access */
export function checkMemAccess(env: Env, regno: number, off: number, size: number, write: boolean, valueRegno: number, strictOnce: boolean): void {
  const regs = env.regs;
  const reg = regs[regno]!;
  alignmentCheck(env, reg, off, size, strictOnce);
  off += reg.off;
  const value = valueRegno >= 0 ? regs[valueRegno] : undefined;
  const t = reg.type;
  if (t === T.PTR_TO_MAP_KEY) {
    if (write) env.fail(`write to change key R${regno} not allowed\n`, EACCES);
    checkMemRegion(env, regno, off, size, reg.map!.keySize, false);
    if (value) env.markUnknown(value);
  } else if (t === T.PTR_TO_MAP_VALUE) {
    if (write && value && env.isPointerValue(value)) env.fail(`R${valueRegno} leaks addr into map\n`, EACCES);
    const map = reg.map!;
    if (write && !mapCanWrite(map.flags)) env.fail(`write into map forbidden, value_size=${map.valueSize} off=${off} size=${size}\n`, EACCES);
    if (!write && !mapCanRead(map.flags)) env.fail(`read from map forbidden, value_size=${map.valueSize} off=${off} size=${size}\n`, EACCES);
    checkMapAccess(env, regno, off, size, false, false);
    const kptr = tnumIsConst(reg.varOff) ? (map.kptrs ?? []).find((k) => k.off === off + Number(reg.varOff.value)) : undefined;
    if (kptr) {
      checkKptrAccess(env, valueRegno, kptr, write);
    } else if (!write && value) {
      // a frozen read-only map: its contents are tracked as scalars
      if (tnumIsConst(reg.varOff) && mapIsRdonly(map) && hasDirectValueAddr(map)) {
        const v = mapDirectRead(env, map, off + Number(reg.varOff.value), size);
        value.type = T.SCALAR_VALUE; // __mark_reg_known: liveness, precision and the frame stay
        markKnown(value, v);
      } else {
        env.markUnknown(value);
      }
    }
  } else if (baseType(t) === T.PTR_TO_MEM) {
    const rdonly = (t & F.MEM_RDONLY) !== 0;
    if (t & F.PTR_MAYBE_NULL) env.fail(`R${regno} invalid mem access '${regTypeStr(t)}'\n`, EACCES);
    if (write && rdonly) env.fail(`R${regno} cannot write into ${regTypeStr(t)}\n`, EACCES);
    if (write && value && env.isPointerValue(value)) env.fail(`R${valueRegno} leaks addr into mem\n`, EACCES);
    checkMemRegion(env, regno, off, size, reg.memSize, false);
    if (value && (!write || rdonly)) env.markUnknown(value);
  } else if (t === T.PTR_TO_CTX) {
    if (write && value && env.isPointerValue(value)) env.fail(`R${valueRegno} leaks addr into ctx\n`, EACCES);
    checkPtrOffReg(env, reg, regno, false);
    const acc = env.platform.ctxAccess(env.prog, off, size, write, env.caps);
    if (!acc) env.fail(`invalid bpf_context access off=${off} size=${size}\n`, EACCES);
    if (!write && value) {
      const rt = acc.regType;
      if (rt === T.SCALAR_VALUE) {
        env.markUnknown(value);
      } else {
        env.markUnknown(value);
        markKnown(value, 0n);
        if (rt & F.PTR_MAYBE_NULL) value.id = env.newId();
        value.subregDef = 0;
        if (baseType(rt) === T.PTR_TO_BTF_ID) value.btfName = acc.btfName;
        if (acc.size !== undefined) value.memSize = acc.size;
        value.type = rt | (acc.untrusted ? F.PTR_UNTRUSTED : 0);
      }
      value.type = value.type === T.NOT_INIT ? T.SCALAR_VALUE : value.type;
    }
  } else if (t === T.PTR_TO_STACK) {
    checkStackBounds(env, regno, off, size, false, write);
    if (write) stackWrite(env, regno, off, size, valueRegno);
    else stackRead(env, regno, off, size, valueRegno);
  } else if (isPktPointer(t)) {
    if (write && !pktWritable(env)) env.fail('cannot write into packet\n', EACCES);
    if (write && value && env.isPointerValue(value)) env.fail(`R${valueRegno} leaks addr into packet\n`, EACCES);
    checkPacketAccess(env, regno, off, size, false);
    if (!write && value) env.markUnknown(value);
  } else if (t === T.PTR_TO_FLOW_KEYS) {
    if (write && value && env.isPointerValue(value)) env.fail(`R${valueRegno} leaks addr into flow keys\n`, EACCES);
    if (size < 0 || off < 0 || off + size > 56) env.fail(`invalid access to flow keys off=${off} size=${size}\n`, EACCES);
    if (!write && value) env.markUnknown(value);
  } else if (t === T.PTR_TO_SOCKET || t === T.PTR_TO_SOCK_COMMON || t === T.PTR_TO_TCP_SOCK || t === T.PTR_TO_XDP_SOCK) {
    if (write) env.fail(`R${regno} cannot write into ${regTypeStr(t)}\n`, EACCES);
    if (reg.smin < 0n) env.fail(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.\n`, EACCES);
    const ok = env.platform.sockAccess?.(regTypeStr(t), off, size) ?? false;
    if (!ok) env.fail(`R${regno} invalid ${regTypeStr(t)} access off=${off} size=${size}\n`, EACCES);
    if (value) env.markUnknown(value);
  } else if (t === T.PTR_TO_TP_BUFFER) {
    if (off < 0) env.fail(`R${regno} invalid tracepoint buffer access: off=${off}, size=${size}\n`, EACCES);
    if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
      env.fail(`R${regno} invalid variable buffer offset: off=${off}, var_off=${tnumStr(reg.varOff)}\n`, EACCES);
    }
    if (!write && value) env.markUnknown(value);
  } else if (baseType(t) === T.PTR_TO_BTF_ID && !(t & F.PTR_MAYBE_NULL)) {
    checkBtfAccess(env, regno, off, size, write, valueRegno);
  } else if (t === T.CONST_PTR_TO_MAP) {
    // check_ptr_to_map_access: named after the map type's kernel struct (map->ops->map_btf_id).
    const tname = MAP_BTF_STRUCT[reg.map?.type ?? -1] ?? 'bpf_map';
    if (!env.allowPtrToMapAccess) env.fail(`${tname} access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN\n`, EPERM);
    if (off < 0) env.fail(`R${regno} is ${tname} invalid negative access: off=${off}\n`, EACCES);
    if (write) env.fail(`only read from ${tname} is supported\n`, EACCES);
    if (value) env.markUnknown(value);
  } else if (baseType(t) === T.PTR_TO_BUF && !(t & F.PTR_MAYBE_NULL)) {
    const rdonly = (t & F.MEM_RDONLY) !== 0;
    if (rdonly && write) env.fail(`R${regno} cannot write into ${regTypeStr(t)}\n`, EACCES);
    // check_buffer_access: the size is checked when the iterator is attached (max_rdonly/rdwr_access)
    if (off < 0) env.fail(`R${regno} invalid ${rdonly ? 'rdonly' : 'rdwr'} buffer access: off=${off}, size=${size}\n`, EACCES);
    if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
      env.fail(`R${regno} invalid variable buffer offset: off=${off}, var_off=${tnumStr(reg.varOff)}\n`, EACCES);
    }
    if (value && (rdonly || !write)) env.markUnknown(value);
  } else {
    env.fail(`R${regno} invalid mem access '${regTypeStr(t)}'\n`, EACCES);
  }
  if (size < BPF_REG_SIZE && value && !write && value.type === T.SCALAR_VALUE) coerceRegToSize(value, size);
}

/** The struct each 6.1 map type's ops name as its BTF type (BTF_ID_LIST_SINGLE(*_map_btf_ids, struct, …)), by map type. */
const MAP_BTF_STRUCT: Record<number, string> = {
  1: 'bpf_htab', 2: 'bpf_array', 3: 'bpf_array', 4: 'bpf_array', 5: 'bpf_htab', 6: 'bpf_array', 7: 'bpf_stack_map',
  8: 'bpf_array', 9: 'bpf_htab', 10: 'bpf_htab', 11: 'lpm_trie', 12: 'bpf_array', 13: 'bpf_htab', 14: 'bpf_dtab',
  15: 'bpf_stab', 16: 'bpf_cpu_map', 17: 'xsk_map', 18: 'bpf_shtab', 19: 'bpf_cgroup_storage_map', 20: 'reuseport_array',
  21: 'bpf_cgroup_storage_map', 22: 'bpf_queue_stack', 23: 'bpf_queue_stack', 24: 'bpf_local_storage_map', 25: 'bpf_dtab',
  26: 'bpf_struct_ops_map', 27: 'bpf_ringbuf_map', 28: 'bpf_local_storage_map', 29: 'bpf_local_storage_map',
  30: 'bpf_bloom_filter', 31: 'bpf_ringbuf_map',
};

/** may_access_direct_pkt_data for a write, with the type resolve_prog_type gives (an extension's target). */
function pktWritable(env: Env): boolean {
  const t = resolveProg(env.prog).type;
  return ['SCHED_CLS', 'SCHED_ACT', 'XDP', 'LWT_XMIT', 'SK_SKB', 'SK_MSG', 'CGROUP_SOCKOPT'].includes(t);
}

export function checkPacketAccess(env: Env, regno: number, off: number, size: number, zeroOk: boolean): void {
  const reg = env.regs[regno]!;
  if (reg.smin < 0n) env.fail(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.\n`, EACCES);
  // a range below 0 (BEYOND_PKT_END, AT_PKT_END) is EINVAL; out of the proved range EACCES
  const ok = reg.range >= 0 && memErr(env, regno, off, size, reg.range, zeroOk);
  if (!ok) env.fail(`R${regno} offset is outside of the packet\n`, reg.range < 0 ? EINVAL : EACCES);
}

/** map_kptr_match_type: a pointer stored into (or exchanged with) a kptr field must point to its struct. */
export function mapKptrMatchType(env: Env, kptr: KptrField, reg: Reg, regno: number): void {
  const perm = F.PTR_MAYBE_NULL | (kptr.ref ? 0 : F.PTR_UNTRUSTED);
  let regName = '';
  const bad = (): never => env.fail(`invalid kptr access, R${regno} type=${regTypeStr(reg.type)}${regName} ` +
    `expected=${regTypeStr(T.PTR_TO_BTF_ID)}${kptr.btfName}${kptr.ref ? '' : ` or ${regTypeStr(T.PTR_TO_BTF_ID | F.PTR_UNTRUSTED)}${kptr.btfName}`}\n`, EACCES);
  if (baseType(reg.type) !== T.PTR_TO_BTF_ID || (reg.type & ~0xff & ~perm)) bad();
  regName = reg.btfName ?? '';
  checkPtrOffReg(env, reg, regno, true);
  if (!structIdsMatch(env, regName, reg.off, kptr.btfName, kptr.ref)) bad();
}

function checkKptrAccess(env: Env, valueRegno: number, kptr: KptrField, write: boolean): void {
  const insn = env.insns[env.insnIdx]!;
  const cls = insn.opcode & 7;
  if ((insn.opcode & 0xe0) !== 0x60) env.fail('kptr in map can only be accessed using BPF_MEM instruction mode\n', EACCES);
  if (cls !== 1 && kptr.ref) env.fail('store to referenced kptr disallowed\n', EACCES);
  if (cls === 1) {
    const v = env.regs[valueRegno]!;
    env.markUnknown(v);
    markKnown(v, 0n);
    v.type = T.PTR_TO_BTF_ID | F.PTR_MAYBE_NULL | F.PTR_UNTRUSTED;
    v.btfName = kptr.btfName;
    v.id = env.newId();
  } else if (cls === 3) {
    const v = env.regs[valueRegno]!;
    if (!(v.type === T.SCALAR_VALUE && tnumIsConst(v.varOff) && v.varOff.value === 0n)) mapKptrMatchType(env, kptr, v, valueRegno);
  } else if (cls === 2) {
    if (insn.imm !== 0) env.fail(`BPF_ST imm must be 0 when storing to kptr at off=${kptr.off}\n`, EACCES);
  } else {
    env.fail('kptr in map can only be accessed using BPF_LDX/BPF_STX/BPF_ST\n', EACCES);
  }
  void write;
}

function checkBtfAccess(env: Env, regno: number, off: number, size: number, write: boolean, valueRegno: number): void {
  const reg = env.regs[regno]!;
  const tname = reg.btfName ?? '';
  if (off < 0) env.fail(`R${regno} is ptr_${tname} invalid negative access: off=${off}\n`, EACCES);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
    env.fail(`R${regno} is ptr_${tname} invalid variable offset: off=${off}, var_off=${tnumStr(reg.varOff)}\n`, EACCES);
  }
  if (reg.type & F.MEM_USER) env.fail(`R${regno} is ptr_${tname} access user memory: off=${off}\n`, EACCES);
  if (reg.type & F.MEM_PERCPU) env.fail(`R${regno} is ptr_${tname} access percpu memory: off=${off}\n`, EACCES);
  // The program type's own btf_struct_access (struct_ops), else reads only.
  const own = env.platform.btfAccess === undefined ? 'default' : env.platform.btfAccess(env.prog, tname, off, size, write);
  if (own !== 'default' && own !== undefined) env.fail(own, EACCES);
  if (write && own === 'default') env.fail('only read is supported\n', EACCES);
  const kbtf = env.platform.kernelBtf?.();
  const sid = kbtf === undefined ? undefined : structIdByName(kbtf, tname);
  if (kbtf !== undefined && sid !== undefined) {
    const r = btfStructAccess(kbtf, sid, off, size);
    if (r.kind === 'error') env.fail(r.message, r.errno);
    if (!write) env.probeMem.add(env.insnIdx);
    if (valueRegno >= 0 && !write) {
      const v = env.regs[valueRegno]!;
      // (the value register may be the pointer itself: keep its flags first)
      const untrusted = reg.type & F.PTR_UNTRUSTED;
      env.markUnknown(v);
      if (r.kind === 'ptr') {
        markKnown(v, 0n);
        v.type = T.PTR_TO_BTF_ID | untrusted | (r.user ? F.MEM_USER : 0) | (r.percpu ? F.MEM_PERCPU : 0);
        v.btfName = r.struct;
      }
    }
    return;
  }
  const st = env.platform.btfStruct?.(tname);
  if (st && st.kind === 'struct' && off + size > st.size) {
    env.fail(`access beyond struct ${tname} at off ${off} size ${size}\n`, EACCES);
  }
  if (valueRegno >= 0 && !write) {
    const v = env.regs[valueRegno]!;
    // pointers formed by walking an untrusted pointer are untrusted too (read before `v`, which may be `reg`, changes)
    const untrusted = reg.type & F.PTR_UNTRUSTED;
    const m = st && st.kind === 'struct' ? st.members.find((mm) => mm.off === off && mm.type.kind === 'ptr') : undefined;
    if (m && m.type.kind === 'ptr' && m.type.to.kind === 'struct' && size === 8) {
      env.markUnknown(v);
      markKnown(v, 0n);
      v.type = T.PTR_TO_BTF_ID | untrusted;
      v.btfName = m.type.to.name;
    } else {
      env.markUnknown(v);
    }
  }
}
