import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../vm/address-space.js';
import { BPF_F, checkMapCreate, createMap, ERRNO, MapEnv, MapError, MAP_TYPE, type MapAttr, type SimulatedMapType } from '../kernel-sim/maps/index.js';
import { adjustRingbufSize } from '../src/object/btf-maps.js';

/** Any attributes, as a caller may pass them (createMap checks the type at run time). */
const anyAttr = (a: MapAttr) => a as MapAttr & { type: SimulatedMapType };

const env = (opts: ConstructorParameters<typeof MapEnv>[1] = {}) => new MapEnv(new AddressSpace(), opts);
const arr = (over: Partial<MapAttr> = {}): MapAttr => ({ type: 'array', name: 'm', keySize: 4, valueSize: 8, maxEntries: 4, ...over });

/** Expect map_create to fail with `errno`, naming the map. */
function refuses(attr: MapAttr, errno: number, e = env()): MapError {
  let err: unknown;
  try {
    createMap(e, anyAttr(attr));
  } catch (x) {
    err = x;
  }
  expect(err).toBeInstanceOf(MapError);
  const me = err as MapError;
  expect(me.errno).toBe(errno);
  expect(me.kind).toBe('load');
  expect(me.message).toContain(`map "${attr.name}"`);
  return me;
}

describe('map type numbers (6.1 uapi)', () => {
  it.each([
    ['hash', 1], ['array', 2], ['prog_array', 3], ['perf_event_array', 4], ['percpu_hash', 5], ['percpu_array', 6],
    ['lru_hash', 9], ['lru_percpu_hash', 10], ['lpm_trie', 11], ['array_of_maps', 12], ['hash_of_maps', 13],
    ['queue', 22], ['stack', 23], ['ringbuf', 27], ['bloom_filter', 30], ['user_ringbuf', 31],
  ] as const)('%s = %d', (name, n) => expect(MAP_TYPE[name]).toBe(n));
});

const { EINVAL, E2BIG, EPERM, ENOTSUPP, EBADF, EACCES } = ERRNO;
const lpm = { type: 'lpm_trie', keySize: 8, valueSize: 8, maxEntries: 16, flags: BPF_F.NO_PREALLOC } as const;

