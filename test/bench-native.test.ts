/**
 * The native column of `bpfvm bench`: the C programs of bench/native/, compiled with gcc -O2, compute what
 * the BPF programs return (the bench compares them before reporting a row). Where gcc is missing the row
 * is absent, the bench says why, and this suite says it did not run. No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { NativeRunner, nativeUnavailable } from '../bench/native.js';
import { INTERP_TIER, PROGRAMS, runSuite, WASM_TIER, WORKLOAD_NAMES, type BenchResult } from '../bench/suite.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { announceNotRun } from './shared.js';

const why = nativeUnavailable();

describe('bench: the native baseline', () => {
  if (why !== undefined) {
    it('is not available here', () => announceNotRun('bench native row', why));
    it('the bench says why in one line, and has no native row', () => {
      const io = bufferIo();
      main(['bench', '--only', 'byte-sum', '--tier', 'wasm', '--max-time', '0.05', '--json'], io);
      const lines = io.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tier: string; note?: string });
      expect(lines.filter((l) => l.tier === 'native')).toEqual([{ name: 'native', tier: 'native', note: why }]);
    });
    return;
  }

  it('has a C program for each of the four bytecode workloads, giving the BPF program\'s r0 (runSuite rows)', () => {
    const native = new NativeRunner();
    const rows: BenchResult[] = [];
    try {
      runSuite({ tiers: [WASM_TIER], baseline: false, maxTime: 0.05, native, onResult: (r) => rows.push(r) });
    } finally {
      native.dispose();
    }
    for (const p of PROGRAMS) {
      const w = rows.find((r) => r.name === p.name && r.tier === 'wasm')!;
      const n = rows.find((r) => r.name === p.name && r.tier === 'native');
      expect(n, p.name).toBeDefined();
      expect(n!.result).toBe(p.baseline(p.input())); // the C program's own answer, printed by it
      expect(n!.insns).toBe(w.insns); // per-instruction figures over the BPF program's count
      expect(n!.samples).toBeGreaterThanOrEqual(5);
    }
    // the typed workload has no C program: no native row
    expect(rows.filter((r) => r.name === 'typed-xdp').map((r) => r.tier)).toEqual(['wasm']);
  });

  it('a wrong C result stops the bench instead of reporting a row', () => {
    const native = new NativeRunner();
    const run = native.run.bind(native);
    native.run = (name, s) => ({ ...run(name, s), result: 1n });
    try {
      expect(() => runSuite({ tiers: [WASM_TIER], only: ['byte-sum'], baseline: false, maxTime: 0.05, native })).toThrow(/byte-sum \(native\): result 1, expected \d+/);
    } finally {
      native.dispose();
    }
  });

  it('bpfvm bench --json has a native line beside wasm and js, with the result it checked', () => {
    const io = bufferIo();
    main(['bench', '--only', 'byte-sum', '--tier', 'wasm', '--max-time', '0.05', '--json'], io);
    const lines = io.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; tier: string; result?: string });
    expect(lines.map((l) => l.tier)).toEqual(['wasm', 'js', 'native']);
    const p = PROGRAMS.find((x) => x.name === 'byte-sum')!;
    expect(lines[2]!.result).toBe(String(p.baseline(p.input())));
  });
});

describe('bench: the typed-xdp workload', () => {
  it('is measured on interp and wasm with the same instruction count and r0 (XDP_PASS); it has no plain-JavaScript baseline', () => {
    const rows: BenchResult[] = [];
    runSuite({ tiers: [INTERP_TIER, WASM_TIER], only: ['typed-xdp'], maxTime: 0.05, onResult: (r) => rows.push(r) });
    expect(rows.map((r) => r.tier)).toEqual(['interp', 'wasm']);
    expect(rows[0]!.insns).toBe(rows[1]!.insns);
    expect(rows[0]!.insns).toBeGreaterThan(30_000);
    expect(WORKLOAD_NAMES).toContain('typed-xdp');
  });
});
