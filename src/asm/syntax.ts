/**
 * The words and operators of the pseudo-C syntax (the kernel's and LLVM's), shared by its parser and
 * printer. These name operations the opcode table defines; they say nothing about encodings.
 */
import type { AluName, AtomicName, JmpCond } from '../isa/opcodes.js';
import type { Bytes } from './rows.js';

/** Compound-assignment operator of each ALU operation (`mov` is `=`; `neg` and `movsx` have their own forms). */
export const ALU_OPERATOR: Readonly<Partial<Record<AluName, string>>> = {
  add: '+=', sub: '-=', mul: '*=', div: '/=', sdiv: 's/=', or: '|=', and: '&=', lsh: '<<=', rsh: '>>=',
  mod: '%=', smod: 's%=', xor: '^=', mov: '=', arsh: 's>>=',
};

export const JMP_OPERATOR: Readonly<Record<JmpCond, string>> = {
  eq: '==', gt: '>', ge: '>=', set: '&', ne: '!=', sgt: 's>', sge: 's>=', lt: '<', le: '<=', slt: 's<', sle: 's<=',
};

/** Operator of a non-fetching atomic (`lock *(u64 *)(r1 + 0) += r2`). */
export const ATOMIC_OPERATOR: Readonly<Partial<Record<AtomicName, string>>> = { add: '+=', and: '&=', or: '|=', xor: '^=' };

export function keyOf<V>(table: Readonly<Partial<Record<string, V>>>, value: V): string | undefined {
  return Object.keys(table).find((k) => table[k] === value);
}

/** `u8`…`u64`, `s8`…`s32` → access size and signedness. */
export function parseMemType(text: string): { bytes: Bytes; signed: boolean } | undefined {
  const m = /^([us])(8|16|32|64)$/.exec(text);
  if (m === null) return undefined;
  return { bytes: (Number(m[2]) / 8) as Bytes, signed: m[1] === 's' };
}

export function memType(bytes: number, signed = false): string {
  return `${signed ? 's' : 'u'}${bytes * 8}`;
}
