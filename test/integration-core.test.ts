/**
 * The loader's integration with the simulated kernel, end to end from clang objects: CO-RE reads of the
 * current task, `__ksym` variables and kfuncs, kptrs held by map values (released when the value goes
 * away), spin locks as atomic sections for sleepable kfuncs, and released pointers passed to helpers.
 * Kernel truth (Linux 6.1 through ../shared/oracle, batch of test/fixtures/core_task.bpf.o and ksym.bpf.o):
 *   kref_acquire_release accepted, test run retval 150; kref_acquire_leak rejected "Unreleased reference
 *   id=2 alloc_insn=4"; core_task_checks, core_task_pid, ksym_vars accepted; core_missing_field rejected
 *   "failed to resolve CO-RE relocation <byte_off> [10] struct task_struct___future.no_such_field (0:1 @ offset 8)".
 * kf61.o (../shared/oracle/examples/kfunc-6.1/expected.jsonl): kf_kptr_xchg_store retval 3,
 *   kf_kptr_xchg_old_leak rejected "Unreleased reference id=5 alloc_insn=18".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadObject, loadProgram } from '../src/api/collection.js';
import { linkAgainstKernel } from '../src/api/core-link.js';
import { LoadError } from '../src/errors.js';
import { parseObject } from '../src/object/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { defaultRegistry } from '../kernel-sim/kfuncs/index.js';
import { createMap, type HashMap } from '../kernel-sim/maps/index.js';
import { fixture } from './fixtures/paths.js';
import { announceMissing, sharedPath } from './shared.js';

/**
 * Run-time checks alone (`--no-verify`): these programs are ones the 6.1 verifier rejects (a poisoned
 * CO-RE relocation, a leaked reference, a spin lock in a sleepable program).
 */
const NO_VERIFY = { verify: false } as const;

const PKT = Uint8Array.from(Buffer.from('00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002', 'hex'));
const KF61 = sharedPath('oracle', 'examples', 'kfunc-6.1', 'kf61.o');
const kf61 = (): Uint8Array => new Uint8Array(readFileSync(KF61!));

describe('CO-RE against the simulated kernel', () => {
  it('reads of the current task through bpf_get_current_task agree with the pid/comm helpers', () => {
    const col = loadObject(fixture('core_task.bpf.o'));
    expect(col.program('core_task_checks').run()).toMatchObject({ retval: 255, violations: [] });
    expect(col.program('core_task_pid').run().retval).toBe(1234);
    const other = loadObject(fixture('core_task.bpf.o'), { task: { pid: 77, tgid: 70, comm: 'worker' } });
    expect(other.program('core_task_pid').run().retval).toBe(77);
    expect(other.program('core_task_checks').run().retval).toBe(255);
  });

  it('a field the kernel lacks poisons the instruction; reaching it is invalid-insn with libbpf\'s words', () => {
    const r = loadObject(fixture('core_task.bpf.o'), NO_VERIFY).program('core_missing_field').run();
    expect(r.retval).toBeNull();
    expect(r.violations).toEqual([{
      kind: 'invalid-insn', insn: 3,
      message: expect.stringContaining('failed to resolve CO-RE relocation <byte_off> [10] struct task_struct___future.no_such_field (0:1 @ offset 8)'),
    }]);
  });

  it('core.bpf.o: task->parent and ->tgid relocated to the offsets of Linux 6.1\'s task_struct', () => {
    const p = loadObject(fixture('core.bpf.o'), NO_VERIFY).program('read_parent_tgid');
    expect(p.poisoned.size).toBe(0);
    const types = defaultRegistry().types;
    const parent = types.member('struct task_struct', 'parent')!.offset;
    const tgid = types.member('struct task_struct', 'tgid')!.offset;
    // the local struct put them at 8 and 4; 6.1's task_struct (Debian's build) has them far later
    expect(parent).toBeGreaterThan(1000);
    expect(p.insns[0]!.off).toBe(parent);
    expect(p.insns[1]!.off).toBe(tgid);
  });
});

