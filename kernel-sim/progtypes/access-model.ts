/**
 * The shape of a context access rule (one row per field of a program type's context, or a raw byte
 * range): the data access-rules.ts and access-rules-cgroup.ts hold and ctx-access.ts interprets.
 */
import type { CtxLayout } from './layouts.js';
import type { RegTypeBits } from '../../src/uapi/reg-types.js';

/**
 * Which access sizes a field accepts (every access must also be aligned to its own size):
 * - `exact`: the element size only;
 * - `narrow`: any power of two up to the element size (the kernel records the element size and
 *   converts a narrow load into a full load and a shift);
 * - `u32-or-narrow`: a 4-byte access, or a narrow one of the (smaller) element;
 * - `span`: any size, as long as the access stays inside the whole array (`__sk_buff.cb`);
 * - `narrow-or-wide` / `exact-or-wide`: `narrow` / `exact`, or an 8-byte access inside an array field
 *   (bpf_ctx_wide_access_ok: `bpf_sock_addr.user_ip6`, `msg_src_ip6`);
 * - `narrow-at-start`: `narrow`, but only at the field's first byte (the kernel's rule names the field's
 *   offset, not its range: `bpf_sock.state`, `bpf_sock_ops.skb_tcp_flags`); elsewhere the whole size only.
 */
export type SizeRule = 'exact' | 'narrow' | 'u32-or-narrow' | 'span' | 'narrow-or-wide' | 'exact-or-wide' | 'narrow-at-start';

export interface FieldRule {
  read?: SizeRule;
  write?: SizeRule;
  /** What a load of the field produces (a BpfRegType with its flags); a scalar when absent. */
  regType?: RegTypeBits;
  /** Only with CAP_BPF (`bpf_capable()`). */
  capBpf?: 'read' | 'write' | 'both';
  /** Only for programs loaded with one of these expected attach types (names without `BPF_`). */
  attach?: readonly string[];
  /** Writes only for programs loaded with one of these expected attach types (reads for all). */
  writeAttach?: readonly string[];
  /** Reads narrower than this are refused (sk_reuseport_md.eth_protocol: at least skb->protocol's 2 bytes). */
  minSize?: number;
}

/** A struct context: fields without a row (and padding) are refused. */
export interface FieldModel {
  kind: 'fields';
  layout: CtxLayout;
  rules: Readonly<Record<string, FieldRule>>;
}

/** A context of raw bytes or u64 slots (kprobe, tracepoint, raw_tp, tracing, syscall). */
export interface RawModel {
  kind: 'raw';
  /** Accesses must lie in [minOff, size). */
  minOff: number;
  size: number;
  write: boolean;
  /** Offsets must be multiples of this (tracing's u64 arguments: 8); 1 otherwise. */
  offAlign: number;
  /** Writable raw tracepoints: the first u64 is read only whole and is a PTR_TO_TP_BUFFER. */
  tpBufferArg0?: boolean;
}

export type AccessModel = FieldModel | RawModel;
