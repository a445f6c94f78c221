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
    expect(JSON.parse(r.last)).toEqual({ r0: '0x37', insns: 75, tier: 'interp', violations: [] });
  });

  it('--tier wasm runs the program compiled to WebAssembly, with the same result; --trace keeps the interpreter', () => {
    expect(JSON.parse(cli('run', fib, '--json', '--tier', 'wasm').last)).toEqual({ r0: '0x37', insns: 75, tier: 'wasm', violations: [] });
    expect(JSON.parse(cli('run', fib, '--json', '--repeat', '100').last).tier).toBe('interp'); // auto: not yet hot
    expect(JSON.parse(cli('run', fib, '--json', '--repeat', '5000').last).tier).toBe('wasm'); // auto: hot after ~2,800 runs of 75 instructions
    expect(JSON.parse(cli('run', fib, '--json', '--tier', 'wasm', '--trace').last).tier).toBe('interp');
    const bad = cli('run', fib, '--tier', 'jit');
    expect(bad.code).toBe(2);
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
    expect(JSON.parse(r.last)).toEqual({ total: 313, passed: 313, failed: [], tier: 'interp' });
    expect(r.code).toBe(0);
  });
  it('names the failing files', () => {
    const d = mkdtempSync(join(tmpdir(), 'bpfvm-conf-'));
    writeFileSync(join(d, 'good.data'), '-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n');
    writeFileSync(join(d, 'bad.data'), '-- asm\nmov %r0, 2\nexit\n-- result\n0x1\n');
    const r = cli('conformance', d, '--json');
    expect(JSON.parse(r.last)).toEqual({ total: 2, passed: 1, failed: ['bad.data'], tier: 'interp' });
    expect(r.code).toBe(1);
  });
});

describe('bpfvm run: kfuncs enforced at run time (raw programs, oracle convention)', () => {
  // Programs of ../shared/oracle/examples/kfunc-6.1 (the real 6.1 kernel: accept → retval 142; the others
  // are rejected by its verifier; run with the verifier skipped, bpfvm catches each at run time).
  const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
  const acquireRelease = '7a0af8ff00000000bfa100000000000007010000f8ffffff852000000000000015000600000000006106000000000000bf010000000000008520000001000000bf6000000000000007000000640000009500000000000000b7000000010000009500000000000000';
  const leak = '7a0af8ff00000000bfa100000000000007010000f8ffffff85200000000000001500020000000000b7000000020000009500000000000000b7000000010000009500000000000000';
  const pkt = '00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002';
  const kf = 'bpf_kfunc_call_test_acquire,bpf_kfunc_call_test_release';
  const ok = file('acq.bin', hex(acquireRelease));
  const leaky = file('leak.bin', hex(leak));

  it('an acquire/release program runs clean with the kernel\'s return value', () => {
    const r = cli('run', ok, '--prog-type', 'tc', '--kfuncs', kf, '--data', pkt, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.last)).toMatchObject({ retval: 142, violations: [] });
  });

  it('a leak is reported at the acquiring instruction, the program still returns', () => {
    const r = cli('run', leaky, '--prog-type', 'sched_cls', '--kfuncs', kf, '--data', pkt, '--json', '--no-verify');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.last);
    expect(j.retval).toBe(2);
    expect(j.violations).toEqual([expect.objectContaining({ kind: 'reference-leak', insn: 3 })]);
    expect(j.violations[0].message).toMatch(/Unreleased reference id=1 alloc_insn=3.*exit at instruction 6/);
  });

  it('the verifier refuses the leak before it runs, as 6.1 does (errno 22, "Unreleased reference")', () => {
    const r = cli('run', leaky, '--prog-type', 'sched_cls', '--kfuncs', kf, '--data', pkt, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.last)).toEqual({ error: { kind: 'verifier', errno: 22, message: expect.stringMatching(/^Unreleased reference id=\d+ alloc_insn=3/) } });
  });

  it('a kfunc not registered for the program type', () => {
    const j = JSON.parse(cli('run', ok, '--prog-type', 'xdp', '--kfuncs', kf, '--data', pkt, '--json', '--no-verify').last);
    expect(j).toMatchObject({ retval: null, r0: null, violations: [{ kind: 'kfunc-not-allowed', insn: 3 }] });
  });

  it('null injection exercises the NULL branch', () => {
    const j = JSON.parse(cli('run', ok, '--prog-type', 'tc', '--kfuncs', kf, '--data', pkt, '--json', '--null-inject', 'always').last);
    expect(j).toMatchObject({ retval: 1, violations: [] });
  });

  it('bad capability names and modes are usage errors', () => {
    expect(cli('run', ok, '--prog-type', 'tc', '--caps', 'bpf,warp', '--data', pkt).code).toBe(2);
    expect(cli('run', ok, '--prog-type', 'tc', '--null-inject', 'sometimes', '--data', pkt).code).toBe(2);
    expect(cli('run', ok, '--prog-type', 'tc', '--kfuncs', 'no_such_kfunc', '--data', pkt).code).toBe(2);
  });

  it('bpfvm kfuncs lists the catalogue', () => {
    const list = JSON.parse(cli('kfuncs', '--json').last) as Array<{ name: string; btfId: number; flags: string[]; progTypes: string[] }>;
    const acq = list.find((k) => k.name === 'bpf_kfunc_call_test_acquire')!;
    expect(acq.flags).toEqual(expect.arrayContaining(['KF_ACQUIRE', 'KF_RET_NULL']));
    expect(list.find((k) => k.name === 'crash_kexec')?.flags).toContain('KF_DESTRUCTIVE');
  });
});

