import { describe, expect, it } from 'vitest';
import { AddressSpace, MemoryFault, PERM_R, PERM_W } from '../vm/address-space.js';
import {
  BPF_ANY, BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_NOEXIST, createMap, ERRNO, MapEnv, MapError, spinLock, spinUnlock, toBytes,
  type MapAttr, type SimulatedMapType,
} from '../kernel-sim/maps/index.js';

const { ENOENT, EEXIST, E2BIG, EINVAL, EPERM } = ERRNO;
const u32 = (n: number) => toBytes('t', 'key', n, 4);
const u64 = (n: bigint) => toBytes('t', 'value', n, 8);

function make<T extends SimulatedMapType>(type: T, over: Partial<MapAttr> = {}, nrCpus = 1) {
  const env = new MapEnv(new AddressSpace(), { nrCpus });
  const map = createMap(env, { type, name: 'counts', keySize: 4, valueSize: 8, maxEntries: 4, ...over } as MapAttr & { type: T });
  return { env, map, space: env.space };
}

describe('array', () => {
  it('is zero-initialised, contiguous, addressable', () => {
    const { map, space } = make('array', { valueSize: 12 });
    const a = map.lookupElem(u32(0))!;
    const b = map.lookupElem(u32(1))!;
    expect(b.region).toBe(a.region);
    expect(b.offset - a.offset).toBe(16); // round_up(12, 8)
    expect(space.read(a.region.addr(a.offset), 8)).toBe(0n);
    space.write(b.region.addr(b.offset), 4, 7n);
    expect(map.get(1)).toEqual(Uint8Array.of(7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    expect(map.lookupElem(u32(4))).toBeNull();
  });

  it.each([
    ['index past the end', 4, BPF_ANY, -E2BIG],
    ['BPF_NOEXIST', 0, BPF_NOEXIST, -EEXIST],
    ['unknown flag', 0, 8, -EINVAL],
    ['BPF_F_LOCK without a lock', 0, BPF_F_LOCK, -EINVAL],
    ['BPF_EXIST', 0, BPF_EXIST, 0],
    ['BPF_ANY', 3, BPF_ANY, 0],
  ])('update: %s', (_n, index, flags, r) => {
    const { map } = make('array');
    expect(map.updateElem(u32(index), u64(5n), flags)).toBe(r);
  });

  it('delete is -EINVAL; get_next_key walks 0..max-1', () => {
    const { map } = make('array');
    expect(map.deleteElem(u32(0))).toBe(-EINVAL);
    expect(map.getNextKey(null)).toEqual(u32(0));
    expect(map.getNextKey(u32(2))).toEqual(u32(3));
    expect(map.getNextKey(u32(3))).toBe(-ENOENT);
    expect(map.getNextKey(u32(99))).toEqual(u32(0));
    expect(map.keys()).toEqual([0, 1, 2, 3]);
  });

  it('host API: bigint values, typed size errors', () => {
    const { map } = make('array');
    map.set(2, 0x1_0000_0000n);
    expect(map.get(2)).toBe(0x1_0000_0000n);
    expect(map.entries()[2]).toEqual([2, 0x1_0000_0000n]);
    expect(() => map.get(new Uint8Array(8))).toThrow('map "counts": key must be 4 bytes, got 8');
    expect(() => map.set(0, new Uint8Array(3))).toThrow('map "counts": value must be 8 bytes, got 3');
    expect(() => map.set(0, 1n, BPF_NOEXIST)).toThrow(MapError);
    expect(() => map.delete(0)).toThrow(/EINVAL/);
  });

  it('BPF_F_RDONLY_PROG / WRONLY_PROG set the program-side permissions; RDONLY / WRONLY the syscall side', () => {
    const ro = make('array', { flags: BPF_F.RDONLY_PROG });
    const ref = ro.map.lookupElem(u32(0))!;
    expect(ref.region.perms).toBe(PERM_R);
    expect(() => ro.space.write(ref.region.addr(ref.offset), 8, 1n)).toThrow(MemoryFault);
    ro.map.set(0, 9n); // user space may still write
    expect(ro.space.read(ref.region.addr(ref.offset), 8)).toBe(9n);
    expect(make('array', { flags: BPF_F.WRONLY_PROG }).map.lookupElem(u32(0))!.region.perms).toBe(PERM_W);
    expect(make('array', { flags: BPF_F.RDONLY }).map.updateSys(u32(0), u64(1n))).toBe(-EPERM);
    expect(make('array', { flags: BPF_F.WRONLY }).map.lookupSys(u32(0))).toBe(-EPERM);
  });
});

describe('percpu_array', () => {
  it('keeps one copy per CPU; programs see their CPU', () => {
    const { env, map, space } = make('percpu_array', { valueSize: 4 }, 3);
    map.set(1, [10, 20, 30]);
    expect(map.get(1)).toEqual([10, 20, 30]);
    env.cpu = 2;
    const ref = map.lookupElem(u32(1))!;
    expect(space.read(ref.region.addr(ref.offset), 4)).toBe(30n);
    expect(map.updateElem(u32(1), toBytes('t', 'value', 33, 4), BPF_ANY)).toBe(0);
    expect(map.get(1)).toEqual([10, 20, 33]);
    expect(map.lookupPercpuElem(u32(1), 0)!.region).not.toBe(ref.region);
    expect(map.lookupPercpuElem(u32(1), 3)).toBeNull();
    expect(map.sysValueSize).toBe(24);
    expect(() => map.set(1, [1, 2])).toThrow('per-CPU value needs 3 values');
    expect(map.updateSys(u32(0), new Uint8Array(24), BPF_F_LOCK)).toBe(-EINVAL);
  });
});

describe('hash', () => {
  it.each([
    ['BPF_NOEXIST on a present key', [[1, BPF_ANY]], 1, BPF_NOEXIST, -EEXIST],
    ['BPF_EXIST on an absent key', [], 1, BPF_EXIST, -ENOENT],
    ['a new key when full', [[1, BPF_ANY], [2, BPF_ANY]], 3, BPF_ANY, -E2BIG],
    ['a present key when full', [[1, BPF_ANY], [2, BPF_ANY]], 2, BPF_EXIST, 0],
    ['unknown flags', [], 1, 3, -EINVAL],
    ['BPF_F_LOCK without a lock', [], 1, BPF_F_LOCK, -EINVAL],
  ] as [string, [number, number][], number, number, number][])('update: %s', (_n, before, key, flags, r) => {
    const { map } = make('hash', { maxEntries: 2 });
    for (const [k, f] of before) expect(map.updateElem(u32(k), u64(1n), f)).toBe(0);
    expect(map.updateElem(u32(key), u64(2n), flags)).toBe(r);
  });

  it('copies values on update; delete and lookup of an absent key', () => {
    const { map, space } = make('hash');
    const v = u64(42n);
    map.updateElem(u32(7), v, BPF_ANY);
    v[0] = 0;
    const ref = map.lookupElem(u32(7))!;
    expect(space.read(ref.region.addr(ref.offset), 8)).toBe(42n);
    expect(ref.region.size).toBe(8);
    expect(map.deleteElem(u32(7))).toBe(0);
    expect(map.deleteElem(u32(7))).toBe(-ENOENT);
    expect(map.lookupElem(u32(7))).toBeNull();
    expect(map.get(7)).toBeUndefined();
    expect(map.delete(7)).toBe(false);
  });

  it('a deleted element\'s address faults as use-after-free until the grace period ends', () => {
    const { map, space } = make('hash');
    map.set(1, 5n);
    const addr = (() => { const r = map.lookupElem(u32(1))!; return r.region.addr(r.offset); })();
    map.delete(1);
    expect(() => space.resolve(addr, 8, PERM_R)).toThrow(expect.objectContaining({ kind: 'use-after-free' }));
    expect(() => space.read(addr, 8)).toThrow(/was deleted/);
    map.reclaim();
    expect(space.regionAt(addr)).toBeUndefined();
  });

  it('replacing an element frees the old value; the old address faults', () => {
    const { map, space } = make('hash');
    map.set(1, 5n);
    const old = map.lookupElem(u32(1))!;
    map.set(1, 6n);
    expect(() => space.read(old.region.addr(), 8)).toThrow(expect.objectContaining({ kind: 'use-after-free' }));
    expect(map.get(1)).toBe(6n);
  });

  it('get_next_key: first for null or absent, in insertion order, -ENOENT at the end', () => {
    const { map } = make('hash');
    expect(map.getNextKey(null)).toBe(-ENOENT);
    for (const k of [5, 3, 9]) map.set(k, 0n);
    expect(map.keys()).toEqual([5, 3, 9]);
    expect(map.getNextKey(u32(3))).toEqual(u32(9));
    expect(map.getNextKey(u32(9))).toBe(-ENOENT);
    expect(map.getNextKey(u32(100))).toEqual(u32(5));
  });

  it('BPF_F_LOCK updates in place and keeps the lock; lookups zero the lock word', () => {
    const { map, space } = make('hash', { valueSize: 16, spinLockOff: 0 });
    const val = (n: number) => { const b = new Uint8Array(16); b[8] = n; return b; };
    expect(map.updateSys(u32(1), val(1), BPF_F_LOCK | BPF_EXIST)).toBe(-ENOENT);
    expect(map.updateSys(u32(1), val(1), BPF_F_LOCK)).toBe(0);
    const ref = map.lookupElem(u32(1))!;
    expect(spinLock(ref.region, ref.offset)).toBe(true);
    expect(spinLock(ref.region, ref.offset)).toBe(false);
    expect(map.updateSys(u32(1), val(2), BPF_F_LOCK | BPF_NOEXIST)).toBe(-EEXIST);
    expect(map.updateSys(u32(1), val(2), BPF_F_LOCK)).toBe(0);
    expect(map.lookupElem(u32(1))!.region).toBe(ref.region);
    expect(space.read(ref.region.addr(8), 1)).toBe(2n);
    expect(space.read(ref.region.addr(0), 4)).toBe(1n); // still held
    expect((map.lookupSys(u32(1), BPF_F_LOCK) as Uint8Array)[0]).toBe(0);
    expect(map.lookupSys(u32(1), BPF_EXIST)).toBe(-EINVAL);
    expect(spinUnlock(ref.region, ref.offset)).toBe(true);
    expect(spinUnlock(ref.region, ref.offset)).toBe(false);
  });
});

describe('percpu_hash', () => {
  it('a program update of a new key sets its CPU and zeroes the others; existing keys update in place', () => {
    const { env, map } = make('percpu_hash', { valueSize: 4 }, 2);
    env.cpu = 1;
    expect(map.updateElem(u32(1), toBytes('t', 'value', 7, 4), BPF_ANY)).toBe(0);
    expect(map.get(1)).toEqual([0, 7]);
    const ref = map.lookupElem(u32(1))!;
    map.set(1, [3, 4]);
    expect(map.lookupElem(u32(1))!.region).toBe(ref.region);
    expect(map.get(1)).toEqual([3, 4]);
    expect(map.lookupPercpuElem(u32(1), 0)!.region.bytes[0]).toBe(3);
    expect(map.updateElem(u32(1), new Uint8Array(4), BPF_F_LOCK)).toBe(-EINVAL);
  });
});

describe('lru_hash', () => {
  // 6.1 evicts every unreferenced element of the inactive list at once (up to 128); see test/maps-lru.test.ts.
  it('evicts instead of failing: all unreferenced elements at once (oracle case lru3_lookup_then_add)', () => {
    const { map } = make('lru_hash', { maxEntries: 3 });
    for (const k of [1, 2, 3]) map.updateElem(u32(k), u64(BigInt(k)), BPF_ANY);
    map.lookupElem(u32(1)); // 1's ref bit: it goes to the active list, 2 and 3 to the inactive one
    expect(map.updateElem(u32(4), u64(4n), BPF_ANY)).toBe(0);
    expect(map.keys().sort()).toEqual([1, 4]); // 6.1: 2 and 3 both evicted
    expect(map.lookupElem(u32(3))).toBeNull();
    map.updateElem(u32(5), u64(5n), BPF_ANY); // a node freed by that shrink: nothing evicted
    expect(map.keys().sort()).toEqual([1, 4, 5]);
  });

  it('an evicted element\'s memory is gone (oracle case lru3_all_ref: ref bits on all protect none)', () => {
    const { map, space } = make('lru_hash', { maxEntries: 3 });
    for (const k of [1, 2, 3]) map.updateElem(u32(k), u64(BigInt(k)), BPF_ANY);
    const one = map.lookupElem(u32(1))!;
    map.lookupElem(u32(2));
    map.lookupElem(u32(3));
    expect(map.updateElem(u32(4), u64(4n), BPF_ANY)).toBe(0);
    expect(map.keys()).toEqual([4]);
    expect(() => space.read(one.region.addr(), 8)).toThrow(/evicted/);
  });

  it('user-space lookups do not set the ref bit (htab_lru_map_lookup_elem_sys; program side: oracle case lru2_lookup_protects)', () => {
    const { map } = make('lru_hash', { maxEntries: 2 });
    map.set(1, 1n);
    map.set(2, 2n);
    map.get(1);
    map.set(3, 3n);
    expect(map.keys()).toEqual([3]);
    const p = make('lru_hash', { maxEntries: 2 }).map;
    p.set(1, 1n);
    p.set(2, 2n);
    p.lookupElem(u32(1));
    p.set(3, 3n);
    expect(p.keys().sort()).toEqual([1, 3]);
  });

  it('a full map takes a node before the flags are checked, as prealloc_lru_pop does (oracle case lru2_noexist_full)', () => {
    const { map } = make('lru_hash', { maxEntries: 2 });
    map.set(1, 1n);
    map.set(2, 2n);
    // Taking the node evicts 1 and 2; 2 is then absent, so BPF_NOEXIST succeeds.
    expect(map.updateElem(u32(2), u64(9n), BPF_NOEXIST)).toBe(0);
    expect(map.keys()).toEqual([2]);
    expect(map.get(2)).toBe(9n);
    expect(map.updateElem(u32(7), u64(9n), BPF_F_LOCK)).toBe(-EINVAL);
  });

  it('lru_percpu_hash: BPF_EXIST on a full map updates in place without evicting', () => {
    const { map } = make('lru_percpu_hash', { maxEntries: 2, valueSize: 4 }, 2);
    map.set(1, [1, 1]);
    map.set(2, [2, 2]);
    map.set(1, [5, 6], BPF_EXIST);
    expect(map.keys()).toEqual([1, 2]);
    expect(map.get(1)).toEqual([5, 6]);
  });
});