describe('map_create refusals', () => {
  const cases: [string, Partial<MapAttr>, number][] = [
    ['array: max_entries 0', { maxEntries: 0 }, EINVAL],
    ['array: key_size 8', { keySize: 8 }, EINVAL],
    ['array: value_size 0', { valueSize: 0 }, EINVAL],
    ['array: BPF_F_NO_PREALLOC', { flags: BPF_F.NO_PREALLOC }, EINVAL],
    ['array: RDONLY_PROG|WRONLY_PROG', { flags: BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG }, EINVAL],
    ['array: RDONLY|WRONLY', { flags: BPF_F.RDONLY | BPF_F.WRONLY }, EINVAL],
    ['array: PRESERVE_ELEMS', { flags: BPF_F.PRESERVE_ELEMS }, EINVAL],
    ['array: map_extra', { mapExtra: 3 }, EINVAL],
    ['percpu_array: MMAPABLE', { type: 'percpu_array', flags: BPF_F.MMAPABLE }, EINVAL],
    ['percpu_array: INNER_MAP', { type: 'percpu_array', flags: BPF_F.INNER_MAP }, EINVAL],
    ['percpu_array: value over 32 KiB', { type: 'percpu_array', valueSize: 32 * 1024 + 1 }, E2BIG],
    ['hash: key_size 0', { type: 'hash', keySize: 0 }, EINVAL],
    ['hash: value_size 0', { type: 'hash', valueSize: 0 }, EINVAL],
    ['hash: max_entries 0', { type: 'hash', maxEntries: 0 }, EINVAL],
    ['hash: MMAPABLE', { type: 'hash', flags: BPF_F.MMAPABLE }, EINVAL],
    ['hash: NO_COMMON_LRU', { type: 'hash', flags: BPF_F.NO_COMMON_LRU }, EINVAL],
    ['hash: huge key', { type: 'hash', keySize: 4 << 20 }, E2BIG],
    ['hash: max_entries over 2^31', { type: 'hash', maxEntries: 2 ** 31 + 1 }, E2BIG],
    ['lru_hash: NO_PREALLOC', { type: 'lru_hash', flags: BPF_F.NO_PREALLOC }, ENOTSUPP],
    ['percpu_hash: value over 32 KiB', { type: 'percpu_hash', valueSize: 40000 }, E2BIG],
    ['prog_array: value_size 8', { type: 'prog_array', valueSize: 8 }, EINVAL],
    ['prog_array: RDONLY_PROG', { type: 'prog_array', valueSize: 4, flags: BPF_F.RDONLY_PROG }, EINVAL],
    ['perf_event_array: key_size 8', { type: 'perf_event_array', keySize: 8, valueSize: 4 }, EINVAL],
    ['queue: key_size 4', { type: 'queue', keySize: 4 }, EINVAL],
    ['stack: NO_PREALLOC', { type: 'stack', keySize: 0, flags: BPF_F.NO_PREALLOC }, EINVAL],
    ['queue: value_size 0', { type: 'queue', keySize: 0, valueSize: 0 }, EINVAL],
    ['lpm_trie: without NO_PREALLOC', { ...lpm, flags: 0 }, EINVAL],
    ['lpm_trie: key_size 4', { ...lpm, keySize: 4 }, EINVAL],
    ['lpm_trie: key_size 261', { ...lpm, keySize: 261 }, EINVAL],
    ['lpm_trie: value_size 0', { ...lpm, valueSize: 0 }, EINVAL],
    ['bloom_filter: key_size 4', { type: 'bloom_filter', keySize: 4 }, EINVAL],
    ['bloom_filter: map_extra 16', { type: 'bloom_filter', keySize: 0, mapExtra: 16 }, EINVAL],
    ['ringbuf: not a power of 2', { type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 12288 }, EINVAL],
    ['ringbuf: not page aligned', { type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 1024 }, EINVAL],
    ['ringbuf: value_size', { type: 'ringbuf', keySize: 0, valueSize: 4, maxEntries: 4096 }, EINVAL],
    ['ringbuf: RDONLY_PROG', { type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096, flags: BPF_F.RDONLY_PROG }, EINVAL],
    ['array_of_maps: no template', { type: 'array_of_maps', valueSize: 4 }, EBADF],
    ['name too long', { name: 'a_very_long_map_name' }, EINVAL],
    ['name with a dash', { name: 'my-map' }, EINVAL],
    ['spin lock: RDONLY_PROG', { flags: BPF_F.RDONLY_PROG, spinLockOff: 0 }, EACCES],
    ['spin lock: percpu_array', { type: 'percpu_array', spinLockOff: 0 }, ENOTSUPP],
    ['spin lock: past the value', { spinLockOff: 8 }, EINVAL],
    ['spin lock: misaligned', { spinLockOff: 2 }, EINVAL],
    ['not simulated: sockmap', { type: 'sockmap' as never }, EINVAL],
  ];
  it.each(cases)('%s', (_n, over, errno) => {
    refuses(arr(over), -errno);
  });

  it('names the problem', () => {
    expect(refuses(arr({ name: 'counts', keySize: 8 }), -EINVAL).message).toBe('map "counts": key_size must be 4, got 8 (EINVAL)');
    expect(refuses(arr({ flags: BPF_F.NO_PREALLOC }), -EINVAL).message).toContain('BPF_F_NO_PREALLOC');
  });

  it.each([
    ['lru_hash', { type: 'lru_hash' }],
    ['queue', { type: 'queue', keySize: 0 }],
    ['lpm_trie', lpm],
    ['bloom_filter', { type: 'bloom_filter', keySize: 0 }],
  ] as [string, Partial<MapAttr>][])('%s needs CAP_BPF', (_n, over) => {
    refuses(arr(over), -EPERM, env({ capBpf: false }));
  });

  it('BPF_F_ZERO_SEED needs CAP_SYS_ADMIN', () => {
    refuses(arr({ type: 'hash', flags: BPF_F.ZERO_SEED }), -EPERM, env({ capSysAdmin: false }));
  });
});

