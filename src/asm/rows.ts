/**
 * Finding rows of the opcode table by what a syntax names: an operation, a width, a size, a source
 * kind. Every fact comes from `OPS`; this file only indexes it.
 */
import {
  CallSrc, OPS, type AluName, type AtomicName, type EndKind, type JmpCond, type OpInfo, type OpKind,
} from '../isa/opcodes.js';

export type Width = 32 | 64;
export type Bytes = 1 | 2 | 4 | 8;

function only(pred: (r: OpInfo) => boolean): OpInfo | undefined {
  return OPS.find(pred);
}

/** A binary or unary ALU operation (not movsx). */
export function aluRow(alu: AluName, width: Width, srcReg: boolean): OpInfo | undefined {
  return only((r) => r.kind === 'alu' && r.alu === alu && r.width === width && r.srcReg === srcReg);
}

/** movsx of `width` bits from a `bytes`-byte source. */
export function movsxRow(width: Width, bytes: Bytes): OpInfo | undefined {
  return only((r) => r.alu === 'movsx' && r.width === width && r.size === bytes);
}

export function endRow(end: EndKind, bits: number): OpInfo | undefined {
  return only((r) => r.kind === 'end' && r.end === end && r.width === bits);
}

export function jcondRow(cond: JmpCond, width: Width, srcReg: boolean): OpInfo | undefined {
  return only((r) => r.kind === 'jcond' && r.jmp === cond && r.width === width && r.srcReg === srcReg);
}

/** The unconditional jump with its target in `off` (64) or in `imm` (32: ja32 / gotol). */
export function jaRow(width: Width): OpInfo {
  return only((r) => r.kind === 'ja' && r.width === width)!;
}

/** A call by immediate: helper, local (bpf-to-bpf) or kfunc. */
export function callRow(src: CallSrc): OpInfo {
  return only((r) => r.kind === 'call' && r.variant?.value === src)!;
}

/** The single row of a kind that has one (callx, exit, lddw). */
export function kindRow(kind: OpKind): OpInfo {
  return only((r) => r.kind === kind)!;
}

/** ldx (plain or sign-extending), st, stx, ldabs, ldind of `bytes` bytes. */
export function memRow(kind: 'ldx' | 'st' | 'stx' | 'ldabs' | 'ldind', bytes: Bytes, signExtend = false): OpInfo | undefined {
  return only((r) => r.kind === kind && r.size === bytes && (r.signExtend ?? false) === signExtend);
}

export function atomicRow(op: AtomicName, fetch: boolean, bytes: Bytes): OpInfo | undefined {
  return only((r) => r.kind === 'atomic' && r.atomic!.op === op && r.atomic!.fetch === fetch && r.size === bytes);
}

/** Rows by conformance mnemonic (`add`, `jeq32`, `ldxdw`…); atomics, whose mnemonics follow `lock`, apart. */
export const MNEMONIC_ROWS: ReadonlyMap<string, readonly OpInfo[]> = group(OPS.filter((r) => r.kind !== 'atomic'));
/** Atomic rows by the words after `lock` (`add`, `fetch add32`, `cmpxchg`…). */
export const ATOMIC_ROWS: ReadonlyMap<string, readonly OpInfo[]> = group(OPS.filter((r) => r.kind === 'atomic'));

function group(rows: readonly OpInfo[]): Map<string, OpInfo[]> {
  const m = new Map<string, OpInfo[]>();
  for (const r of rows) m.set(r.mnemonic, [...(m.get(r.mnemonic) ?? []), r]);
  return m;
}
