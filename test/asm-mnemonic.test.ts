import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { makeInsn, makeLddw, type Insn } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';

const one = (code: Op, f: Parameters<typeof makeInsn>[1] = {}): Insn[] => [makeInsn(code, f)];

describe('conformance (uBPF) mnemonic syntax', () => {
  const cases: Array<[string, Insn[]]> = [
    ['mov32 %r0, 1', one(Op.MOV32_K, { imm: 1 })],
    ['mov %r0, %r1', one(Op.MOV64_X, { src: 1 })],
    ['add32 %r0, -3', one(Op.ADD32_K, { imm: -3 })],
    ['or %r0, -0x10', one(Op.OR64_K, { imm: -16 })],
    ['mov32 %r0, 0xffffffff', one(Op.MOV32_K, { imm: -1 })],
    ['neg %r0', one(Op.NEG64)],
    ['neg32 %r2', one(Op.NEG32, { dst: 2 })],
    ['sdiv32 %r0, %r1', one(Op.SDIV32_X, { src: 1 })],
    ['smod %r0, 3', one(Op.SMOD64_K, { imm: 3 })],
    ['movsx832 %r0, %r1', one(Op.MOVSX8_32, { src: 1 })],
    ['movsx3264 %r0, %r1', one(Op.MOVSX32_64, { src: 1 })],
    ['ldxdw %r0, [%r1+8]', one(Op.LDXDW, { src: 1, off: 8 })],
    ['ldxh %r0, [%r1]', one(Op.LDXH, { src: 1 })],
    ['ldxsb %r0, [%r10-1]', one(Op.LDXSB, { src: 10, off: -1 })],
    ['stw [%r1+2], 0x44332211', one(Op.STW, { dst: 1, off: 2, imm: 0x44332211 })],
    ['stxdw [%r10-8], %r1', one(Op.STXDW, { dst: 10, off: -8, src: 1 })],
    ['jeq %r1, 0, +2', one(Op.JEQ_K, { dst: 1, off: 2 })],
    ['jne32 %r1, %r2, -1', one(Op.JNE32_X, { dst: 1, src: 2, off: -1 })],
    ['ja +3', one(Op.JA, { off: 3 })],
    ['ja32 -2', one(Op.JA32, { imm: -2 })],
    ['lddw %r0, 0x1122334455667788', makeLddw(0, 0x1122334455667788n)],
    ['lddw %r0, 0xFFFFFFFFFFFFFFFF', makeLddw(0, 2n ** 64n - 1n)],
    ['lddw %r0, -2', makeLddw(0, 2n ** 64n - 2n)],
    ['lddw %r1, map_value(0x100000003)', makeLddw(1, 0x100000003n, 2)],
    ['be16 %r0', one(Op.BE16)],
    ['le32 %r0', one(Op.LE32)],
    ['bswap64 %r0', one(Op.BSWAP64)],
    ['swap64 %r0', one(Op.BSWAP64)],
    ['lock add [%r10-8], %r1', one(Op.ATOMIC_ADD_DW, { dst: 10, off: -8, src: 1 })],
    ['lock fetch add32 [%r10-4], %r1', one(Op.ATOMIC_FADD_W, { dst: 10, off: -4, src: 1 })],
    ['lock xchg [%r10-8], %r1', one(Op.ATOMIC_XCHG_DW, { dst: 10, off: -8, src: 1 })],
    ['lock cmpxchg32 [%r10-8], %r1', one(Op.ATOMIC_CMPXCHG_W, { dst: 10, off: -8, src: 1 })],
    ['call 5', one(Op.CALL, { imm: 5 })],
    ['call %r2', one(Op.CALLX, { dst: 2 })],
    ['call local +3', one(Op.CALL_LOCAL, { imm: 3 })],
    ['call runtime 9', one(Op.CALL_KFUNC, { imm: 9 })],
    ['ldabsh 12', one(Op.LDABS_H, { imm: 12 })],
    ['ldindb %r1, 2', one(Op.LDIND_B, { src: 1, imm: 2 })],
    ['exit', one(Op.EXIT)],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(assemble(text)).toEqual(expected);
  });

  it('resolves labels, local calls and the implicit exit label', () => {
    const insns = assemble(`
mov %r0, 0
jeq %r0, 0, exit # to the first exit
call local func1
ja L1
L1:
exit
func1:
mov %r0, 1
exit`);
    expect(insns[1]).toEqual(makeInsn(Op.JEQ_K, { off: 2 }));
    expect(insns[2]).toEqual(makeInsn(Op.CALL_LOCAL, { imm: 2 }));
    expect(insns[3]).toEqual(makeInsn(Op.JA, { off: 0 }));
  });

  it('mixes syntaxes line by line, or forces one', () => {
    expect(assemble('mov %r0, 1\nr0 += 1\nexit')).toEqual([
      makeInsn(Op.MOV64_K, { imm: 1 }), makeInsn(Op.ADD64_K, { imm: 1 }), makeInsn(Op.EXIT),
    ]);
    expect(() => assemble('r0 = 1', { syntax: 'mnemonic' })).toThrow(/unknown mnemonic 'r0'/);
  });
});
