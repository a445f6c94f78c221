import { describe, expect, it } from 'vitest';
import {
  Add, Add32, assemble, Atomic, BSwap, Call, CallKfunc, CallLocal, CallX, Exit, Ja, Ja32, JEq, JLT, JNE32, Label,
  LoadAbs, LoadImm64, LoadInd, LoadMem, LoadMemSX, Mov, Mov32, MovSX, Neg32, program, R0, R1, R2, R3, R10, SDiv,
  StoreImm, StoreMem, ToBE,
} from '../src/asm/index.js';
import { AssembleError } from '../src/errors.js';

describe('builder DSL', () => {
  it('builds the same program as the assembler', () => {
    const built = program(
      Mov.imm(R0, 0),
      Mov.reg(R1, R10),
      Add.imm(R1, -8),
      StoreMem(R10, -8, R0, 'DW'),
      StoreImm(R10, -16, 7, 'W'),
      LoadMem(R0, R1, 0, 'DW'),
      LoadMemSX(R2, R1, 0, 'B'),
      LoadImm64(R1, 0x1234n),
      Label('loop'),
      Add32.reg(R0, R2),
      JLT.imm(R0, 10, 'loop'),
      JEq.imm(R1, 0, 'out'),
      Call(1),
      CallLocal('fn'),
      Label('out'),
      Exit(),
      Label('fn'),
      MovSX(R0, R1, 16),
      ToBE(R0, 32),
      BSwap(R0, 64),
      Neg32(R3),
      SDiv.reg(R0, R1),
      Atomic.fetchAdd(R10, -8, R1, 'DW'),
      Atomic.cmpxchg(R10, -8, R2, 'W'),
      Ja(+1),
      Ja32('end'),
      Label('end'),
      Mov32.imm(R0, -1),
      Exit(),
    );
    const text = `
      r0 = 0
      r1 = r10
      r1 += -8
      *(u64 *)(r10 - 8) = r0
      *(u32 *)(r10 - 16) = 7
      r0 = *(u64 *)(r1 + 0)
      r2 = *(s8 *)(r1 + 0)
      r1 = 0x1234 ll
    loop:
      w0 += w2
      if r0 < 10 goto loop
      if r1 == 0 goto out
      call 1
      call fn
    out:
      exit
    fn:
      r0 = (s16)r1
      r0 = be32 r0
      r0 = bswap64 r0
      w3 = -w3
      r0 s/= r1
      r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)
      w0 = cmpxchg32_32(r10 - 8, w0, w2)
      goto +1
      gotol end
    end:
      w0 = -1
      exit`;
    expect(built).toEqual(assemble(text));
  });

  it('builds calls and packet loads', () => {
    expect(program(CallX(R2), CallKfunc(42, 3), LoadAbs(12, 'H'), LoadInd(R1, 2, 'B'))).toEqual(
      assemble('callx r2\ncall kfunc 42, 3\nr0 = *(u16 *)skb[12]\nr0 = *(u8 *)skb[r1 + 2]'),
    );
  });

  it('flattens nested item lists', () => {
    const prologue = [Mov.imm(R0, 0), Label('x')];
    expect(program(prologue, JNE32.reg(R0, R1, 'x'), Exit())).toHaveLength(3);
  });

  it('names an undefined label and the instruction index', () => {
    const err = (() => {
      try {
        program(Mov.imm(R0, 0), Ja('nowhere'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AssembleError);
    expect((err as AssembleError).detail).toBe("undefined label 'nowhere'");
    expect((err as AssembleError).where.insn).toBe(1);
  });

  it('rejects out-of-range offsets and duplicate labels', () => {
    expect(() => program(Exit(), Ja(40000))).toThrow(/instruction 1: jump offset 40000 does not fit in 16 bits/);
    const far = program(Ja32('far'), ...Array.from({ length: 40000 }, () => Mov.imm(R0, 0)), Label('far'), Exit());
    expect(far[0]!.imm).toBe(40000);
    expect(() => program(Ja('far'), ...Array.from({ length: 40000 }, () => Mov.imm(R0, 0)), Label('far'), Exit()))
      .toThrow(/instruction 0: label 'far' is out of range/);
    expect(() => program(Label('a'), Exit(), Label('a'))).toThrow(/instruction 1: duplicate label 'a'/);
  });

  it('rejects sizes the table does not have', () => {
    expect(() => LoadMemSX(R0, R1, 0, 'DW')).toThrow(AssembleError);
    expect(() => MovSX(R0, R1, 32, 32)).toThrow(AssembleError);
  });
});
