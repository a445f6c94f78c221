/**
 * The fuzzer's mutation score (issue 12 §2): for each planted verifier bug (src/verifier/plant.ts), run
 * `bpfvm fuzz --seconds N --json` with BPFVM_PLANT_BUG set and record whether and how fast it finds
 * something. Usage: `node dist/bench/fuzz/mutation.js [seconds=60] [seed=1] [bug,…]`; prints a markdown
 * table and, last, one JSON line.
 *
 * A finding counts for a bug only if it is the bug's: its program (regenerated from the finding's seed, run
 * on the same inputs in this process, where no bug is planted) finds nothing without it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLANTABLE, type PlantedBug } from '../../src/verifier/plant.js';
import { fuzzOne } from '../../src/fuzz/campaign.js';
import { FUZZ_PROG_TYPES } from '../../src/fuzz/generate.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'bpfvm.js');

interface Score {
  bug: string;
  found: boolean;
  firstSeconds?: number;
  kind?: string;
  lines?: number;
  programs: number;
  findings: number;
  /** Findings that are not the bug's (found without it too). */
  notTheBugs: number;
}

function campaign(bug: string | undefined, seconds: number, seed: number): Promise<Score> {
  const out = mkdtempSync(join(tmpdir(), 'bpfvm-mutation-'));
  const env = { ...process.env };
  delete env.BPFVM_PLANT_BUG;
  if (bug !== undefined) env.BPFVM_PLANT_BUG = bug;
  const child = spawn(process.execPath, [bin, 'fuzz', '--seconds', String(seconds), '--seed', String(seed), '--json', '--out', out], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    const score: Score = { bug: bug ?? '(none)', found: false, programs: 0, findings: 0, notTheBugs: 0 };
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const j = JSON.parse(line) as { finding?: { kind: string; lines: number; seed: number; at: number }; programs?: number; findings?: number };
        if (j.finding !== undefined && fuzzOne(FUZZ_PROG_TYPES, j.finding.seed, { minimize: false }).finding !== undefined) {
          score.notTheBugs++;
        } else if (j.finding !== undefined && !score.found) {
          score.found = true;
          score.firstSeconds = j.finding.at;
          score.kind = j.finding.kind;
          score.lines = j.finding.lines;
        } else if (j.programs !== undefined) {
          score.programs = j.programs;
          score.findings = j.findings ?? 0;
        }
      }
    });
    child.on('close', () => resolve(score));
  });
}

const seconds = Number(process.argv[2] ?? 60);
const seed = Number(process.argv[3] ?? 1);
const bugs = (process.argv[4]?.split(',') ?? Object.keys(PLANTABLE)) as PlantedBug[];
const scores: Score[] = [];
for (const bug of bugs) {
  const s = await campaign(bug, seconds, seed);
  scores.push(s);
  console.error(`${bug}: ${s.found ? `found in ${s.firstSeconds} s (${s.kind}, ${s.lines} lines)` : 'not found'}; ${s.findings} findings (${s.notTheBugs} not the bug's) / ${s.programs} programs`);
}
console.log('| planted bug | found | first finding after | kind | minimized lines | findings (not the bug\'s) / programs |');
console.log('|---|---|---|---|---|---|');
for (const s of scores) {
  console.log(`| \`${s.bug}\`: ${PLANTABLE[s.bug as PlantedBug]} | ${s.found ? 'yes' : 'no'} | ${s.firstSeconds !== undefined ? `${s.firstSeconds} s` : '–'} | ${s.kind ?? '–'} | ${s.lines ?? '–'} | ${s.findings} (${s.notTheBugs}) / ${s.programs} |`);
}
console.log(JSON.stringify({ seconds, seed, found: scores.filter((s) => s.found).length, of: scores.length, scores }));
