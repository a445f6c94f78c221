import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../vm/address-space.js';
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, createMap, ERRNO, MapEnv } from '../kernel-sim/maps/index.js';

const KEY = 3;
const VALUE = 5;
const MAX = 6;

type Op =
  | { op: 'update'; key: number[]; value: number[]; flags: number }
  | { op: 'delete'; key: number[] }
  | { op: 'lookup'; key: number[] };

/** Keys from a small alphabet so collisions are frequent. */
const key = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: KEY, maxLength: KEY });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('update' as const), key,
    value: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: VALUE, maxLength: VALUE }),
    flags: fc.constantFrom(BPF_ANY, BPF_NOEXIST, BPF_EXIST),
  }),
  fc.record({ op: fc.constant('delete' as const), key }),
  fc.record({ op: fc.constant('lookup' as const), key }),
);

/** The kernel's hash map semantics, written against a JS Map of byte-string keys. */
function model(m: Map<string, number[]>, o: Op): number | number[] | null {
  const k = o.key.join(',');
  switch (o.op) {
    case 'lookup': return m.get(k) ?? null;
    case 'delete': return m.delete(k) ? 0 : -ERRNO.ENOENT;
    case 'update': {
      const present = m.has(k);
      if (present && o.flags === BPF_NOEXIST) return -ERRNO.EEXIST;
      if (!present && o.flags === BPF_EXIST) return -ERRNO.ENOENT;
      if (!present && m.size >= MAX) return -ERRNO.E2BIG;
      m.set(k, o.value);
      return 0;
    }
  }
}

describe('hash map property', () => {
  it('behaves like a Map of byte strings under the kernel\'s flag semantics and max_entries', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const env = new MapEnv(new AddressSpace());
      const map = createMap(env, { type: 'hash', name: 'prop', keySize: KEY, valueSize: VALUE, maxEntries: MAX });
      const ref = new Map<string, number[]>();
      for (const o of ops) {
        const want = model(ref, o);
        const k = Uint8Array.from(o.key);
        if (o.op === 'lookup') {
          const got = map.lookupElem(k);
          expect(got === null ? null : [...env.space.readBytes(got.region.addr(got.offset), VALUE)]).toEqual(want);
        } else if (o.op === 'delete') {
          expect(map.deleteElem(k)).toBe(want);
        } else {
          expect(map.updateElem(k, Uint8Array.from(o.value), o.flags)).toBe(want);
        }
      }
      const keys = map.keys().map((x) => [...(x as Uint8Array)].join(','));
      expect(keys.sort()).toEqual([...ref.keys()].sort());
    }), { numRuns: 300 });
  });
});
