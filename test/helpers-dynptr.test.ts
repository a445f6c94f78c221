/**
 * The dynptr helpers at run time against Linux 6.1's test runs: every accepted program of
 * test/oracle/dynptr (cases.ts and run-cases.ts) runs through loadProgram and returns what the kernel's
 * BPF_PROG_TEST_RUN returned (results.jsonl / run-results.jsonl), without run-time violations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../src/api/collection.js';
import { helperId } from '../kernel-sim/helpers/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap, type BpfMap, type RingbufMap } from '../kernel-sim/maps/index.js';
import { assemble } from '../src/asm/index.js';
import { CASES, MAPS } from './oracle/dynptr/cases.js';
import { RUN_CASES } from './oracle/dynptr/run-cases.js';

interface OracleLine { id: string; verdict: string; test_run?: { ok: boolean; retval?: number } }
const lines = (file: string): OracleLine[] => readFileSync(join(import.meta.dirname, 'oracle', 'dynptr', file), 'utf8')
  .trim().split('\n').map((l) => JSON.parse(l) as OracleLine);
const PKT = Uint8Array.from({ length: 32 }, (_, i) => i);

function maps(k: Kernel): BpfMap[] {
  return MAPS.map((spec, i) => {
    const [type, key, value, entries] = spec.split(':');
    return createMap(k.maps, {
      type: type as 'array' | 'ringbuf', name: `m${i}`, keySize: Number(key), valueSize: Number(value), maxEntries: Number(entries),
    });
  });
}

function run(asm: string) {
  const k = new Kernel();
  const m = maps(k);
  const p = loadProgram(assemble(asm, { helperId }), 'socket_filter', { kernel: k, maps: m });
  expect(p.verify().verdict).toBe('accepted');
  return { result: p.run({ data: PKT }), ringbuf: m[1] as RingbufMap };
}

describe('dynptr helpers return what Linux 6.1 returned', () => {
  const all = [...CASES, ...RUN_CASES];
  const runs = [...lines('results.jsonl'), ...lines('run-results.jsonl')].filter((l) => l.test_run?.retval !== undefined);
  it('the oracle test-ran every accepted program', () => {
    expect(runs.length).toBe(CASES.filter((c) => c.kernel.verdict === 'accepted').length + RUN_CASES.length);
  });
  for (const o of runs) {
    it(`${o.id}: retval ${o.test_run!.retval}`, () => {
      const { result } = run(all.find((c) => c.id === o.id)!.asm);
      expect(result.violations).toEqual([]);
      expect(result.retval).toBe(o.test_run!.retval);
    });
  }
});

describe('ringbuf dynptr records', () => {
  const asm = (id: string) => [...CASES, ...RUN_CASES].find((c) => c.id === id)!.asm;
  it('submit_dynptr commits the record with what the program wrote through bpf_dynptr_data', () => {
    const { ringbuf } = run(asm('run_ringbuf_write_read_submit'));
    const recs = ringbuf.consume();
    expect(recs.map((r) => [...r])).toEqual([[0x5a, 0x5a, 0, 0, 0, 0, 0, 0]]);
  });
  it('discard_dynptr drops the record', () => {
    const { ringbuf } = run(asm('ringbuf_discard'));
    expect(ringbuf.consume()).toEqual([]);
  });
  it('a failed reserve commits nothing when its NULL dynptr is submitted', () => {
    const { result, ringbuf } = run(asm('run_reserve_no_room'));
    expect(result.violations).toEqual([]);
    expect(ringbuf.consume()).toEqual([]);
  });
});
