/** BPF_MAP_TYPE_XSKMAP without AF_XDP sockets: alloc checks, empty slots, fds that name no socket. */
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../vm/address-space.js';
import { BPF_EXIST, BPF_NOEXIST, createMap, ERRNO, MapEnv, MapError, toBytes, type MapAttr } from '../kernel-sim/maps/index.js';

const u32 = (n: number) => toBytes('t', 'key', n, 4);
const make = (over: Partial<Omit<MapAttr, 'type'>> = {}) =>
  createMap(new MapEnv(new AddressSpace()), { type: 'xskmap', name: 'xsk', keySize: 4, valueSize: 4, maxEntries: 4, ...over });

describe('xskmap', () => {
  it('xsk_map_alloc: u32 keys and values, no other flags', () => {
    expect(() => make({ valueSize: 8 })).toThrow(MapError);
    expect(() => make({ keySize: 8 })).toThrow(MapError);
    expect(() => make({ maxEntries: 0 })).toThrow(MapError);
    expect(() => make({ flags: 1 /* BPF_F_NO_PREALLOC */ })).toThrow(MapError);
    expect(make({ flags: 1 << 3 /* BPF_F_RDONLY */ }).type).toBe(17);
  });

  it('every slot is empty: programs look up NULL, the syscall may not look up at all', () => {
    const m = make();
    expect(m.lookupElem(u32(0))).toBeNull();
    expect(m.lookupSys(u32(0))).toBe(-ERRNO.EOPNOTSUPP);
    expect(m.deleteSys(u32(1))).toBe(0);
    expect(m.deleteSys(u32(4))).toBe(-ERRNO.EINVAL);
  });

  it('storing an fd: flags and index first, then the fd names no AF_XDP socket', () => {
    const m = make();
    expect(m.updateSys(u32(0), u32(3), BPF_EXIST + 1)).toBe(-ERRNO.EINVAL);
    expect(m.updateSys(u32(9), u32(3), BPF_NOEXIST)).toBe(-ERRNO.E2BIG);
    expect(m.updateSys(u32(0), u32(3), BPF_NOEXIST)).toBe(-ERRNO.EBADF);
  });
});
