/**
 * Dynptrs in stack slots (STACK_DYNPTR) against the real Linux 6.1 verifier: local dynptrs over a map value,
 * ringbuf dynptrs and their references, bpf_dynptr_read/write/data, and the misuse messages. The programs
 * and the kernel's answers are in test/oracle/dynptr/cases.ts (results.jsonl: the oracle's raw output).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helperId } from '../kernel-sim/helpers/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { assemble } from '../src/asm/index.js';
import { ALL_CAPS } from '../src/platform/caps.js';
import type { MapDef } from '../src/platform/platform.js';
import { progLoad } from '../src/verifier/verifier.js';
import { CASES, MAPS } from './oracle/dynptr/cases.js';

interface OracleLine { id: string; verifier_log: string }
const RESULTS = join(import.meta.dirname, 'oracle', 'dynptr', 'results.jsonl');
const oracle: OracleLine[] = readFileSync(RESULTS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleLine);

/** A log with map addresses masked and without the timing lines. */
function comparable(log: string): string {
  return log.replace(/(\(18\) r\d+ = )0x[0-9a-f]+ */g, '$1X ').split('\n')
    .filter((l) => !/^(verification time|stack depth)/.test(l)).join('\n');
}

const MAP_TYPES: Record<string, number> = { array: 2, ringbuf: 27 };

function mapDefs(specs: readonly string[]): MapDef[] {
  return specs.map((s) => {
    const [type, key, value, entries] = s.split(':');
    return {
      type: MAP_TYPES[type!]!, keySize: Number(key), valueSize: Number(value), maxEntries: Number(entries),
      flags: 0, spinLockOff: -1, timerOff: -1,
    };
  });
}

function load(asm: string, logLevel = 1) {
  const maps = mapDefs(MAPS);
  return progLoad(assemble(asm, { helperId }), {
    prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform({ maps: (fd) => maps[fd] }), caps: new Set(ALL_CAPS), logLevel,
  });
}

describe('dynptrs agree with Linux 6.1', () => {
  for (const c of CASES) {
    it(`${c.id}: ${c.kernel.verdict}${c.kernel.message ? `, ${c.kernel.message}` : ''}`, () => {
      const r = load(c.asm);
      expect(r.verdict).toBe(c.kernel.verdict);
      expect(r.errno).toBe(c.kernel.errno ?? 0);
      if (c.kernel.message) expect(r.message).toBe(c.kernel.message);
      expect(r.processed).toBe(c.kernel.processed);
    });
  }

  it('prints a dynptr\'s two slots as dddddddd in the state, as 6.1', () => {
    const r = load(CASES.find((x) => x.id === 'ringbuf_submit')!.asm, 2);
    expect(r.log).toContain('; R0_w=scalar() fp-16_w=dddddddd fp-24_w=dddddddd refs=1\n');
  });

  for (const k of oracle) {
    it(`${k.id}: the whole level-1 log is the kernel's`, () => {
      const c = CASES.find((x) => x.id === k.id)!;
      expect(comparable(load(c.asm).log)).toBe(comparable(k.verifier_log));
    });
  }
});
