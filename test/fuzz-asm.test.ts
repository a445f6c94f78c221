/**
 * Fuzzing the assembler and disassembler (a fixed-seed slice; `npm run fuzz -- --suite asm` for the long
 * mode): every valid program printed in the kernel, llvm and mnemonic styles reassembles to itself; text
 * edited at random assembles or fails with an AssembleError naming its line.
 */
import { describe, expect, it } from 'vitest';
import { checkSlice } from '../bench/fuzz/harness.js';
import { asmSuite } from '../bench/fuzz/suites.js';

describe('asm fuzz', () => {
  it('round trips in all three styles, and edited text fails with a located error', () => {
    const o = checkSlice(asmSuite(), 3000);
    for (const k of ['roundtrip:kernel', 'roundtrip:llvm', 'roundtrip:mnemonic', 'AssembleError', 'edited:assembled']) expect(o.get(k), k).toBeGreaterThan(0);
  });
});
