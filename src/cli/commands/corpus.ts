/**
 * `bpfvm corpus <file.jsonl> [--mode priv|unpriv|both] [--json]`: Linux 6.1's test_verifier cases
 * (a realworld truth file, recognised by its lines, goes to realworld.ts)
 * verified with the corpus capabilities and their runs executed, compared with the kernel's answers.
 * With --json, one line per mode: `{"mode","total","verdictAgree","rejected","messageAgree",
 * "lastLineAgree","errnoAgree","retvalChecked","retvalAgree","xlatedChecked","xlatedAgree","tier","failures":[{"id","what"}…]}`;
 * --tier interp|wasm|auto chooses the tier of the test runs ("tier" names the one that ran them).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BpfError, LoadError, UsageError } from '../../errors.js';
import { findFixups, firstLine, loadCorpus, loadFixups } from '../../corpus/load.js';
import { isRealworldLine } from '../../corpus/realworld.js';
import { realworldCommand } from './realworld.js';
import { runCorpus, type CorpusCase, type FixupSpec, type Mode } from '../../corpus/runner.js';
import { EXIT, type Io } from '../io.js';
import { progress } from '../progress.js';
import type { TierName } from '../../../vm/wasm/select.js';

export interface CorpusCliOptions {
  mode?: string;
  json?: boolean;
  /** Realworld truth files: list the disagreeing programs by cause. */
  causes?: boolean;
  /** The tier of the test runs. */
  tier?: TierName;
}

/** Which corpus a file is: its first line tells (a realworld truth line has `kernel_verdict` and `object`). */
function isRealworld(file: string): boolean {
  try {
    return isRealworldLine(firstLine(file));
  } catch (e) {
    throw new LoadError(`cannot read the corpus: ${(e as Error).message}`, { file });
  }
}

/** fixup-maps-6.1.json: beside the corpus, else in $BPFVM_SHARED/verifier-corpus. */
export function fixupFile(corpus: string): string {
  const beside = findFixups(corpus);
  if (beside) return beside;
  const shared = process.env.BPFVM_SHARED;
  const p = shared ? resolve(shared, 'verifier-corpus', 'fixup-maps-6.1.json') : undefined;
  if (p && existsSync(p)) return p;
  throw new LoadError('fixup-maps-6.1.json is neither beside the corpus nor in $BPFVM_SHARED/verifier-corpus', { file: corpus });
}

/** A test_verifier corpus and its fixup maps; what cannot be read is a LoadError naming the file. */
export function readCorpus(file: string): { cases: CorpusCase[]; fixups: FixupSpec } {
  try {
    return { cases: loadCorpus(file), fixups: loadFixups(fixupFile(file)) };
  } catch (e) {
    if (e instanceof BpfError) throw e;
    throw new LoadError(`cannot read the corpus: ${(e as Error).message}`, { file });
  }
}

export function corpusCommand(io: Io, file: string, opts: CorpusCliOptions): number {
  const mode = opts.mode ?? 'both';
  if (mode !== 'priv' && mode !== 'unpriv' && mode !== 'both') throw new UsageError(`--mode: expected priv, unpriv or both, got '${mode}'`);
  if (!existsSync(file)) throw new LoadError('no such file', { file });
  if (isRealworld(file)) return realworldCommand(io, file, opts);
  const { cases, fixups } = readCorpus(file);
  const modes: Mode[] = mode === 'both' ? ['priv', 'unpriv'] : [mode];
  for (const m of modes) {
    const t0 = Date.now();
    const bar = progress(io, { total: cases.filter((c) => c.expect[m] && c.kernel[m]).length, label: `corpus ${m}`, json: opts.json });
    let done = 0;
    const tiers = new Set<string>();
    const s = runCorpus(cases, { mode: m, fixups, tier: opts.tier, onRun: (t) => tiers.add(t), onVerified: () => bar.update(++done) });
    bar.stop();
    const ms = Date.now() - t0;
    // the tier that ran the test runs ('mixed' when auto sent some to each)
    const tier = tiers.size === 1 ? [...tiers][0]! : tiers.size === 0 ? (opts.tier === 'wasm' ? 'wasm' : 'interp') : 'mixed';
    if (opts.json) {
      const { failures, ...nums } = s;
      io.out(JSON.stringify({ ...nums, tier, failures: failures.map((f) => ({ id: f.id, what: f.what })) }) + '\n');
      continue;
    }
    const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
    io.out(`${m}: ${s.total} cases in ${ms} ms (test runs: tier ${tier})\n` +
      `  verdict   ${s.verdictAgree}/${s.total} (${pct(s.verdictAgree, s.total)})\n` +
      `  messages  ${s.messageAgree}/${s.rejected} rejected (${pct(s.messageAgree, s.rejected)})\n` +
      `  last line ${s.lastLineAgree}/${s.rejected} rejected (${pct(s.lastLineAgree, s.rejected)})\n` +
      `  errno     ${s.errnoAgree}/${s.rejected} rejected (${pct(s.errnoAgree, s.rejected)})\n` +
      `  retval    ${s.retvalAgree}/${s.retvalChecked} run (${pct(s.retvalAgree, s.retvalChecked)})\n` +
      `  xlated    ${s.xlatedAgree}/${s.xlatedChecked} checked (${pct(s.xlatedAgree, s.xlatedChecked)})\n`);
    for (const f of s.failures) io.out(`  ${f.what.padEnd(8)} ${f.id}${f.detail ? `  ${f.detail}` : ''}\n`);
  }
  return EXIT.OK;
}
