/**
 * `bpfvm kernel-diff` and `bpfvm fuzz --kernel` (issue 12 §3): the loader jobs bpfvm writes for each input,
 * how answers are compared, the errors when no kernel is there, and — where ../shared/oracle's 6.1 kernel
 * is set up — a small smoke batch against the real kernel (otherwise the suite says it did not run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { agreement, kernelSide } from '../src/cli/commands/kernel-diff.js';
import { lastLogLine, oracleCache, parseKernelTarget } from '../src/cli/kernel/runner.js';
import { programsOf } from '../src/cli/kernel/programs.js';
import { announceNotRun, sharedPath } from './shared.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'bpfvm-kdiff-'));
const cli = (...argv: string[]) => {
  const io = bufferIo();
  const code = main(argv, io);
  const lines = io.stdout.trim().split('\n');
  return { code, stdout: io.stdout, stderr: io.stderr, lines, last: lines[lines.length - 1]! };
};
const ROOT = join(import.meta.dirname, '..');
const FIB = join(ROOT, 'examples', 'fib.s');

/** A folder like `bpfvm fuzz --out` writes: an accepted and a rejected XDP program with their inputs. */
function fuzzDir(): string {
  const d = tmp();
  const input = { progType: 'xdp', kfuncs: [], maps: { 'map_fd(0)': { type: 'array', keySize: 4, valueSize: 64, maxEntries: 4 } }, data: '00'.repeat(64) };
  writeFileSync(join(d, 'ok.s'), 'r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0) ll\ncall 1\nif r0 == 0 goto out\nr0 = *(u32 *)(r0 + 0)\nout:\nr0 = 2\nexit\n');
  writeFileSync(join(d, 'ok.input.json'), JSON.stringify(input));
  writeFileSync(join(d, 'bad.s'), 'r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0) ll\ncall 1\nr0 = *(u32 *)(r0 + 0)\nexit\n');
  writeFileSync(join(d, 'bad.input.json'), JSON.stringify(input));
  return d;
}

describe('kernel-diff: inputs, comparison, errors', () => {
  it('parses --kernel targets', () => {
    expect(parseKernelTarget('qemu:6.1')).toEqual({ kind: 'qemu', slot: '6.1' });
    expect(parseKernelTarget('QEMU:6.12')).toEqual({ kind: 'qemu', slot: '6.12' });
    expect(parseKernelTarget('host')).toEqual({ kind: 'host' });
    expect(() => parseKernelTarget('qemu:5.4')).toThrow(/qemu:6.1, qemu:6.12 or host/);
  });

  it('writes one loader job per program of a fuzz folder, with its type, maps and packet; bpfvm answers each', () => {
    const progs = programsOf(fuzzDir());
    expect(progs.map((p) => p.id)).toEqual(['bad.s', 'ok.s']);
    const ok = progs[1]!;
    expect(ok.job.keys).toContain('type=BPF_PROG_TYPE_XDP');
    expect(ok.job.keys).toContain('maps=array:4:64:4');
    expect(ok.job.keys).toContain(`pkthex=${'00'.repeat(64)}`);
    expect(ok.job.keys.some((k) => /^insns=([0-9a-f]{16})+$/.test(k))).toBe(true);
    expect(ok.bpfvm()).toEqual({ verdict: 'accepted', errno: 0, message: '', retval: 2 });
    const bad = progs[0]!.bpfvm();
    expect(bad.verdict).toBe('rejected');
    expect(bad.errno).toBe(13);
    expect(bad.message).toContain("invalid mem access 'map_value_or_null'");
  });

  it('lists every program of an ELF object as obj.o:prog', () => {
    const progs = programsOf(join(ROOT, 'test', 'fixtures', 'xdp.bpf.o'));
    expect(progs.length).toBeGreaterThan(0);
    for (const p of progs) {
      expect(p.id).toMatch(/^xdp\.bpf\.o:\w+$/);
      expect(p.job.keys[0]).toBe('elf=@FILE@/xdp.bpf.o');
      expect(p.job.files?.[0]?.name).toBe('xdp.bpf.o');
    }
  });

  it('compares the loader\'s answer field by field (BTF ids masked, statistics lines skipped)', () => {
    const k = kernelSide({ verdict: 'rejected', errno: 13, verifier_log: '0: (bf) r0 = r10\ncall bpf_x#1234\nR0 leaks addr as return value\nverification time 5 usec\nprocessed 2 insns (limit 1000000)\n' });
    expect(k).toEqual({ verdict: 'rejected', errno: 13, message: 'R0 leaks addr as return value', retval: null });
    expect(agreement({ ...k }, k)).toEqual({ verdict: true, errno: true, message: true, retval: true });
    expect(agreement({ ...k, message: 'call bpf_x#99' }, { ...k, message: 'call bpf_x#1234' }).message).toBe(true);
    const acc = kernelSide({ verdict: 'accepted', verifier_log: 'processed 2 insns\n', test_run: { ok: true, retval: 42 } });
    expect(acc).toEqual({ verdict: 'accepted', errno: 0, message: '', retval: 42 });
    expect(agreement({ ...acc, retval: 41 }, acc)).toEqual({ verdict: true, errno: true, message: true, retval: false });
    expect(kernelSide({ verdict: 'kfunc_not_found', kfunc: 'bpf_xdp_ct_alloc' }).message).toBe('kfunc bpf_xdp_ct_alloc not found');
    expect(lastLogLine('a\nb\nstack depth 8\n')).toBe('b');
  });

  it('exits 2 with a typed error when no kernel is there, and on usage errors', () => {
    const none = join(tmp(), 'none');
    let r = cli('kernel-diff', FIB, '--kernel', 'qemu:6.1', '--oracle', none, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.last).error).toMatchObject({ kind: 'kernel' });
    expect(r.stderr).toMatch(/no run-batch\.sh there/);
    r = cli('kernel-diff', FIB, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.last).error.kind).toBe('usage');
    for (const bad of [['--kernel', 'qemu:4.19'], ['--kernel', 'qemu:6.1', '--data', 'xyz'], ['--kernel', 'qemu:6.1', '--prog-type', 'nope']]) {
      r = cli('kernel-diff', FIB, ...bad, '--json');
      expect(r.code, bad.join(' ')).toBe(2);
    }
    r = cli('kernel-diff', join(tmp(), 'missing.s'), '--kernel', 'qemu:6.1', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.last).error.kind).toBe('load');
  });
});

