/** Operand forms both syntaxes share: jump targets, memory references, lddw values, calls. */
import { makeInsn, makeLddw } from '../isa/insn.js';
import { CallSrc, type OpInfo } from '../isa/opcodes.js';
import { Cursor, isRegister } from './cursor.js';
import type { Stmt } from './link.js';
import { IMM32, IMM64, OFF16, SIGNED32 } from './numbers.js';
import { pseudoByName } from './pseudo.js';
import { callRow, kindRow } from './rows.js';

/** A parsed statement; `callByName` marks `call name`, which is a local call if `name` is a label, else a helper. */
export interface ParsedStmt extends Stmt {
  readonly callByName?: true;
}

type Fields = { dst?: number; src?: number; off?: number; imm?: number };

export function one(row: OpInfo, fields: Fields = {}): ParsedStmt {
  return { slots: [makeInsn(row.code, fields)] };
}

/**
 * A jump or local-call target: `+N`, `-N`, `pc+N` (the kernel's spelling) or a label; it fills `field`.
 */
export function jump(c: Cursor, row: OpInfo, fields: Fields, field: 'off' | 'imm'): ParsedStmt {
  const range = field === 'off' ? OFF16 : SIGNED32;
  if (c.is('pc') && (c.is('+', 1) || c.is('-', 1))) c.next();
  if (c.atNumber()) return one(row, { ...fields, [field]: c.field(range) });
  const label = c.ident('jump target');
  if (isRegister(label)) c.fail(label, `expected jump target, got '${label.text}'`);
  return { slots: [makeInsn(row.code, fields)], target: { name: label.text, field }, where: { line: c.line, column: label.column } };
}

/** `reg`, `reg + N`, `reg - N` between `open` and `close`. */
export function memRef(c: Cursor, open: '(' | '[', close: ')' | ']'): { reg: number; off: number } {
  c.expect(open);
  const m = bareMemRef(c);
  c.expect(close);
  return m;
}

/** `reg`, `reg + N`, `reg - N`. */
export function bareMemRef(c: Cursor): { reg: number; off: number } {
  const { reg } = c.register();
  const off = c.is('+') || c.is('-') ? c.field(OFF16) : 0;
  return { reg, off };
}

/** An lddw value: a 64-bit number, or `map_fd(N)` and the other pseudo sources. */
export function lddwValue(c: Cursor): { src: number; value: bigint } {
  const t = c.peek();
  const src = t?.kind === 'ident' ? pseudoByName(t.text) : undefined;
  if (src === undefined) return { src: 0, value: c.number(IMM64).value };
  c.next();
  c.expect('(');
  const value = c.number(IMM64).value;
  c.expect(')');
  return { src, value };
}

export function lddw(dst: number, v: { src: number; value: bigint }): ParsedStmt {
  return { slots: makeLddw(dst, v.value, v.src) };
}

/**
 * The operands of `call`, in any spelling: `call 1`, `call helper 1`, `call bpf_x#1`, `call unknown#1`
 * (helpers); `call local f`, `call pc+3`, `call f` (local); `call kfunc 7[, btf]`, `call runtime 7`,
 * `call kernel-function#7` (kfunc); `call %r2`, `call r2` (callx).
 */
export function callOperands(c: Cursor): ParsedStmt {
  const helper = callRow(CallSrc.HELPER);
  const local = callRow(CallSrc.LOCAL);
  const kfunc = callRow(CallSrc.KFUNC);
  if (isRegister(c.peek())) return one(kindRow('callx'), { dst: c.register().reg });
  if (c.atNumber()) return one(helper, { imm: c.field(IMM32) });
  if (c.is('pc')) return jump(c, local, {}, 'imm');
  const word = c.ident('call target');
  switch (word.text) {
    case 'local':
      return jump(c, local, {}, 'imm');
    case 'helper':
      return one(helper, { imm: c.field(IMM32) });
    case 'kfunc':
    case 'runtime': {
      const imm = c.field(IMM32);
      return one(kfunc, { imm, off: c.accept(',') ? c.field(OFF16) : 0 });
    }
    case 'kernel':
      if (c.is('-') && c.is('function', 1)) {
        c.next();
        c.next();
        c.expect('#');
        const imm = c.field(IMM32);
        return one(kfunc, { imm, off: c.accept(',') ? c.field(OFF16) : 0 });
      }
  }
  if (c.accept('#')) return one(helper, { imm: c.field(IMM32) });
  return { ...jumpTo(local, word.text, c.line, word.column), callByName: true };
}

function jumpTo(row: OpInfo, name: string, line: number, column: number): Stmt {
  return { slots: [makeInsn(row.code)], target: { name, field: 'imm' }, where: { line, column } };
}
