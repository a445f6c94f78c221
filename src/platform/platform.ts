/**
 * The Platform: everything the verifier asks of the (simulated) kernel. The verifier never imports
 * kernel-sim; kernel-sim implements this interface from the same tables its run-time checks use.
 * Kernel-version facts stay on this side (the verifier keys its own texts by `profile`).
 */
import type { Btf } from '../btf/index.js';
import type { ProgTypeName } from '../object/bpf-enums.js';
import type { Capability } from './caps.js';
import type { RegTypeBits } from '../uapi/reg-types.js';
import type { KptrField } from '../object/map-fields.js';
import type { HelperProto, KfuncFlag } from './types.js';

/** A map as the verifier sees it (struct bpf_map's verifier-relevant fields). */
export interface MapDef {
  /** BPF_MAP_TYPE_* number. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** Offset of the struct bpf_spin_lock in the value, or -1. */
  spinLockOff: number;
  /** Offset of the struct bpf_timer in the value, or -1. */
  timerOff: number;
  /** kptr fields of the value (BTF-described maps). */
  kptrs?: readonly KptrField[];
  /** Map-in-map: the inner map template. */
  inner?: MapDef;
  /** Whether the value has BTF (needed by spin locks, timers, kptrs). */
  hasBtf?: boolean;
  /** The map's name as the kernel keeps it (15 characters), for messages; '' when unnamed. */
  name?: string;
  /**
   * The value of a map the loader froze after filling it (libbpf: `.rodata`, `.kconfig`). With
   * BPF_F_RDONLY_PROG, the verifier reads constants from it (bpf_map_is_rdonly).
   */
  frozen?: Uint8Array;
}

export type { KptrField };

/** The program being verified. */
export interface ProgInfo {
  type: ProgTypeName;
  /** BPF_* attach type name without the prefix (`CGROUP_INET_INGRESS`), if any. */
  expectedAttachType?: string;
  /** TRACING/LSM: the function attached to (after libbpf's prefixing). */
  attachTo?: string;
  sleepable?: boolean;
  /** BPF_PROG_LOAD's license string; a program without one is taken as GPL. */
  license?: string;
  /**
   * EXT (freplace): the program it extends. The verifier checks an extension with its target's context
   * rules and helpers (resolve_prog_type); without one, the context is the u64 arguments.
   */
  extTarget?: { type: ProgTypeName; expectedAttachType?: string };
  /**
   * STRUCT_OPS: attach_btf_id (the struct_ops type's BTF id in vmlinux) and expected_attach_type (the
   * member's index). Without it a raw struct_ops program's context is untyped u64 arguments (bpfvm only).
   */
  structOps?: { btfId: number; memberIdx: number };
}

/**
 * resolve_prog_type: the program whose rules apply. An extension with a target program is checked as its
 * target, with the target's expected attach type; any other program as itself.
 */
export function resolveProg(prog: ProgInfo): ProgInfo {
  if (prog.type !== 'EXT' || prog.extTarget === undefined) return prog;
  return { ...prog, type: prog.extTarget.type, expectedAttachType: prog.extTarget.expectedAttachType };
}

/** check_struct_ops_btf_id's outcome: the member implemented, or the refusal (message and errno). */
export type StructOpsMemberCheck =
  | { ok: true; struct: string; member: string; voidRet: boolean }
  | { ok: false; message: string; errno: number };

/** What is_valid_access answers for an allowed access. */
export interface CtxAccess {
  /** What a load yields: enum bpf_reg_type with its bpf_type_flag bits (SCALAR_VALUE, PTR_TO_PACKET, PTR_TO_BUF | MEM_RDONLY | PTR_MAYBE_NULL). */
  regType: RegTypeBits;
  /** btf_id / untrusted pointers: struct name. */
  btfName?: string;
  /** tp_buffer / mem: accessible size. */
  size?: number;
  /** The pointer is PTR_UNTRUSTED (BTF ctx of tracing programs). */
  untrusted?: boolean;
}

/** A BTF type as kfunc and btf_id checks need it. */
export type KType =
  | { kind: 'void' }
  | { kind: 'int'; size: number; name?: string }
  | { kind: 'ptr'; to: KType }
  /** A struct or union (`name` empty when anonymous); `members` may be left empty past a pointer. */
  | { kind: 'struct'; name: string; size: number; members: readonly KMember[]; flex?: boolean; union?: boolean }
  /** An array member; count 0 for a flexible array. */
  | { kind: 'array'; elem: KType; count: number }
  | { kind: 'ctx' }; // a pointer-to-context parameter (struct __sk_buff * etc.)

