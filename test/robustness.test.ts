/**
 * Bad input never crashes, hangs or escapes: random bytecode decodes or fails with a DecodeError; random
 * valid programs, run without a verifier, end with r0 or one violation of a known kind — never a raw
 * JavaScript exception — within their budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpfError, DecodeError } from '../src/errors.js';
import { decode, type Insn } from '../src/isa/insn.js';
import { Pseudo } from '../src/isa/opcodes.js';
import { VIOLATION_KINDS } from '../src/violations.js';
import { loadProgram, TestRunError } from '../src/api/collection.js';
import { CONFORMANCE_HELPERS } from '../src/conformance/runner.js';
import { Interpreter } from '../vm/interpreter.js';
import { anyInsn } from './arbitraries.js';

/** A random program: valid instructions, lddw without pseudo sources (nothing to resolve), ending in exit. */
const program = fc.array(anyInsn, { minLength: 1, maxLength: 40 }).map((xs) => {
  const insns: Insn[] = xs.flat().map((x) => (x.src !== Pseudo.NONE && x.imm64 !== undefined ? { ...x, src: 0 } : x));
  insns.push(decode(new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0]))[0]!);
  return insns;
});

function expectWellFormed(r: { r0: bigint | null; violations: { kind: string; insn: number; message: string }[] }, n: number): void {
  if (r.r0 === null) {
    expect(r.violations).toHaveLength(1);
  }
  for (const v of r.violations) {
    expect(Object.keys(VIOLATION_KINDS)).toContain(v.kind);
    expect(v.insn).toBeGreaterThanOrEqual(0);
    expect(v.insn).toBeLessThan(n + 1);
    expect(v.message).toMatch(/^instruction \d+: /);
  }
}

describe('robustness', () => {
  it('random bytes decode or fail with a located DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), (bytes) => {
      try {
        decode(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).where.insn).toBeDefined();
      }
    }), { numRuns: 3000 });
  });

  it('random programs run to r0 or one violation, on random memory, within the budget', () => {
    fc.assert(fc.property(program, fc.uint8Array({ maxLength: 64 }), (insns, mem) => {
      const r = new Interpreter(insns, { helpers: CONFORMANCE_HELPERS, budget: 5000 }).run({ mem });
      expect(r.insns).toBeLessThanOrEqual(5000);
      expectWellFormed(r, insns.length);
    }), { numRuns: 1500 });
  });

  it('random programs run as XDP and socket programs without a verifier fail only as violations', () => {
    fc.assert(fc.property(program, fc.constantFrom('xdp', 'socket', 'tc', 'kprobe'), fc.uint8Array({ minLength: 60, maxLength: 80 }), (insns, type, data) => {
      data[12] = 0x86; // an EtherType the skb setup accepts without a network header check
      data[13] = 0xdd;
      try {
        const r = loadProgram(insns, type, { budget: 5000 }).run({ data: type === 'kprobe' ? undefined : data });
        expectWellFormed(r, insns.length);
      } catch (e) {
        // A test-run refusal (the kernel's errno) or a load error is a typed answer, not a crash.
        if (!(e instanceof TestRunError) && !(e instanceof BpfError)) throw e;
      }
    }), { numRuns: 600 });
  });
});
