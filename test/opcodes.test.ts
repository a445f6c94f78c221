import { describe, expect, it } from 'vitest';
import * as isa from '../src/isa/opcodes.js';
import { OPS, OP_BY_CODE, lookupOp } from '../src/isa/opcodes.js';

// The enum exists at run time (preserveConstEnums); tests read it to check it against the table.
const OpEnum = (isa as unknown as { Op: Record<string, number | string> }).Op;

describe('opcode table', () => {
  it('has one row per code and unique names', () => {
    expect(new Set(OPS.map((r) => r.code)).size).toBe(OPS.length);
    expect(new Set(OPS.map((r) => r.name)).size).toBe(OPS.length);
  });

  it('names every row exactly as the Op enum does', () => {
    const enumNames = Object.keys(OpEnum).filter((k) => Number.isNaN(Number(k)));
    expect(enumNames.sort()).toEqual(OPS.map((r) => r.name).sort());
    for (const r of OPS) expect(OpEnum[r.name]).toBe(r.code);
  });

  it('covers the RFC 9669 instruction set', () => {
    const count = (pred: (r: (typeof OPS)[number]) => boolean) => OPS.filter(pred).length;
    expect(count((r) => r.kind === 'alu')).toBe(2 * (14 * 2 + 1) + 3 + 2); // ops × K/X + neg, + movsx
    expect(count((r) => r.kind === 'end')).toBe(9);
    expect(count((r) => r.kind === 'jcond')).toBe(44);
    expect(count((r) => r.kind === 'atomic')).toBe(20);
    expect(count((r) => r.kind === 'ldx')).toBe(7);
  });

  it('selects variants by their field', () => {
    expect(lookupOp(0x3f, 1, 1, 0)?.name).toBe('SDIV64_X');
    expect(lookupOp(0x3f, 1, 0, 0)?.name).toBe('DIV64_X');
    expect(lookupOp(0xbf, 1, 16, 0)?.name).toBe('MOVSX16_64');
    expect(lookupOp(0xdc, 0, 0, 32)?.name).toBe('BE32');
    expect(lookupOp(0xd7, 0, 0, 64)?.name).toBe('BSWAP64');
    expect(lookupOp(0xdb, 1, 0, 0xf1)?.name).toBe('ATOMIC_CMPXCHG_DW');
    expect(lookupOp(0x85, 2, 0, 7)?.name).toBe('CALL_KFUNC');
    expect(lookupOp(0xdc, 0, 0, 8)).toBeUndefined();
    expect(lookupOp(0xff, 0, 0, 0)).toBeUndefined();
    for (const r of OPS) expect(OP_BY_CODE.get(r.code)).toBe(r);
  });
});