export interface KMember {
  name: string;
  off: number;
  type: KType;
}

/**
 * A kfunc parameter: its name (`x__sz` marks the size of the memory parameter before it, `x__k` a constant)
 * and its type — a KType as the verifier reads it from BTF, or (`KfuncParam<string>`) the C type text a
 * kfunc is defined with (`u32`, `struct nf_conn *`).
 */
export interface KfuncParam<Type = KType> {
  name: string;
  type: Type;
}

export interface KfuncProto {
  name: string;
  flags: readonly KfuncFlag[];
  params: readonly KfuncParam[];
  ret: KType;
}

export interface Platform {
  /** Kernel profile whose facts this platform serves (`6.1`). */
  readonly profile: string;
  /** func_id_name(): helper name by id, undefined past the known ids. */
  helperName(id: number): string | undefined;
  /** get_func_proto(): the prototype offered to this program, or undefined (`unknown func`). */
  helper(prog: ProgInfo, id: number, caps: ReadonlySet<Capability>): HelperProto | undefined;
  /** A kfunc by BTF id, if it exists and is registered for the program type. */
  kfunc(btfId: number, prog: ProgInfo): { proto?: KfuncProto; name?: string } | undefined;
  /** is_valid_access(): undefined when refused. */
  ctxAccess(prog: ProgInfo, off: number, size: number, write: boolean, caps?: ReadonlySet<Capability>): CtxAccess | undefined;
  /** within_error_injection_list: `func` may have its return modified (fmod_ret) or be traced sleepable. */
  errorInjectable?(func: string): boolean;
  /** bpf_lsm_is_sleepable_hook: a sleepable LSM program may attach to `hook` (`bprm_committed_creds`). */
  sleepableLsmHook?(hook: string): boolean;
  /** check_struct_ops_btf_id for a STRUCT_OPS program with `structOps`. */
  structOpsMember?(prog: ProgInfo): StructOpsMemberCheck;
  /** LSM/TRACING: whether the attach target's prototype returns void (attach_func_proto->type == 0); undefined when unknown. */
  attachReturnsVoid?(prog: ProgInfo): boolean | undefined;
  /**
   * The program type's own btf_struct_access (struct_ops verifier ops): undefined to allow the access
   * (then checked against the struct as usual), or the message refusing it. Absent or 'default': reads only.
   */
  btfAccess?(prog: ProgInfo, struct: string, off: number, size: number, write: boolean): string | undefined | 'default';
  /** The kernel's BTF (vmlinux and what the platform adds), for walks through PTR_TO_BTF_ID pointers. */
  kernelBtf?(): Btf;
  /** The struct a PTR_TO_BTF_ID points to (btf_struct_access), by name. */
  btfStruct?(name: string): KType | undefined;
  /** bpf_sock*_is_valid_access for `sock`, `sock_common`, `tcp_sock`, `xdp_sock` pointers (reads). */
  sockAccess?(kind: string, off: number, size: number): boolean;
  /** A map by the fd (or handle) its ld_imm64 carries. */
  map(fd: number): MapDef | undefined;
  /** Whether the loading process has `fd` open (as something other than a map: __bpf_map_get then says EINVAL, not EBADF). */
  fdOpen?(fd: number): boolean;
  /** A kernel symbol's address (kallsyms), for the loads the verifier's rewrites put in a dump. */
  kernelSymbol?(name: string): bigint | undefined;
  /** What an ld_imm64 with src BPF_PSEUDO_BTF_ID names in vmlinux BTF (check_pseudo_btf_id). */
  ksymVar?(btfId: number): KsymLookup;
}

/**
 * A vmlinux BTF id as a `__ksym` variable: `none` (no such type), `not_var` (a type, but not a VAR), or the
 * variable: its name, whether kallsyms has its address, whether it is per-CPU, and its type (modifiers
 * skipped): a struct by name, or anything else with its size (undefined when BTF cannot size it).
 */
export type KsymLookup =
  | { kind: 'none' }
  | { kind: 'not_var' }
  | { kind: 'var'; name: string; hasAddress: boolean; percpu: boolean; struct?: string; typeName: string; size?: number };
