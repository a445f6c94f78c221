/**
 * Dynptrs on the stack (6.1): a dynptr occupies two stack slots whose bytes are all STACK_DYNPTR; the upper
 * slot (the one at the pointer's offset) is the first slot and carries the dynptr's type, a ringbuf dynptr
 * also a reference id. Helpers with a MEM_UNINIT dynptr argument initialise the slots; release helpers
 * clear them; all other dynptr arguments must point at an initialised dynptr of the expected type.
 */
import type { ArgSpec } from '../platform/types.js';
import type { Env } from './env.js';
import type { Reg } from './reg-state.js';
import { allocatedStack, BPF_REG_SIZE, type FuncState, ownFrame, ownSlot, S } from './state.js';

/** enum bpf_dynptr_type */
export const enum DynptrType { INVALID = 0, LOCAL = 1, RINGBUF = 2 }
const NR_SLOTS = 2;
export const DYNPTR_SIZE = 16;

export function argDynptrType(arg: ArgSpec): DynptrType {
  const f = arg.flags ?? [];
  if (f.includes('DYNPTR_TYPE_LOCAL')) return DynptrType.LOCAL;
  if (f.includes('DYNPTR_TYPE_RINGBUF')) return DynptrType.RINGBUF;
  return DynptrType.INVALID;
}

const refcounted = (t: number): boolean => t === DynptrType.RINGBUF;

/** get_spi: the slot index of the stack pointer's fixed offset. */
const spiOf = (reg: Reg): number => Math.floor((-reg.off - 1) / BPF_REG_SIZE);

function spiBoundsOk(f: FuncState, spi: number): boolean {
  return spi - NR_SLOTS + 1 >= 0 && spi < allocatedStack(f) / BPF_REG_SIZE;
}

const frameOf = (env: Env, reg: Reg): FuncState => env.cur.frames[reg.frameno]!;

/** is_dynptr_reg_valid_uninit: no byte of the two slots belongs to a dynptr (or the slots are not allocated yet). */
export function dynptrValidUninit(env: Env, reg: Reg): boolean {
  const f = frameOf(env, reg);
  const spi = spiOf(reg);
  if (!spiBoundsOk(f, spi)) return true;
  return !f.stack[spi]!.types.includes(S.DYNPTR) && !f.stack[spi - 1]!.types.includes(S.DYNPTR);
}

/** is_dynptr_reg_valid_init: the pointer is at the first slot of a whole dynptr. */
export function dynptrValidInit(env: Env, reg: Reg): boolean {
  const f = frameOf(env, reg);
  const spi = spiOf(reg);
  if (!spiBoundsOk(f, spi) || !f.stack[spi]!.spilled.dynptrFirst) return false;
  return f.stack[spi]!.types.every((t) => t === S.DYNPTR) && f.stack[spi - 1]!.types.every((t) => t === S.DYNPTR);
}

/** is_dynptr_type_expected: an argument without a DYNPTR_TYPE_* flag takes any dynptr. */
export function dynptrTypeExpected(env: Env, reg: Reg, arg: ArgSpec): boolean {
  const want = argDynptrType(arg);
  if (want === DynptrType.INVALID) return true;
  return frameOf(env, reg).stack[spiOf(reg)]!.spilled.dynptrType === want;
}

/** The name a DYNPTR_TYPE_* flag has in "Expected a dynptr of type %s". */
export function dynptrTypeName(arg: ArgSpec): string {
  const t = argDynptrType(arg);
  return t === DynptrType.LOCAL ? 'local' : t === DynptrType.RINGBUF ? 'ringbuf' : '<unknown>';
}

/** stack_slot_get_id: the reference id of the dynptr the pointer points at (0 when none). */
export function dynptrRefId(env: Env, reg: Reg): number {
  const f = frameOf(env, reg);
  const spi = spiOf(reg);
  return spiBoundsOk(f, spi) ? f.stack[spi]!.spilled.id : 0;
}

/**
 * mark_stack_slots_dynptr: the two slots become a dynptr of the argument's type; a ringbuf dynptr acquires a
 * reference (acquire(insnIdx) returns its id). False when the slots are out of bounds or the type is invalid.
 */
export function markDynptrSlots(env: Env, reg: Reg, arg: ArgSpec, acquire: () => number): boolean {
  const f = ownFrame(env.cur, reg.frameno);
  const spi = spiOf(reg);
  if (!spiBoundsOk(f, spi)) return false;
  const hi = ownSlot(f, spi);
  const lo = ownSlot(f, spi - 1);
  hi.types.fill(S.DYNPTR);
  lo.types.fill(S.DYNPTR);
  const type = argDynptrType(arg);
  if (type === DynptrType.INVALID) return false;
  hi.spilled.dynptrFirst = true;
  hi.spilled.dynptrType = type;
  lo.spilled.dynptrType = type;
  if (refcounted(type)) {
    const id = acquire();
    hi.spilled.id = id;
    lo.spilled.id = id;
  }
  return true;
}

/**
 * unmark_stack_slots_dynptr: the two slots become STACK_INVALID; a ringbuf dynptr's reference is released
 * (release(id) also invalidates the slices taken from it). False when the slots are out of bounds.
 */
export function unmarkDynptrSlots(env: Env, reg: Reg, release: (id: number) => void): boolean {
  const f = ownFrame(env.cur, reg.frameno);
  const spi = spiOf(reg);
  if (!spiBoundsOk(f, spi)) return false;
  const hi = ownSlot(f, spi);
  const lo = ownSlot(f, spi - 1);
  hi.types.fill(S.INVALID);
  lo.types.fill(S.INVALID);
  if (refcounted(hi.spilled.dynptrType)) {
    release(hi.spilled.id);
    hi.spilled.id = 0;
    lo.spilled.id = 0;
  }
  hi.spilled.dynptrFirst = false;
  hi.spilled.dynptrType = 0;
  lo.spilled.dynptrType = 0;
  return true;
}

/** The release check of a dynptr argument: the slots hold an acquired (ringbuf) dynptr. */
export function dynptrAcquired(env: Env, reg: Reg): boolean {
  const f = frameOf(env, reg);
  const spi = spiOf(reg);
  return spiBoundsOk(f, spi) && f.stack[spi]!.spilled.id !== 0;
}
