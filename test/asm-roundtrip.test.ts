import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, printInsn } from '../src/asm/index.js';
import { decode, encode, fieldProblem, makeInsn, makeLddw, MAX_REG, opInfo, type Insn } from '../src/isa/insn.js';
import { CallSrc, OPS, type FieldUse, type OpInfo } from '../src/isa/opcodes.js';

/** A value for a field as the row uses it; 'fixed' fields are filled in by makeInsn. */
function fieldArb(use: FieldUse, bits: 16 | 32): fc.Arbitrary<number> {
  switch (use) {
    case 'reg':
      return fc.integer({ min: 0, max: MAX_REG });
    case 'imm':
    case 'off':
    case 'free':
      return fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });
    case 'pseudo':
      return fc.integer({ min: 0, max: 6 });
    default:
      return fc.constant(0);
  }
}

/** One random valid instruction (one slot, or an lddw's two) of the given row. */
function insnOf(row: OpInfo): fc.Arbitrary<Insn[]> {
  const f = row.fields;
  if (row.kind === 'lddw') {
    return fc
      .tuple(fieldArb(f.dst, 32), fieldArb(f.src, 32), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
      .map(([dst, src, value]) => makeLddw(dst, value, src));
  }
  return fc
    .record({ dst: fieldArb(f.dst, 32), src: fieldArb(f.src, 32), off: fieldArb(f.off, 16), imm: fieldArb(f.imm, 32) })
    .map((fields) => [makeInsn(row.code, fields)]);
}

/** Valid instructions: fieldProblem (the decoder's check) finds nothing, e.g. r10 is never written. */
const anyInsn = fc.constantFrom(...OPS).chain(insnOf).filter((x) => fieldProblem(x[0]!, opInfo(x[0]!)!) === undefined);
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
