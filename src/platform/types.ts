/**
 * The vocabulary shared by the verifier and the simulated kernel: what a helper or kfunc takes and
 * returns, as Linux 6.1's `include/linux/bpf.h` names it. The verifier reads these through a Platform
 * (see platform.ts); kernel-sim serves them from its tables and enforces the same facts at run time.
 */

/** Base argument types (enum bpf_arg_type without flags). */
export type ArgBase =
  | 'ARG_DONTCARE' | 'ARG_CONST_MAP_PTR' | 'ARG_PTR_TO_MAP_KEY' | 'ARG_PTR_TO_MAP_VALUE' | 'ARG_PTR_TO_MEM'
  | 'ARG_CONST_SIZE' | 'ARG_CONST_SIZE_OR_ZERO' | 'ARG_PTR_TO_CTX' | 'ARG_ANYTHING' | 'ARG_PTR_TO_SPIN_LOCK'
  | 'ARG_PTR_TO_SOCK_COMMON' | 'ARG_PTR_TO_SOCKET' | 'ARG_PTR_TO_BTF_ID' | 'ARG_PTR_TO_ALLOC_MEM'
  | 'ARG_CONST_ALLOC_SIZE_OR_ZERO' | 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' | 'ARG_PTR_TO_PERCPU_BTF_ID' | 'ARG_PTR_TO_FUNC'
  | 'ARG_PTR_TO_STACK' | 'ARG_PTR_TO_CONST_STR' | 'ARG_PTR_TO_TIMER' | 'ARG_PTR_TO_KPTR' | 'ARG_PTR_TO_DYNPTR';

/** Base return types (enum bpf_return_type without flags). */
export type RetBase =
  | 'RET_INTEGER' | 'RET_VOID' | 'RET_PTR_TO_MAP_VALUE' | 'RET_PTR_TO_SOCKET' | 'RET_PTR_TO_TCP_SOCK'
  | 'RET_PTR_TO_SOCK_COMMON' | 'RET_PTR_TO_ALLOC_MEM' | 'RET_PTR_TO_MEM_OR_BTF_ID' | 'RET_PTR_TO_BTF_ID';

/** Type flags (enum bpf_type_flag). */
export type TypeFlag =
  | 'PTR_MAYBE_NULL' | 'MEM_RDONLY' | 'MEM_ALLOC' | 'MEM_USER' | 'MEM_PERCPU' | 'OBJ_RELEASE' | 'PTR_UNTRUSTED'
  | 'MEM_UNINIT' | 'DYNPTR_TYPE_LOCAL' | 'DYNPTR_TYPE_RINGBUF' | 'MEM_FIXED_SIZE' | 'MEM_ALIGNED' | 'MEM_WRITE';

export interface ArgSpec {
  type: ArgBase;
  flags?: readonly TypeFlag[];
  /** ARG_PTR_TO_BTF_ID*: the kernel struct the pointer must point to (its BTF name). */
  btfType?: string;
  /** MEM_FIXED_SIZE: the size of the memory. */
  size?: number;
}

export interface RetSpec {
  type: RetBase;
  flags?: readonly TypeFlag[];
  /** RET_PTR_TO_BTF_ID*: the kernel struct returned. */
  btfType?: string;
}

/** A helper's prototype, as `struct bpf_func_proto` holds it. */
export interface HelperProto {
  id: number;
  /** As the kernel prints it (func_id_name), e.g. `bpf_map_lookup_elem`. */
  name: string;
  gplOnly: boolean;
  ret: RetSpec;
  /** Up to five arguments (trailing ARG_DONTCARE omitted). */
  args: readonly ArgSpec[];
  /** Packet data may change: pointers into the packet are invalidated by the call. */
  pktAccess?: boolean;
  /** Only in sleepable programs (`might_sleep`). */
  mightSleep?: boolean;
  /** The prototype's `allowed` callback refuses the program (the function it attaches to decides). */
  notAllowed?: boolean;
}

/** kfunc flags (the BTF_ID_FLAGS model of the kfunc document, Linux 6.1). */
export type KfuncFlag =
  | 'KF_ACQUIRE' | 'KF_RELEASE' | 'KF_RET_NULL' | 'KF_KPTR_GET' | 'KF_TRUSTED_ARGS' | 'KF_SLEEPABLE'
  | 'KF_DESTRUCTIVE';
