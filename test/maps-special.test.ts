import { describe, expect, it } from 'vitest';
import { AddressSpace, PERM_R, PERM_W } from '../vm/address-space.js';
import {
  BPF_ANY, BPF_EXIST, BPF_F, BPF_F_CURRENT_CPU, BPF_NOEXIST, BPF_RB_AVAIL_DATA, BPF_RB_CONS_POS, BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP, BPF_RB_PROD_POS, BPF_RB_RING_SIZE, BPF_RINGBUF_BUSY_BIT, BPF_RINGBUF_DISCARD_BIT, createMap, ERRNO,
  lpmKey, MapEnv, toBytes, type MapAttr, type SimulatedMapType,
} from '../kernel-sim/maps/index.js';

const { ENOENT, EEXIST, E2BIG, EINVAL, ENOSPC, EAGAIN, EOPNOTSUPP, EBADF, ENOTSUPP } = ERRNO;
const u32 = (n: number) => toBytes('t', 'key', n, 4);

function make<T extends SimulatedMapType>(type: T, over: Partial<MapAttr> = {}, env = new MapEnv(new AddressSpace())) {
  return createMap(env, { type, name: 'm', keySize: 0, valueSize: 4, maxEntries: 3, ...over } as MapAttr & { type: T });
}

describe('queue and stack', () => {
  it('queue is FIFO, stack is LIFO', () => {
    const q = make('queue');
    const s = make('stack');
    for (const v of [1, 2, 3]) { q.push(v); s.push(v); }
    expect([q.pop(), q.pop(), q.pop(), q.pop()]).toEqual([1, 2, 3, undefined]);
    expect([s.pop(), s.pop(), s.pop(), s.pop()]).toEqual([3, 2, 1, undefined]);
  });

  it('full: -E2BIG, or BPF_EXIST drops the oldest', () => {
    for (const [type, after] of [['queue', [2, 3, 4]], ['stack', [4, 3, 2]]] as const) {
      const m = make(type);
      for (const v of [1, 2, 3]) m.push(v);
      expect(m.pushElem(u32(4), BPF_ANY)).toBe(-E2BIG);
      expect(m.pushElem(u32(4), BPF_EXIST)).toBe(0);
      expect([m.pop(), m.pop(), m.pop()]).toEqual(after);
    }
  });

  it('errno paths: flags, empty pop/peek zero the buffer, keyed ops', () => {
    const q = make('queue');
    expect(q.pushElem(u32(1), BPF_NOEXIST)).toBe(-EINVAL);
    expect(q.pushElem(u32(1), 4)).toBe(-EINVAL);
    const out = Uint8Array.of(9, 9, 9, 9);
    expect(q.popElem(out)).toBe(-ENOENT);
    expect(out).toEqual(new Uint8Array(4));
    q.push(7);
    expect(q.peekElem(out)).toBe(0);
    expect(q.peek()).toBe(7);
    expect(q.length).toBe(1);
    expect(q.lookupElem(new Uint8Array(0))).toBeNull();
    expect(q.updateElem(new Uint8Array(0), u32(1), BPF_ANY)).toBe(-EINVAL);
    expect(q.deleteElem(new Uint8Array(0))).toBe(-EINVAL);
    expect(q.getNextKey(null)).toBe(-EINVAL);
    expect(q.updateSys(new Uint8Array(0), u32(8))).toBe(0); // the syscall's update pushes
    expect(q.lookupSys(new Uint8Array(0))).toEqual(u32(7)); // and its lookup peeks
  });
});

