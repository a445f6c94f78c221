/**
 * Kernel-style disassembly is lossless: an lddw's pseudo source and a kfunc call's off survive
 * disassemble → assemble in every style (the verifier's log keeps the kernel's exact, lossy text).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { disassemble, printInsn } from '../src/asm/disassemble.js';
import { decode, type Insn } from '../src/isa/insn.js';
import { anyInsn } from './arbitraries.js';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];

/** An lddw with pseudo source 1-6, or a kfunc call with any off. */
const pseudoSlot = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 9 }), fc.integer(), fc.integer())
    .map(([src, dst, lo, hi]) => [0x18, (src << 4) | dst, 0, 0, ...le32(lo), 0, 0, 0, 0, ...le32(hi)]),
  fc.tuple(fc.integer(), fc.integer({ min: -0x8000, max: 0x7fff }))
    .map(([imm, off]) => [0x85, 0x20, ...le16(off), ...le32(imm)]),
);

const fields = (xs: readonly Insn[]) => xs.map((x) => [x.code, x.dst, x.src, x.off, x.imm]);

describe('disassembly round trip keeps pseudo sources and kfunc offs', () => {
  for (const style of ['kernel', 'llvm', 'mnemonic'] as const) {
    it(`${style} style`, () => {
      fc.assert(fc.property(fc.array(fc.oneof(pseudoSlot, anyInsn.map((xs) => xs)), { minLength: 1, maxLength: 12 }), (parts) => {
        const insns: Insn[] = parts.flatMap((p) => (Array.isArray(p) && typeof p[0] === 'number' ? decode(new Uint8Array(p as number[])) : (p as Insn[])));
        const text = disassemble(insns, { style });
        const back = assemble(text, style === 'mnemonic' ? { syntax: 'mnemonic' } : {});
        expect(fields(back)).toEqual(fields(insns));
      }), { numRuns: 400 });
    });
  }

  it('kernel style: the names, and the exact kernel text for the verifier log', () => {
    const [map, , kf] = decode(new Uint8Array([0x18, 0x11, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x85, 0x20, 3, 0, 9, 0, 0, 0]));
    expect(printInsn(map!, {}, undefined)).toBe('r1 = map_fd(0x5)');
    expect(printInsn(kf!, {})).toBe('call kernel-function#9, 3');
    expect(printInsn(map!, { kernelExact: true })).toBe('r1 = 0x5');
    expect(printInsn(kf!, { kernelExact: true })).toBe('call kernel-function#9');
  });
});
