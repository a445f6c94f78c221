import fc from 'fast-check';
import { fieldProblem, makeInsn, makeLddw, MAX_REG, opInfo, type Insn } from '../src/isa/insn.js';
import { OPS, type FieldUse, type OpInfo } from '../src/isa/opcodes.js';

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
export function insnOf(row: OpInfo): fc.Arbitrary<Insn[]> {
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
export const anyInsn = fc.constantFrom(...OPS).chain(insnOf).filter((x) => fieldProblem(x[0]!, opInfo(x[0]!)!) === undefined);
