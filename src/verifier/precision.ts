/**
 * Scalar precision tracking as Linux 6.1 does it: every state records the jumps it took since its
 * checkpoint (jmp_history); when a scalar's exact value starts to matter (a branch decided by it, a
 * helper size, pointer arithmetic, a tail call index …), the instructions that produced it are walked
 * backwards through that history and through the chain of parent checkpoints, and every register and
 * stack slot that fed it is marked precise in those checkpoints. Pruning then compares precise scalars
 * by range and ignores the imprecise ones.
 */
import { printInsn } from '../asm/disassemble.js';
import type { Env } from './env.js';
import { formatFuncState, LOG_LEVEL2 } from './log.js';
import { T } from './reg-state.js';
import { isSpilledReg, type VState } from './state.js';
import { EFAULT, ENOTSUPP } from '../uapi/errno.js';

const FAULT = 2;
/** get_prev_insn_idx ran out of this state's instructions. */
const NO_PREV = -2;

/** The helpers that call back into the program (is_callback_calling_function). */
const CALLBACK_CALLING = new Set([164 /* for_each_map_elem */, 170 /* timer_set_callback */, 180 /* find_vma */,
  181 /* loop */, 209 /* user_ringbuf_drain */]);

/** Registers (bit per register) and stack slots (bit per 8-byte slot, 64 slots in two words) still to explain. */
class Masks {
  regs = 0;
  stackLo = 0;
  stackHi = 0;
  hasStack(spi: number): boolean {
    return spi < 32 ? ((this.stackLo >>> spi) & 1) !== 0 : ((this.stackHi >>> (spi - 32)) & 1) !== 0;
  }
  setStack(spi: number): void {
    if (spi < 32) this.stackLo = (this.stackLo | (1 << spi)) >>> 0;
    else this.stackHi = (this.stackHi | (1 << (spi - 32))) >>> 0;
  }
  clearStack(spi: number): void {
    if (spi < 32) this.stackLo = (this.stackLo & ~(1 << spi)) >>> 0;
    else this.stackHi = (this.stackHi & ~(1 << (spi - 32))) >>> 0;
  }
  empty(): boolean {
    return this.regs === 0 && this.stackLo === 0 && this.stackHi === 0;
  }
  stackHex(): string {
    if (this.stackHi === 0) return this.stackLo.toString(16);
    return this.stackHi.toString(16) + this.stackLo.toString(16).padStart(8, '0');
  }
}

/** push_jmp_history: a jump point entered (from a non-adjacent instruction, possibly). */
export function pushJmpHistory(env: Env, st: VState): void {
  if (!env.jmpPoint[env.insnIdx]) return;
  st.jmpHistory.push(env.insnIdx, env.prevInsnIdx);
}

/** get_prev_insn_idx; `hist` holds the history entries not consumed yet (as a count of pairs). */
function prevInsnIdx(st: VState, i: number, hist: { cnt: number }): number {
  const h = st.jmpHistory;
  const cnt = hist.cnt;
  if (i === st.firstInsnIdx) {
    if (cnt === 0) return NO_PREV;
    if (cnt === 1 && h[0] === i) return NO_PREV;
  }
  if (cnt && h[(cnt - 1) * 2] === i) {
    hist.cnt--;
    return h[(cnt - 1) * 2 + 1]!;
  }
  return i - 1;
}

function insnText(env: Env, idx: number): string {
  const insn = env.insns[idx]!;
  const text = printInsn(insn, { style: 'kernel', kernelExact: true, helperName: (id) => env.platform.helperName(id) }, env.insns[idx + 1]);
  return `(${insn.opcode.toString(16).padStart(2, '0')}) ${text}\n`;
}

/** The stack slot a [fp + off] access names, or a fault (logged as the kernel's BUG line). */
function stackSpi(env: Env, off: number): number {
  const spi = Math.trunc((-off - 1) / 8);
  if (spi < 0 || spi >= 64) {
    env.verbose(`BUG spi ${spi}\n`);
    return -1;
  }
  return spi;
}

