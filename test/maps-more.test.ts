/**
 * devmap, devmap_hash, cpumap, stack_trace and cgroup_array: 6.1's alloc checks and errno, user-space
 * semantics, and programs using them through the verifier (bpf_redirect_map, lookups, bpf_get_stackid).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { AddressSpace } from '../vm/address-space.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { BPF_EXIST, BPF_NOEXIST, createMap, ERRNO, MapEnv, MapError, type MapAttr, type SimulatedMapType } from '../kernel-sim/maps/index.js';

const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const u32s = (...n: number[]) => new Uint8Array(new Uint32Array(n).buffer);
const PKT = new Uint8Array(64);

function errnoOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof MapError) return e.errno;
    throw e;
  }
  return undefined;
}

function make<T extends SimulatedMapType>(type: T, over: Partial<Omit<MapAttr, 'type'>> = {}, env = new MapEnv(new AddressSpace(), { nrCpus: 2 })) {
  return createMap(env, { type, name: 'm', keySize: 4, valueSize: 4, maxEntries: 4, ...over } as MapAttr & { type: T });
}

describe('devmap and devmap_hash', () => {
  it('dev_map_init_map: u32 keys, 4- or 8-byte values, NUMA/RDONLY/WRONLY flags only (-EINVAL)', () => {
    for (const type of ['devmap', 'devmap_hash'] as const) {
      expect(errnoOf(() => make(type, { valueSize: 6 }))).toBe(-ERRNO.EINVAL);
      expect(errnoOf(() => make(type, { keySize: 8 }))).toBe(-ERRNO.EINVAL);
      expect(errnoOf(() => make(type, { maxEntries: 0 }))).toBe(-ERRNO.EINVAL);
      expect(errnoOf(() => make(type, { flags: 1 /* NO_PREALLOC */ }))).toBe(-ERRNO.EINVAL);
      expect(errnoOf(() => make(type, { valueSize: 8, flags: 1 << 3 }))).toBeUndefined();
    }
    expect(errnoOf(() => make('devmap_hash', { maxEntries: 2 ** 31 + 1 }))).toBe(-ERRNO.EINVAL);
    // the kernel marks the map read-only for programs
    expect(make('devmap').flags & (1 << 7)).not.toBe(0);
  });

  it('devmap slots: the loopback ifindex only, ifindex 0 empties, NOEXIST is -EEXIST', () => {
    const m = make('devmap', { valueSize: 8 });
    expect(m.lookupSys(u32(0))).toBe(-ERRNO.ENOENT);
    expect(m.updateSys(u32(0), u32s(1, 0))).toBe(0);
    expect(m.lookupSys(u32(0))).toEqual(u32s(1, 0));
    expect(m.updateSys(u32(1), u32s(7, 0))).toBe(-ERRNO.EINVAL); // no such device
    expect(m.updateSys(u32(1), u32s(1, 5))).toBe(-ERRNO.EINVAL); // no XDP_DEVMAP program to attach
    expect(m.updateSys(u32(1), u32s(1, 0), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
    expect(m.updateSys(u32(1), u32s(1, 0), BPF_EXIST + 1)).toBe(-ERRNO.EINVAL);
    expect(m.updateSys(u32(4), u32s(1, 0))).toBe(-ERRNO.E2BIG);
    expect(m.updateSys(u32(0), u32s(0, 0))).toBe(0);
    expect(m.lookupSys(u32(0))).toBe(-ERRNO.ENOENT);
    expect(m.deleteSys(u32(2))).toBe(0);
    expect(m.deleteSys(u32(4))).toBe(-ERRNO.EINVAL);
    expect(m.getNextKey(null)).toEqual(u32(0));
  });

  it('devmap_hash: any u32 key up to max_entries entries; absent keys are -ENOENT', () => {
    const m = make('devmap_hash', { maxEntries: 2 });
    expect(m.updateSys(u32(100), u32(1))).toBe(0);
    expect(m.updateSys(u32(100), u32(1), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
    expect(m.updateSys(u32(200), u32(0))).toBe(-ERRNO.EINVAL);
    expect(m.updateSys(u32(200), u32(1))).toBe(0);
    expect(m.updateSys(u32(300), u32(1))).toBe(-ERRNO.E2BIG);
    expect(m.lookupSys(u32(200))).toEqual(u32(1));
    expect(m.getNextKey(null)).toEqual(u32(100));
    expect(m.getNextKey(u32(100))).toEqual(u32(200));
    expect(m.getNextKey(u32(200))).toBe(-ERRNO.ENOENT);
    expect(m.deleteSys(u32(100))).toBe(0);
    expect(m.deleteSys(u32(100))).toBe(-ERRNO.ENOENT);
    expect(m.updateSys(u32(300), u32(1))).toBe(0);
  });
});

describe('cpumap', () => {
  it('cpu_map_alloc: CAP_BPF (-EPERM), sizes and flags (-EINVAL), NR_CPUS (-E2BIG)', () => {
    expect(errnoOf(() => make('cpumap', {}, new MapEnv(new AddressSpace(), { capBpf: false })))).toBe(-ERRNO.EPERM);
    expect(errnoOf(() => make('cpumap', { valueSize: 12 }))).toBe(-ERRNO.EINVAL);
    expect(errnoOf(() => make('cpumap', { flags: 1 << 3 }))).toBe(-ERRNO.EINVAL);
    expect(errnoOf(() => make('cpumap', { maxEntries: 8193 }))).toBe(-ERRNO.E2BIG);
    expect(errnoOf(() => make('cpumap', { valueSize: 8, maxEntries: 8192 }))).toBeUndefined();
  });

  it('entries for CPUs the kernel has; qsize 0 empties, a huge qsize is -EOVERFLOW', () => {
    const m = make('cpumap', { valueSize: 8 });
    expect(m.updateSys(u32(1), u32s(192, 0))).toBe(0);
    expect(m.lookupSys(u32(1))).toEqual(u32s(192, 0));
    expect(m.updateSys(u32(2), u32s(192, 0))).toBe(-ERRNO.ENODEV); // 2 simulated CPUs
    expect(m.updateSys(u32(4), u32s(192, 0))).toBe(-ERRNO.E2BIG);
    expect(m.updateSys(u32(0), u32s(16385, 0))).toBe(-ERRNO.EOVERFLOW);
    expect(m.updateSys(u32(0), u32s(192, 0), BPF_NOEXIST)).toBe(-ERRNO.EEXIST);
    expect(m.updateSys(u32(0), u32s(192, 3))).toBe(-ERRNO.ENOMEM); // no program can be attached
    expect(m.updateSys(u32(1), u32s(0, 0))).toBe(0);
    expect(m.lookupSys(u32(1))).toBe(-ERRNO.ENOENT);
    expect(m.deleteSys(u32(9))).toBe(-ERRNO.EINVAL);
  });
});

describe('stack_trace', () => {
  it('stack_map_alloc: CAP_BPF, flags, 8-byte entries up to perf_event_max_stack, build ids of 32 bytes', () => {
    const st = (over: Partial<Omit<MapAttr, 'type'>>, env?: MapEnv) => errnoOf(() => make('stack_trace', { valueSize: 8 * 127, ...over }, env));
    expect(st({})).toBeUndefined();
    expect(st({}, new MapEnv(new AddressSpace(), { capBpf: false }))).toBe(-ERRNO.EPERM);
    expect(st({ valueSize: 8 * 128 })).toBe(-ERRNO.EINVAL);
    expect(st({ valueSize: 12 })).toBe(-ERRNO.EINVAL);
    expect(st({ valueSize: 0 })).toBe(-ERRNO.EINVAL);
    expect(st({ flags: 1 << 5, valueSize: 32 * 3 })).toBeUndefined();
    expect(st({ flags: 1 << 5, valueSize: 40 })).toBe(-ERRNO.EINVAL);
    expect(st({ flags: 1 })).toBe(-ERRNO.EINVAL);
    expect(st({ maxEntries: 2 ** 31 + 1 })).toBe(-ERRNO.E2BIG);
  });

  it('user space finds no stacks and cannot store one', () => {
    const m = make('stack_trace', { valueSize: 64, maxEntries: 3 });
    expect(m.lookupSys(u32(0))).toBe(-ERRNO.ENOENT);
    expect(m.updateSys(u32(0), new Uint8Array(64))).toBe(-ERRNO.EINVAL);
    expect(m.deleteSys(u32(3))).toBe(-ERRNO.ENOENT);
    expect(m.deleteSys(u32(4))).toBe(-ERRNO.E2BIG);
    expect(m.getNextKey(null)).toBe(-ERRNO.ENOENT);
  });
});

describe('cgroup_array', () => {
  it('fd_array_map_alloc_check: 4-byte values; fds name no cgroup (-EBADF); no syscall lookup (-ENOTSUPP)', () => {
    expect(errnoOf(() => make('cgroup_array', { valueSize: 8 }))).toBe(-ERRNO.EINVAL);
    expect(errnoOf(() => make('cgroup_array', { flags: 1 << 7 }))).toBe(-ERRNO.EINVAL);
    const m = make('cgroup_array');
    expect(m.updateSys(u32(0), u32(m.id))).toBe(-ERRNO.EBADF);
    expect(m.lookupSys(u32(0))).toBe(-ERRNO.ENOTSUPP);
    expect(m.deleteSys(u32(0))).toBe(-ERRNO.ENOENT);
    expect(m.deleteSys(u32(4))).toBe(-ERRNO.E2BIG);
  });
});

describe('programs using them (verified)', () => {
  const REDIRECT = (key: number, flags: number) => `r1 = map_fd(0) ll
r2 = ${key}
r3 = ${flags}
call bpf_redirect_map#51
exit`;

  it('bpf_redirect_map: XDP_REDIRECT for a set slot, the flags action bits for an empty one, XDP_ABORTED for bad flags', () => {
    for (const type of ['devmap', 'devmap_hash', 'cpumap'] as const) {
      const k = new Kernel({ nrCpus: 2 });
      const m = createMap(k.maps, { type, name: 'm', keySize: 4, valueSize: 4, maxEntries: 4 });
      expect(m.updateSys(u32(1), u32(type === 'cpumap' ? 64 : 1))).toBe(0);
      const go = (key: number, flags: number) => loadProgram(assemble(REDIRECT(key, flags)), 'xdp', { kernel: k, maps: [m] }).run({ data: PKT });
      expect(go(1, 0), type).toMatchObject({ retval: 4, violations: [] });
      expect(go(0, 2), type).toMatchObject({ retval: 2, violations: [] });
      expect(go(0, 0), type).toMatchObject({ retval: 0, violations: [] });
      expect(go(1, 1 << 5), type).toMatchObject({ retval: 0, violations: [] });
      expect(go(0, 8 /* BPF_F_BROADCAST */), type).toMatchObject({ retval: type === 'cpumap' ? 0 : 4, violations: [] });
    }
  });

  it('a devmap lookup from XDP reads the stored ifindex; the value is read-only to the program', () => {
    const k = new Kernel();
    const m = createMap(k.maps, { type: 'devmap', name: 'm', keySize: 4, valueSize: 4, maxEntries: 4 });
    m.updateSys(u32(2), u32(1));
    const src = (store: boolean) => `*(u32 *)(r10 - 4) = 2
r1 = map_fd(0) ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
if r0 == 0 goto out
${store ? '*(u32 *)(r0 + 0) = 5\n' : ''}r0 = *(u32 *)(r0 + 0)
r0 += 10
exit
out:
r0 = 0
exit`;
    expect(loadProgram(assemble(src(false)), 'xdp', { kernel: k, maps: [m] }).run({ data: PKT })).toMatchObject({ retval: 11, violations: [] });
    expect(() => loadProgram(assemble(src(true)), 'xdp', { kernel: k, maps: [m] }).run({ data: PKT })).toThrow(/write into map forbidden/);
  });

  it('bpf_get_stackid: -EINVAL for unknown flags, else -EFAULT (no call stack to sample)', () => {
    const k = new Kernel();
    const m = createMap(k.maps, { type: 'stack_trace', name: 's', keySize: 4, valueSize: 8 * 20, maxEntries: 16 });
    const go = (flags: number) => loadProgram(assemble(`r2 = map_fd(0) ll
r3 = ${flags}
call bpf_get_stackid#27
exit`), 'kprobe', { kernel: k, maps: [m] }).run({});
    expect(go(1 << 8)).toMatchObject({ retval: 2 ** 32 - 14 });
    expect(go(1 << 12)).toMatchObject({ retval: 2 ** 32 - 22 });
  });
});
