/**
 * Fuzzing the decoder, the verifier and the interpreter (fixed-seed slices; `npm run fuzz -- --suite
 * decoder,verifier,interpreter,program-run` for the long mode). Decoded streams re-encode to their bytes;
 * the verifier answers every raw stream (registers to r15, half lddws, unknown opcodes) with a verdict or
 * a BpfError; runs without the verifier end in r0 or one violation within the budget, with guard bytes
 * around the memory and packets intact; a program the verifier accepts never hits a violation.
 */
import { describe, expect, it } from 'vitest';
import { checkSlice } from '../bench/fuzz/harness.js';
import { decoderSuite, guarded, interpreterSuite, programRunSuite, verifierSuite } from '../bench/fuzz/suites.js';

describe('code fuzz', () => {
  it('decoder', () => {
    const o = checkSlice(decoderSuite(), 4000);
    expect(o.get('DecodeError')).toBeGreaterThan(0);
    expect(o.get('decoded')).toBeGreaterThan(0);
  });

  it('verifier', () => {
    const o = checkSlice(verifierSuite(), 600);
    expect(o.get('rejected')).toBeGreaterThan(0);
  });

  it('interpreter without a verifier, guarded memory', () => {
    const o = checkSlice(interpreterSuite(), 1500);
    expect(o.get('r0')).toBeGreaterThan(0);
    expect(o.get('violation:out-of-bounds')).toBeGreaterThan(0);
  });

  it('programs with and without the verifier, guarded packets', () => {
    const o = checkSlice(programRunSuite(), 600);
    expect(o.get('VerifierError')).toBeGreaterThan(0);
    expect(o.get('unverified:r0')).toBeGreaterThan(0);
  });

  it('a guard notices a store past its buffer', () => {
    const g = guarded(new Uint8Array(4));
    expect(g.intact()).toBe(true);
    new Uint8Array(g.view.buffer)[g.view.byteOffset + 4] = 0;
    expect(g.intact()).toBe(false);
  });
});
