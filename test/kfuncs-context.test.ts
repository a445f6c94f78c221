/**
 * KF_SLEEPABLE against the execution context, null injection modes, the user API (defining and
 * registering a kfunc set with annotated parameters, `__k`), and kptrs with bpf_kptr_xchg / KF_KPTR_GET.
 */
import { describe, expect, test } from 'vitest';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap } from '../kernel-sim/maps/index.js';
import {
  BPF_FUNC_kptr_xchg, defineKfunc, idFlags, KfuncDefinitionError, kfuncSet, linux61Registry, parseNullInject,
} from '../kernel-sim/kfuncs/index.js';
import { run } from './oracle/kfuncs/harness.js';

const FLUSH = `
  call kfunc cgroup_rstat_flush
  r0 = 0
  exit`;

describe('KF_SLEEPABLE', () => {
  const cg = { args: (rt: { argument: (o: never) => bigint; world: { rootCgroup: never } }) => [rt.argument(rt.world.rootCgroup)] };
  test.each([
    ['a sleepable program', { sleepable: true }, null],
    ['a program not loaded sleepable', { sleepable: false }, 'not sleepable'],
    ['inside an RCU read section', { sleepable: true, setup: (rt: { exec: { rcuReadLock(): void } }) => rt.exec.rcuReadLock() }, 'RCU'],
    ['holding a spin lock', { sleepable: true, setup: (rt: { exec: { spinLock(): void } }) => rt.exec.spinLock() }, 'spin lock'],
    ['with preemption disabled', { sleepable: true, setup: (rt: { exec: { preemptDisable(): void } }) => rt.exec.preemptDisable() }, 'preemption'],
  ] as const)('cgroup_rstat_flush in %s', (_, opts, why) => {
    const out = run(FLUSH, { progType: 'TRACING', ...cg, ...(opts as object) } as never);
    if (why === null) {
      expect(out.violations).toEqual([]);
      expect(out.rt.world.rstat.get(out.rt.world.rootCgroup)?.flushes).toBe(1);
    } else {
      expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([['sleep-in-atomic', 0]]);
      expect(out.violations[0]!.message).toContain(why);
    }
  });
});

describe('null injection', () => {
  const PROG = `
    *(u64 *)(r10 -8) = 0
    r1 = r10
    r1 += -8
    call kfunc bpf_kfunc_call_test_acquire
    if r0 == 0 goto null
    r1 = r0
    call kfunc bpf_kfunc_call_test_release
    r0 = 0
    exit
  null:
    r0 = 1
    exit`;
  test('modes parse', () => {
    expect(parseNullInject('off')).toBe('off');
    expect(parseNullInject('always')).toBe('always');
    expect(parseNullInject('random:7')).toEqual({ seed: 7 });
    expect(() => parseNullInject('sometimes')).toThrow(/off, always or random:SEED/);
  });
  test('off never injects; random:SEED is repeatable and takes both paths', () => {
    expect(run(PROG).r0).toBe(0n);
    const outcomes = Array.from({ length: 16 }, (_, seed) => run(PROG, { nullInject: { seed } }).r0);
    expect(new Set(outcomes)).toEqual(new Set([0n, 1n]));
    expect(Array.from({ length: 16 }, (_, seed) => run(PROG, { nullInject: { seed } }).r0)).toEqual(outcomes);
  });
});