const oracle = sharedPath('oracle', 'run-batch.sh');
const ready = oracle !== undefined && existsSync(join(oracleCache(), 'kernels', '6.1', 'vmlinux'))
  && spawnSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' }).status === 0;
describe('kernel-diff against the real 6.1 kernel (smoke batch)', () => {
  if (!ready) {
    it('did not run', () => announceNotRun('kernel-diff smoke batch against the real 6.1 kernel', 'the oracle\'s 6.1 kernel or qemu is not set up (../shared/oracle/setup.sh 6.1)'));
    return;
  }
  it('agrees with Linux 6.1 on a fuzz folder and an assembler program, in one VM', () => {
    const d = fuzzDir();
    const r = cli('kernel-diff', d, '--kernel', 'qemu:6.1', '--json');
    const lines = r.lines.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    for (const l of lines.slice(0, 2)) {
      expect(Object.keys(l)).toEqual(['id', 'bpfvm', 'kernel', 'agree']);
      expect(l.agree).toEqual({ verdict: true, errno: true, message: true, retval: true });
    }
    expect(lines[1].kernel).toEqual({ verdict: 'accepted', errno: 0, message: '', retval: 2 });
    expect(lines[0].kernel.message).toContain("invalid mem access 'map_value_or_null'");
    const s = lines[2];
    expect(s).toMatchObject({ programs: 2, kernel: 'qemu:6.1', allAgree: 2, disagree: 0 });
    expect(s.release).toMatch(/^6\.1\./);
    expect(r.code).toBe(0);
    const fib = cli('kernel-diff', FIB, '--kernel', 'qemu:6.1', '--data', '00'.repeat(16));
    expect(fib.stdout).toContain('all                1/1  100.0%');
    expect(fib.code).toBe(0);
  }, 120_000);

  it('fuzz --kernel sends a fixed-seed campaign to the kernel and counts every program', () => {
    const out = tmp();
    const r = cli('fuzz', '--count', '30', '--seed', '7', '--kernel', 'qemu:6.1', '--out', out, '--json');
    const s = JSON.parse(r.last);
    expect(s.programs).toBe(30);
    expect(s.kernel.target).toBe('qemu:6.1');
    expect(s.kernel.programs).toBe(30);
    const notComparable = Object.values(s.kernel.notComparable as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(s.kernel.comparable + notComparable).toBe(30);
    expect(s.kernel.agree + s.kernel.mismatches).toBe(s.kernel.comparable);
    // each mismatch is a finding saved for kernel-diff to re-check
    if (s.kernel.mismatches > 0) expect(readFileSync(join(out, r.lines.map((l) => JSON.parse(l)).find((l) => l.finding)!.finding.files.replace('{s,input.json,json}', 'json')), 'utf8')).toContain('verdict-mismatch');
  }, 180_000);
});
