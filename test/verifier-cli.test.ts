import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../src/cli/io.js';
import { verifyCommand } from '../src/cli/commands/verify.js';
import { corpusCommand } from '../src/cli/commands/corpus.js';
import { UsageError } from '../src/errors.js';
import { announceMissing, sharedPath } from './shared.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfvm-verify-'));
function asm(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}
const lastJson = (s: string): Record<string, unknown> => JSON.parse(s.trim().split('\n').at(-1)!) as Record<string, unknown>;

describe('bpfvm verify', () => {
  it('accepts a raw program: JSON last line, exit 0, the log at level 1 (statistics only) and 2', () => {
    const io = bufferIo();
    const code = verifyCommand(io, asm('ok.s', 'r0 = 0\nexit\n'), { progType: 'socket', json: true });
    expect(code).toBe(0);
    // --json is exactly one line: the log (level 1: the statistics alone) is a field of it
    expect(io.stdout.split('\n')).toHaveLength(2);
    const log1 = 'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n';
    expect(JSON.parse(io.stdout)).toEqual({ verdict: 'accepted', errno: 0, message: '', processed: 2, log: log1 });
    const io2 = bufferIo();
    expect(verifyCommand(io2, asm('ok.s', 'r0 = 0\nexit\n'), { progType: 'socket', json: true, logLevel: 2 })).toBe(0);
    expect(io2.stdout.split('\n')).toHaveLength(2);
    expect((JSON.parse(io2.stdout) as { log: string }).log).toContain('0: (b7) r0 = 0');
    const text = bufferIo();
    expect(verifyCommand(text, asm('ok.s', 'r0 = 0\nexit\n'), { progType: 'socket' })).toBe(0);
    expect(text.stdout).toBe(log1 + 'accepted\n');
  });

  it('rejects with the kernel message and errno, exit 1, message filled at level 0', () => {
    for (const level of [0, 1, 2]) {
      const io = bufferIo();
      const code = verifyCommand(io, asm('bad.s', 'exit\n'), { progType: 'socket', json: true, logLevel: level });
      expect(code).toBe(1);
      expect(io.stdout.trim().split('\n')).toHaveLength(1);
      expect(lastJson(io.stdout)).toMatchObject({ verdict: 'rejected', errno: 13, message: 'R0 !read_ok', processed: 1 });
      expect('log' in lastJson(io.stdout)).toBe(level > 0);
    }
  });

  it('applies BPF_PROG_LOAD capability rules: tracing needs CAP_BPF and CAP_PERFMON (EPERM, empty log)', () => {
    const f = asm('kp.s', 'r0 = 0\nexit\n');
    for (const caps of ['bpf', 'net_admin,perfmon', 'none']) {
      const io = bufferIo();
      expect(verifyCommand(io, f, { progType: 'kprobe', caps, json: true })).toBe(1);
      expect(lastJson(io.stdout)).toEqual({ verdict: 'rejected', errno: 1, message: '', processed: 0, log: '' });
      expect(io.stdout.trim().split('\n')).toHaveLength(1);
    }
    expect(verifyCommand(bufferIo(), f, { progType: 'kprobe', caps: 'bpf,perfmon', json: true })).toBe(0);
    // socket filters load unprivileged; tc needs CAP_NET_ADMIN
    expect(verifyCommand(bufferIo(), f, { progType: 'socket', caps: 'none', json: true })).toBe(0);
    expect(verifyCommand(bufferIo(), f, { progType: 'tc', caps: 'bpf', json: true })).toBe(1);
  });

  it('verifies every program of the fixture objects it selects', () => {
    for (const [obj, prog] of [['xdp', 'xdp_pass'], ['tc_maps', 'count_marks'], ['special_maps', 'spin_lock_ops'], ['control', 'loop_ops']]) {
      const io = bufferIo();
      const code = verifyCommand(io, `test/fixtures/${obj}.bpf.o`, { program: prog, json: true, logLevel: 0 });
      expect(lastJson(io.stdout).verdict, `${obj}/${prog}`).toBe('accepted');
      expect(code).toBe(0);
    }
  });

  it('usage errors throw UsageError (exit 2 through main)', () => {
    expect(() => verifyCommand(bufferIo(), asm('u.s', 'exit\n'), {})).toThrow(UsageError);
    expect(() => verifyCommand(bufferIo(), asm('u.s', 'exit\n'), { progType: 'socket', logLevel: '3' })).toThrow(UsageError);
    expect(() => verifyCommand(bufferIo(), asm('u.s', 'exit\n'), { progType: 'nonsense' })).toThrow(UsageError);
  });
});

describe('bpfvm corpus', () => {
  const corpus = sharedPath('verifier-corpus', 'linux-6.1.jsonl');
  const fixups = sharedPath('verifier-corpus', 'fixup-maps-6.1.json');
  if (!corpus || !fixups) {
    it('did not run', () => announceMissing('verifier corpus'));
    return;
  }
  it('prints one JSON line per mode with the issue\'s fields, from a corpus in any folder', () => {
    const lines = readFileSync(corpus, 'utf8').split('\n').filter((l) => l.includes('"tv-6.1/and.c/') || l.includes('"tv-6.1/array_access.c/'));
    const d = mkdtempSync(join(tmpdir(), 'bpfvm-corpus-'));
    writeFileSync(join(d, 'small.jsonl'), lines.join('\n') + '\n');
    copyFileSync(fixups, join(d, 'fixup-maps-6.1.json'));
    const io = bufferIo();
    expect(corpusCommand(io, join(d, 'small.jsonl'), { mode: 'both', json: true })).toBe(0);
    const out = io.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => o.mode)).toEqual(['priv', 'unpriv']);
    for (const o of out) {
      expect(Object.keys(o)).toEqual(['mode', 'total', 'verdictAgree', 'rejected', 'messageAgree', 'lastLineAgree', 'errnoAgree', 'retvalChecked', 'retvalAgree', 'xlatedChecked', 'xlatedAgree', 'tier', 'failures']);
      for (const f of o.failures as Record<string, unknown>[]) expect(Object.keys(f)).toEqual(['id', 'what']);
    }
    expect(out[0]!.total).toBe(lines.length);
    expect(() => corpusCommand(bufferIo(), join(d, 'small.jsonl'), { mode: 'x' })).toThrow(UsageError);
  });
});
