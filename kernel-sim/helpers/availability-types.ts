/**
 * The shape of the `get_func_proto` data (availability-6.1.ts): the kernel's `*_func_proto` functions as
 * steps, evaluated in order until one yields an answer.
 */
import type { AttachTypeName } from '../../src/object/bpf-enums.js';

/** A condition a `*_func_proto` function tests. */
export type Cond =
  /** bpf_capable(), perfmon_capable(), capable(CAP_SYS_ADMIN). */
  | { readonly cap: 'bpf' | 'perfmon' | 'sys_admin' }
  /** prog->expected_attach_type is one of these. */
  | { readonly attach: readonly AttachTypeName[] }
  /** bpf_prog_has_trampoline(prog): TRACING fentry/fexit/fmod_ret, or LSM_MAC. */
  | { readonly trampoline: true }
  /** The LSM hook the program attaches to (its attach_btf_id) is one of these. */
  | { readonly lsmHook: readonly string[] }
  /** The struct_ops member the program implements (prog_ops_moff) is this one. */
  | { readonly structOpsMember: string }
  /** The bpf_iter target the TRACE_ITER program attaches to is one of these. */
  | { readonly iterTarget: readonly string[] }
  | { readonly not: Cond };

/** What a `case BPF_FUNC_x:` returns: a prototype (by variable name), NULL, or a choice. */
export type Answer = string | null | { readonly if: Cond; readonly then: Answer; readonly else: Answer };

export type Step =
  /** `switch (func_id)`: helpers named here (without `bpf_`) get their answer; others go on. */
  | { readonly cases: { readonly [helper: string]: Answer } }
  /** `if (!cond) return NULL;` */
  | { readonly gate: Cond }
  /** `fn = other(func_id, prog); if (fn) return fn;` — only when `when` holds, if given. */
  | { readonly call: string; readonly when?: Cond };

export type ProtoTable = { readonly [fn: string]: readonly Step[] };
