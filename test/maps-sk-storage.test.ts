/**
 * Socket storage maps: one value per socket, created and deleted through the socket pointer.
 * Kernel truth (Linux 6.1 through ../shared/oracle, sched_cls, test_verifier's sk_storage_map preset, the test
 * skb's socket): CREATE_READ_DELETE → 4294966792 (value 7 + 1 = 8, first delete 0, second -ENOENT);
 * LOOKUP_ONLY → 0 (NULL without BPF_SK_STORAGE_GET_F_CREATE).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { AddressSpace } from '../vm/address-space.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap, ERRNO, MapEnv, MapError, type MapAttr } from '../kernel-sim/maps/index.js';

const PKT = Uint8Array.from(Buffer.from('00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002', 'hex'));
/** skb->sk, made a full socket (or exit 100 / 101). */
const HEAD = `r1 = *(u64 *)(r1 + 168)
if r1 != 0 goto +2
r0 = 100
exit
call 95
if r0 != 0 goto +2
r0 = 101
exit
r6 = r0
`;
const CREATE_READ_DELETE = HEAD + `r1 = 7
*(u64 *)(r10 - 8) = r1
r1 = map_fd(0) ll
r2 = r6
r3 = r10
r3 += -8
r4 = 1
call 107
if r0 == 0 goto fail
r1 = *(u32 *)(r0 + 0)
r1 += 1
*(u32 *)(r0 + 0) = r1
r1 = map_fd(0) ll
r2 = r6
r3 = 0
r4 = 0
call 107
if r0 == 0 goto fail
r7 = *(u32 *)(r0 + 0)
r1 = map_fd(0) ll
r2 = r6
call 108
r8 = r0
r1 = map_fd(0) ll
r2 = r6
call 108
r0 <<= 8
r0 |= r7
r8 <<= 16
r0 |= r8
exit
fail:
r0 = 102
exit`;
const LOOKUP_ONLY = HEAD + `r1 = map_fd(0) ll
r2 = r6
r3 = 0
r4 = 0
call 107
exit`;

const ATTR = { type: 'sk_storage', name: 'sks', keySize: 4, valueSize: 8, maxEntries: 0, flags: 1, spinLockOff: 4 } as const;
const make = (over: Partial<Omit<MapAttr, 'type'>> = {}) => createMap(new MapEnv(new AddressSpace()), { ...ATTR, ...over });
const run = (src: string) => {
  const k = new Kernel();
  return loadProgram(assemble(src), 'sched_cls', { kernel: k, maps: [createMap(k.maps, ATTR)] }).run({ data: PKT });
};

describe('sk_storage maps', () => {
  it('bpf_local_storage_map_alloc_check: BPF_F_NO_PREALLOC, max_entries 0, an int key', () => {
    expect(make().type).toBe(24);
    expect(() => make({ flags: 0 })).toThrow(MapError);
    expect(() => make({ maxEntries: 1 })).toThrow(MapError);
    expect(() => make({ keySize: 8 })).toThrow(MapError);
    expect(() => make({ valueSize: 0 })).toThrow(MapError);
    expect(() => make({ valueSize: 70000, spinLockOff: undefined })).toThrow(/exceeds/);
  });

  it('user space names sockets by fd, and the simulation has none', () => {
    const m = make();
    expect(m.lookupSys(new Uint8Array(4))).toBe(-ERRNO.EBADF);
    expect(m.updateSys(new Uint8Array(4), new Uint8Array(8))).toBe(-ERRNO.EBADF);
  });

  it('created from the program\'s value, found again without F_CREATE, deleted once', () => {
    expect(run(CREATE_READ_DELETE)).toMatchObject({ retval: 4294966792, violations: [] });
  });

  it('without F_CREATE a socket has no storage: NULL', () => {
    expect(run(LOOKUP_ONLY)).toMatchObject({ retval: 0, violations: [] });
  });
});
