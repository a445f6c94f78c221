/**
 * The model of the kfunc document, for TypeScript: a kfunc is a prototype (C type texts; parameter
 * names carry the `__sz` / `__k` annotations) and an implementation; a set (BTF_SET8) lists kfuncs with
 * their flags (BTF_ID_FLAGS); a set is registered per program type (register_btf_kfunc_id_set).
 */
import type { KfuncFlag } from '../../src/platform/types.js';
import type { KfuncParam } from '../../src/platform/platform.js';
import type { HelperContext } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import type { KernelObject, ObjectWindow } from '../objects/heap.js';
import type { ExecContext } from './exec-context.js';
import type { KernelWorld } from '../objects/world.js';

/** A kfunc argument as the runtime checked it. */
export type KfuncArg =
  | { kind: 'scalar'; value: bigint }
  /** A pointer to a kernel object (BTF object): the window it came through and the offset in it. */
  | { kind: 'object'; value: bigint; window: ObjectWindow; offset: number }
  /** A pointer to program memory, checked readable over `size` bytes; `bytes` views them. */
  | { kind: 'mem'; value: bigint; size: number; bytes: Uint8Array }
  /** The program's context. */
  | { kind: 'ctx'; value: bigint }
  /** KF_KPTR_GET's first argument: a referenced kptr slot of a map value. */
  | { kind: 'kptr'; value: bigint; slot: DataView; offset: number };

/** What an implementation sees. */
export interface KfuncCall {
  readonly name: string;
  readonly kernel: Kernel;
  readonly world: KernelWorld;
  readonly exec: ExecContext;
  readonly ctx: HelperContext;
  readonly args: readonly KfuncArg[];
  /** Scalar argument i (throws when it is not a scalar: a definition bug). */
  scalar(i: number): bigint;
  /** Object argument i. */
  object(i: number): KernelObject;
  /** Memory argument i (its checked bytes). */
  mem(i: number): Uint8Array;
}

/** Memory a kfunc hands out: the first `size` bytes of an object (rdwr_buf_size / rdonly_buf_size). */
export interface MemoryResult {
  memory: KernelObject;
  size: number;
  readonly: boolean;
}

/**
 * What an implementation returns: a scalar r0; an object (for KF_ACQUIRE with a count already taken
 * for the caller, as refcount_inc does; otherwise a pointer the kernel holds); memory; or null (NULL).
 * An object is returned as `{ object, type }` when the pointer's type differs from the object's
 * (nf_conn___init over an nf_conn).
 */
export type KfuncResult = bigint | number | void | null | KernelObject | { object: KernelObject; type: string } | MemoryResult;

export type KfuncImpl = (call: KfuncCall) => KfuncResult;

export interface KfuncDef {
  name: string;
  /** C type text of the return value. */
  ret: string;
  /** Parameters with their C type texts. */
  params: readonly KfuncParam<string>[];
  impl: KfuncImpl;
  /**
   * What a KF_RET_NULL | KF_RELEASE kfunc does when null-injection makes it fail, after its argument
   * was released (e.g. bpf_ct_insert_entry frees the entry it could not insert).
   */
  onInjectedNull?: (call: KfuncCall) => void;
}

/** One BTF_ID_FLAGS line. */
export interface KfuncSetEntry {
  kfunc: KfuncDef;
  flags: readonly KfuncFlag[];
}

/** A BTF_SET8 (with its owner's name, for messages). */
export interface KfuncSet {
  owner: string;
  entries: readonly KfuncSetEntry[];
}

/** BTF_ID_FLAGS(func, kfunc, flags…). */
export function idFlags(kfunc: KfuncDef, ...flags: KfuncFlag[]): KfuncSetEntry {
  return { kfunc, flags };
}
