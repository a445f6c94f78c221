/**
 * The real Linux 6.1 verifier's verdicts on kfunc programs (shared/oracle/examples/kfunc-6.1 and our own
 * batches under test/oracle/kfuncs/): every program it accepts runs clean here with the kernel's return
 * value; every one it rejects for a kfunc rule is caught at run time, on an input that reaches the bad
 * path, with the matching violation.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decode } from '../src/isa/insn.js';
import type { ProgTypeName } from '../src/object/bpf-enums.js';
import type { Capability } from '../src/platform/caps.js';
import { announceMissing, sharedPath } from './shared.js';
import { fixKfuncs, run } from './oracle/kfuncs/harness.js';
import type { NullInjectMode } from '../kernel-sim/kfuncs/index.js';

/** What running a rejected program must show, keyed by manifest id; null for accepted ones. */
interface Expect {
  /** Kernel verdict the expectation was written against. */
  verdict: 'accepted' | 'rejected';
  /** For rejections: the violation and its instruction, and the input that reaches the bad path. */
  kind?: string;
  insn?: number;
  nullInject?: NullInjectMode;
}

const EXAMPLES: Record<string, Expect> = {
  raw_acquire_release: { verdict: 'accepted' },
  raw_acquire_leak: { verdict: 'rejected', kind: 'reference-leak', insn: 3 },
  raw_release_no_null_check: { verdict: 'rejected', kind: 'null-dereference', insn: 5, nullInject: 'always' },
  raw_deref_no_null_check: { verdict: 'rejected', kind: 'null-dereference', insn: 4, nullInject: 'always' },
  raw_double_release: { verdict: 'rejected', kind: 'double-release', insn: 9 },
  raw_use_after_release: { verdict: 'rejected', kind: 'use-after-release', insn: 8 },
  raw_mem_len_ok: { verdict: 'accepted' },
  raw_mem_len_oob: { verdict: 'rejected', kind: 'out-of-bounds', insn: 5 },
  raw_wrong_prog_type: { verdict: 'rejected', kind: 'kfunc-not-allowed', insn: 3 },
};

/** test/oracle/kfuncs: our batch (gen-manifest.mjs), with the 6.1 verdicts in its expected.jsonl. */
const OURS: Record<string, Expect> = {
  trusted_ref_ok: { verdict: 'accepted' },
  trusted_ref_walked: { verdict: 'rejected', kind: 'untrusted-argument', insn: 7 },
  trusted_ref_offset: { verdict: 'rejected', kind: 'untrusted-argument', insn: 8 },
  release_offset: { verdict: 'rejected', kind: 'release-unacquired', insn: 8 },
  store_after_release: { verdict: 'rejected', kind: 'use-after-release', insn: 8 },
  kfunc_after_release: { verdict: 'rejected', kind: 'use-after-release', insn: 9 },
  destructive: { verdict: 'accepted' },
  destructive_caps_bpf: { verdict: 'rejected', kind: 'missing-capability', insn: 0 },
  rdwr_mem_write: { verdict: 'accepted' },
  rdonly_mem_write: { verdict: 'rejected', kind: 'permission', insn: 10 },
  rdonly_mem_read: { verdict: 'accepted' },
  void_ptr_no_sz: { verdict: 'rejected', kind: 'helper-error', insn: 5 },
  struct_not_scalar: { verdict: 'rejected', kind: 'helper-error', insn: 4 },
  scalar_struct_ok: { verdict: 'accepted' },
  acquire_release_ok: { verdict: 'accepted' },
  socket_filter_not_allowed: { verdict: 'rejected', kind: 'kfunc-not-allowed', insn: 3 },
  syscall_acquire_release: { verdict: 'accepted' },
};

const PROG_TYPES: Record<string, ProgTypeName> = { sched_cls: 'SCHED_CLS', xdp: 'XDP', tracing: 'TRACING', syscall: 'SYSCALL', socket_filter: 'SOCKET_FILTER' };
const CAPS: Record<string, Capability[]> = { all: ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_PERFMON', 'CAP_BPF'], bpf: ['CAP_BPF', 'CAP_NET_ADMIN'] };

interface Line {
  id: string;
  insns: string;
  type: string;
  kfuncs: string[];
  caps: string;
  flags: string;
}

/** Raw-program lines of a manifest (defaults and jit lines applied; ELF lines skipped). */
function manifest(path: string): Line[] {
  let defaults: Record<string, string> = {};
  const out: Line[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('jit=')) continue;
    const kv = Object.fromEntries(line.replace(/^defaults\s*/, '').split(/\s+/).filter(Boolean).map((p) => p.split('=', 2) as [string, string]));
    if (line.startsWith('defaults')) { defaults = kv; continue; }
    const all = { ...defaults, ...kv };
    if (all.insns === undefined) continue;
    out.push({ id: all.id!, insns: all.insns, type: all.type ?? 'socket_filter', kfuncs: (all.kfuncs ?? '').split(',').filter(Boolean), caps: all.caps ?? 'all', flags: all.flags ?? '' });
  }
  return out;
}

function verdicts(path: string): Map<string, { verdict: string; retval?: number }> {
  return new Map(readFileSync(path, 'utf8').trim().split('\n').map((l) => {
    const d = JSON.parse(l) as { id: string; verdict: string; test_run?: { retval: number } };
    return [d.id, { verdict: d.verdict, retval: d.test_run?.retval }];
  }));
}

function check(dir: string, expectations: Record<string, Expect>) {
  const truth = verdicts(resolve(dir, 'expected.jsonl'));
  const lines = manifest(resolve(dir, 'manifest')).filter((l) => l.id in expectations);
  test('every expectation has its manifest line', () => expect(lines.map((l) => l.id).sort()).toEqual(Object.keys(expectations).sort()));
  test.each(lines)('$id', (l) => {
    const want = expectations[l.id]!;
    const kernel = truth.get(l.id)!;
    expect(kernel.verdict).toBe(want.verdict);
    const insns = fixKfuncs(decode(Buffer.from(l.insns, 'hex')), l.kfuncs);
    const out = run(insns, {
      progType: PROG_TYPES[l.type]!, caps: CAPS[l.caps], sleepable: l.flags.includes('sleepable'), nullInject: want.nullInject,
      ctx: new Uint8Array(192),
    });
    if (want.verdict === 'accepted') {
      expect(out.violations).toEqual([]);
      if (kernel.retval !== undefined) expect(Number(BigInt.asUintN(32, out.r0!))).toBe(kernel.retval);
    } else {
      expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([[want.kind, want.insn]]);
    }
  });
}

const example = sharedPath('oracle', 'examples', 'kfunc-6.1');
describe('oracle kfunc-6.1 examples', () => {
  if (example === undefined) {
    test('are not available here', () => announceMissing('kfuncs-oracle (shared/oracle/examples/kfunc-6.1)'));
    return;
  }
  check(example, EXAMPLES);
});

describe('our kfunc batch (test/oracle/kfuncs), against Linux 6.1', () => check(resolve(import.meta.dirname, 'oracle', 'kfuncs'), OURS));
