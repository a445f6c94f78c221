/**
 * The command line's promises (issue 14 §2): one error path (one line on stderr, `{"error":…}` with
 * --json, exit 2 usage/input, 1 rejected), --json exactly one line, options validated naming themselves,
 * a run's results named and decoded, progress bars only on a terminal, completion from the definitions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { buildCli, main } from '../src/cli/main.js';
import { bufferIo } from '../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfvm-cli-promises-'));
const file = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const ICMP = '00112233445566778899aabb0800450000280000000040010000c0a80001c0a80002' + '00'.repeat(12);
const XDP = 'examples/xdp_count.bpf.o';
const SPECIAL = 'test/fixtures/special_maps.bpf.o';

function cli(...argv: string[]) {
  const io = bufferIo();
  const code = main(argv, io);
  const lines = (s: string) => s.split('\n').filter((l) => l !== '');
  return { code, stdout: io.stdout, stderr: io.stderr, out: lines(io.stdout), err: lines(io.stderr) };
}

describe('one error path', () => {
  const fib = 'examples/fib.s';
  it.each([
    [['run', fib, '--prog-type', 'bogus'], /unknown program type 'bogus'; valid names include socket, xdp.*bpfvm run --help/],
    [['verify', fib, '--prog-type', 'bogus'], /--prog-type: unknown program type 'bogus'/],
    [['run', fib, '--prog-type', 'xdp', '--expected-attach-type', 'bogus'], /--expected-attach-type: unknown attach type 'bogus'/],
    [['verify', fib, '--prog-type', 'xdp', '--expected-attach-type', 'bogus'], /--expected-attach-type: unknown attach type 'bogus'/],
    [['run', file('empty.s', '')], /empty\.s: the program has no instructions/],
    [['run', file('blank.s', '\n  \n')], /the program has no instructions/],
    [['run', fib, '--budget', 'x'], /^bpfvm: --budget: expected a positive integer, got 'x'$/],
    [['run', fib, '--time-limit', '-5'], /^bpfvm: --time-limit: expected a positive integer/],
    [['run', fib, '--repeat', '4294967296'], /^bpfvm: --repeat: expected a u32/],
    [['bench', '--max-time', 'soon'], /^bpfvm: --max-time: expected a positive number/],
    [['run', fib, '--bogus'], /^bpfvm: unknown option '--bogus'$/],
    [['run', fib, '--prog-type', 'socket', '--caps', 'bogus'], /^bpfvm: --caps: unknown capability 'bogus'/],
    [['verify', XDP, '--target-prog-type', 'bogus'], /^bpfvm: --target-prog-type: unknown program type 'bogus'/],
    [['run', fib, '--prog-type', 'xdp', '--null-inject', 'foo'], /^bpfvm: --null-inject takes off, always or random:SEED, not 'foo'$/],
    [['disasm', 'nothere.s'], /nothere\.s: no such file/],
  ])('%j: exit 2, one short line on stderr, and {"error"} with --json', (argv, message) => {
    const r = cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
    expect(r.err[0]!.length).toBeLessThan(300);
    expect(r.stdout).toBe('');
    const j = cli(...argv, '--json');
    expect(j.code).toBe(2);
    expect(j.out).toHaveLength(1);
    expect(JSON.parse(j.out[0]!)).toMatchObject({ error: { message: expect.any(String) } });
  });

  it('a rejected program exits 1; a run with no arguments exits 1 with the help', () => {
    const bad = file('bad.s', 'exit\n');
    expect(cli('verify', bad, '--prog-type', 'socket').code).toBe(1);
    const j = cli('run', bad, '--prog-type', 'socket', '--json');
    expect(j.code).toBe(1);
    expect(j.out).toHaveLength(1);
    expect(JSON.parse(j.out[0]!)).toEqual({ error: { kind: 'verifier', errno: 13, message: 'R0 !read_ok' } });
    const none = cli();
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Usage: bpfvm');
  });

  it('the full name lists are in the help, not in the errors', () => {
    const h = cli('run', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('bpf_prog_type_sk_lookup');
    expect(h.stdout).toContain('BPF_CGROUP_GETSOCKOPT');
  });
});

describe('--json is exactly one line on stdout', () => {
  it('verify: the log inside the line, not before it', () => {
    const r = cli('verify', XDP, '--json');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ verdict: 'accepted', errno: 0, processed: 61, log: expect.stringMatching(/^processed 61 insns/) });
  });

  it('run --trace: the trace on stderr', () => {
    const r = cli('run', XDP, '--data', ICMP, '--json', '--trace');
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(JSON.parse(r.out[0]!)).toMatchObject({ retval: 1, retvalName: 'XDP_DROP' });
    expect(r.err[0]).toMatch(/^ {3}0: \(b7\) r0 = 2/);
    const s = cli('run', 'examples/fib.s', '--json', '--trace');
    expect(s.out).toHaveLength(1);
    expect(JSON.parse(s.out[0]!)).toEqual({ r0: '0xcb228', insns: 215, tier: 'interp', violations: [] });
    expect(s.err.length).toBe(215);
  });

  it('disasm and asm have --json', () => {
    const d = cli('disasm', XDP, '--json');
    expect(d.out).toHaveLength(1);
    const dj = JSON.parse(d.out[0]!) as { program: string; insns: { insn: number; text: string; source?: string }[] };
    expect(dj.program).toBe('count_protocols');
    expect(dj.insns[0]).toEqual({ insn: 0, text: '0: (b7) r0 = 2', source: 'int count_protocols(struct xdp_md *ctx)' });
    expect(cli('disasm', XDP).out.filter((l) => !l.startsWith(';'))).toEqual(dj.insns.map((i) => i.text));
    const out = join(dir, 'fib.bin');
    const a = cli('asm', 'examples/fib.s', '-o', out, '--json');
    expect(a.code).toBe(0);
    expect(a.out.map((l) => JSON.parse(l) as unknown)).toEqual([{ output: out, insns: 11, bytes: 88 }]);
    expect(a.stderr).toBe('');
  });
});

describe('a run shows what it left behind', () => {
  it('names the return code for its program type and gives the duration', () => {
    const r = cli('run', XDP, '--data', ICMP);
    expect(r.out).toContain('retval = 1 (XDP_DROP), r0 = 0x1');
    expect(r.out.at(-1)).toBe('41 instructions executed, duration 41 ns (simulated)');
    const tc = cli('run', SPECIAL, '--program', 'perf_output_ops', '--data', '00'.repeat(64), '--json');
    expect(JSON.parse(tc.out[0]!)).toMatchObject({ retval: 1, retvalName: 'TC_ACT_RECLASSIFY', duration: expect.any(Number) });
    const sk = cli('run', file('skpass.s', 'r0 = 1\nexit\n'), '--prog-type', 'sk_skb', '--data', ICMP, '--json');
    expect(JSON.parse(sk.out[0]!)).toMatchObject({ retval: 1, retvalName: 'SK_PASS' });
    // socket filters return a length: no name
    const sock = cli('run', file('len.s', 'r0 = 1\nexit\n'), '--prog-type', 'socket', '--data', ICMP, '--json');
    expect(JSON.parse(sock.out[0]!)).not.toHaveProperty('retvalName');
  });

  it('--dump-maps: every map after the run, decoded by its BTF types', () => {
    const r = cli('run', XDP, '--data', ICMP, '--dump-maps');
    expect(r.out).toEqual(expect.arrayContaining(['map proto_count: 1 entry', '  1 => 1']));
    const j = JSON.parse(cli('run', SPECIAL, '--program', 'spin_lock_ops', '--data', '00'.repeat(64), '--dump-maps', '--json').out[0]!) as { maps: Record<string, unknown> };
    expect(j.maps.counters).toEqual([{ key: 0, value: { lock: { val: 0 }, count: expect.any(Number) } }]);
    expect(j.maps).not.toHaveProperty('.rodata');
  });

  it('ring-buffer and perf records, raw or decoded with --decode', () => {
    const raw = JSON.parse(cli('run', SPECIAL, '--program', 'ringbuf_ops', '--data', '00'.repeat(64), '--json').out[0]!) as { ringbuf: Record<string, string[]> };
    expect(raw.ringbuf.rb).toEqual(['010203000000000000000000', 'cdab0000' + '00'.repeat(12)]);
    const dec = cli('run', SPECIAL, '--program', 'ringbuf_ops', '--data', '00'.repeat(64), '--decode', '__u32');
    expect(dec.out).toEqual(expect.arrayContaining(['ringbuf rb: 197121', 'ringbuf rb: 43981']));
    const perf = JSON.parse(cli('run', SPECIAL, '--program', 'perf_output_ops', '--data', '00'.repeat(64), '--decode', '__u32', '--json').out[0]!) as { perf: unknown };
    expect(perf.perf).toEqual({ events: [{ cpu: 0, data: 0x55667788 }, { cpu: 0, data: 0x55667788 }] });
    const missing = cli('run', SPECIAL, '--program', 'ringbuf_ops', '--data', '00'.repeat(64), '--decode', 'struct event');
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual(["bpfvm: --decode: the object's BTF has no type 'struct event'"]);
  });
});

describe('progress bars', () => {
  function terminal(): { stream: NodeJS.WritableStream; text: () => string } {
    let text = '';
    const w = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }) as Writable & { isTTY: boolean; columns: number };
    w.isTTY = true;
    w.columns = 100;
    return { stream: w, text: () => text };
  }
  const suite = mkdtempSync(join(dir, 'conf-'));
  for (let i = 0; i < 3; i++) writeFileSync(join(suite, `t${i}.data`), `-- asm\nmov %r0, ${i}\nexit\n-- result\n0x${i}\n`);

  it('drawn on the terminal stream, never on stdout, and not with --json', () => {
    const t = terminal();
    const io = bufferIo();
    io.progress = t.stream;
    expect(main(['conformance', suite], io)).toBe(0);
    expect(io.stdout).toBe('3 of 3 passed\n');
    expect(t.text()).toContain('conformance [');
    const tj = terminal();
    const ioj = bufferIo();
    ioj.progress = tj.stream;
    main(['conformance', suite, '--json'], ioj);
    expect(tj.text()).toBe('');
    // without a terminal (bufferIo has no progress stream) nothing is drawn anywhere
    const plain = cli('conformance', suite);
    expect(plain.stdout).toBe('3 of 3 passed\n');
    expect(plain.stderr).toBe('');
  });
});

describe('shell completion', () => {
  const program = buildCli(bufferIo());
  const commands = program.commands as readonly Command[];

  it.each(['bash', 'zsh', 'fish'])('%s: every command and option of the definitions', (shell) => {
    const r = cli('completion', shell);
    expect(r.code).toBe(0);
    for (const c of commands) {
      expect(r.stdout).toContain(c.name());
      for (const o of c.options as readonly Option[]) expect(r.stdout, `${c.name()} ${o.long}`).toContain(shell === 'fish' ? `-l ${o.long!.slice(2)}` : o.long!);
    }
    expect(r.stdout).toContain('kernel llvm mnemonic');
  });

  it('refuses an unknown shell', () => {
    expect(cli('completion', 'tcsh').code).toBe(2);
  });
});