describe('bloom filter', () => {
  it('never reports a pushed value absent', () => {
    const b = make('bloom_filter', { maxEntries: 100, valueSize: 8 });
    for (let i = 0n; i < 100n; i++) b.add(i * 7919n);
    for (let i = 0n; i < 100n; i++) expect(b.has(i * 7919n)).toBe(true);
    let falsePositives = 0;
    for (let i = 0n; i < 1000n; i++) if (b.has(i * 7919n + 1n)) falsePositives++;
    expect(falsePositives).toBeLessThan(100);
  });

  it('errno paths', () => {
    const b = make('bloom_filter', { mapExtra: 2 });
    expect(b.nrHashFuncs).toBe(2);
    expect(b.peekElem(u32(1))).toBe(-ENOENT);
    expect(b.pushElem(u32(1), BPF_EXIST)).toBe(-EINVAL);
    expect(b.popElem()).toBe(-EOPNOTSUPP);
    expect(b.deleteElem()).toBe(-EOPNOTSUPP);
    expect(b.getNextKey()).toBe(-EOPNOTSUPP);
    expect(b.lookupElem(u32(1))).toBeNull();
    expect(b.updateElem(u32(1), u32(1), BPF_ANY)).toBe(-EINVAL);
    expect(make('bloom_filter').nrHashFuncs).toBe(5);
  });
});

describe('lpm_trie', () => {
  const ip = (s: string) => s.split('.').map(Number);
  const k = (p: number, s: string) => lpmKey(p, ip(s));
  const lpm = (max = 16) => make('lpm_trie', { keySize: 8, valueSize: 4, maxEntries: max, flags: BPF_F.NO_PREALLOC });

  it('matches the longest prefix (/8 /16 /24 /32)', () => {
    const m = lpm();
    m.set(k(8, '10.0.0.0'), 8);
    m.set(k(16, '10.1.0.0'), 16);
    m.set(k(24, '10.1.2.0'), 24);
    m.set(k(32, '10.1.2.3'), 32);
    const hit = (p: number, s: string) => {
      const r = m.lookupElem(k(p, s));
      return r === null ? null : r.region.dv.getUint32(r.offset, true);
    };
    expect(hit(32, '10.1.2.3')).toBe(32);
    expect(hit(32, '10.1.2.4')).toBe(24);
    expect(hit(32, '10.1.3.1')).toBe(16);
    expect(hit(32, '10.2.0.0')).toBe(8);
    expect(hit(32, '11.0.0.0')).toBeNull();
    expect(hit(20, '10.1.2.3')).toBe(16); // the key's own prefix length limits the match
    expect(hit(33, '10.1.2.3')).toBeNull();
    expect(m.get(k(24, '10.1.2.99'))).toBe(24);
  });

  it('bits past the prefix do not tell elements apart', () => {
    const m = lpm();
    m.set(k(16, '10.1.0.0'), 1);
    expect(m.updateElem(k(16, '10.1.7.7'), u32(2), BPF_NOEXIST)).toBe(-EEXIST);
    m.set(k(16, '10.1.7.7'), 2);
    expect(m.keys()).toEqual([k(16, '10.1.7.7')]);
  });

  it('errno paths', () => {
    const m = lpm(2);
    expect(m.updateElem(k(8, '10.0.0.0'), u32(1), BPF_EXIST)).toBe(-ENOENT);
    expect(m.updateElem(k(8, '10.0.0.0'), u32(1), 3)).toBe(-EINVAL);
    expect(m.updateElem(k(33, '10.0.0.0'), u32(1), BPF_ANY)).toBe(-EINVAL);
    m.set(k(8, '10.0.0.0'), 1);
    m.set(k(16, '10.1.0.0'), 1);
    expect(m.updateElem(k(24, '10.1.2.0'), u32(1), BPF_ANY)).toBe(-ENOSPC);
    expect(m.updateElem(k(16, '10.1.0.0'), u32(2), BPF_ANY)).toBe(0);
    expect(m.deleteElem(k(24, '10.1.2.0'))).toBe(-ENOENT);
    expect(m.deleteElem(k(33, '10.1.2.0'))).toBe(-EINVAL);
    expect(m.deleteElem(k(8, '10.0.0.0'))).toBe(0);
    expect(m.lookupElem(k(32, '10.2.0.0'))).toBeNull();
  });

  it('get_next_key walks post-order: more specific first, the 0 branch before the 1 branch', () => {
    const m = lpm();
    for (const [p, s] of [[16, '192.168.0.0'], [24, '192.168.128.0'], [24, '192.168.0.0'], [24, '192.168.1.0'], [8, '10.0.0.0']] as const) {
      m.set(k(p, s), p);
    }
    expect(m.keys()).toEqual([
      k(8, '10.0.0.0'), k(24, '192.168.0.0'), k(24, '192.168.1.0'), k(24, '192.168.128.0'), k(16, '192.168.0.0'),
    ]);
    expect(m.getNextKey(k(24, '1.2.3.0'))).toEqual(k(8, '10.0.0.0'));
  });
});