describe('__ksym kfuncs and variables', () => {
  it('acquire/release through a clang object: the kernel\'s retval (a + b = 42 + 108)', () => {
    const col = loadObject(fixture('core_task.bpf.o'));
    expect(col.program('kref_acquire_release').run({ data: PKT })).toMatchObject({ retval: 150, violations: [] });
  });

  it('the leaky twin reports reference-leak at the acquiring instruction (kernel: alloc_insn=4)', () => {
    const r = loadObject(fixture('core_task.bpf.o'), NO_VERIFY).program('kref_acquire_leak').run({ data: PKT });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ kind: 'reference-leak', insn: 4 });
    expect(r.violations[0]!.message).toMatch(/Unreleased reference id=\d+ alloc_insn=4/);
  });

  it('typed per-CPU, untyped kallsyms and weak missing __ksym variables resolve', () => {
    expect(loadObject(fixture('ksym.bpf.o')).program('ksym_vars').run()).toMatchObject({ retval: 7, violations: [] });
  });

  it('a strong __ksym the kernel lacks fails the load naming it, as libbpf does', () => {
    const obj = parseObject(fixture('ksym.bpf.o'));
    const spec = obj.programs.find((p) => p.name === 'ksym_vars')!;
    const k = new Kernel();
    const reg = defaultRegistry();
    const renamed = { ...spec, externs: spec.externs.map((e) => (e.name === 'init_task' ? { ...e, name: 'no_such_task' } : e)) };
    expect(() => linkAgainstKernel(renamed, obj, reg, k.world(reg.types))).toThrow(LoadError);
    expect(() => linkAgainstKernel(renamed, obj, reg, k.world(reg.types))).toThrow(/extern \(ksym\) 'no_such_task'/);
    const kfunc = { ...spec, externs: [{ insn: 0, name: 'bpf_no_such_kfunc', kind: 'kfunc' as const }] };
    expect(() => linkAgainstKernel(kfunc, obj, reg, k.world(reg.types))).toThrow(/'bpf_no_such_kfunc'/);
  });
});

describe('kptrs in map values (kf61.o)', () => {
  if (KF61 === undefined) {
    it('did not run', () => announceMissing('kptrs in map values (kf61.o of the oracle examples)'));
    return;
  }
  it('kf_kptr_xchg_store runs clean with the kernel\'s retval; the map holds the reference', () => {
    const col = loadObject(kf61());
    const world = col.programs.get('kf_kptr_xchg_store')!.kfuncs.world;
    const obj = world.progTestStruct;
    expect(obj.refcount).toBe(1);
    expect(col.program('kf_kptr_xchg_store').run({ data: PKT })).toMatchObject({ retval: 3, violations: [] });
    expect(obj.refcount).toBe(2);
    // again: the old object comes back out and is released, the new one goes in
    expect(col.program('kf_kptr_xchg_store').run({ data: PKT })).toMatchObject({ retval: 3, violations: [] });
    expect(obj.refcount).toBe(2);
  });

  it('kf_kptr_xchg_old_leak leaks the old value at the xchg (kernel: alloc_insn=18)', () => {
    const col = loadObject(kf61(), NO_VERIFY);
    col.program('kf_kptr_xchg_store').run({ data: PKT });
    const r = col.program('kf_kptr_xchg_old_leak').run({ data: PKT });
    expect(r.retval).toBe(4);
    expect(r.violations).toEqual([expect.objectContaining({ kind: 'reference-leak', insn: 18 })]);
  });

  it('overwriting the array element or freeing the map releases the kptr', () => {
    const col = loadObject(kf61());
    const obj = col.programs.get('kf_kptr_xchg_store')!.kfuncs.world.progTestStruct;
    col.program('kf_kptr_xchg_store').run({ data: PKT });
    expect(obj.refcount).toBe(2);
    col.map('kmap').updateSys(new Uint8Array(4), new Uint8Array(8).fill(0xaa));
    expect(obj.refcount).toBe(1);
    const v = col.map('kmap').lookupElem(new Uint8Array(4))!;
    expect(v.region.dv.getBigUint64(v.offset, true)).toBe(0n); // the user's bytes never land in the kptr
    col.program('kf_kptr_xchg_store').run({ data: PKT });
    expect(obj.refcount).toBe(2);
    col.close();
    expect(obj.refcount).toBe(1);
  });

  it('deleting a hash element releases the kptr it holds', () => {
    const col = loadObject(kf61());
    const world = col.programs.get('kf_kptr_xchg_store')!.kfuncs.world;
    const valueType = col.object.maps.find((m) => m.name === 'kmap')!.btfValueType!;
    const hash = createMap(col.kernel.maps, { type: 'hash', name: 'khash', keySize: 4, valueSize: 8, maxEntries: 4, btf: col.object.btf!, btfValueTypeId: valueType }) as HashMap;
    expect(hash.kptrs).toEqual(col.map('kmap').kptrs); // found in the value's BTF at creation
    world.kptrs.install(hash);
    const obj = world.heap.create('prog_test_ref_kfunc', { init: { a: 1 } });
    hash.set(7, 0n);
    const ref = hash.lookupElem(new Uint8Array(new Uint32Array([7]).buffer))!;
    const slot = world.kptrs.slotAt(ref.region.addr(ref.offset))!;
    world.heap.get(obj); // the map's count
    world.kptrs.exchange(slot, obj);
    expect(obj.refcount).toBe(2);
    hash.set(7, 0n); // replacing the element frees the old one
    expect(obj.refcount).toBe(1);
    world.heap.get(obj);
    world.kptrs.exchange(world.kptrs.slotAt(hash.lookupElem(new Uint8Array(new Uint32Array([7]).buffer))!.region.base)!, obj);
    expect(hash.delete(7)).toBe(true);
    expect(obj.refcount).toBe(1);
    world.heap.put(obj);
    expect(obj.freed).toBe(true);
  });
});