describe('bpfvm verify: BTF line info in the log', () => {
  it('prints each new source line before its instruction, as 6.1\'s verbose_linfo', () => {
    const obj = join(import.meta.dirname, 'fixtures', 'subprog.bpf.o');
    const r = cli('verify', obj, '--program', 'uses_subprogs', '--log-level', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('; return sum_squares(skb->len, 3);\n0: (61) r1 = *(u32 *)(r1 +0)');
    expect(r.stdout).toMatch(/\nprocessed \d+ insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+\n/);
  });
});

describe('run-time errors name the source line', () => {
  it('a violation in an ELF program carries the BTF line of its instruction', () => {
    const obj = join(import.meta.dirname, 'fixtures', 'core_task.bpf.o');
    const j = JSON.parse(cli('run', obj, '--program', 'core_missing_field', '--no-verify', '--json').last);
    expect(j.violations[0]).toMatchObject({ kind: 'invalid-insn', insn: 3, message: expect.stringMatching(/\(; .+\)$/) });
  });
});

describe('legacy packet loads', () => {
  it('SKF_NET_OFF and SKF_LL_OFF read relative to the network and the MAC header', () => {
    const pkt = '00112233445566778899aabb080045000014000000004006000000000000000000000000';
    const net = file('net.s', 'r6 = r1\nr0 = *(u8 *)skb[-1048567]\nexit\n'); // SKF_NET_OFF + 9: the IPv4 protocol
    const ll = file('ll.s', 'r6 = r1\nr0 = *(u16 *)skb[-2097140]\nexit\n'); // SKF_LL_OFF + 12: the EtherType
    const beyond = file('beyond.s', 'r6 = r1\nr0 = 7\nr0 = *(u8 *)skb[-3000000]\nexit\n');
    const run = (f: string, type: string) => JSON.parse(cli('run', f, '--prog-type', type, '--data', pkt, '--json', '--no-verify').last);
    expect(run(net, 'socket').retval).toBe(6);
    expect(run(ll, 'socket').retval).toBe(0x0800);
    expect(run(ll, 'tc').retval).toBe(0x0800);
    expect(run(beyond, 'socket')).toMatchObject({ retval: 0, violations: [] }); // out of range: the program ends with 0
  });
});
