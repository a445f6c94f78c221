import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { bufferIo } from '../src/cli/io.js';
import { sharedPath } from './shared.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfvm-cli-'));
const file = (name: string, text: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cli = (...argv: string[]) => {
  const io = bufferIo();
  const code = main(argv, io);
  const lines = io.stdout.trim().split('\n');
  return { code, stdout: io.stdout, stderr: io.stderr, last: lines[lines.length - 1]! };
};

describe('bpfvm run', () => {
  const fib = file('fib.s', 'r0 = 0\nr1 = 1\nr2 = 10\nl: if r2 == 0 goto d\nr3 = r0\nr3 += r1\nr0 = r1\nr1 = r3\nr2 += -1\ngoto l\nd: exit\n');

  it('prints r0 and the instruction count as JSON', () => {
    const r = cli('run', fib, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.last)).toEqual({ r0: '0x37', insns: 75, violations: [] });
  });

  it('takes input memory as hex (0x prefix and whitespace allowed)', () => {
    const p = file('mem.s', 'r0 = *(u32 *)(r1 + 0)\nr0 += r2\nexit\n');
    expect(JSON.parse(cli('run', p, '--mem', '0x01 00 00 00', '--json').last).r0).toBe('0x5');
    expect(JSON.parse(cli('run', p, '--mem', '0A000000ff', '--json').last).r0).toBe('0xf');
  });

  it('reports a fault as a violation and exits 1', () => {
    const p = file('oob.s', 'r0 = *(u64 *)(r1 + 4)\nexit\n');
    const r = cli('run', p, '--mem', '00', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.last);
    expect(j.r0).toBeNull();
    expect(j.violations).toHaveLength(1);
    expect(j.violations[0]).toMatchObject({ kind: 'out-of-bounds', insn: 0 });
  });

  it('stops a runaway program with a budget violation', () => {
    const p = file('loop.s', 'l: goto l\n');
    const j = JSON.parse(cli('run', p, '--json', '--budget', '500').last);
    expect(j).toMatchObject({ r0: null, insns: 500, violations: [{ kind: 'budget', insn: 0 }] });
  });

  it('traces each instruction with the registers it changed', () => {
    const r = cli('run', fib, '--trace');
    expect(r.stdout).toMatch(/^ {3}0: \(b7\) r0 = 0\n/);
    expect(r.stdout).toMatch(/ {3}2: \(b7\) r2 = 10 +; r2=0xa\n/);
    expect(r.stdout).toMatch(/\(95\) exit/);
  });

  it('runs raw bytecode and conformance .data files', () => {
    const bin = join(dir, 'fib.bin');
    expect(cli('asm', fib, '-o', bin).code).toBe(0);
    expect(readFileSync(bin).length).toBe(11 * 8);
    expect(JSON.parse(cli('run', bin, '--json').last).r0).toBe('0x37');
    const data = file('t.data', '-- asm\nmov %r0, 0\nldxb %r0, [%r1+1]\nexit\n-- mem\n01 02\n-- result\n0x2\n');
    expect(JSON.parse(cli('run', data, '--json').last).r0).toBe('0x2');
  });

  it('input errors exit 2 with one line on stderr and a JSON error', () => {
    const bad = file('bad.s', 'r0 = 1\nr0 +== 2\n');
    const r = cli('run', bad, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.last).error).toMatchObject({ kind: 'assemble', line: 2 });
    const trunc = file('trunc.bin', new Uint8Array(12));
    const t = cli('run', trunc, '--json');
    expect(t.code).toBe(2);
    expect(JSON.parse(t.last).error).toMatchObject({ kind: 'decode', insn: 1 });
    const unk = file('unk.bin', new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0]));
    expect(JSON.parse(cli('run', unk, '--json').last).error).toMatchObject({ kind: 'decode', insn: 0, message: expect.stringContaining('unknown opcode 0xff') });
    expect(cli('run', join(dir, 'missing.s')).code).toBe(2);
    expect(cli('run', fib, '--no-such-flag').code).toBe(2);
    expect(cli('run', fib, '--mem', 'xyz').code).toBe(2);
  });
});

describe('bpfvm disasm', () => {
  const p = file('d.s', 'r1 = 0x1122334455667788 ll\nif r1 > 5 goto +1\ncall 1\nexit\n');
  it('prints the kernel style by default, llvm and mnemonic on request', () => {
    const lines = cli('disasm', p).stdout.split('\n');
    expect(lines[0]).toBe('0: (18) r1 = 0x1122334455667788');
    expect(lines[1]).toBe('2: (25) if r1 > 0x5 goto pc+1');
    expect(lines[2]).toMatch(/^3: \(85\) call \w+#1$/);
    expect(lines[3]).toBe('4: (95) exit');
    expect(cli('disasm', p, '--style', 'mnemonic').stdout).toContain('lddw %r1, 0x1122334455667788');
    expect(cli('disasm', p, '--style', 'llvm').stdout).toContain('18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11');
    expect(cli('disasm', p, '--style', 'nope').code).toBe(2);
  });
});

describe('bpfvm conformance', () => {
  const conf = sharedPath('conformance');
  it('runs the whole suite and prints the summary line', () => {
    if (conf === undefined) return;
    const r = cli('conformance', conf, '--json');
    expect(JSON.parse(r.last)).toEqual({ total: 313, passed: 313, failed: [] });
    expect(r.code).toBe(0);
  });
  it('names the failing files', () => {
    const d = mkdtempSync(join(tmpdir(), 'bpfvm-conf-'));
    writeFileSync(join(d, 'good.data'), '-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n');
    writeFileSync(join(d, 'bad.data'), '-- asm\nmov %r0, 2\nexit\n-- result\n0x1\n');
    const r = cli('conformance', d, '--json');
    expect(JSON.parse(r.last)).toEqual({ total: 2, passed: 1, failed: ['bad.data'] });
    expect(r.code).toBe(1);
  });
});
