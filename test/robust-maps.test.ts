/**
 * Map sizes as Linux 6.1 answers them: the alloc steps' E2BIG, and ENOMEM from the simulated kernel's
 * memory limit, without allocating (a prog_array of 2^32 - 1 slots used to abort Node).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMap, MapError, type BpfMap, type MapAttr, type SimulatedMapType } from '../kernel-sim/maps/index.js';
import { Kernel, type KernelOptions } from '../kernel-sim/kernel.js';
import { roundUp8 } from '../kernel-sim/maps/codec.js';
import { ERRNO } from '../kernel-sim/maps/errno.js';
import { DEFAULT_MEMORY_LIMIT } from '../kernel-sim/maps/env.js';
import { BpfError, LoadError, UsageError } from '../src/errors.js';
import { loadObject } from '../src/api/collection.js';
import { announceMissing, sharedPath } from './shared.js';

type Attr = Omit<MapAttr, 'type' | 'name'> & { type: SimulatedMapType };

function errnoOf(attr: Attr, opts: KernelOptions = {}): number {
  const k = new Kernel(opts);
  try {
    createMap(k.maps, { name: 'm', ...attr });
    return 0;
  } catch (e) {
    expect(e).toBeInstanceOf(MapError);
    return (e as MapError).errno;
  }
}

const fd = (type: SimulatedMapType, maxEntries: number): Attr => ({ type, keySize: 4, valueSize: 4, maxEntries });

describe('map sizes (alloc steps and the memory limit)', () => {
  it('fd arrays and devmaps of 2^28 .. 2^32 - 1 entries are refused without allocating', () => {
    for (const n of [2 ** 28, 2 ** 30, 2 ** 31, 2 ** 32 - 1]) {
      for (const t of ['prog_array', 'perf_event_array', 'cgroup_array', 'devmap'] as const) {
        expect(errnoOf(fd(t, n))).toBe(-ERRNO.ENOMEM);
      }
      expect(errnoOf(fd('devmap_hash', n))).toBe(n > 2 ** 31 ? -ERRNO.EINVAL : -ERRNO.ENOMEM);
    }
  });

  it('without CAP_PERFMON an array rounded up past u32 is E2BIG (index masking)', () => {
    expect(errnoOf(fd('prog_array', 2 ** 32 - 1), { caps: ['CAP_BPF'] })).toBe(-ERRNO.E2BIG);
    expect(errnoOf(fd('prog_array', 2 ** 31 + 1), { caps: ['CAP_BPF'] })).toBe(-ERRNO.E2BIG);
    expect(errnoOf(fd('prog_array', 2 ** 31), { caps: ['CAP_BPF'] })).toBe(-ERRNO.ENOMEM);
  });

  it('oversized arrays, per-CPU values and queues answer E2BIG or ENOMEM, never a RangeError', () => {
    expect(errnoOf({ type: 'array', keySize: 4, valueSize: 4096, maxEntries: 2 ** 22 })).toBe(-ERRNO.ENOMEM); // 16 GiB
    expect(errnoOf({ type: 'array', keySize: 4, valueSize: 2 ** 31 - 1, maxEntries: 1 })).toBe(-ERRNO.ENOMEM);
    expect(errnoOf({ type: 'array', keySize: 4, valueSize: 2 ** 31, maxEntries: 1 })).toBe(-ERRNO.E2BIG);
    expect(errnoOf({ type: 'percpu_array', keySize: 4, valueSize: 2 ** 31 - 1, maxEntries: 1 })).toBe(-ERRNO.E2BIG);
    expect(errnoOf({ type: 'percpu_hash', keySize: 4, valueSize: 2 ** 31 - 1, maxEntries: 1 })).toBe(-ERRNO.E2BIG);
    expect(errnoOf({ type: 'queue', keySize: 0, valueSize: 4, maxEntries: 2 ** 31 })).toBe(-ERRNO.ENOMEM);
    expect(errnoOf({ type: 'stack', keySize: 0, valueSize: 4, maxEntries: 2 ** 32 - 1 })).toBe(-ERRNO.ENOMEM);
  });

  it('round_up(value_size, 8) does not wrap in int32', () => {
    expect(roundUp8(2 ** 31 - 1)).toBe(2 ** 31);
    expect(roundUp8(2 ** 32 - 1)).toBe(2 ** 32);
    expect(roundUp8(9)).toBe(16);
  });

  it('hash and LRU maps: more than 2^28 buckets is E2BIG; preallocated elements are charged at creation', () => {
    expect(errnoOf({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 2 ** 31 })).toBe(-ERRNO.E2BIG);
    expect(errnoOf({ type: 'lru_hash', keySize: 4, valueSize: 4, maxEntries: 2 ** 28 + 1 })).toBe(-ERRNO.E2BIG);
    // 2^24 preallocated elements of 48 + 8 + 8 bytes do not fit 512 MiB; without preallocation they are not taken yet
    expect(errnoOf({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 2 ** 24 })).toBe(-ERRNO.ENOMEM);
    expect(errnoOf({ type: 'lru_hash', keySize: 4, valueSize: 4, maxEntries: 2 ** 24 })).toBe(-ERRNO.ENOMEM);
    expect(errnoOf({ type: 'hash', keySize: 4, valueSize: 4, maxEntries: 2 ** 24, flags: 1 })).toBe(0);
  });

  it('the limit is configurable; maps share it and give their memory back when freed', () => {
    const k = new Kernel({ memoryLimit: 1 << 20 });
    expect(k.maps.memoryLimit).toBe(1 << 20);
    expect(new Kernel().maps.memoryLimit).toBe(DEFAULT_MEMORY_LIMIT);
    const a = createMap(k.maps, { type: 'array', name: 'a', keySize: 4, valueSize: 8, maxEntries: 100_000 }); // ~800 KB
    expect(k.maps.memoryUsed).toBeGreaterThan(800_000);
    expect(() => createMap(k.maps, { type: 'array', name: 'b', keySize: 4, valueSize: 8, maxEntries: 100_000 }))
      .toThrow(expect.objectContaining({ errno: -ERRNO.ENOMEM }));
    a.free();
    expect(k.maps.memoryUsed).toBe(0);
    expect(() => createMap(k.maps, { type: 'array', name: 'b', keySize: 4, valueSize: 8, maxEntries: 100_000 })).not.toThrow();
  });

  it('a hash map without preallocation takes memory per element: ENOMEM past the limit, back on delete', () => {
    const k = new Kernel({ memoryLimit: 20_000 }); // the buckets take 16 KiB of it
    const m = createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 1000, flags: 1 }) as BpfMap;
    const key = (i: number) => new Uint8Array([i, 0, 0, 0]);
    let added = 0;
    while (m.updateElem(key(added), new Uint8Array(8), 0) === 0) added++;
    expect(added).toBeGreaterThan(10);
    expect(added).toBeLessThan(1000);
    expect(m.updateElem(key(added), new Uint8Array(8), 0)).toBe(-ERRNO.ENOMEM);
    expect(m.deleteElem(key(0))).toBe(0);
    expect(m.updateElem(key(added), new Uint8Array(8), 0)).toBe(0);
  });

  it('the memory limit is validated', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity]) {
      expect(() => new Kernel({ memoryLimit: bad })).toThrow(UsageError);
      expect(() => new Kernel({ memoryLimit: bad })).toThrow(/memoryLimit/);
    }
    expect(() => new Kernel({ nrCpus: 0 })).toThrow(/option nrCpus/);
  });

  it('an ELF map definition of 2^32 - 1 prog_array slots is a LoadError naming the map', () => {
    const path = sharedPath('ebpf-samples', 'linux', 'sockex3_kern.o');
    if (path === undefined) return announceMissing('sockex3_kern.o');
    const bytes = new Uint8Array(readFileSync(path));
    // struct bpf_map_def of jmp_table: PROG_ARRAY, key 4, value 4, max_entries 8
    const def = [3, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0];
    const at = bytes.findIndex((_, i) => def.every((b, j) => bytes[i + j] === b));
    expect(at).toBeGreaterThan(0);
    bytes.set([0xff, 0xff, 0xff, 0xff], at + 12);
    let err: unknown;
    try {
      loadObject(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadError);
    expect(err).toBeInstanceOf(BpfError);
    expect((err as LoadError).message).toMatch(/jmp_table.*ENOMEM/);
    expect(() => loadObject(bytes, { caps: ['CAP_BPF'] })).toThrow(/E2BIG/);
  });

  it('hash values live in shared slabs: a freed slot faults until reclaimed, then comes back zeroed', () => {
    const k = new Kernel();
    const m = createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 16 }) as BpfMap;
    const key = (i: number) => new Uint8Array([i, 0, 0, 0]);
    expect(m.updateElem(key(1), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 0)).toBe(0);
    expect(m.updateElem(key(2), new Uint8Array(8).fill(9), 0)).toBe(0);
    const old = m.lookupElem(key(1))!;
    expect(old.region.size).toBe(8);
    expect(m.deleteElem(key(1))).toBe(0);
    expect(() => k.space.read(old.region.addr(), 8)).toThrow(expect.objectContaining({ kind: 'use-after-free' }));
    m.reclaim();
    expect(m.updateElem(key(3), new Uint8Array(8), 0)).toBe(0);
    const fresh = m.lookupElem(key(3))!;
    expect([...fresh.region.bytes]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...m.lookupElem(key(2))!.region.bytes]).toEqual(new Array(8).fill(9));
    expect(m.getNextKey(null)).toEqual(key(2));
  });
});
