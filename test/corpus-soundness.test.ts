/**
 * Soundness (issue 5 §4): every corpus case bpfvm's verifier accepts, run on the interpreter with its
 * expected runs and with random packets, must never hit a run-time violation. Runs the simulated kernel
 * cannot make (a map type, context or helper it does not model) are counted and printed, not failed.
 */
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadFixups } from '../src/corpus/load.js';
import { verifyCase, type CorpusCase, type Mode } from '../src/corpus/runner.js';
import { runCase } from '../src/corpus/run.js';
import { announceMissing, inChunks, sharedPath } from './shared.js';

const corpus = sharedPath('verifier-corpus', 'linux-6.1.jsonl');
const fixupFile = sharedPath('verifier-corpus', 'fixup-maps-6.1.json');

/** What the run side does not model yet: not a verdict on the verifier. */
const NOT_MODELLED = [
  /call to unknown helper/, /^load: /, /^run: unsupported/, /take no data_in/,
  /^run: EFAULT: tracing programs of attach type/, // 6.1 has no test run for iterators (or tp_btf) either
];

/**
 * How many accepted cases may stay unrun (measured 2026-12-07: priv 12 — three helpers the simulated kernel
 * lacks for the case's program type, sockmap/sockhash/reuseport maps, one sk_lookup run; unpriv 0). A new
 * gap fails here instead of hiding among the not-run cases.
 */
const NOT_RUN_CEILING: Record<Mode, number> = { priv: 12, unpriv: 0 };

function randomPackets(seed: number, n: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x & 0xff;
  };
  return Array.from({ length: n }, () => Uint8Array.from({ length: 64 }, next));
}

describe('soundness: accepted corpus programs run without violations', () => {
  if (!corpus || !fixupFile) {
    it('did not run', () => announceMissing('verifier corpus'));
    return;
  }
  const cases = loadCorpus(corpus);
  const fixups = loadFixups(fixupFile);
  for (const mode of ['priv', 'unpriv'] as const satisfies readonly Mode[]) {
    it(`${mode}: every accepted case, its runs and random inputs`, async () => {
      const violations: string[] = [];
      const notRun: string[] = [];
      let accepted = 0;
      let runs = 0;
      await inChunks(cases, 50, (chunk, start) => chunk.forEach((c: CorpusCase, j) => {
        const i = start + j;
        if (!c.expect[mode]) return;
        const v = verifyCase(c, mode, { mode, fixups });
        if (v.result.verdict !== 'accepted') return;
        accepted++;
        const extra = randomPackets(i + 1, 3);
        const r = runCase(c, mode, v.insns, v.fdKinds, fixups, extra, v.result.probeMem);
        runs += r.retvals.length;
        const what = [r.detail ?? '', ...r.violations].filter((s) => s !== '' && !s.startsWith('retval'));
        if (what.length === 0) return;
        if (what.every((w) => NOT_MODELLED.some((re) => re.test(w)))) notRun.push(`${c.id}: ${what[0]}`);
        else violations.push(`${c.id}: ${what.join(' | ')}`);
      }));
      process.stderr.write(`\n*** soundness (${mode}): ${accepted} accepted cases, ${runs} runs, ${violations.length} with violations, ` +
        `${notRun.length} not runnable on the simulated kernel yet\n` +
        violations.map((v) => `***   VIOLATION ${v}\n`).join('') + notRun.map((v) => `***   not run: ${v}\n`).join(''));
      expect(violations).toEqual([]);
      expect(notRun.length).toBeLessThanOrEqual(NOT_RUN_CEILING[mode]);
    }, 300_000);
  }
});
