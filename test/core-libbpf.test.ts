/**
 * CO-RE against Linux 6.1's real vmlinux BTF (kernel-sim/data/vmlinux-6.1.btf.gz), compared with libbpf
 * itself: test/core-libbpf/expected-6.1.jsonl.gz is what libbpf 1.1.2 patched, relocation by relocation,
 * in every object of ../shared/realworld and the project's fixtures (run.sh made it: each program loaded
 * alone, as the realworld kernel answers were). Every relocation bpfvm meets must give libbpf's local
 * spec, libbpf's first matching candidate, and libbpf's outcome (the patched value, the poisoning, or the
 * load error in libbpf's words).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Btf } from '../src/btf/index.js';
import { LoadError } from '../src/errors.js';
import { applyCoreRelos, CoreCache } from '../src/object/core.js';
import { parseObject } from '../src/object/index.js';
import { compareWithLibbpf, libbpfExpected, vmlinux61, type LibbpfObject } from './core-libbpf/compare.js';
import { fixture } from './fixtures/paths.js';
import { announceMissing, SHARED, sharedPath } from './shared.js';

const PROJECT = join(import.meta.dirname, '..');
let target: Btf;
let expected: LibbpfObject[];
beforeAll(() => {
  target = vmlinux61();
  expected = libbpfExpected();
});

function parses(file: string): boolean {
  try {
    parseObject(new Uint8Array(readFileSync(file)));
    return true;
  } catch (e) {
    if (e instanceof LoadError) return false;
    throw e;
  }
}

describe('CO-RE resolution agrees with libbpf 1.1.2 against Linux 6.1\'s BTF', () => {
  it('the project\'s fixtures: every relocation', () => {
    const mine = expected.filter((e) => e.object.startsWith('test/'));
    const r = compareWithLibbpf(mine, target, { shared: SHARED, project: PROJECT });
    expect(r.disagreements).toEqual([]);
    expect(r.unreached).toEqual([]);
    expect(r.total).toBeGreaterThan(80);
  });

  it('the project\'s fixtures: libbpf\'s CO-RE log, line for line (candidates, matches, patches, warnings)', () => {
    let programs = 0;
    for (const e of expected.filter((x) => x.log !== undefined)) {
      const obj = parseObject(new Uint8Array(readFileSync(join(PROJECT, e.object))));
      for (const [program, want] of Object.entries(e.log!)) {
        const p = obj.programs.find((x) => x.name === program)!;
        const log = applyCoreRelos(p.name, p.insns, p.coreRelos, obj.btf!, target, { keepGoing: true }).log;
        // libbpf stops at the first relocation it refuses
        const stop = log.findIndex((l) => / failed to (relocate|patch insn #\d+): -\d+$/.test(l));
        expect(stop < 0 ? log : log.slice(0, stop + 1), `${e.object} ${program}`).toEqual(want);
        programs++;
      }
    }
    expect(programs).toBeGreaterThan(15);
  });

  it('../shared/realworld: every relocation of every object bpfvm can read', () => {
    if (sharedPath('realworld', 'objects') === undefined) {
      announceMissing('CO-RE against libbpf on ../shared/realworld');
      return;
    }
    const real = expected.filter((e) => e.object.startsWith('realworld/'));
    const r = compareWithLibbpf(real, target, { shared: SHARED, project: PROJECT });
    expect(r.disagreements).toEqual([]);
    // relocations bpfvm never met are in objects its loader cannot read (bpftool-linked), nowhere else
    for (const u of r.unreached) expect(parses(join(SHARED, u.object)), u.object).toBe(false);
    expect(r.total).toBeGreaterThan(3000);
    expect(r.agree / r.total).toBeGreaterThan(0.99);
  });
});

describe('CO-RE against the real kernel types (core_kernel.bpf.o)', () => {
  const obj = parseObject(fixture('core_kernel.bpf.o'));
  const run = (name: string, opts = {}) => {
    const p = obj.programs.find((x) => x.name === name)!;
    return applyCoreRelos(p.name, p.insns, p.coreRelos, obj.btf!, target, opts);
  };

  it('lists what each relocation resolved to: libbpf\'s numbering, the access path, the target type', () => {
    const r = run('fields');
    expect(r.relos[1]).toMatchObject({
      index: 1, section: 'kprobe/do_exit', func: 'fields', kind: 'FIELD_BYTE_OFFSET', access: '0:3',
      path: 'struct task_struct::real_parent', local: '<byte_off> [5] struct task_struct.real_parent (0:3 @ offset 16)',
      target: { typeId: 192, name: 'struct task_struct', raw: '0:86', path: 'struct task_struct::real_parent' },
      outcome: { kind: 'patched', field: 'off', from: 16n, to: 2432n },
    });
    // through the kernel's anonymous members: sk_buff's dev is in a union in a struct in a union
    expect(r.relos.find((x) => x.path === 'struct sk_buff::dev')!.target!.raw).toBe('0:0:0:2:0');
    expect(r.relos.find((x) => x.path === 'struct task_struct[1]::pid')!.outcome).toMatchObject({ to: 12208n });
    expect(r.relos.find((x) => x.path === 'struct cgroup::ancestors[2]')!.outcome).toMatchObject({ to: 1808n });
  });

  it('a field-existence branch: the old kernel\'s field is poisoned, the new one relocated', () => {
    const r = run('state_either_way');
    const old = r.relos.find((x) => x.path === 'struct task_struct___o::state')!;
    expect(old.outcome.kind).toBe('poisoned');
    expect(r.poisoned.get(old.insn)).toMatch(/^failed to resolve CO-RE relocation <byte_off> \[\d+\] struct task_struct___o.state \(0:0 @ offset 0\)/);
  });

  it('candidates narrowed by one relocation stay narrowed for the next, within a load', () => {
    expect(() => run('ambiguous_type_id')).toThrow('relocation decision ambiguity: success 72204 != success 32164');
    const r = run('pruned_type_id');
    expect(r.relos.map((x) => x.candidates)).toEqual([[32164, 72204], [32164]]);
    // a shared cache (one load of several programs) carries the narrowing across programs too
    const cache = new CoreCache(obj.btf!, target);
    run('pruned_type_id', { cache });
    expect(run('ambiguous_type_id', { cache }).relos[0]!.outcome).toMatchObject({ kind: 'patched', to: 32164n });
  });

  it('keepGoing records a refused relocation instead of throwing', () => {
    const r = run('too_far', { keepGoing: true });
    expect(r.relos[0]!.outcome).toEqual({
      kind: 'error',
      message: "prog 'too_far': relo #14: insn #0 (LDX/ST/STX) value too big: 174176; prog 'too_far': relo #14: failed to patch insn #0: -34",
    });
  });
});
