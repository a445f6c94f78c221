/**
 * State recording (issue 12 §3): snapshots share the registers and stack slots that did not change since the
 * previous snapshot of the same frame, hold the values the verifier checked at each instruction, and
 * `bpfvm bench --only record-states` measures plain against recording verification in one run.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { regValueStr } from '../src/verifier/reg-state.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

const PROG = `
r2 = 7
r3 = r2
r3 += 1
*(u64 *)(r10 - 8) = r3
r4 = *(u64 *)(r10 - 8)
r0 = 0
exit
`;

describe('state recording', () => {
  it('shares what did not change, copies what did, and keeps each instruction\'s values', () => {
    const v = loadProgram(assemble(PROG), 'socket_filter').verify({ logLevel: 0, recordStates: true });
    const at = (i: number) => v.states!.at.get(i)![0]!;
    // at(i): the state checked before insn i. r2 = 7 from insn 1; the copy at insn 1 links it to r3 (an id):
    // a new copy at insn 2, shared by every later snapshot
    expect(regValueStr(at(1).regs[2]!)).toBe('7');
    expect(at(1).regs[2]!.id).toBe(0);
    expect(at(2).regs[2]!.id).not.toBe(0);
    expect(at(2).regs[2]).not.toBe(at(1).regs[2]);
    expect(at(6).regs[2]).toBe(at(2).regs[2]);
    // r3 changes at insn 1 (the copy) and 2 (the add): new copies, the older one keeps its value
    expect(regValueStr(at(2).regs[3]!)).toContain('7');
    expect(regValueStr(at(3).regs[3]!)).toBe('8');
    expect(at(3).regs[3]).not.toBe(at(2).regs[3]);
    // the spill at insn 3: the slot is new at insn 4, shared at insn 5 and 6
    expect(at(3).stack[0]?.spilled).toBeUndefined();
    expect(regValueStr(at(4).stack[0]!.spilled!)).toBe('8');
    expect(at(6).stack[0]).toBe(at(4).stack[0]);
    expect(at(1).regs[10]).toBe(at(6).regs[10]);
    for (const s of [at(1), at(6)]) expect(s.regs[10]!.parent).toBeNull();
  });

  it('bpfvm bench --only record-states --json prints one line with both timings and their ratio', () => {
    const saved = process.env.BPFVM_SHARED;
    process.env.BPFVM_SHARED = '/nonexistent-bpfvm-shared'; // the bench programs, not the corpus: fast
    try {
      const io = bufferIo();
      expect(main(['bench', '--only', 'record-states', '--json', '--max-time', '0.1'], io)).toBe(0);
      const line = JSON.parse(io.stdout.trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ name: 'record-states', tier: 'verifier', set: 'bench', programs: 4, rounds: 1 });
      expect(line.plainMs).toBeGreaterThan(0);
      expect(line.recordMs).toBeGreaterThan(0);
      expect(line.ratio).toBeCloseTo((line.recordMs as number) / (line.plainMs as number), 2);
    } finally {
      if (saved === undefined) delete process.env.BPFVM_SHARED;
      else process.env.BPFVM_SHARED = saved;
    }
  }, 120_000);
});
