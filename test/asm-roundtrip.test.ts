import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, printInsn } from '../src/asm/index.js';
import { decode, encode, opInfo, type Insn } from '../src/isa/insn.js';
import { CallSrc, OPS } from '../src/isa/opcodes.js';
import { anyInsn } from './arbitraries.js';

const RUNS = { numRuns: 2000 };

describe('round trips over random instructions from the OPS table', () => {
  it('decode(encode(x)) = x, little- and big-endian', () => {
    fc.assert(
      fc.property(anyInsn, (x) => {
        expect(decode(encode(x))).toEqual(x);
        expect(decode(encode(x, { endian: 'be' }), { endian: 'be' })).toEqual(x);
      }),
      RUNS,
    );
  });

  it.each(['llvm', 'mnemonic'] as const)('assemble(print(x, %s)) = x', (style) => {
    fc.assert(
      fc.property(anyInsn, (x) => {
        expect(assemble(printInsn(x[0]!, { style }))).toEqual(x);
        expect(assemble(disassemble(x, { style }))).toEqual(x);
      }),
      RUNS,
    );
  });

  it('assemble(print(x, kernel)) = x where the kernel prints every field', () => {
    // The kernel prints neither a kfunc's BTF fd index (off) nor lddw's pseudo source.
    const printsAll = (x: Insn[]) => {
      const info = opInfo(x[0]!)!;
      return !(info.kind === 'call' && info.variant?.value === CallSrc.KFUNC && x[0]!.off !== 0) &&
        !(info.kind === 'lddw' && x[0]!.src !== 0);
    };
    fc.assert(
      fc.property(anyInsn.filter(printsAll), (x) => {
        expect(assemble(disassemble(x, { style: 'kernel' }))).toEqual(x);
      }),
      RUNS,
    );
  });

  it('covers every row', () => {
    const seen = new Set<number>();
    fc.assert(fc.property(anyInsn, (x) => void seen.add(x[0]!.code)), { numRuns: 5000 });
    expect(seen.size).toBe(OPS.length);
  });
});
