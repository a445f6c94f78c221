import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { AssembleError } from '../src/errors.js';

function failure(text: string): AssembleError {
  try {
    assemble(text);
  } catch (e) {
    if (e instanceof AssembleError) return e;
    throw e;
  }
  throw new Error('assembled without error');
}

describe('assembler errors carry line, column and a clear message', () => {
  const cases: Array<[string, string, number, number]> = [
    ['exit\n  foo r1, 2', "unknown mnemonic 'foo'", 2, 3],
    ['mov x, 1', "expected register, got 'x'", 1, 5],
    ['mov %r0, x', "expected register or number, got 'x'", 1, 10],
    ['r1 += x', "expected register or number, got 'x'", 1, 7],
    ['r1 = *(u32 *)(r1 + y)', "expected number, got 'y'", 1, 20],
    ['goto L9', "undefined label 'L9'", 1, 6],
    ['mov32 %r0, 0x1ffffffff', 'immediate 0x1ffffffff does not fit in 32 bits', 1, 12],
    ['r0 = 0x1ffffffff', 'immediate 0x1ffffffff does not fit in 32 bits', 1, 6],
    ['lddw %r0, 0x10000000000000000', 'immediate 0x10000000000000000 does not fit in 64 bits', 1, 11],
    ['ldxw %r0, [%r1+40000]', 'offset 40000 does not fit in 16 bits', 1, 15],
    ['goto +32768', 'offset 32768 does not fit in 16 bits', 1, 6],
    ['mov %r11, 1', "invalid register '%r11'", 1, 5],
    ['r0 = *(u64 *)(r1 + 0', "expected ')', got end of line", 1, 21],
    ['r0 = 1 2', "unexpected '2'", 1, 8],
    ['a:\na:', "duplicate label 'a'", 2, 1],
    ['r0 = r1 @', "unexpected character '@'", 1, 9],
    ['call nowhere', "undefined label or helper 'nowhere'", 1, 6],
    ['w0 += r1', "expected a 32-bit register, got 'r1'", 1, 7],
    ['r1 = atomic_fetch_add((u64 *)(r1 + 0), r2)', "the result register 'r1' must be the source register, got 'r2'", 1, 40],
    ['lock *(u8 *)(r1 + 0) += r2', 'no atomic operation on u8', 1, 8],
    ['lock nand [%r1], %r2', "unknown atomic operation 'nand'", 1, 6],
  ];
  it.each(cases)('%s', (text, message, line, column) => {
    const e = failure(text);
    expect(e.detail).toBe(message);
    expect(e.where.line).toBe(line);
    expect(e.where.column).toBe(column);
  });

  it('reports a label out of range with the instruction index', () => {
    const text = `goto far\n${'r0 = 0\n'.repeat(40000)}far: exit`;
    const e = failure(text);
    expect(e.detail).toMatch(/label 'far' is out of range/);
    expect(e.where.insn).toBe(0);
  });
});
