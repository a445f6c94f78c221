/**
 * `bpfvm inspect --core`: each CO-RE relocation of an object and what it resolves to against the
 * kernel's BTF (the simulated kernel's, or a vmlinux BTF file given with --kernel-btf, raw or gzipped),
 * checked against what libbpf 1.1.2 itself resolved (test/core-libbpf/expected-6.1.jsonl.gz).
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { libbpfExpected } from './core-libbpf/compare.js';

const ROOT = join(import.meta.dirname, '..');
const OBJ = join(ROOT, 'test', 'fixtures', 'core_kernel.bpf.o');
const BTF_GZ = join(ROOT, 'kernel-sim', 'data', 'vmlinux-6.1.btf.gz');

function cli(...args: string[]) {
  const io = bufferIo();
  const code = main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

interface Listed { index: number; func: string; path: string | null; target: { typeId: number; raw: string } | null; result: Record<string, unknown> }

describe('bpfvm inspect --core', () => {
  const libbpf = libbpfExpected().find((e) => e.object === 'test/fixtures/core_kernel.bpf.o')!;

  it('--json: every relocation with libbpf\'s outcome, against a gzipped vmlinux BTF', () => {
    const r = cli('inspect', OBJ, '--core', '--kernel-btf', BTF_GZ, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { kernelBtf: { types: number }; relocations: number; patched: number; poisoned: number; refused: number; programs: { relos: Listed[] }[] };
    expect(j.kernelBtf.types).toBeGreaterThan(100_000);
    const outcomes = libbpf.relos.map((x) => x[6]!);
    expect(j.relocations).toBe(libbpf.relos.length);
    expect(j.poisoned).toBe(outcomes.filter((o) => o === 'poison').length);
    expect(j.refused).toBe(outcomes.filter((o) => o.startsWith('error: ')).length);
    const listed = j.programs.flatMap((p) => p.relos);
    for (const [, index, func, , , , outcome] of libbpf.relos) {
      const l = listed.find((x) => x.func === func && x.index === index)!;
      const [what, , to] = outcome!.split(' ');
      if (what === 'poison') expect(l.result.poisoned).toBeDefined();
      else if (what === 'error:') expect(`error: ${String(l.result.error)}`).toBe(outcome);
      else expect([l.result.patched, String(l.result.to)]).toEqual([what, to]);
    }
  });

  it('text: one line per relocation, with the access path and the target type', () => {
    const r = cli('inspect', OBJ, '--core', '--kernel-btf', BTF_GZ);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^core_kernel\.bpf\.o: \d+ CO-RE relocations against vmlinux-6\.1\.btf\.gz \(\d+ types\): \d+ patched, \d+ poisoned, \d+ refused$/);
    expect(lines).toContain('fields (kprobe/do_exit):');
    expect(lines.find((l) => l.includes('struct task_struct::real_parent (0:3)'))).toMatch(/relo #1 +insn 17 +byte_off +struct task_struct::real_parent \(0:3\) => \[192\] struct task_struct 0:86: off 16 -> 2432$/);
    const ambiguous = lines[lines.indexOf('ambiguous_offset (kprobe/do_exit):') + 1]!;
    expect(ambiguous).toMatch(/^ {2}relo #(\d+) .* struct slot::number \(0:0\) => refused: prog 'ambiguous_offset': relo #\1: field offset ambiguity: 0 != 32; /);
  });

  it('a raw vmlinux BTF file works as well as the gzipped one; without --kernel-btf, the kernel\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfvm-core-'));
    const raw = join(dir, 'vmlinux');
    writeFileSync(raw, gunzipSync(readFileSync(BTF_GZ)));
    const a = cli('inspect', OBJ, '--core', '--kernel-btf', raw, '--json');
    const b = cli('inspect', OBJ, '--core', '--kernel-btf', BTF_GZ, '--json');
    expect(JSON.parse(a.stdout).programs).toEqual(JSON.parse(b.stdout).programs);
    const d = cli('inspect', OBJ, '--core');
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/against the simulated kernel's BTF/);
  });

  it('a file that is not BTF is one line naming it, exit 2', () => {
    const r = cli('inspect', OBJ, '--core', '--kernel-btf', join(ROOT, 'package.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('bpfvm: package.json: not a BTF file: it starts with 7b 0a 20 20, not the BTF magic 9f eb\n');
    const j = cli('inspect', OBJ, '--core', '--kernel-btf', join(ROOT, 'package.json'), '--json');
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { kind: 'load' } });
  });
});
