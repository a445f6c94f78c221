import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/assemble.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { evaluate, type FuzzInput } from '../src/fuzz/campaign.js';
import { generateProgram, type FuzzProgType } from '../src/fuzz/generate.js';
import { programSeed } from '../src/fuzz/rng.js';
import { plantBug } from '../src/verifier/plant.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'bpfvm-fuzz-cmd-'));
const cli = (...argv: string[]) => {
  const io = bufferIo();
  const code = main(argv, io);
  const lines = io.stdout.trim().split('\n');
  return { code, stdout: io.stdout, stderr: io.stderr, lines, last: lines[lines.length - 1]! };
};

afterEach(() => plantBug(undefined));

describe('bpfvm fuzz', () => {
  it('prints the summary as the last JSON line, and exits 0 without findings', () => {
    const out = tmp();
    const r = cli('fuzz', '--count', '12', '--seed', '1', '--json', '--out', out);
    const s = JSON.parse(r.last);
    expect(Object.keys(s)).toEqual(['programs', 'accepted', 'runs', 'findings', 'byKind', 'seconds', 'seed']);
    expect(s.programs).toBe(12);
    expect(s.seed).toBe(1);
    expect(s.accepted).toBeGreaterThan(0);
    expect(s.accepted).toBeLessThanOrEqual(12);
    expect(s.runs).toBeGreaterThanOrEqual(s.accepted);
    expect(s.findings).toBe(0);
    expect(s.byKind).toEqual({});
    expect(typeof s.seconds).toBe('number');
    expect(r.code).toBe(0);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('is deterministic for a seed: the same programs are generated and accepted', () => {
    const a = JSON.parse(cli('fuzz', '--count', '8', '--seed', '99', '--json', '--out', tmp()).last);
    const b = JSON.parse(cli('fuzz', '--count', '8', '--seed', '99', '--json', '--out', tmp()).last);
    expect({ ...a, seconds: 0 }).toEqual({ ...b, seconds: 0 });
  });

  it('finds a planted verifier bug and saves the finding minimized, reassembling, with its input and seed', () => {
    plantBug('tnum-and');
    const out = tmp();
    const r = cli('fuzz', '--count', '40', '--seed', '7', '--json', '--out', out, '--prog-type', 'xdp,tc');
    expect(r.code).toBe(1);
    const s = JSON.parse(r.last);
    expect(s.findings).toBeGreaterThan(0);
    expect(s.byKind.escape ?? 0).toBeGreaterThan(0);
    const stems = readdirSync(out).filter((f) => f.endsWith('.json') && !f.endsWith('.input.json')).map((f) => f.slice(0, -'.json'.length));
    expect(stems.length).toBe(s.findings);
    const stem = join(out, stems[0]!);
    const what = JSON.parse(readFileSync(`${stem}.json`, 'utf8'));
    expect(['escape', 'violation']).toContain(what.kind);
    expect(what.lines).toBeLessThan(what.originalLines);
    const text = readFileSync(`${stem}.s`, 'utf8');
    expect(assemble(text).length).toBeGreaterThan(0);
    expect(readFileSync(`${stem}.seed`, 'utf8')).toContain(String(what.seed));
    expect(readFileSync(`${stem}.data`).length).toBeGreaterThanOrEqual(14);
    const input = JSON.parse(readFileSync(`${stem}.input.json`, 'utf8'));
    // the reproducer reproduces: the same kind from the saved program and input
    const type = (what.progType === 'xdp' ? 'xdp' : what.progType === 'sched_cls' ? 'tc' : 'socket') as FuzzProgType;
    const nullSeed = Number(input.nullInject.slice('random:'.length));
    const runs: FuzzInput[] = [...input.before, input].map((x: { data: string; contents: Record<string, unknown> }) => ({ data: x.data, array: x.contents['map_fd(0)'] as string[], hash: x.contents['map_fd(1)'] as [number, string][], nullSeed }));
    expect(evaluate(type, text, runs).kind).toBe(what.kind);
    // and without the bug the same program is either rejected or runs clean
    plantBug(undefined);
    expect(evaluate(type, text, runs).kind).toBeUndefined();
    // the saved seed regenerates the original program
    expect(generateProgram(type, what.seed).trimEnd().split('\n').length).toBe(what.originalLines);
  });

  it('gives shards disjoint seeds: shard i/n runs the campaign indices k with k mod n = i-1', () => {
    plantBug('tnum-and');
    const indexes: number[][] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const out = tmp();
      const r = cli('fuzz', '--count', '15', '--seed', '5', '--json', '--out', out, '--shard', shard);
      expect(JSON.parse(r.last).programs).toBe(15);
      const found = readdirSync(out).filter((f) => f.endsWith('.json') && !f.endsWith('.input.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')).campaign.index as number);
      for (const k of found) expect(k % 3).toBe(Number(shard[0]) - 1);
      indexes.push(found);
    }
    expect(indexes.flat().length).toBeGreaterThan(0);
    expect(new Set(indexes.flat()).size).toBe(indexes.flat().length);
    // program seeds of distinct indices are distinct (the mixer is a bijection)
    const seeds = new Set(Array.from({ length: 5000 }, (_, k) => programSeed(5, k)));
    expect(seeds.size).toBe(5000);
  });

  it('exits 2 on usage errors, with the CLI\'s JSON error line', () => {
    const bad = [
      ['--seconds', '1', '--count', '2'],
      ['--shard', '0/2'],
      ['--shard', '3/2'],
      ['--shard', 'x'],
      ['--prog-type', 'kprobe'],
      ['--kernel', 'qemu:5.4'],
      ['--seed', '-1'],
      ['--seed', '4294967296'],
      ['--workers', '0'],
      ['--count', '1.5'],
      ['--seconds', 'soon'],
    ];
    for (const args of bad) {
      const r = cli('fuzz', ...args, '--json');
      expect(r.code, args.join(' ')).toBe(2);
      expect(JSON.parse(r.last).error.kind).toBe('usage');
    }
    // no oracle there: a typed error (kind kernel) before the campaign starts
    const r = cli('fuzz', '--kernel', 'qemu:6.1', '--oracle', join(tmp(), 'none'), '--count', '1', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.last).error.kind).toBe('kernel');
  });

  it('runs worker threads (the built package) and counts every program once', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const stdout = execFileSync(process.execPath, [join(root, 'bin', 'bpfvm.js'), 'fuzz', '--workers', '2', '--count', '10', '--seed', '3', '--json', '--out', tmp()], { encoding: 'utf8' });
    const lines = stdout.trim().split('\n');
    const s = JSON.parse(lines[lines.length - 1]!);
    expect(s.programs).toBe(10);
    const single = JSON.parse(cli('fuzz', '--count', '10', '--seed', '3', '--json', '--out', tmp()).last);
    expect({ ...s, seconds: 0 }).toEqual({ ...single, seconds: 0 });
  });
});