/** backtrack_insn: what instruction idx needs precise before it, given what is needed after it. */
function backtrackInsn(env: Env, idx: number, m: Masks): number {
  const insn = env.insns[idx]!;
  const code = insn.opcode;
  if (code === 0) return 0;
  if (env.log.level & LOG_LEVEL2) env.verbose(`regs=${m.regs.toString(16)} stack=${m.stackHex()} before ${idx}: ${insnText(env, idx)}`);
  const cls = code & 7;
  const op = code & 0xf0;
  const srcX = (code & 8) !== 0;
  const dreg = 1 << insn.dst;
  const sreg = 1 << insn.src;
  const atomicFetch = cls === 3 && (code & 0xe0) === 0xc0 && (insn.imm & 1) !== 0;
  if (cls === 4 || cls === 7) {
    if (!(m.regs & dreg)) return 0;
    if (op === 0xd0 || op === 0x80) return 0;
    if (op === 0xb0) {
      m.regs &= ~dreg;
      if (srcX) m.regs |= sreg;
    } else if (srcX) {
      m.regs |= sreg;
    }
  } else if (cls === 1 || atomicFetch) {
    let load = dreg;
    let base = insn.src;
    if (atomicFetch) {
      load = insn.imm === 0xf1 ? 1 : sreg;
      base = insn.dst;
    }
    if (!(m.regs & load)) return 0;
    m.regs &= ~load;
    if (base !== 10) return 0;
    const spi = stackSpi(env, insn.off);
    if (spi < 0) return FAULT;
    m.setStack(spi);
  } else if (cls === 3 || cls === 2) {
    if (m.regs & dreg) return ENOTSUPP;
    if (insn.dst !== 10) return 0;
    const spi = stackSpi(env, insn.off);
    if (spi < 0) return FAULT;
    if (!m.hasStack(spi)) return 0;
    m.clearStack(spi);
    if (cls === 3) m.regs |= sreg;
  } else if (cls === 5 || cls === 6) {
    if (op === 0x80) {
      if (insn.src === 1) return ENOTSUPP;
      if (insn.src === 2 && insn.imm === 0) return ENOTSUPP;
      if (insn.src === 0 && CALLBACK_CALLING.has(insn.imm)) return ENOTSUPP;
      m.regs &= ~1;
      if (m.regs & 0x3f) {
        env.verbose(`BUG regs ${m.regs.toString(16)}\n`);
        return FAULT;
      }
    } else if (op === 0x90) {
      return ENOTSUPP;
    } else if (srcX) {
      if (!(m.regs & (dreg | sreg))) return 0;
      m.regs |= sreg | dreg;
    }
  } else if (cls === 0) {
    if (!(m.regs & dreg)) return 0;
    m.regs &= ~dreg;
    const mode = code & 0xe0;
    if (mode === 0x40 || mode === 0x20) return ENOTSUPP;
  }
  return 0;
}

/** mark_all_scalars_precise: the conservative fallback, every scalar of every parent checkpoint. */
function markAllScalarsPrecise(st: VState): void {
  for (let s = st.parent; s; s = s.parent) {
    for (let i = 0; i <= s.curframe; i++) {
      const f = s.frames[i]!;
      for (let j = 0; j < 10; j++) if (f.regs[j]!.type === T.SCALAR_VALUE) f.regs[j]!.precise = true;
      for (const slot of f.stack) if (isSpilledReg(slot) && slot.spilled.type === T.SCALAR_VALUE) slot.spilled.precise = true;
    }
  }
}

/** mark_all_scalars_imprecise: a state about to become a checkpoint forgets inherited marks. */
export function markAllScalarsImprecise(st: VState): void {
  for (let i = 0; i <= st.curframe; i++) {
    const f = st.frames[i]!;
    for (let j = 0; j < 10; j++) if (f.regs[j]!.type === T.SCALAR_VALUE) f.regs[j]!.precise = false;
    for (const slot of f.stack) if (isSpilledReg(slot) && slot.spilled.type === T.SCALAR_VALUE) slot.spilled.precise = false;
  }
}

/**
 * __mark_chain_precision: register `regno` and/or stack slot `spi` of frame `frame` of the current
 * state must be precise; find what produced them and mark it in the parent checkpoints.
 */