describe('map_create acceptances', () => {
  it.each([
    ['array mmapable', arr({ flags: BPF_F.MMAPABLE })],
    ['array rdonly_prog', arr({ flags: BPF_F.RDONLY_PROG })],
    ['array inner_map', arr({ flags: BPF_F.INNER_MAP })],
    ['hash no_prealloc', arr({ type: 'hash', flags: BPF_F.NO_PREALLOC })],
    ['lru common off', arr({ type: 'lru_hash', flags: BPF_F.NO_COMMON_LRU })],
    ['perf_event_array preserve', arr({ type: 'perf_event_array', valueSize: 4, flags: BPF_F.PRESERVE_ELEMS })],
    ['bloom 3 hashes', arr({ type: 'bloom_filter', keySize: 0, mapExtra: 3 })],
    ['ringbuf 4 KiB', arr({ type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 })],
    ['hash with spin lock', arr({ type: 'hash', valueSize: 16, spinLockOff: 8 })],
  ])('%s', (_n, attr) => {
    const m = createMap(env(), anyAttr(attr));
    expect(m.keySize).toBe(attr.keySize);
    expect(m.flags).toBe(attr.flags ?? 0);
  });

  it('exposes the definition as plain readonly data and a map pointer', () => {
    const e = env();
    const m = createMap(e, anyAttr(arr({ name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 10 })));
    expect({ type: m.type, typeName: m.typeName, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries })
      .toEqual({ type: 1, typeName: 'hash', keySize: 4, valueSize: 8, maxEntries: 10 });
    expect(e.space.regionAt(m.object.addr())?.owner).toBe(m);
  });
});

describe('map_create checks of the types the simulation cannot make (6.1 alloc checks)', () => {
  const check = (attr: MapAttr, e = env()): number => {
    try {
      checkMapCreate(e, attr);
      return 0;
    } catch (x) {
      expect(x).toBeInstanceOf(MapError);
      return (x as MapError).errno;
    }
  };
  it.each([
    ['sockmap', { type: 'sockmap', keySize: 4, valueSize: 8, maxEntries: 2 }, 0],
    ['sockmap: key_size', { type: 'sockmap', keySize: 8, valueSize: 8, maxEntries: 2 }, -EINVAL],
    ['sockmap: max_entries 0', { type: 'sockmap', keySize: 4, valueSize: 4, maxEntries: 0 }, -EINVAL],
    ['sockhash: any key', { type: 'sockhash', keySize: 12, valueSize: 4, maxEntries: 2 }, 0],
    ['sockhash: key past the stack', { type: 'sockhash', keySize: 600, valueSize: 4, maxEntries: 2 }, -E2BIG],
    ['sockhash: flags', { type: 'sockhash', keySize: 4, valueSize: 4, maxEntries: 2, flags: BPF_F.NO_PREALLOC }, -EINVAL],
    ['task_storage', { type: 'task_storage', keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F.NO_PREALLOC }, 0],
    ['inode_storage: preallocated', { type: 'inode_storage', keySize: 4, valueSize: 8, maxEntries: 0 }, -EINVAL],
    ['reuseport_sockarray: value_size', { type: 'reuseport_sockarray', keySize: 4, valueSize: 2, maxEntries: 4 }, -EINVAL],
    ['user_ringbuf: size user space sets', { type: 'user_ringbuf', keySize: 0, valueSize: 0, maxEntries: 0 }, -EINVAL],
    ['user_ringbuf 8 KiB', { type: 'user_ringbuf', keySize: 0, valueSize: 0, maxEntries: 8192 }, 0],
  ] as [string, Partial<MapAttr>, number][])('%s', (_n, over, errno) => {
    expect(check({ name: 'm', keySize: 4, valueSize: 4, maxEntries: 1, type: 'array', ...over })).toBe(errno);
  });
  it('sockmaps need CAP_NET_ADMIN', () => {
    expect(check({ type: 'sockmap', name: 'm', keySize: 4, valueSize: 8, maxEntries: 2 }, env({ capNetAdmin: false }))).toBe(-EPERM);
  });
  it('createMap still refuses them as not simulated, after their checks pass', () => {
    expect(() => createMap(env(), anyAttr({ type: 'sockmap', name: 'm', keySize: 4, valueSize: 8, maxEntries: 2 }))).toThrow('sockmap maps are not simulated');
  });
});

describe('libbpf sizes ring buffers to a power-of-2 number of pages (adjust_ringbuf_sz)', () => {
  it.each([[0, 0], [1, 4096], [1000, 4096], [4096, 4096], [4097, 8192], [12288, 16384], [1 << 20, 1 << 20]])('%d -> %d', (a, b) => {
    expect(adjustRingbufSize(a)).toBe(b);
  });
});
