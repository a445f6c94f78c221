/**
 * Verifier states (bpf_func_state, bpf_verifier_state): registers, stack slots, references,
 * callback flags, spin lock; copying for branch exploration and checkpoints.
 */
import { copyReg, newReg, type Reg, sameValue, T } from './reg-state.js';
import { markKnown } from './bounds.js';

/** Stack slot byte types (enum bpf_stack_slot_type). */
export const enum S { INVALID = 0, SPILL = 1, MISC = 2, ZERO = 3, DYNPTR = 4 }
export const SLOT_CHAR = ['?', 'r', 'm', '0', 'd'];

export interface StackSlot {
  types: number[];
  spilled: Reg;
  /**
   * Also held by another state (a queued branch shares the slots of the state it was copied from): copy it
   * with ownSlot before changing its types or its register.
   */
  shared: boolean;
  /** `types` is also another slot's: slice it before writing (ownSlot does). */
  typesShared: boolean;
}

export interface RefState {
  id: number;
  insnIdx: number;
  callbackRef: number;
}

export interface FuncState {
  regs: Reg[];
  stack: StackSlot[];
  frameno: number;
  callsite: number;
  subprogno: number;
  refs: RefState[];
  inCallbackFn: boolean;
  inAsyncCallbackFn: boolean;
  /** How many async callback entries (timer callbacks setting timer callbacks) led to this frame. */
  asyncEntryCnt: number;
  /** Allowed return range of a callback: [min, max] (signed 64 as bigint). */
  cbRetMin: bigint;
  cbRetMax: bigint;
  /** The callback's verification started from a helper call (async: timers). */
  callbackSubprogno: number;
  /**
   * Also held by another state (a queued branch shares its callers' frames with the current state): copy it
   * with ownFrame before changing it.
   */
  shared?: boolean;
}

export interface VState {
  frames: FuncState[];
  curframe: number;
  parent: VState | null;
  branches: number;
  activeSpinLock: number;
  speculative: boolean;
  insnIdx: number;
  firstInsnIdx: number;
  lastInsnIdx: number;
  /** jmp_history: [idx, prevIdx] pairs since the last checkpoint. */
  jmpHistory: number[];
}

export const BPF_REG_SIZE = 8;
export const MAX_BPF_STACK = 512;

export function newFuncState(frameno: number, callsite: number, subprogno: number): FuncState {
  const regs: Reg[] = [];
  for (let i = 0; i < 11; i++) regs.push(newReg());
  const fp = regs[10]!;
  fp.type = T.PTR_TO_STACK;
  markKnown(fp, 0n);
  fp.type = T.PTR_TO_STACK;
  fp.frameno = frameno;
  return {
    regs, stack: [], frameno, callsite, subprogno, refs: [], inCallbackFn: false, inAsyncCallbackFn: false, asyncEntryCnt: 0,
    cbRetMin: 0n, cbRetMax: 0n, callbackSubprogno: 0,
  };
}

/** A copy of a slot; its byte types array stays shared with s until either writes it (see ownSlot). */
function copySlot(s: StackSlot): StackSlot {
  s.typesShared = true;
  return { types: s.types, spilled: copyReg(s.spilled), shared: false, typesShared: true };
}

function shareSlot(s: StackSlot): StackSlot {
  s.shared = true;
  return s;
}

/** A copy of a frame; with `shareSlots` its stack slots are shared (copy-on-write, see ownSlot). */
export function copyFunc(f: FuncState, shareSlots = false): FuncState {
  return {
    ...f,
    regs: f.regs.map(copyReg),
    stack: f.stack.map(shareSlots ? shareSlot : copySlot),
    refs: f.refs.map((r) => ({ ...r })),
    shared: false,
  };
}

/** Slot spi of frame f, made f's own (copied if shared) so that it may be changed. */
export function ownSlot(f: FuncState, spi: number): StackSlot {
  let s = f.stack[spi]!;
  if (s.shared) {
    s = copySlot(s);
    f.stack[spi] = s;
  }
  if (s.typesShared) {
    s.types = s.types.slice();
    s.typesShared = false;
  }
  return s;
}

/** Every stack slot of f made its own. */
export function ownSlots(f: FuncState): void {
  for (let i = 0; i < f.stack.length; i++) {
    const s = f.stack[i]!;
    if (s.shared) f.stack[i] = copySlot(s);
  }
}