describe('helper hooks', () => {
  const lockMap = (k: Kernel) =>
    createMap(k.maps, { type: 'array', name: 'locked', keySize: 4, valueSize: 8, maxEntries: 1, spinLockOff: 0 });
  const SLEEPY = ['bpf_lookup_user_key', 'bpf_key_put'];

  it('a KF_SLEEPABLE kfunc under bpf_spin_lock is sleep-in-atomic; after the unlock it may sleep', () => {
    const k = new Kernel();
    const maps = [lockMap(k)];
    const locked = assemble(`
      r1 = map_value(0) ll
      call bpf_spin_lock#93
      r1 = 0
      r2 = 0
      call kfunc 0
      r0 = 0
      exit`);
    const p = loadProgram(locked, 'lsm', { kernel: k, maps, sleepable: true, kfuncNames: SLEEPY, ...NO_VERIFY });
    expect(p.run().violations).toEqual([expect.objectContaining({ kind: 'sleep-in-atomic', insn: 5 })]);
    const unlocked = assemble(`
      r1 = map_value(0) ll
      call bpf_spin_lock#93
      r1 = map_value(0) ll
      call bpf_spin_unlock#94
      r1 = 0
      r2 = 0
      call kfunc 0
      r0 = 0
      exit`);
    const k2 = new Kernel();
    const q = loadProgram(unlocked, 'lsm', { kernel: k2, maps: [lockMap(k2)], sleepable: true, kfuncNames: SLEEPY, ...NO_VERIFY });
    expect(q.run().violations).toEqual([]);
  });

  it('a released pointer passed to bpf_probe_read_kernel is use-after-release', () => {
    const prog = assemble(`
      *(u64 *)(r10 -8) = 0
      r1 = r10
      r1 += -8
      call kfunc 0
      if r0 == 0 goto out
      r6 = r0
      r1 = r0
      call kfunc 1
      r1 = r10
      r1 += -16
      r2 = 4
      r3 = r6
      call bpf_probe_read_kernel#113
    out:
      r0 = 0
      exit`);
    const p = loadProgram(prog, 'sched_cls', { kfuncNames: ['bpf_kfunc_call_test_acquire', 'bpf_kfunc_call_test_release'] });
    expect(p.run({ data: PKT }).violations).toEqual([expect.objectContaining({ kind: 'use-after-release', insn: 12 })]);
  });
});
