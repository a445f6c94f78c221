/**
 * `bpfvm bench --only startup`: `bpfvm run` of the README's example against `node -e 0`, alternating child
 * processes in the same run. Times are never asserted: the shape of the JSON line, and that its figures
 * are the medians it says (the ratio is theirs, the runs are counted).
 */
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

describe('bench --only startup', () => {
  it('prints one JSON line {name, tier, medianMs, nodeMs, ratio, runs}', () => {
    const io = bufferIo();
    const code = main(['bench', '--only', 'startup', '--json'], io);
    expect(io.stderr).toBe('');
    expect(code).toBe(0);
    const lines = io.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['name', 'tier', 'medianMs', 'nodeMs', 'ratio', 'runs']);
    expect(j.name).toBe('startup');
    expect(j.tier).toBe('cli');
    expect(j.runs).toBe(15);
    const { medianMs, nodeMs, ratio } = j as { medianMs: number; nodeMs: number; ratio: number };
    for (const x of [medianMs, nodeMs, ratio]) expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(ratio).toBeCloseTo(medianMs / nodeMs, 2);
  }, 300_000);
});
