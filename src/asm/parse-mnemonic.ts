/**
 * The mnemonic syntax of the BPF conformance suite (uBPF's): `mov32 %r0, 1`, `ldxdw %r0, [%r1+8]`,
 * `jne32 %r1, %r2, label`, `lock fetch add32 [%r10-4], %r1`, `call local f`. Operand shapes follow
 * each row's kind and fields.
 */
import type { OpInfo } from '../isa/opcodes.js';
import { Cursor, isRegister } from './cursor.js';
import type { Token } from './lexer.js';
import { IMM32 } from './numbers.js';
import { callOperands, jump, lddw, lddwValue, memRef, one, type ParsedStmt } from './parse-common.js';
import { ATOMIC_ROWS, MNEMONIC_ROWS } from './rows.js';

/** Other spellings of a mnemonic. */
const ALIASES: Readonly<Record<string, string>> = { swap16: 'bswap16', swap32: 'bswap32', swap64: 'bswap64' };

/** Words that start a mnemonic-syntax statement. */
export function isMnemonic(word: string): boolean {
  return word === 'lock' || word === 'call' || MNEMONIC_ROWS.has(ALIASES[word] ?? word);
}

export function parseMnemonic(c: Cursor): ParsedStmt {
  const word = c.ident('mnemonic');
  if (word.text === 'lock') return atomic(c);
  if (word.text === 'call') return callOperands(c);
  const rows = MNEMONIC_ROWS.get(ALIASES[word.text] ?? word.text);
  if (rows === undefined) c.fail(word, `unknown mnemonic '${word.text}'`);
  return operands(c, rows, word);
}

function reg(c: Cursor): number {
  return c.registerOfWidth(64).reg;
}

/** Picks the register-source or immediate-source row by the operand at the cursor. */
function bySource(c: Cursor, rows: readonly OpInfo[], word: Token): OpInfo {
  c.expectRegisterOrNumber();
  const srcReg = isRegister(c.peek());
  const row = rows.find((r) => r.srcReg === srcReg);
  if (row === undefined) c.fail(c.peek(), `'${word.text}' takes ${srcReg ? 'an immediate' : 'a register'}, got '${c.peek()?.text ?? 'end of line'}'`);
  return row;
}

function operands(c: Cursor, rows: readonly OpInfo[], word: Token): ParsedStmt {
  const first = rows[0]!;
  switch (first.kind) {
    case 'alu': {
      const dst = reg(c);
      const unary = rows.find((r) => r.fields.src === 'zero' && r.fields.imm === 'zero');
      if (unary !== undefined) return one(unary, { dst });
      c.expect(',');
      const row = bySource(c, rows, word);
      return row.srcReg ? one(row, { dst, src: reg(c) }) : one(row, { dst, imm: c.field(IMM32) });
    }
    case 'end':
      return one(first, { dst: reg(c) });
    case 'ja':
      return jump(c, first, {}, first.fields.off === 'off' ? 'off' : 'imm');
    case 'jcond': {
      const dst = reg(c);
      c.expect(',');
      const row = bySource(c, rows, word);
      const fields = row.srcReg ? { dst, src: reg(c) } : { dst, imm: c.field(IMM32) };
      c.expect(',');
      return jump(c, row, fields, 'off');
    }
    case 'exit':
      return one(first);
    case 'lddw': {
      const dst = reg(c);
      c.expect(',');
      return lddw(dst, lddwValue(c));
    }
    case 'ldabs':
      return one(first, { imm: c.field(IMM32) });
    case 'ldind': {
      const src = reg(c);
      c.expect(',');
      return one(first, { src, imm: c.field(IMM32) });
    }
    case 'ldx': {
      const dst = reg(c);
      c.expect(',');
      const m = memRef(c, '[', ']');
      return one(first, { dst, src: m.reg, off: m.off });
    }
    case 'st': {
      const m = memRef(c, '[', ']');
      c.expect(',');
      return one(first, { dst: m.reg, off: m.off, imm: c.field(IMM32) });
    }
    case 'stx': {
      const m = memRef(c, '[', ']');
      c.expect(',');
      return one(first, { dst: m.reg, off: m.off, src: reg(c) });
    }
    default:
      return c.fail(word, `unknown mnemonic '${word.text}'`);
  }
}

/** `lock [fetch] op[32] [%rD±off], %rS`. */
function atomic(c: Cursor): ParsedStmt {
  const fetch = c.accept('fetch');
  const op = c.ident('atomic operation');
  const name = `${fetch ? 'fetch ' : ''}${op.text}`;
  const row = ATOMIC_ROWS.get(name)?.[0];
  if (row === undefined) c.fail(op, `unknown atomic operation '${name}'`);
  const m = memRef(c, '[', ']');
  c.expect(',');
  return one(row, { dst: m.reg, off: m.off, src: reg(c) });
}
