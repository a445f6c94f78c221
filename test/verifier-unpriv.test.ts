/**
 * Unprivileged loads (no capability, or CAP_BPF without CAP_PERFMON) against Linux 6.1's own answers:
 * Spectre v1 sanitation of pointer arithmetic (mixed-sign offsets, unsupported pointer types, one mask per
 * instruction, speculative exploration of the masked outcome and of the not-taken side of decided
 * branches, a full path queue), pointer bounds after arithmetic, pointer comparisons and leaks, tail-call
 * map poisoning. The programs and the kernel's answers are in test/oracle/unpriv/cases.ts
 * (results.jsonl holds the oracle's raw output).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helperId } from '../kernel-sim/helpers/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { assemble } from '../src/asm/index.js';
import { ALL_CAPS, type Capability } from '../src/platform/caps.js';
import type { MapDef } from '../src/platform/platform.js';
import { progLoad } from '../src/verifier/verifier.js';
import { CASES, type CapsMode, type UnprivCase } from './oracle/unpriv/cases.js';

const CAPS: Record<CapsMode, ReadonlySet<Capability>> = {
  none: new Set(),
  bpf: new Set(['CAP_BPF', 'CAP_NET_ADMIN']),
  all: new Set(ALL_CAPS),
};
const MAP_TYPES: Record<string, number> = { hash: 1, array: 2, prog_array: 3 };

/** The oracle's `type:key:value:entries[:flags]` map specs, as the verifier's map definitions (fd = index). */
function mapDefs(specs: readonly string[]): MapDef[] {
  return specs.map((s) => {
    const [type, key, value, entries, flags] = s.split(':');
    return {
      type: MAP_TYPES[type!]!, keySize: Number(key), valueSize: Number(value), maxEntries: Number(entries),
      flags: Number(flags ?? 0), spinLockOff: -1, timerOff: -1,
    };
  });
}

function load(c: UnprivCase, logLevel = 1) {
  const maps = mapDefs(c.maps ?? []);
  return progLoad(assemble(c.asm, { helperId }), {
    prog: { type: c.type === 'cgroup_skb' ? 'CGROUP_SKB' : 'SOCKET_FILTER' }, platform: kernelPlatform({ maps: (fd) => maps[fd] }), caps: CAPS[c.caps], logLevel,
  });
}

/** `needles` occur in `log` in this order. */
function inOrder(log: string, needles: readonly string[]): boolean {
  let pos = 0;
  for (const n of needles) {
    const i = log.indexOf(`${n}\n`, pos);
    if (i < 0) return false;
    pos = i + n.length;
  }
  return true;
}

interface OracleLine { id: string; verdict: string; errno?: number; verifier_log: string }

/** The oracle's raw output, when present: the level-2 cases' logs are compared whole. */
const RESULTS = join(import.meta.dirname, 'oracle', 'unpriv', 'results.jsonl');
const oracle: OracleLine[] = existsSync(RESULTS)
  ? readFileSync(RESULTS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleLine)
  : [];

/**
 * A log without its statistics lines (compared apart). Map addresses need no masking: without
 * allow_ptr_leaks the kernel prints them as 0x0, and the level-2 cases are all unprivileged.
 */
function comparable(log: string): string {
  return log.split('\n').filter((l) => !/^(verification time|stack depth|processed) /.test(l)).join('\n');
}

describe('unprivileged loads agree with Linux 6.1', () => {
  for (const c of CASES) {
    it(`${c.id} (caps ${c.caps}): ${c.kernel.verdict}${c.kernel.msgs ? `, ${c.kernel.msgs.at(-1)}` : ''}`, () => {
      const r = load(c, c.log ?? 1);
      expect(r.verdict).toBe(c.kernel.verdict);
      expect(r.errno).toBe(c.kernel.errno ?? 0);
      expect(r.processed).toBe(c.kernel.processed);
      if (c.kernel.msgs) {
        expect(r.message).toBe(c.kernel.msgs.at(-1));
        expect(inOrder(r.log, c.kernel.msgs)).toBe(true);
      }
      const k = oracle.find((l) => l.id === c.id);
      if (c.log === 2 && k) {
        expect(c.caps).not.toBe('all');
        expect(comparable(r.log)).toBe(comparable(k.verifier_log));
      }
    });
  }

  it('explores the not-taken side of a decided branch as speculative execution, only when sanitising', () => {
    expect(load(CASES.find((x) => x.id === 'speculative_not_taken')!, 2).log).toContain('from 1 to 4 (speculative execution):');
    expect(load(CASES.find((x) => x.id === 'speculative_not_taken_priv')!, 2).log).not.toContain('speculative execution');
  });

  it('explores the masked outcome of pointer arithmetic with an unknown offset: the pointer unmoved', () => {
    const r = load(CASES.find((x) => x.id === 'masked_pointer_unmoved')!, 2);
    expect(r.log).toContain('from 11 to 12 (speculative execution): R0_w=map_value(off=0,ks=4,vs=48,imm=0) R1_w=');
  });

  it('the recorded answers are the oracle\'s (results.jsonl)', () => {
    if (oracle.length === 0) return;
    expect(oracle.map((l) => l.id)).toEqual(CASES.map((c) => c.id));
    for (const c of CASES) {
      const k = oracle.find((l) => l.id === c.id)!;
      expect({ id: c.id, verdict: k.verdict, errno: k.errno }).toEqual({ id: c.id, verdict: c.kernel.verdict, errno: c.kernel.errno });
      expect(k.verifier_log).toContain(`processed ${c.kernel.processed} insns`);
      for (const m of c.kernel.msgs ?? []) expect(k.verifier_log).toContain(`${m}\n`);
    }
  });
});
