/**
 * Run-time enforcement of every kfunc flag and annotation: for each rule, a program that obeys it runs
 * clean and one that breaks it is caught with its violation kind at the right instruction.
 */
import { describe, expect, test } from 'vitest';
import { defaultRegistry } from '../kernel-sim/kfuncs/index.js';
import type { ViolationKind } from '../src/violations.js';
import { run, type RunOptions } from './oracle/kfuncs/harness.js';

const types = defaultRegistry().types;
const off = (struct: string, member: string) => types.member(`struct ${struct}`, member)!.offset;
const NEXT = off('prog_test_ref_kfunc', 'next');

/** r0 = bpf_kfunc_call_test_acquire(&(u64)0) at insns 0..3. */
const ACQ = `
  *(u64 *)(r10 -8) = 0
  r1 = r10
  r1 += -8
  call kfunc bpf_kfunc_call_test_acquire`;

interface Case {
  name: string;
  prog: string;
  opts?: RunOptions;
  /** Clean run with this r0… */
  r0?: bigint;
  /** …or exactly this violation. */
  kind?: ViolationKind;
  insn?: number;
}

const CASES: Case[] = [
  // KF_ACQUIRE / KF_RELEASE
  { name: 'acquire, read a, release: clean, a = 42', r0: 142n, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = *(u32 *)(r0 +0)
    r1 = r0
    call kfunc bpf_kfunc_call_test_release
    r0 = r6
    r0 += 100
    exit
  null:
    r0 = 1
    exit` },
  { name: 'reference still held at exit', kind: 'reference-leak', insn: 3, prog: `${ACQ}
    if r0 == 0 goto null
    r0 = 2
    exit
  null:
    r0 = 1
    exit` },
  { name: 'release twice', kind: 'double-release', insn: 9, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
  null:
    r0 = 0
    exit` },
  { name: 'release a pointer obtained by walking (never acquired)', kind: 'release-unacquired', insn: 7, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = *(u64 *)(r6 +${NEXT})
    call kfunc bpf_kfunc_call_test_release
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
  null:
    r0 = 0
    exit` },
  { name: 'release stack memory', kind: 'release-unacquired', insn: 2, prog: `
    r1 = r10
    r1 += -8
    call kfunc bpf_kfunc_call_int_mem_release
    r0 = 0
    exit` },
  { name: 'release with an offset', kind: 'release-unacquired', insn: 8, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    r1 += 4
    call kfunc bpf_kfunc_call_test_release
  null:
    r0 = 0
    exit` },
  // use after release: loads, stores, kfunc arguments, helper arguments
  { name: 'load after release', kind: 'use-after-release', insn: 8, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
    r0 = *(u32 *)(r6 +0)
    exit
  null:
    r0 = 1
    exit` },
  { name: 'store after release', kind: 'use-after-release', insn: 8, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
    *(u32 *)(r6 +4) = 7
  null:
    r0 = 1
    exit` },
  { name: 'released pointer passed to a kfunc', kind: 'use-after-release', insn: 9, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
    r1 = r6
    call kfunc bpf_kfunc_call_test_ref
  null:
    r0 = 1
    exit` },
  { name: 'a copy of the released pointer is dead too', kind: 'use-after-release', insn: 9, prog: `${ACQ}
    if r0 == 0 goto null
    r7 = r0
    r1 = r0
    call kfunc bpf_kfunc_call_test_release
    r7 += 4
    r0 = *(u32 *)(r7 +0)
  null:
    exit` },
  { name: 'walked pointers stay readable after the reference is released', r0: 108n, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = *(u64 *)(r0 +${NEXT})
    r1 = r0
    call kfunc bpf_kfunc_call_test_release
    r0 = *(u32 *)(r6 +4)
  null:
    exit` },
  // KF_RET_NULL and null injection
  { name: 'null-injected acquire takes the NULL path', r0: 1n, opts: { nullInject: 'always' }, prog: `${ACQ}
    if r0 == 0 goto null
    r1 = r0
    call kfunc bpf_kfunc_call_test_release
    r0 = 0
    exit
  null:
    r0 = 1
    exit` },
  { name: 'null-injected result dereferenced', kind: 'null-dereference', insn: 4, opts: { nullInject: 'always' }, prog: `${ACQ}
    r6 = *(u32 *)(r0 +0)
    r0 = 0
    exit` },
  { name: 'null-injected result released unchecked', kind: 'null-dereference', insn: 5, opts: { nullInject: 'always' }, prog: `${ACQ}
    r1 = r0
    call kfunc bpf_kfunc_call_test_release
    r0 = 0
    exit` },
  // KF_TRUSTED_ARGS
  { name: 'trusted argument: an acquired pointer', r0: 0n, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    call kfunc bpf_kfunc_call_test_ref
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
  null:
    r0 = 0
    exit` },
  { name: 'trusted argument: a callback argument', r0: 0n, opts: { progType: 'TRACING', args: (rt) => [rt.argument(rt.world.progTestStruct)] }, prog: `
    call kfunc bpf_kfunc_call_test_ref
    r0 = 0
    exit` },
  { name: 'trusted argument: a walked pointer', kind: 'untrusted-argument', insn: 7, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = *(u64 *)(r6 +${NEXT})
    call kfunc bpf_kfunc_call_test_ref
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
  null:
    r0 = 0
    exit` },
  { name: 'trusted argument: a modified pointer', kind: 'untrusted-argument', insn: 8, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    r1 += 8
    call kfunc bpf_kfunc_call_test_ref
    r1 = r6
    call kfunc bpf_kfunc_call_test_release
  null:
    r0 = 0
    exit` },
  // KF_DESTRUCTIVE
  { name: 'destructive kfunc with CAP_SYS_BOOT', r0: 0n, prog: `
    call kfunc bpf_kfunc_call_test_destructive
    r0 = 0
    exit` },
  { name: 'destructive kfunc without CAP_SYS_BOOT', kind: 'missing-capability', insn: 1, opts: { caps: ['CAP_BPF', 'CAP_NET_ADMIN'] }, prog: `
    r0 = 0
    call kfunc bpf_kfunc_call_test_destructive
    exit` },
  // registration per program type
  { name: 'kfunc not registered for xdp', kind: 'kfunc-not-allowed', insn: 3, opts: { progType: 'XDP' }, prog: `${ACQ}
    r0 = 0
    exit` },
  // __sz and pointee sizes
  { name: '__sz range inside the buffer', r0: 0n, prog: `
    *(u64 *)(r10 -16) = 0
    *(u64 *)(r10 -8) = 0
    r1 = r10
    r1 += -16
    r2 = 16
    call kfunc bpf_kfunc_call_test_mem_len_pass1
    r0 = 0
    exit` },
  { name: '__sz range past the stack', kind: 'out-of-bounds', insn: 5, prog: `
    *(u64 *)(r10 -16) = 0
    *(u64 *)(r10 -8) = 0
    r1 = r10
    r1 += -16
    r2 = 32
    call kfunc bpf_kfunc_call_test_mem_len_pass1
    r0 = 0
    exit` },
  { name: '__sz negative', kind: 'out-of-bounds', insn: 3, prog: `
    r1 = r10
    r1 += -16
    r2 = -1
    call kfunc bpf_kfunc_call_test_mem_len_pass1
    r0 = 0
    exit` },
  { name: 'pointer to a scalar: its size must be readable', kind: 'out-of-bounds', insn: 3, prog: `
    r1 = r10
    r1 += -4
    r2 = 8
    call kfunc bpf_kfunc_call_test_mem_len_fail2
    r0 = 0
    exit` },
  { name: 'void * without __sz', kind: 'helper-error', insn: 3, prog: `
    r1 = r10
    r1 += -16
    r2 = 16
    call kfunc bpf_kfunc_call_test_mem_len_fail1
    r0 = 0
    exit` },
  { name: 'pointer to a struct that is not all scalars', kind: 'helper-error', insn: 2, prog: `
    r1 = r10
    r1 += -16
    call kfunc bpf_kfunc_call_test_fail1
    r0 = 0
    exit` },
  { name: 'struct nested deeper than 6.1 allows', kind: 'helper-error', insn: 2, prog: `
    r1 = r10
    r1 += -32
    call kfunc bpf_kfunc_call_test_fail2
    r0 = 0
    exit` },
  { name: 'scalar struct of nested anonymous structs', r0: 0n, prog: `
    r1 = r10
    r1 += -16
    call kfunc bpf_kfunc_call_test_pass1
    r0 = 0
    exit` },
  // scalar kfuncs and returned memory
  { name: 'bpf_kfunc_call_test2 adds', r0: 7n, opts: { progType: 'TRACING', args: (rt) => [rt.argument(rt.world.heap.create('sock'))] }, prog: `
    r2 = 3
    r3 = 4
    call kfunc bpf_kfunc_call_test2
    exit` },
  { name: 'rdonly memory from get_rdonly_mem is read-only', kind: 'permission', insn: 9, prog: `${ACQ}
    if r0 == 0 goto null
    r6 = r0
    r1 = r6
    r2 = 8
    call kfunc bpf_kfunc_call_test_get_rdonly_mem
    *(u32 *)(r0 +0) = 1
  null:
    r0 = 0
    exit` },
];

describe('kfunc flags and annotations at run time', () => {
  test.each(CASES)('$name', (c) => {
    const out = run(c.prog, c.opts);
    if (c.kind === undefined) {
      expect(out.violations).toEqual([]);
      expect(out.r0).toBe(c.r0);
    } else {
      expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([[c.kind, c.insn]]);
      expect(out.violations[0]!.message).toMatch(new RegExp(`^instruction ${c.insn}: `));
    }
  });
});