export function markChainPrecisionFrame(env: Env, frame: number, regno: number, spi: number): void {
  if (!env.bpfCapable) return;
  let st: VState = env.cur;
  let firstIdx = st.firstInsnIdx;
  let lastIdx = env.insnIdx;
  let func = st.frames[frame]!;
  const m = new Masks();
  if (regno >= 0) m.regs = 1 << regno;
  if (spi >= 0) m.setStack(spi);
  let newMarks = false;
  if (regno >= 0) {
    // backtracing misuse: the kernel warns and fails with EFAULT, without a log line.
    if (func.regs[regno]!.type !== T.SCALAR_VALUE) env.fail('', EFAULT);
    newMarks = true;
  }
  if (spi >= 0) {
    const slot = func.stack[spi];
    if (!slot || !isSpilledReg(slot) || slot.spilled.type !== T.SCALAR_VALUE) m.clearStack(spi);
    else newMarks = true;
  }
  if (!newMarks || m.empty()) return;
  const level2 = (env.log.level & LOG_LEVEL2) !== 0;
  let skipFirst = true;
  for (;;) {
    const hist = { cnt: st.jmpHistory.length >> 1 };
    if (level2) env.verbose(`last_idx ${lastIdx} first_idx ${firstIdx}\n`);
    if (lastIdx < 0) {
      // The entry of a global function: only its arguments R1-R5 may be asked for.
      const f0 = st.frames[0]!;
      if (st.curframe === 0 && f0.subprogno > 0 && f0.callsite === -1 && m.stackLo === 0 && m.stackHi === 0 &&
        (m.regs & ~0x3e) === 0) {
        for (let i = 0; i < 32; i++) {
          if (!((m.regs >>> i) & 1)) continue;
          const r = f0.regs[i]!;
          if (r.type !== T.SCALAR_VALUE) m.regs &= ~(1 << i);
          else r.precise = true;
        }
        return;
      }
      env.fail(`BUG backtracing func entry subprog ${f0.subprogno} reg_mask ${m.regs.toString(16)} stack_mask ${m.stackHex()}\n`, EFAULT);
    }
    for (let i = lastIdx; ;) {
      let err = 0;
      if (skipFirst) skipFirst = false;
      else err = backtrackInsn(env, i, m);
      if (err === ENOTSUPP) {
        markAllScalarsPrecise(st);
        return;
      }
      if (err) env.fail('', EFAULT);
      if (m.empty()) return;
      i = prevInsnIdx(st, i, hist);
      if (i === NO_PREV) break;
      if (i < 0 || i >= env.insns.length) env.fail(`BUG backtracking idx ${i}\n`, EFAULT);
    }
    const parent = st.parent;
    if (!parent) break;
    st = parent;
    if (frame > st.curframe) {
      markAllScalarsPrecise(env.cur);
      return;
    }
    newMarks = false;
    func = st.frames[frame]!;
    for (let i = 0; i < 32; i++) {
      if (!((m.regs >>> i) & 1)) continue;
      const r = func.regs[i]!;
      if (r.type !== T.SCALAR_VALUE) {
        m.regs &= ~(1 << i);
        continue;
      }
      if (!r.precise) newMarks = true;
      r.precise = true;
    }
    for (let i = 0; i < 64; i++) {
      if (!m.hasStack(i)) continue;
      if (i >= func.stack.length) {
        // A slot the parent never allocated (a spill through a copy of fp): be conservative.
        markAllScalarsPrecise(st);
        return;
      }
      const slot = func.stack[i]!;
      if (!isSpilledReg(slot) || slot.spilled.type !== T.SCALAR_VALUE) {
        m.clearStack(i);
        continue;
      }
      if (!slot.spilled.precise) newMarks = true;
      slot.spilled.precise = true;
    }
    if (level2) {
      env.verbose(`parent ${newMarks ? "didn't have" : 'already had'} regs=${m.regs.toString(16)} stack=${m.stackHex()} marks:`);
      env.verbose(formatFuncState(func, true, 0, NO_SLOTS));
    }
    if (m.empty() || !newMarks) break;
    lastIdx = st.lastInsnIdx;
    firstIdx = st.firstInsnIdx;
  }
}

const NO_SLOTS = new Set<number>();

/** mark_chain_precision: a register of the current frame. */
export function markChainPrecision(env: Env, regno: number): void {
  markChainPrecisionFrame(env, env.cur.curframe, regno, -1);
}

/** propagate_precision: a pruned state inherits the precise marks of the checkpoint it matched. */
export function propagatePrecision(env: Env, old: VState): void {
  const level2 = (env.log.level & LOG_LEVEL2) !== 0;
  for (let fr = old.curframe; fr >= 0; fr--) {
    const f = old.frames[fr]!;
    for (let i = 0; i < 10; i++) {
      const r = f.regs[i]!;
      if (r.type !== T.SCALAR_VALUE || !r.precise || !(r.live & 3)) continue;
      if (level2) env.verbose(`frame ${fr}: propagating r${i}\n`);
      markChainPrecisionFrame(env, fr, i, -1);
    }
    for (let i = 0; i < f.stack.length; i++) {
      const slot = f.stack[i]!;
      if (!isSpilledReg(slot)) continue;
      const r = slot.spilled;
      if (r.type !== T.SCALAR_VALUE || !r.precise || !(r.live & 3)) continue;
      if (level2) env.verbose(`frame ${fr}: propagating fp${(-i - 1) * 8}\n`);
      markChainPrecisionFrame(env, fr, -1, i);
    }
  }
}

/**
 * update_loop_inline_state: a bpf_loop call stays a candidate for inlining while its flags (R4) are a known
 * zero with the same callback; relying on that zero makes R4 precise.
 */
export function updateLoopInlineState(env: Env, callbackSubprog: number): void {
  const aux = env.aux(env.insnIdx);
  const flagIsZero = (): boolean => {
    const r4 = env.regs[4]!;
    const zero = r4.type === T.SCALAR_VALUE && r4.varOff.mask === 0n && r4.varOff.value === 0n;
    if (zero) markChainPrecision(env, 4);
    return zero;
  };
  if (!aux.loopInline) {
    aux.loopInline = { fit: flagIsZero(), subprog: callbackSubprog };
    return;
  }
  if (!aux.loopInline.fit) return;
  aux.loopInline.fit = flagIsZero() && aux.loopInline.subprog === callbackSubprog;
}
