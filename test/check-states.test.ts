/**
 * State embedding (issue 12 §1): every accepted corpus case, run with its inputs and random packets under
 * checkStates, stays inside the abstract states its verification recorded (0 escapes); and the check does
 * see a concrete value outside a state (a recording made narrower than the truth).
 */
import { describe, expect, it } from 'vitest';
import { loadCorpus, loadFixups } from '../src/corpus/load.js';
import { verifyCase, type Mode } from '../src/corpus/runner.js';
import { runCase } from '../src/corpus/run.js';
import { loadProgram } from '../src/api/collection.js';
import { assemble } from '../src/asm/index.js';
import { announceMissing, inChunks, sharedPath } from './shared.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

const corpus = sharedPath('verifier-corpus', 'linux-6.1.jsonl');
const fixupFile = sharedPath('verifier-corpus', 'fixup-maps-6.1.json');

function randomPackets(seed: number, n: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x & 0xff;
  };
  return Array.from({ length: n }, () => Uint8Array.from({ length: 64 }, next));
}

const PKT_PROG = `
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 14
if r4 > r3 goto +4
r0 = *(u8 *)(r2 + 12)
r0 &= 15
*(u64 *)(r10 - 8) = r0
exit
r0 = 0
exit
`;

describe('check-states', () => {
  it('a run of an accepted program stays inside its states', () => {
    const prog = loadProgram(assemble(PKT_PROG), 'tc');
    const r = prog.run({ data: Uint8Array.from({ length: 20 }, (_, i) => i * 13), checkStates: true });
    expect(r.violations).toEqual([]);
    expect(r.escapes).toEqual([]);
  });

  it('reports a concrete value outside the recorded state, in the kernel\'s log format', () => {
    const prog = loadProgram(assemble(PKT_PROG), 'tc');
    const v = prog.verify({ logLevel: 0, recordStates: true });
    // Plant a wrong claim: at insn 7 (the store) r0 is said to be at most 3 (the truth: at most 15).
    for (const s of v.states!.at.get(7)!) {
      const r0 = s.regs[0]!;
      r0.umax = 3n; r0.smax = 3n; r0.u32max = 3; r0.s32max = 3; r0.varOff = { value: 0n, mask: 3n };
    }
    const r = prog.run({ data: Uint8Array.from({ length: 20 }, () => 0x0e), checkStates: true });
    expect(r.escapes).toEqual([{ kind: 'verifier-unsound', insn: 7, register: 'r0', value: '0xe', state: 'R0=scalar(umax=3,var_off=(0x0; 0x3))' }]);
    // Inside the narrowed claim: no escape.
    expect(prog.run({ data: Uint8Array.from({ length: 20 }, () => 0x02), checkStates: true }).escapes).toEqual([]);
  });

  if (!corpus || !fixupFile) {
    it('corpus: did not run', () => announceMissing('verifier corpus'));
    return;
  }
  const cases = loadCorpus(corpus);
  const fixups = loadFixups(fixupFile);
  // CI's fixed slice: every third case (the whole corpus holds too: figures in the README).
  for (const mode of ['priv', 'unpriv'] as const satisfies readonly Mode[]) {
    it(`${mode}: accepted corpus cases (a fixed slice), their runs and random inputs: 0 escapes`, async () => {
      const escapes: string[] = [];
      let accepted = 0;
      let checked = 0;
      await inChunks(cases, 50, (chunk, start) => chunk.forEach((c, j) => {
        const i = start + j;
        if (i % 3 !== 0 || !c.expect[mode]) return;
        const v = verifyCase(c, mode, { mode, fixups, recordStates: true });
        if (v.result.verdict !== 'accepted') return;
        accepted++;
        if (!v.result.states!.truncated) checked++;
        const r = runCase(c, mode, v.insns, v.fdKinds, fixups, randomPackets(i + 1, 2), v.result.probeMem, v.result.states);
        for (const e of r.escapes) escapes.push(`${c.id}: ${JSON.stringify(e)}`);
      }));
      process.stderr.write(`\n*** check-states (${mode}): ${accepted} accepted cases, ${checked} with a complete recording, ${escapes.length} escapes\n`);
      expect(accepted).toBeGreaterThan(mode === 'priv' ? 150 : 50);
      expect(escapes).toEqual([]);
    }, 300_000);
  }
});

describe('bpfvm run --check-states', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'bpfvm-cs-')), 'pkt.s');
  writeFileSync(file, PKT_PROG);
  it('--json carries "escapes":[]', () => {
    const io = bufferIo();
    expect(main(['run', file, '--prog-type', 'tc', '--data', '00112233445566778899aabbccddeeff', '--check-states', '--json'], io)).toBe(0);
    const line = JSON.parse(io.stdout.trim().split('\n').pop()!);
    expect(line.escapes).toEqual([]);
    expect(line.violations).toEqual([]);
  });
  it('--strict needs --check-states (exit 2)', () => {
    const io = bufferIo();
    expect(main(['run', file, '--prog-type', 'tc', '--strict'], io)).toBe(2);
    expect(io.stderr).toContain('--strict');
  });
});
