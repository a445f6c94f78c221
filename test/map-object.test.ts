/**
 * struct bpf_map as programs read it through a map pointer (check_ptr_to_map_access lets privileged
 * programs load its fields). Kernel truth (Linux 6.1 through ../shared/oracle, socket_filter, maps
 * map_array_48b / map_hash_8b of test_verifier): fields → 33828865 (type 2, key 4, value 48, max 1),
 * array → 3145728 (elem_size 48, index_mask 0), hash → 4294967273 (spin_lock_off -22 + numa_node -1).
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap } from '../kernel-sim/maps/index.js';

const PKT = Uint8Array.from(Buffer.from('00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002', 'hex'));

function readThroughMap(src: string, spec: { type: 'array' | 'hash'; keySize: number; valueSize: number; maxEntries: number }, verify = true) {
  const k = new Kernel();
  const m = createMap(k.maps, { name: 'm', ...spec });
  return loadProgram(assemble(src), 'socket_filter', { kernel: k, maps: [m], verify }).run({ data: PKT });
}

const ARRAY_48B = { type: 'array', keySize: 4, valueSize: 48, maxEntries: 1 } as const;

describe('struct bpf_map behind a map pointer', () => {
  it('map_type, key_size, value_size, max_entries at their 6.1 offsets', () => {
    const src = `r1 = map_fd(0) ll
r0 = *(u32 *)(r1 + 24)
r0 <<= 24
r2 = *(u32 *)(r1 + 28)
r2 <<= 16
r0 |= r2
r2 = *(u32 *)(r1 + 32)
r2 <<= 8
r0 |= r2
r2 = *(u32 *)(r1 + 36)
r0 |= r2
exit`;
    expect(readThroughMap(src, ARRAY_48B)).toMatchObject({ retval: 33828865, violations: [] });
  });

  it('bpf_array: elem_size and index_mask after struct bpf_map', () => {
    const src = 'r1 = map_fd(0) ll\nr0 = *(u32 *)(r1 + 256)\nr0 <<= 16\nr2 = *(u32 *)(r1 + 260)\nr0 |= r2\nexit';
    expect(readThroughMap(src, ARRAY_48B)).toMatchObject({ retval: 3145728, violations: [] });
  });

  it('no spin lock (-EINVAL) and no NUMA node (-1)', () => {
    const src = 'r1 = map_fd(0) ll\nr0 = *(u32 *)(r1 + 52)\nr2 = *(u32 *)(r1 + 72)\nr0 += r2\nexit';
    expect(readThroughMap(src, { type: 'hash', keySize: 8, valueSize: 8, maxEntries: 1 })).toMatchObject({ retval: 4294967273, violations: [] });
  });

  it('the object is read-only (run-time checks alone: the verifier refuses the store)', () => {
    const r = readThroughMap('r1 = map_fd(0) ll\nr2 = 0\n*(u32 *)(r1 + 36) = r2\nr0 = 0\nexit', ARRAY_48B, false);
    expect(r.violations.length).toBeGreaterThan(0);
  });
});
