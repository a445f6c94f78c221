import { describe, expect, it } from 'vitest';
import { loadCorpus, loadFixups } from '../src/corpus/load.js';
import { runCorpus, type CorpusCase, type CorpusSummary, type Mode } from '../src/corpus/runner.js';
import type { VerifierResult } from '../src/verifier/verifier.js';
import { announceMissing, inChunks, sharedPath } from './shared.js';

const corpus = sharedPath('verifier-corpus', 'linux-6.1.jsonl');
const fixupFile = sharedPath('verifier-corpus', 'fixup-maps-6.1.json');

const COUNTS = ['total', 'verdictAgree', 'rejected', 'messageAgree', 'lastLineAgree', 'errnoAgree', 'retvalChecked', 'retvalAgree', 'xlatedChecked', 'xlatedAgree'] as const;

describe('Linux 6.1 test_verifier corpus', () => {
  if (!corpus || !fixupFile) {
    it('did not run', () => announceMissing('verifier corpus'));
    return;
  }
  const cases = loadCorpus(corpus);
  const fixups = loadFixups(fixupFile);
  // Floors already reached: regressions fail, progress is printed.
  const floors = {
    priv: { verdict: 1098, lastLine: 513, message: 513, errno: 513, retval: 490, processed: 1098, xlated: 5 },
    unpriv: { verdict: 529, lastLine: 336, message: 331, errno: 336, retval: 193, processed: 529, xlated: 0 },
  };
  for (const mode of ['priv', 'unpriv'] as const) {
    it(`${mode}: verdicts and messages`, async () => {
      const t = Date.now();
      // Processed instruction counts equal to the real kernel's: pruning (precision, liveness) behaves as 6.1's.
      let processedAgree = 0;
      const onVerified = (c: CorpusCase, m: Mode, r: VerifierResult): void => { if (r.processed === c.kernel[m]?.processed) processedAgree++; };
      const s: CorpusSummary = runCorpus([], { mode, fixups });
      await inChunks(cases, 50, (chunk) => {
        const part = runCorpus(chunk, { mode, fixups, onVerified });
        for (const k of COUNTS) s[k] += part[k];
        s.failures.push(...part.failures);
      });
      const { failures, ...nums } = s;
      process.stderr.write(`\n*** verifier corpus (${mode}, ${Date.now() - t} ms): ${JSON.stringify({ ...nums, processedAgree })}\n` +
        `*** verdict ${(100 * s.verdictAgree / s.total).toFixed(1)}% (target 97%), lastLine ${(100 * s.lastLineAgree / s.rejected).toFixed(1)}% of rejected (target 75%), ` +
        `messages ${(100 * s.messageAgree / s.rejected).toFixed(1)}% (target 90%), retval ${(100 * s.retvalAgree / s.retvalChecked).toFixed(1)}% of checked (target 97%); ` +
        `${failures.length} failure entries\n`);
      expect(s.verdictAgree).toBeGreaterThanOrEqual(floors[mode].verdict);
      expect(s.lastLineAgree).toBeGreaterThanOrEqual(floors[mode].lastLine);
      expect(s.messageAgree).toBeGreaterThanOrEqual(floors[mode].message);
      // the errno BPF_PROG_LOAD returned, on every rejection
      expect(s.errnoAgree).toBeGreaterThanOrEqual(floors[mode].errno);
      expect(s.retvalAgree).toBeGreaterThanOrEqual(floors[mode].retval);
      expect(processedAgree).toBeGreaterThanOrEqual(floors[mode].processed);
      // expected_xlated / unexpected_xlated: the program after the verifier's rewrites (bpf_loop inlining)
      expect(s.xlatedAgree).toBe(s.xlatedChecked);
      expect(s.xlatedAgree).toBeGreaterThanOrEqual(floors[mode].xlated);
    }, 120_000);
  }
});
