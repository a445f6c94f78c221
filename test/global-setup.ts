/**
 * vitest global setup: a log the suites append to when they cannot run (test/shared.ts announceNotRun),
 * and at the end of the run the list of those suites and why, counted apart from the tests that passed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'bpfvm-not-run-'));
  const log = join(dir, 'not-run.jsonl');
  process.env.BPFVM_NOT_RUN_LOG = log;
  return () => {
    let lines: string[] = [];
    try {
      lines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
    } catch {
      // nothing was recorded: every suite ran
    }
    rmSync(dir, { recursive: true, force: true });
    const seen = new Map<string, string>();
    for (const l of lines) {
      const { what, why } = JSON.parse(l) as { what: string; why: string };
      seen.set(`${what}\0${why}`, `  - ${what}: ${why}`);
    }
    if (seen.size === 0) {
      process.stdout.write('\nEvery suite ran (no reference data or sources were missing).\n');
      return;
    }
    process.stdout.write(`\n${seen.size} suite${seen.size === 1 ? '' : 's'} DID NOT RUN (not counted among the passed tests):\n${[...seen.values()].sort().join('\n')}\n`);
  };
}