/**
 * A copy of a state. With `shareCallers` (a queued branch), the caller frames are shared with `s` and marked
 * so: whichever state changes one first copies it (ownFrame); the current frame is always copied, its stack
 * slots shared the same way (ownSlot). Without it (checkpoints, records) everything is copied.
 */
export function copyState(s: VState, shareCallers = false): VState {
  return {
    ...s,
    frames: s.frames.map((f, i) => {
      if (shareCallers && i < s.curframe) {
        f.shared = true;
        return f;
      }
      return copyFunc(f, shareCallers);
    }),
    jmpHistory: s.jmpHistory.slice(),
  };
}

/**
 * Register `regno` of a state about to become a checkpoint, as the checkpoint holds it. A register that no
 * read can ever mark — one not initialised (reading it rejects the program, and a value only comes back by a
 * write, which stops every mark walking up to it) or the read-only frame pointer (never marked) — and that
 * has not changed since the previous checkpoint is that checkpoint's register object itself: its marks stay
 * empty and pruning, precision and the liveness walks never look past them, so one object serves the whole
 * run of checkpoints (the kernel copies it each time: 8 frames of 11 registers per checkpoint on a deep call
 * chain, most of them not initialised).
 */
function checkpointReg(r: Reg, regno: number): Reg {
  return keepsCheckpointReg(r, regno) ? r.parent! : copyReg(r);
}

function keepsCheckpointReg(r: Reg, regno: number): boolean {
  const p = r.parent;
  return p !== null && (r.type === T.NOT_INIT || regno === 10) && sameValue(r, p);
}

/**
 * Making a checkpoint leaves frame f as it is: no stack slots, and every register one the checkpoint keeps
 * shared (checkpointReg) without marks of its own, so linking f to the checkpoint changes nothing. Such a
 * frame (a caller's, on a deep call chain) need not be copied out of the queued branches that share it.
 */
export function checkpointKeepsFrame(f: FuncState): boolean {
  if (f.stack.length !== 0) return false;
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i]!;
    if (r.live !== 0 || !keepsCheckpointReg(r, i)) return false;
  }
  return true;
}

function checkpointFunc(f: FuncState): FuncState {
  const regs: Reg[] = new Array(11);
  for (let i = 0; i < 11; i++) regs[i] = checkpointReg(f.regs[i]!, i);
  return { ...f, regs, stack: f.stack.map(copySlot), refs: f.refs.map((r) => ({ ...r })), shared: false };
}

/**
 * The checkpoint made of a state (is_state_visited's copy): as copyState without sharing, except for the
 * registers checkpointReg keeps shared with the previous checkpoint. Every frame of s must be its own.
 */
export function copyCheckpoint(s: VState): VState {
  return { ...s, frames: s.frames.map(checkpointFunc), jmpHistory: s.jmpHistory.slice() };
}

/** Frame i of s, made s's own (copied if shared) so that it may be changed. */
export function ownFrame(s: VState, i: number): FuncState {
  const f = s.frames[i]!;
  if (!f.shared) return f;
  const c = copyFunc(f);
  s.frames[i] = c;
  return c;
}

/** Every frame of s made its own. */
export function ownFrames(s: VState): void {
  for (let i = 0; i <= s.curframe; i++) ownFrame(s, i);
}

export function allocatedStack(f: FuncState): number {
  return f.stack.length * BPF_REG_SIZE;
}

/** grow_stack_state: make room for `size` bytes (rounded to slots). */
export function growStack(f: FuncState, size: number): void {
  const slots = Math.ceil(size / BPF_REG_SIZE);
  while (f.stack.length < slots) f.stack.push({ types: [0, 0, 0, 0, 0, 0, 0, 0], spilled: newReg(), shared: false, typesShared: false });
}

export const isSpilledReg = (s: StackSlot): boolean => s.types[BPF_REG_SIZE - 1] === S.SPILL;

export function curFrame(s: VState): FuncState {
  return s.frames[s.curframe]!;
}

/** Every register and spilled register of every frame (bpf_for_each_reg_in_vstate). */
export function forEachReg(s: VState, fn: (r: Reg, f: FuncState) => void): void {
  ownFrames(s);
  for (let i = 0; i <= s.curframe; i++) {
    const f = s.frames[i]!;
    for (const r of f.regs) fn(r, f);
    for (let j = 0; j < f.stack.length; j++) if (isSpilledReg(f.stack[j]!)) fn(ownSlot(f, j).spilled, f);
  }
}
