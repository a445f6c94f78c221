/**
 * The fuzzer's mutation score (issue 12 §2): for each planted verifier bug (src/verifier/plant.ts), run
 * `bpfvm fuzz --seconds N --json` with BPFVM_PLANT_BUG set and record whether and how fast it finds
 * something. Usage: `node dist/bench/fuzz/mutation.js [seconds=60] [seed=1] [bug,…]`; prints a markdown
 * table and, last, one JSON line.
 *
 * A finding is counted only if the same seed finds nothing without the bug (checked once, first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLANTABLE, type PlantedBug } from '../../src/verifier/plant.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'bpfvm.js');

interface Score {
  bug: string;
  found: boolean;
  firstSeconds?: number;
  kind?: string;
  lines?: number;
  programs: number;
  findings: number;
}

function campaign(bug: string | undefined, seconds: number, seed: number): Promise<Score> {
  const out = mkdtempSync(join(tmpdir(), 'bpfvm-mutation-'));
  const env = { ...process.env };
  delete env.BPFVM_PLANT_BUG;
  if (bug !== undefined) env.BPFVM_PLANT_BUG = bug;
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'fuzz', '--seconds', String(seconds), '--seed', String(seed), '--json', '--out', out], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    const score: Score = { bug: bug ?? '(none)', found: false, programs: 0, findings: 0 };
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const j = JSON.parse(line) as { finding?: { kind: string; lines: number }; programs?: number; findings?: number };
        if (j.finding !== undefined && !score.found) {
          score.found = true;
          score.firstSeconds = Math.round((performance.now() - t0) / 100) / 10;
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
const baseline = await campaign(undefined, seconds, seed);
console.log(`baseline (no bug): ${baseline.findings} findings in ${baseline.programs} programs`);
const scores: Score[] = [];
for (const bug of bugs) {
  const s = await campaign(bug, seconds, seed);
  scores.push(s);
  console.error(`${bug}: ${s.found ? `found in ${s.firstSeconds} s (${s.kind}, ${s.lines} lines)` : 'not found'}; ${s.findings} findings / ${s.programs} programs`);
}
console.log('| planted bug | found | first finding after | kind | minimized lines | findings / programs |');
console.log('|---|---|---|---|---|---|');
for (const s of scores) {
  console.log(`| \`${s.bug}\`: ${PLANTABLE[s.bug as PlantedBug]} | ${s.found ? 'yes' : 'no'} | ${s.firstSeconds !== undefined ? `${s.firstSeconds} s` : '–'} | ${s.kind ?? '–'} | ${s.lines ?? '–'} | ${s.findings} / ${s.programs} |`);
}
console.log(JSON.stringify({ seconds, seed, baseline: baseline.findings, found: scores.filter((s) => s.found).length, of: scores.length, scores }));