describe('ringbuf', () => {
  const ring = (env?: MapEnv) => make('ringbuf', { valueSize: 0, maxEntries: 4096 }, env);

  it('reserve/submit/discard with headers, sizes rounded to 8, host consumption in order', () => {
    const env = new MapEnv(new AddressSpace());
    const rb = ring(env);
    const a = rb.reserve(5, 0n)!;
    expect(a.region.size).toBe(5);
    expect(rb.data.subarray(0, 4)).toEqual(toBytes('t', 'value', (5 | BPF_RINGBUF_BUSY_BIT) >>> 0, 4));
    env.space.writeBytes(a.region.addr(), Uint8Array.of(1, 2, 3, 4, 5));
    const b = rb.reserve(3, 0n)!;
    expect(rb.query(BigInt(BPF_RB_PROD_POS))).toBe(32n); // 8 + 8 header+data, then 8 + 8
    expect(rb.submit(b.region, 0n)).toBe(0);
    expect(rb.consume()).toEqual([]); // the first record is still busy
    expect(rb.discard(a.region, 0n)).toBe(0);
    expect(new DataView(rb.data.buffer).getUint32(0, true)).toBe((5 | BPF_RINGBUF_DISCARD_BIT) >>> 0);
    expect(rb.consume()).toEqual([new Uint8Array(3)]);
    expect(rb.query(BigInt(BPF_RB_CONS_POS))).toBe(32n);
    expect(rb.query(BigInt(BPF_RB_AVAIL_DATA))).toBe(0n);
    expect(rb.query(BigInt(BPF_RB_RING_SIZE))).toBe(4096n);
    expect(rb.query(99n)).toBe(0n);
    expect(() => env.space.read(a.region.addr(), 1)).toThrow(expect.objectContaining({ kind: 'use-after-release' }));
    expect(rb.submit(a.region, 0n)).toBe(-EINVAL);
  });

  it('full: NULL from reserve, -EAGAIN from output; records wrap around', () => {
    const rb = ring();
    expect(rb.reserve(8, 1n)).toBeNull();
    expect(rb.reserve(4096, 0n)).toBeNull();
    expect(rb.output(new Uint8Array(8), 4n)).toBe(-EINVAL);
    let n = 0;
    while (rb.output(Uint8Array.of(n & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0n) === 0) n++;
    expect(n).toBe(Math.floor(4095 / 32));
    expect(rb.output(new Uint8Array(23), 0n)).toBe(-EAGAIN);
    expect(rb.reserve(23, 0n)).toBeNull();
    expect(rb.consume().map((r) => r[0])).toEqual(Array.from({ length: n }, (_, i) => i));
    for (let i = 0; i < 200; i++) {
      expect(rb.output(Uint8Array.of(i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22), 0n)).toBe(0);
      const [rec] = rb.consume();
      expect(rec![0]).toBe(i);
      expect(rec![22]).toBe(22);
    }
  });

  it('wake-up flags', () => {
    const rb = ring();
    rb.output(new Uint8Array(1), BigInt(BPF_RB_NO_WAKEUP));
    expect(rb.wakeups).toBe(0);
    rb.output(new Uint8Array(1), BigInt(BPF_RB_FORCE_WAKEUP));
    expect(rb.wakeups).toBe(1);
    rb.consume();
    rb.output(new Uint8Array(1), 0n); // the consumer caught up: notify
    expect(rb.wakeups).toBe(2);
    rb.output(new Uint8Array(1), 0n); // not at the consumer position: no notification
    expect(rb.wakeups).toBe(2);
  });

  it('keyed ops are unsupported', () => {
    const rb = ring();
    expect(rb.lookupElem()).toBeNull();
    expect(rb.updateElem()).toBe(-ENOTSUPP);
    expect(rb.deleteElem()).toBe(-ENOTSUPP);
    expect(rb.getNextKey()).toBe(-ENOTSUPP);
  });
});

describe('perf_event_array', () => {
  it('captures output per CPU; errno paths', () => {
    const env = new MapEnv(new AddressSpace(), { nrCpus: 2 });
    const pe = make('perf_event_array', { keySize: 4, maxEntries: 4 }, env);
    expect(pe.output(BPF_F_CURRENT_CPU, Uint8Array.of(1))).toBe(-ENOENT);
    pe.openAll();
    env.cpu = 1;
    expect(pe.output(BPF_F_CURRENT_CPU, Uint8Array.of(1))).toBe(0);
    expect(pe.output(0n, Uint8Array.of(2))).toBe(-EOPNOTSUPP);
    expect(pe.output(4n, Uint8Array.of(2))).toBe(-E2BIG);
    expect(pe.output(1n << 32n, Uint8Array.of(2))).toBe(-EINVAL);
    expect(pe.drain(1)).toEqual([{ cpu: 1, data: Uint8Array.of(1) }]);
    expect(pe.drain(1)).toEqual([]);
    expect(pe.deleteElem(u32(1))).toBe(0);
    expect(pe.deleteElem(u32(1))).toBe(-ENOENT);
    expect(pe.deleteElem(u32(9))).toBe(-E2BIG);
    expect(() => pe.open(0, 5)).toThrow(/CPU 5/);
  });
});

describe('prog_array', () => {
  it('holds program references by id', () => {
    const env = new MapEnv(new AddressSpace());
    const pa = make('prog_array', { keySize: 4, maxEntries: 2 }, env);
    const prog = { name: 'tail' };
    pa.set(1, prog);
    expect(pa.at(1)).toBe(prog);
    expect(pa.get(1)).toBe(prog);
    expect(pa.at(0)).toBeNull();
    expect(pa.lookupElem(u32(1))).toBeNull(); // programs tail-call, they do not look up
    expect(() => pa.set(2, prog)).toThrow(/E2BIG/);
    expect(() => pa.set(0, prog, BPF_NOEXIST)).toThrow(/EINVAL/);
    expect(() => pa.set(0, pa)).toThrow(/EINVAL/);
    expect(pa.updateSys(u32(0), u32(9999))).toBe(-EBADF);
    expect(pa.delete(1)).toBe(true);
    expect(pa.delete(1)).toBe(false);
  });
});

describe('map-in-map', () => {
  const setup = (innerOver: Partial<MapAttr> = {}) => {
    const env = new MapEnv(new AddressSpace());
    const inner = make('array', { name: 'inner', keySize: 4, valueSize: 8, maxEntries: 4, ...innerOver }, env);
    return { env, inner };
  };

  it('array_of_maps: lookups yield the inner map pointer; candidates must match the template', () => {
    const { env, inner } = setup();
    const outer = make('array_of_maps', { keySize: 4, maxEntries: 2, innerMap: inner }, env);
    outer.set(0, inner);
    expect(outer.lookupElem(u32(0))).toEqual({ region: inner.object, offset: 0 });
    expect(outer.lookupElem(u32(1))).toBeNull();
    expect(outer.get(0)).toBe(inner);
    const bigger = make('array', { name: 'bigger', keySize: 4, valueSize: 8, maxEntries: 8 }, env);
    expect(() => outer.set(1, bigger)).toThrow(/EINVAL/);
    const hash = make('hash', { name: 'h', keySize: 4, valueSize: 8, maxEntries: 4 }, env);
    expect(() => outer.set(1, hash)).toThrow(/EINVAL/);
    expect(() => outer.set(1, { not: 'a map' })).toThrow(/EINVAL/);
  });

  it('BPF_F_INNER_MAP lets inner arrays differ in max_entries', () => {
    const { env, inner } = setup({ flags: BPF_F.INNER_MAP });
    const outer = make('array_of_maps', { keySize: 4, maxEntries: 2, innerMap: inner }, env);
    outer.set(1, make('array', { name: 'bigger', keySize: 4, valueSize: 8, maxEntries: 8, flags: BPF_F.INNER_MAP }, env));
    expect(() => outer.set(0, make('array', { name: 'plain', keySize: 4, valueSize: 8, maxEntries: 8 }, env))).toThrow(/EINVAL/);
  });

  it('hash_of_maps: hash flag semantics over inner maps', () => {
    const { env, inner } = setup();
    const outer = make('hash_of_maps', { keySize: 8, maxEntries: 1, innerMap: inner }, env);
    outer.set(5n, inner);
    expect(outer.get(5n)).toBe(inner);
    expect(outer.lookupElem(toBytes('t', 'key', 5n, 8))!.region).toBe(inner.object);
    expect(() => outer.set(5n, inner, BPF_NOEXIST)).toThrow(/EEXIST/);
    expect(() => outer.set(6n, inner)).toThrow(/E2BIG/);
    expect(() => outer.set(6n, inner, BPF_EXIST)).toThrow(/ENOENT/);
    expect(outer.keys()).toEqual([5n]);
    expect(outer.delete(5n)).toBe(true);
    expect(outer.getNextKey(null)).toBe(-ENOENT);
  });

  it.each([
    ['a map-in-map', 'array_of_maps', -EINVAL],
    ['a prog_array', 'prog_array', -ENOTSUPP],
    ['a map with a spin lock', 'locked', -ENOTSUPP],
  ] as const)('refuses %s as a template', (_n, kind, errno) => {
    const { env, inner } = setup();
    const template = kind === 'array_of_maps'
      ? make('array_of_maps', { name: 'mim', keySize: 4, maxEntries: 1, innerMap: inner }, env)
      : kind === 'prog_array'
        ? make('prog_array', { name: 'pa', keySize: 4, maxEntries: 1 }, env)
        : make('array', { name: 'locked', keySize: 4, valueSize: 8, maxEntries: 1, spinLockOff: 0 }, env);
    expect(() => make('hash_of_maps', { keySize: 4, maxEntries: 1, innerMap: template }, env))
      .toThrow(expect.objectContaining({ errno }));
  });

  it('takes a task_storage map as a template, as 6.1 does (its ops have map_meta_equal)', () => {
    const { env } = setup();
    const template = make('task_storage', { name: 'ts', keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F.NO_PREALLOC }, env);
    const outer = make('array_of_maps', { keySize: 4, maxEntries: 2, innerMap: template }, env);
    expect(outer.typeName).toBe('array_of_maps');
  });
});

describe('program-side permissions of map values', () => {
  it('RDONLY_PROG hash values are readable only, WRONLY_PROG writable only', () => {
    const env = new MapEnv(new AddressSpace());
    const ro = make('hash', { keySize: 4, flags: BPF_F.RDONLY_PROG }, env);
    ro.set(1, 1);
    expect(ro.lookupElem(u32(1))!.region.perms).toBe(PERM_R);
    const wo = make('hash', { keySize: 4, flags: BPF_F.WRONLY_PROG }, env);
    wo.set(1, 1);
    expect(wo.lookupElem(u32(1))!.region.perms).toBe(PERM_W);
  });
});
