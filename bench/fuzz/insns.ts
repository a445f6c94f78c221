/**
 * Instruction generators: valid instructions of any row of the opcode table (`anyInsn`), and raw
 * instruction streams (`rawProgram`) whose opcodes are mostly real but whose registers reach r15,
 * offsets and immediates are biased to edges, and bytes are sometimes random — the input a hostile
 * loader of bytecode gives.
 */
import fc from 'fast-check';
import { fieldProblem, makeInsn, makeLddw, MAX_REG, opInfo, type Insn } from '../../src/isa/insn.js';
import { OPS, type FieldUse, type OpInfo } from '../../src/isa/opcodes.js';

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

const OPCODE_BYTES = [...new Set(OPS.map((r) => r.opcode))];

/** A register number: mostly r0…r10, sometimes r11…r15 (the 4-bit field's rest). */
const regArb = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.integer({ min: 11, max: 15 }) });

const offArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -16, max: 16 }) },
  { weight: 3, arbitrary: fc.integer({ min: -520, max: 520 }) },
  { weight: 1, arbitrary: fc.constantFrom(-32768, 32767, -1, 0x7ff0) },
);

const immArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -8, max: 64 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 220 }) }, // helper ids
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(-2147483648, 2147483647, -1, 0xffff, 0x10000, 1, 0) },
);

export interface RawSlot { opcode: number; dst: number; src: number; off: number; imm: number }

const slotArb: fc.Arbitrary<RawSlot> = fc.record({
  opcode: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...OPCODE_BYTES) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
  dst: regArb,
  src: fc.oneof({ weight: 4, arbitrary: regArb }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }) }),
  off: offArb,
  imm: immArb,
});

/** Encodes slots little-endian; an lddw opcode is given a zero second half most of the time. */
export function encodeSlots(slots: readonly RawSlot[], keepHalves: readonly boolean[] = []): Uint8Array {
  const out: number[][] = [];
  slots.forEach((s, i) => {
    out.push([s.opcode, ((s.src & 0xf) << 4) | (s.dst & 0xf), s.off & 0xff, (s.off >> 8) & 0xff, s.imm & 0xff, (s.imm >> 8) & 0xff, (s.imm >> 16) & 0xff, (s.imm >>> 24) & 0xff]);
    if (s.opcode === 0x18 && keepHalves[i] !== false) out.push([0, 0, 0, 0, (s.imm * 7) & 0xff, 0, 0, 0]);
  });
  return new Uint8Array(out.flat());
}

/** A raw instruction stream (bytes) of 1…maxSlots slots, usually ending in exit. */
export function rawProgram(maxSlots = 40): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.array(slotArb, { minLength: 1, maxLength: maxSlots }), fc.array(fc.boolean(), { maxLength: maxSlots }), fc.nat(15))
    .map(([slots, halves, tail]) => {
      const all = tail < 13 ? [...slots, { opcode: 0x95, dst: 0, src: 0, off: 0, imm: 0 }] : slots;
      return encodeSlots(all, halves.map((h, i) => h || i % 3 !== 0));
    });
}