describe('a user-defined kfunc set', () => {
  function registry() {
    const r = linux61Registry();
    r.defineType({ kind: 'struct', name: 'counter', members: [['value', 'u64'], ['refs', 'refcount_t']] });
    const created: unknown[] = [];
    const counterNew = defineKfunc('struct counter *counter_new(u64 start)', (c) => {
      const obj = c.world.heap.create('counter', { init: { value: c.scalar(0) } });
      created.push(obj);
      return obj;
    });
    const counterPut = defineKfunc('void counter_put(struct counter *c)', (c) => c.world.heap.put(c.object(0)));
    const counterAdd = defineKfunc('u64 counter_add(struct counter *c, u32 step__k)', (c) => {
      const obj = c.object(0);
      obj.set('value', obj.get('value') + c.scalar(1));
      return obj.get('value');
    });
    const sum = defineKfunc('u64 sum_bytes(void *buf, u32 buf__sz)', (c) => c.mem(0).reduce((a, b) => a + BigInt(b), 0n));
    r.register('TRACING', kfuncSet('my_module', [
      idFlags(counterNew, 'KF_ACQUIRE', 'KF_RET_NULL'), idFlags(counterPut, 'KF_RELEASE'),
      idFlags(counterAdd, 'KF_TRUSTED_ARGS'), idFlags(sum),
    ]));
    return { r, created };
  }

  test('is listed with its BTF id, flags and program types', () => {
    const { r } = registry();
    const info = r.list().find((k) => k.name === 'counter_add')!;
    expect(info).toMatchObject({ flags: ['KF_TRUSTED_ARGS'], progTypes: ['TRACING', 'LSM'], prototype: 'u64 counter_add(struct counter *c, u32 step__k)' });
    expect(r.btf.btf.type(info.btfId)).toMatchObject({ kind: 'FUNC', name: 'counter_add' });
  });

  const LOOP = (step2: number) => `
    r1 = 10
    call kfunc counter_new
    if r0 == 0 goto out
    r6 = r0
    r7 = 0
  again:
    r1 = r6
    r2 = 5
    if r7 == 0 goto call
    r2 = ${step2}
  call:
    call kfunc counter_add
    r7 += 1
    if r7 < 2 goto again
    r8 = r0
    r1 = r6
    call kfunc counter_put
    r0 = r8
  out:
    exit`;

  test('runs, with __k constant at its call site; the object is freed at its last put', () => {
    const { r, created } = registry();
    const out = run(LOOP(5), { progType: 'TRACING', registry: r });
    expect(out.violations).toEqual([]);
    expect(out.r0).toBe(20n);
    expect(created).toHaveLength(1);
    expect((created[0] as { freed: boolean }).freed).toBe(true);
  });

  test('__k that changes at one call site is not a known constant', () => {
    const { r } = registry();
    const out = run(LOOP(6), { progType: 'TRACING', registry: r });
    expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([['helper-error', 9]]);
    expect(out.violations[0]!.message).toContain('known constant');
  });

  test('__sz memory is handed to the implementation', () => {
    const { r } = registry();
    const out = run(`
      r1 = 0x0102030405 ll
      *(u64 *)(r10 -8) = r1
      r1 = r10
      r1 += -8
      r2 = 8
      call kfunc sum_bytes
      exit`, { progType: 'TRACING', registry: r });
    expect(out.violations).toEqual([]);
    expect(out.r0).toBe(15n);
  });

  test.each([
    ['__sz on a pointer', 'void f(void *p__sz)', /scalar parameters only/],
    ['__sz not after a pointer', 'void f(u32 a, u32 n__sz)', /must follow the pointer/],
    ['unknown type', 'void f(struct nope *p)', /neither in the kernel's BTF nor defined/],
    ['six parameters', 'void f(u32 a, u32 b, u32 c, u32 d, u32 e, u32 g)', /6 > 5 args/],
  ])('refuses %s', (_, proto, msg) => {
    const r = linux61Registry();
    expect(() => r.register('TRACING', kfuncSet('m', [idFlags(defineKfunc(proto, () => 0))]))).toThrow(KfuncDefinitionError);
    expect(() => r.register('TRACING', kfuncSet('m', [idFlags(defineKfunc(proto, () => 0))]))).toThrow(msg);
  });

  test('refuses a flag combination the document forbids and a program type without a hook', () => {
    const r = linux61Registry();
    const get = defineKfunc('struct prog_test_ref_kfunc *g(struct prog_test_ref_kfunc **pp)', () => null);
    expect(() => r.register('TRACING', kfuncSet('m', [idFlags(get, 'KF_KPTR_GET')]))).toThrow(/KF_ACQUIRE and KF_RET_NULL/);
    expect(() => r.register('SOCKET_FILTER', kfuncSet('m', []))).toThrow(/no kfunc hook/);
  });
});

describe('kptrs in map values', () => {
  /** An array map of one `struct { struct prog_test_ref_kfunc __kptr_ref *ptr; }` value, declared to the runtime. */
  function kptrMap(kernel: Kernel) {
    const map = createMap(kernel.maps, { type: 'array', name: 'kmap', keySize: 4, valueSize: 8, maxEntries: 1 });
    const slot = map.lookupElem(new Uint8Array(4))!;
    return { map, slot, addr: slot.region.addr(slot.offset) };
  }
  const setup = (kernel: Kernel) => (rt: { world: { kptrs: { declare: (m: object, s: number, f: object[]) => void } } }) => {
    const { map } = kptrMap0.get(kernel)!;
    rt.world.kptrs.declare(map, 8, [{ off: 0, ref: true, btfName: 'prog_test_ref_kfunc' }]);
  };
  const kptrMap0 = new Map<Kernel, ReturnType<typeof kptrMap>>();
  function env() {
    const kernel = new Kernel();
    kptrMap0.set(kernel, kptrMap(kernel));
    return { kernel, ...kptrMap0.get(kernel)!, setup: setup(kernel) };
  }
  const XCHG_IN = `
    r6 = r1
    *(u64 *)(r10 -8) = 0
    r1 = r10
    r1 += -8
    call kfunc bpf_kfunc_call_test_acquire
    if r0 == 0 goto out
    r7 = r0
    r1 = r6
    r2 = r0
    call ${BPF_FUNC_kptr_xchg}`;

  test('xchg moves the reference into the map; the map element going away puts it', () => {
    const e = env();
    const out = run(`${XCHG_IN}
    r0 = 3
  out:
    exit`, { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    expect(out.violations).toEqual([]);
    const p = out.rt.world.progTestStruct;
    expect(p.refcount).toBe(2);
    out.rt.world.kptrs.releaseValue(e.map, e.slot.region, e.slot.offset);
    expect(p.refcount).toBe(1);
  });

  test('the program pointer is dead once the map owns the reference', () => {
    const e = env();
    const out = run(`${XCHG_IN}
    r0 = *(u32 *)(r7 +0)
  out:
    exit`, { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([['use-after-release', 10]]);
  });

  test('the old value comes back as a reference that must be released (leak at the xchg)', () => {
    const e = env();
    const prog = `${XCHG_IN}
    r0 = 3
  out:
    exit`;
    run(prog, { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    const out = run(prog, { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([['reference-leak', 9]]);
  });

  test('KF_KPTR_GET takes a new reference from the slot', () => {
    const e = env();
    run(`${XCHG_IN}
    r0 = 3
  out:
    exit`, { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    const get = `
      r2 = 0
      r3 = 0
      call kfunc bpf_kfunc_call_test_kptr_get
      if r0 == 0 goto out
      r6 = *(u32 *)(r0 +4)
      r1 = r0
      call kfunc bpf_kfunc_call_test_release
      r0 = r6
    out:
      exit`;
    const out = run(get, { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    expect(out.violations).toEqual([]);
    expect(out.r0).toBe(108n);
    const leak = run(get.replace('call kfunc bpf_kfunc_call_test_release', 'r0 = r0'), { kernel: e.kernel, setup: e.setup as never, args: () => [e.addr] });
    expect(leak.violations.map((v) => [v.kind, v.insn])).toEqual([['reference-leak', 2]]);
    const wrong = run(get, { kernel: e.kernel, setup: e.setup as never, args: (rt) => [rt.argument(rt.world.progTestStruct)] });
    expect(wrong.violations.map((v) => v.kind)).toEqual(['helper-error']);
  });
});
