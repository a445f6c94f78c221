import { describe, expect, it } from 'vitest';
import { assemble, disassemble, printInsn } from '../src/asm/index.js';
import { decode, makeInsn, makeLddw } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';

const helperName = (id: number) => (id === 1 ? 'bpf_map_lookup_elem' : undefined);

describe('kernel style (Linux 6.1 verifier log / bpftool xlated)', () => {
  it('prints a program with indexes and opcodes; an lddw takes two indexes', () => {
    const insns = [
      makeInsn(Op.MOV64_K), makeInsn(Op.CALL, { imm: 1 }), ...makeLddw(1, 0x1234n), makeInsn(Op.MOV64_X, { dst: 1, src: 10 }),
      makeInsn(Op.ADD64_K, { dst: 1, imm: -8 }), makeInsn(Op.STXW, { dst: 10, src: 1, off: -8 }),
      makeInsn(Op.LDXW, { src: 1, off: 4 }), makeInsn(Op.JNE_K, { off: 1 }), makeInsn(Op.JA, { off: -3 }),
      makeInsn(Op.EXIT),
    ];
    expect(disassemble(insns, { helperName })).toBe([
      '0: (b7) r0 = 0',
      '1: (85) call bpf_map_lookup_elem#1',
      '2: (18) r1 = 0x1234',
      '4: (bf) r1 = r10',
      '5: (07) r1 += -8',
      '6: (63) *(u32 *)(r10 -8) = r1',
      '7: (61) r0 = *(u32 *)(r1 +4)',
      '8: (55) if r0 != 0x0 goto pc+1',
      '9: (05) goto pc-3',
      '10: (95) exit',
      '',
    ].join('\n'));
  });

  const cases: Array<[string, string]> = [
    ['call 7', 'call unknown#7'],
    ['call pc+2', 'call pc+2'],
    ['call kfunc 9', 'call kernel-function#9'],
    ['lock *(u32 *)(r1 + 0) += r2', 'lock *(u32 *)(r1 +0) += r2'],
    ['lock *(u64 *)(r1 + 0) &= r2', 'lock *(u64 *)(r1 +0) &= r2'],
    ['r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)', 'r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)'],
    ['w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)', 'r2 = atomic_fetch_or((u32 *)(r1 +0), r2)'],
    ['r2 = xchg_64(r1 + 8, r2)', 'r2 = atomic64_xchg((u64 *)(r1 +8), r2)'],
    ['r0 = cmpxchg_64(r1 - 8, r0, r2)', 'r0 = atomic64_cmpxchg((u64 *)(r1 -8), r0, r2)'],
    ['r0 = be16 r0', 'r0 = be16 r0'],
    ['r0 = le64 r0', 'r0 = le64 r0'],
    ['r0 = bswap32 r0', 'r0 = bswap32 r0'],
    ['w0 = -w0', 'w0 = -w0'],
    ['r0 s/= 3', 'r0 s/= 3'],
    ['w0 s%= w1', 'w0 s%= w1'],
    ['r0 = (s16)r1', 'r0 = (s16)r1'],
    ['r0 = *(s8 *)(r1 + 2)', 'r0 = *(s8 *)(r1 +2)'],
    ['gotol -5', 'gotol pc-5'],
    ['if w1 s< -1 goto +3', 'if w1 s< 0xffffffff goto pc+3'],
    ['if r1 >= r2 goto -1', 'if r1 >= r2 goto pc-1'],
    ['*(u8 *)(r10 - 1) = -3', '*(u8 *)(r10 -1) = -3'],
    ['r0 = *(u8 *)skb[23]', 'r0 = *(u8 *)skb[23]'],
    ['r0 = *(u16 *)skb[r1 + 2]', 'r0 = *(u16 *)skb[r1 + 2]'],
    ['r1 = -1 ll', 'r1 = 0xffffffffffffffff'],
    ['callx r3', 'callx r3'],
  ];
  it.each(cases)('%s → %s', (src, text) => {
    expect(printInsn(assemble(src)[0]!, { style: 'kernel' })).toBe(text);
  });
});

