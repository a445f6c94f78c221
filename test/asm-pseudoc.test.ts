import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { makeInsn, makeLddw, type Insn } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';

const one = (code: Op, f: Parameters<typeof makeInsn>[1] = {}): Insn[] => [makeInsn(code, f)];

describe('pseudo-C syntax (kernel and LLVM)', () => {
  const cases: Array<[string, Insn[]]> = [
    ['r0 = 0', one(Op.MOV64_K)],
    ['r0 = 0x0', one(Op.MOV64_K)],
    ['w0 = -1', one(Op.MOV32_K, { imm: -1 })],
    ['r1 = r10', one(Op.MOV64_X, { dst: 1, src: 10 })],
    ['r1 += -8', one(Op.ADD64_K, { dst: 1, imm: -8 })],
    ['r1 += -0x8', one(Op.ADD64_K, { dst: 1, imm: -8 })],
    ['w0 += w1', one(Op.ADD32_X, { src: 1 })],
    ['r0 = -r0', one(Op.NEG64)],
    ['w3 = -w3', one(Op.NEG32, { dst: 3 })],
    ['r0 s/= r1', one(Op.SDIV64_X, { src: 1 })],
    ['r0 s%= r1', one(Op.SMOD64_X, { src: 1 })],
    ['r0 s>>= 3', one(Op.ARSH64_K, { imm: 3 })],
    ['w2 <<= 0x1f', one(Op.LSH32_K, { dst: 2, imm: 31 })],
    ['r0 = be16 r0', one(Op.BE16)],
    ['r0 = le32 r0', one(Op.LE32)],
    ['r0 = bswap64 r0', one(Op.BSWAP64)],
    ['r0 = (s8)r1', one(Op.MOVSX8_64, { src: 1 })],
    ['w0 = (s16)w1', one(Op.MOVSX16_32, { src: 1 })],
    ['r0 = (s32)r1', one(Op.MOVSX32_64, { src: 1 })],
    ['r0 = *(u32 *)(r1 + 4)', one(Op.LDXW, { src: 1, off: 4 })],
    ['r0 = *(u32 *)(r1 +4)', one(Op.LDXW, { src: 1, off: 4 })],
    ['r0 = *(s32 *)(r1 + 4)', one(Op.LDXSW, { src: 1, off: 4 })],
    ['w0 = *(u8 *)(r1 + 0x0)', one(Op.LDXB, { src: 1 })],
    ['*(u64 *)(r10 - 8) = r1', one(Op.STXDW, { dst: 10, src: 1, off: -8 })],
    ['*(u32 *)(r10 -8) = 5', one(Op.STW, { dst: 10, off: -8, imm: 5 })],
    ['*(u16 *)(r10 - 0x2) = w3', one(Op.STXH, { dst: 10, src: 3, off: -2 })],
    ['if r1 > 0x10 goto +3', one(Op.JGT_K, { dst: 1, imm: 16, off: 3 })],
    ['if r0 != 0x0 goto pc+1', one(Op.JNE_K, { off: 1 })],
    ['if r1 == 0xffffffff goto -1', one(Op.JEQ_K, { dst: 1, imm: -1, off: -1 })],
    ['if w1 s< w2 goto +0x2', one(Op.JSLT32_X, { dst: 1, src: 2, off: 2 })],
    ['if r1 & r2 goto +0', one(Op.JSET_X, { dst: 1, src: 2 })],
    ['goto +2', one(Op.JA, { off: 2 })],
    ['goto pc-3', one(Op.JA, { off: -3 })],
    ['gotol +2', one(Op.JA32, { imm: 2 })],
    ['r1 = 0x1234 ll', makeLddw(1, 0x1234n)],
    ['r1 = -0x1 ll', makeLddw(1, 2n ** 64n - 1n)],
    ['r1 = map_fd(5) ll', makeLddw(1, 5n, 1)],
    ['call 1', one(Op.CALL, { imm: 1 })],
    ['call 0x6', one(Op.CALL, { imm: 6 })],
    ['call bpf_map_lookup_elem#1', one(Op.CALL, { imm: 1 })],
    ['call unknown#99', one(Op.CALL, { imm: 99 })],
    ['call pc+3', one(Op.CALL_LOCAL, { imm: 3 })],
    ['call pc-0x2', one(Op.CALL_LOCAL, { imm: -2 })],
    ['call kernel-function#77', one(Op.CALL_KFUNC, { imm: 77 })],
    ['call kfunc 77, 2', one(Op.CALL_KFUNC, { imm: 77, off: 2 })],
    ['callx r2', one(Op.CALLX, { dst: 2 })],
    ['exit', one(Op.EXIT)],
    ['lock *(u64 *)(r10 - 8) += r1', one(Op.ATOMIC_ADD_DW, { dst: 10, src: 1, off: -8 })],
    ['lock *(u32 *)(r1 +0) |= r2', one(Op.ATOMIC_OR_W, { dst: 1, src: 2 })],
    ['lock *(u32 *)(r1 + 0x0) ^= w2', one(Op.ATOMIC_XOR_W, { dst: 1, src: 2 })],
    ['r0 = atomic_fetch_add((u64 *)(r10 - 8), r0)', one(Op.ATOMIC_FADD_DW, { dst: 10, off: -8 })],
    ['w2 = atomic_fetch_and((u32 *)(r1 + 0x0), w2)', one(Op.ATOMIC_FAND_W, { dst: 1, src: 2 })],
    ['r2 = atomic64_fetch_or((u64 *)(r1 +0), r2)', one(Op.ATOMIC_FOR_DW, { dst: 1, src: 2 })],
    ['r0 = xchg_64(r10 - 8, r0)', one(Op.ATOMIC_XCHG_DW, { dst: 10, off: -8 })],
    ['w0 = xchg32_32(r10 - 8, w0)', one(Op.ATOMIC_XCHG_W, { dst: 10, off: -8 })],
    ['r3 = atomic64_xchg((u64 *)(r1 +8), r3)', one(Op.ATOMIC_XCHG_DW, { dst: 1, src: 3, off: 8 })],
    ['r0 = cmpxchg_64(r10 - 8, r0, r1)', one(Op.ATOMIC_CMPXCHG_DW, { dst: 10, src: 1, off: -8 })],
    ['w0 = cmpxchg32_32(r10 - 8, w0, w1)', one(Op.ATOMIC_CMPXCHG_W, { dst: 10, src: 1, off: -8 })],
    ['r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)', one(Op.ATOMIC_CMPXCHG_W, { dst: 1, src: 2 })],
    ['r0 = *(u8 *)skb[23]', one(Op.LDABS_B, { imm: 23 })],
    ['r0 = *(u16 *)skb[r1 + 2]', one(Op.LDIND_H, { src: 1, imm: 2 })],
    ['r0 = *(u32 *)skb[r1 + -2]', one(Op.LDIND_W, { src: 1, imm: -2 })],
    ['r0 = *(u32 *)skb[r1]', one(Op.LDIND_W, { src: 1 })],
  ];
  it.each(cases)('%s', (text, expected) => {
    expect(assemble(text)).toEqual(expected);
  });

  it('resolves labels, comments and blank lines', () => {
    const insns = assemble(`
      // a loop
      r0 = 0          ; count
    loop:
      r0 += 1         # step
      if r0 < 10 goto loop
      call fn
      exit
    fn: r0 = 1
      exit`);
    expect(insns[2]).toEqual(makeInsn(Op.JLT_K, { imm: 10, off: -2 }));
    expect(insns[3]).toEqual(makeInsn(Op.CALL_LOCAL, { imm: 1 }));
  });

  it('counts an lddw as two slots for labels', () => {
    const insns = assemble('goto out\nr1 = 1 ll\nout: exit');
    expect(insns[0]).toEqual(makeInsn(Op.JA, { off: 2 }));
    expect(insns).toHaveLength(4);
  });

  it('calls helpers by name through the resolver', () => {
    const helperId = (n: string) => (n === 'bpf_map_lookup_elem' ? 1 : undefined);
    expect(assemble('call bpf_map_lookup_elem', { helperId })).toEqual(one(Op.CALL, { imm: 1 }));
  });

  it('reads the kernel verifier log and llvm-objdump lines back', () => {
    expect(assemble('2: (18) r1 = 0x1234\n4: (95) exit')).toEqual([...makeLddw(1, 0x1234n), makeInsn(Op.EXIT)]);
    expect(assemble('       0:\tb7 00 00 00 00 00 00 00\tr0 = 0x0')).toEqual(one(Op.MOV64_K));
  });

  it('numbers lines from firstLine', () => {
    expect(() => assemble('exit\nfoo', { firstLine: 10 })).toThrow(/line 11:1/);
  });
});
