/**
 * Register types, as Linux 6.1's include/linux/bpf.h names them: enum bpf_reg_type (the base types, in the
 * low BPF_BASE_TYPE_BITS bits) and enum bpf_type_flag (the modifiers above them). One spelling for every
 * layer: the verifier's register state, the platform interface's context-access answers and the simulated
 * kernel's access rules all use these values. (The verifier log's short names, `pkt`, `map_value`, are
 * reg_type_str's, in src/verifier/reg-state.ts.)
 */

/** BPF_BASE_TYPE_BITS: the bits of the base type; the flags sit above them. */
export const BPF_BASE_TYPE_BITS = 8;

/** enum bpf_reg_type: the base register types, and the extended `_OR_NULL` types 6.1 names. */
export const enum BpfRegType {
  NOT_INIT = 0, SCALAR_VALUE, PTR_TO_CTX, CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_STACK,
  PTR_TO_PACKET_META, PTR_TO_PACKET, PTR_TO_PACKET_END, PTR_TO_FLOW_KEYS, PTR_TO_SOCKET, PTR_TO_SOCK_COMMON,
  PTR_TO_TCP_SOCK, PTR_TO_TP_BUFFER, PTR_TO_XDP_SOCK, PTR_TO_BTF_ID, PTR_TO_MEM, PTR_TO_BUF, PTR_TO_FUNC,
  PTR_TO_DYNPTR,
  PTR_TO_MAP_VALUE_OR_NULL = (1 << 8) | PTR_TO_MAP_VALUE,
  PTR_TO_SOCKET_OR_NULL = (1 << 8) | PTR_TO_SOCKET,
  PTR_TO_SOCK_COMMON_OR_NULL = (1 << 8) | PTR_TO_SOCK_COMMON,
  PTR_TO_TCP_SOCK_OR_NULL = (1 << 8) | PTR_TO_TCP_SOCK,
  PTR_TO_BTF_ID_OR_NULL = (1 << 8) | PTR_TO_BTF_ID,
}

/** enum bpf_type_flag: BIT(n + BPF_BASE_TYPE_BITS). */
export const enum BpfTypeFlag {
  PTR_MAYBE_NULL = 1 << 8, MEM_RDONLY = 1 << 9, MEM_ALLOC = 1 << 10, MEM_USER = 1 << 11, MEM_PERCPU = 1 << 12,
  OBJ_RELEASE = 1 << 13, PTR_UNTRUSTED = 1 << 14, MEM_UNINIT = 1 << 15, DYNPTR_TYPE_LOCAL = 1 << 16,
  DYNPTR_TYPE_RINGBUF = 1 << 17, MEM_FIXED_SIZE = 1 << 18,
}

/** A register type with its flags: a BpfRegType, or'ed with BpfTypeFlag bits (`PTR_TO_BUF | MEM_RDONLY`). */
export type RegTypeBits = number;

/** base_type(): the BpfRegType of a register type with flags. */
export const baseRegType = (t: RegTypeBits): BpfRegType => t & ((1 << BPF_BASE_TYPE_BITS) - 1);