describe('llvm style (llvm-objdump -d)', () => {
  it('prints index, raw bytes and text', () => {
    const insns = [...makeLddw(1, 0x1234n), makeInsn(Op.MOV64_K), makeInsn(Op.EXIT)];
    expect(disassemble(insns, { style: 'llvm' })).toBe([
      '       0:\t18 01 00 00 34 12 00 00 00 00 00 00 00 00 00 00\tr1 = 0x1234 ll',
      '       2:\tb7 00 00 00 00 00 00 00\tr0 = 0x0',
      '       3:\t95 00 00 00 00 00 00 00\texit',
      '',
    ].join('\n'));
  });

  it('prints big-endian bytes when asked', () => {
    expect(disassemble([makeInsn(Op.MOV64_K, { dst: 1, imm: 1 })], { style: 'llvm', endian: 'be' }))
      .toBe('       0:\tb7 10 00 00 00 00 00 01\tr1 = 0x1\n');
  });

  const cases: Array<[string, string]> = [
    ['r1 += -8', 'r1 += -0x8'],
    ['*(u64 *)(r10 - 8) = r1', '*(u64 *)(r10 - 0x8) = r1'],
    ['*(u32 *)(r10 - 8) = 5', '*(u32 *)(r10 - 0x8) = 0x5'],
    ['r0 = *(u32 *)(r1 + 4)', 'r0 = *(u32 *)(r1 + 0x4)'],
    ['if r1 > 16 goto +3', 'if r1 > 0x10 goto +0x3'],
    ['if w1 s< w2 goto -2', 'if w1 s< w2 goto -0x2'],
    ['goto +2', 'goto +0x2'],
    ['gotol +2', 'gotol +0x2'],
    ['call 1', 'call 0x1'],
    ['lock *(u32 *)(r1 + 0) += r2', 'lock *(u32 *)(r1 + 0x0) += w2'],
    ['r0 = atomic_fetch_add((u64 *)(r10 - 8), r0)', 'r0 = atomic_fetch_add((u64 *)(r10 - 0x8), r0)'],
    ['r0 = xchg_64(r10 - 8, r0)', 'r0 = xchg_64(r10 - 0x8, r0)'],
    ['w0 = xchg32_32(r10 - 8, w0)', 'w0 = xchg32_32(r10 - 0x8, w0)'],
    ['r0 = cmpxchg_64(r10 - 8, r0, r1)', 'r0 = cmpxchg_64(r10 - 0x8, r0, r1)'],
    ['w0 = cmpxchg32_32(r10 - 8, w0, w1)', 'w0 = cmpxchg32_32(r10 - 0x8, w0, w1)'],
    ['r0 = *(u8 *)skb[23]', 'r0 = *(u8 *)skb[0x17]'],
    ['r1 = 0x1234 ll', 'r1 = 0x1234 ll'],
    ['r1 = map_fd(3) ll', 'r1 = map_fd(0x3) ll'],
  ];
  it.each(cases)('%s → %s', (src, text) => {
    expect(printInsn(assemble(src)[0]!, { style: 'llvm' })).toBe(text);
  });
});

describe('mnemonic style (conformance suite)', () => {
  const cases: Array<[string, string]> = [
    ['mov32 %r0, 1', 'mov32 %r0, 1'],
    ['ldxdw %r0, [%r1+8]', 'ldxdw %r0, [%r1+8]'],
    ['stw [%r1+2], 0x44332211', 'stw [%r1+2], 1144201745'],
    ['stxdw [%r10-8], %r1', 'stxdw [%r10-8], %r1'],
    ['jeq %r1, 0, +2', 'jeq %r1, 0, +2'],
    ['lddw %r0, 0x1122334455667788', 'lddw %r0, 0x1122334455667788'],
    ['swap64 %r0', 'bswap64 %r0'],
    ['lock fetch add32 [%r10-4], %r1', 'lock fetch add32 [%r10-4], %r1'],
    ['lock cmpxchg [%r10-8], %r1', 'lock cmpxchg [%r10-8], %r1'],
    ['call local -4', 'call local -4'],
    ['call %r2', 'call %r2'],
    ['movsx1664 %r0, %r1', 'movsx1664 %r0, %r1'],
  ];
  it.each(cases)('%s → %s', (src, text) => {
    expect(printInsn(assemble(src)[0]!, { style: 'mnemonic' })).toBe(text);
  });
});

describe('slots that are not instructions', () => {
  it('prints <unknown> for a leniently decoded bad opcode', () => {
    const insns = decode(new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0]), { strict: false });
    expect(disassemble(insns)).toBe('0: (ff) <unknown>\n');
  });
});
