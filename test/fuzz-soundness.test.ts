/**
 * Soundness (a fixed-seed slice; `npm run fuzz -- --suite soundness --seconds N` for the long mode):
 * generated verifier-friendly socket filter, XDP and tc programs — packet bounds checks at constant and
 * variable offsets, map lookups with NULL checks, spills and fills, ALU and branch mixes, bounded loops,
 * helpers that move the packet — verified, and every accepted one run on random packets (guarded): no
 * run-time violation.
 */
import { describe, expect, it } from 'vitest';
import { checkSlice } from '../bench/fuzz/harness.js';
import { soundnessSuite } from '../bench/fuzz/soundness.js';

describe('soundness', () => {
  it('programs the verifier accepts never hit a run-time violation', () => {
    const stats = { accepted: 0, runs: 0 };
    const o = checkSlice(soundnessSuite(stats), 600);
    for (const t of ['socket', 'xdp', 'tc']) expect(o.get(`${t}:accepted`), t).toBeGreaterThan(0);
    // the generator is verifier-friendly: most of its programs are accepted
    expect(stats.accepted).toBeGreaterThan(500);
    expect(stats.runs).toBeGreaterThanOrEqual(stats.accepted);
  });
});
