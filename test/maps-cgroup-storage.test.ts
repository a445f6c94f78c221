/**
 * cgroup storage maps: alloc checks, no elements for user space (nothing is attached), and the storage a test
 * run gets. Kernel truth (Linux 6.1 through ../shared/oracle, cgroup_skb, test_verifier's cgroup_storage and
 * percpu_cgroup_storage presets, COUNT below): repeat=1 → 1, repeat=2 → 0, per-CPU repeat=2 → 0, repeat=3 → 1
 * (one storage for all repeats of a test run, zeroed at its start).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { AddressSpace } from '../vm/address-space.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap, ERRNO, MapEnv, MapError, type MapAttr } from '../kernel-sim/maps/index.js';

const PKT = Uint8Array.from(Buffer.from('00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002', 'hex'));
/** Counts its runs in the storage's first u64 and returns the count's low bit. */
const COUNT = assemble(`r2 = 0
r1 = map_fd(0) ll
call 81
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
r0 = r1
r0 &= 1
exit`);

type StorageType = 'cgroup_storage' | 'percpu_cgroup_storage';
const make = (type: StorageType, over: Partial<Omit<MapAttr, 'type'>> = {}) =>
  createMap(new MapEnv(new AddressSpace()), { type, name: 'cgs', keySize: 16, valueSize: 64, maxEntries: 0, ...over });

describe('cgroup storage maps', () => {
  it('cgroup_storage_map_alloc: key 16 or 8 bytes, max_entries 0, bounded values', () => {
    for (const type of ['cgroup_storage', 'percpu_cgroup_storage'] as const) {
      expect(make(type).type).toBe(type === 'cgroup_storage' ? 19 : 21);
      expect(make(type, { keySize: 8 }).keySize).toBe(8);
      expect(() => make(type, { keySize: 4 })).toThrow(MapError);
      expect(() => make(type, { maxEntries: 1 })).toThrow(MapError);
      expect(() => make(type, { valueSize: 0 })).toThrow(MapError);
    }
    expect(() => make('percpu_cgroup_storage', { valueSize: 40000 })).toThrow(/E2BIG|exceeds/);
    expect(make('cgroup_storage', { valueSize: 40000 }).valueSize).toBe(40000);
  });

  it('user space finds no storage: nothing is attached to a cgroup', () => {
    const m = make('cgroup_storage');
    const key = new Uint8Array(16);
    expect(m.lookupSys(key)).toBe(-ERRNO.ENOENT);
    expect(m.updateSys(key, new Uint8Array(64))).toBe(-ERRNO.ENOENT);
    expect(m.updateSys(key, new Uint8Array(64), 1 /* BPF_NOEXIST */)).toBe(-ERRNO.EINVAL);
    expect(m.deleteSys(key)).toBe(-ERRNO.EINVAL);
    expect(m.getNextKey(null)).toBe(-ERRNO.ENOENT);
  });

  for (const type of ['cgroup_storage', 'percpu_cgroup_storage'] as const) {
    it(`${type}: one zeroed storage per test run, shared by its repeats`, () => {
      const k = new Kernel();
      const p = loadProgram(COUNT, 'cgroup_skb', { kernel: k, maps: [createMap(k.maps, { type, name: 'cgs', keySize: 16, valueSize: 64, maxEntries: 0 })] });
      expect(p.run({ data: PKT })).toMatchObject({ retval: 1, violations: [] });
      expect(p.run({ data: PKT, repeat: 2 })).toMatchObject({ retval: 0, violations: [] });
      expect(p.run({ data: PKT, repeat: 3 })).toMatchObject({ retval: 1, violations: [] });
      expect(p.run({ data: PKT })).toMatchObject({ retval: 1, violations: [] });
    });
  }
});
