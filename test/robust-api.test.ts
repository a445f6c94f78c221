/**
 * Hostile input to the public API: any value for a map's keys, values and flags, for run options and load
 * options, is either accepted or refused with a BpfError — never a raw JavaScript exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpfError } from '../src/errors.js';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { createMap, type MapOf } from '../kernel-sim/maps/index.js';
import { Kernel } from '../kernel-sim/kernel.js';

const anything = fc.oneof(
  fc.anything(), fc.double(), fc.bigInt(), fc.string(), fc.uint8Array({ maxLength: 16 }),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 2 ** 32, 2 ** 53, 1.5, null, undefined, [], {}),
);

function onlyBpfErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
  }
}

describe('the public API refuses bad values with BpfErrors only', () => {
  it('map get/set/delete with any key, value and flags', () => {
    const k = new Kernel({ nrCpus: 2 });
    const maps = [
      createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 8 }),
      createMap(k.maps, { type: 'array', name: 'a', keySize: 4, valueSize: 3, maxEntries: 4 }),
      createMap(k.maps, { type: 'percpu_hash', name: 'p', keySize: 8, valueSize: 4, maxEntries: 4 }),
      createMap(k.maps, { type: 'prog_array', name: 'j', keySize: 4, valueSize: 4, maxEntries: 4 }),
    ] as unknown as MapOf<'hash'>[];
    fc.assert(fc.property(fc.constantFrom(...maps), anything, anything, anything, (m, key, value, flags) => {
      onlyBpfErrors(() => m.set(key as never, value as never, flags as never));
      onlyBpfErrors(() => m.get(key as never, flags as never));
      onlyBpfErrors(() => m.delete(key as never));
    }), { numRuns: 1500 });
  });

  it('Program.run with any options object', () => {
    const p = loadProgram(assemble('r0 = 0\nexit'), 'socket', { timeLimit: 200 });
    const opts = fc.record({ data: anything, ctx: anything, repeat: anything, flags: anything, budget: anything }, { requiredKeys: [] });
    fc.assert(fc.property(opts, (o) => {
      onlyBpfErrors(() => p.run(o as never));
    }), { numRuns: 400 });
  });

  it('loadProgram with any load options', () => {
    const opts = fc.record({
      budget: anything, timeLimit: anything, memoryLimit: anything, outputLimit: anything, nrCpus: anything,
      verify: anything, sleepable: anything, seed: anything, caps: anything,
    }, { requiredKeys: [] });
    fc.assert(fc.property(opts, fc.oneof(fc.constantFrom('xdp', 'socket', 'xdp1', ''), fc.string()), (o, type) => {
      onlyBpfErrors(() => loadProgram(assemble('r0 = 0\nexit'), type, o as never));
    }), { numRuns: 300 });
  });

  it('Program.verify with any log level', () => {
    const p = loadProgram(assemble('r0 = 0\nexit'), 'socket');
    fc.assert(fc.property(anything, (logLevel) => {
      onlyBpfErrors(() => p.verify({ logLevel } as never));
    }), { numRuns: 200 });
    expect(() => p.verify({ logLevel: 8 })).toThrow(/option logLevel/);
    expect(p.verify({ logLevel: 2 }).verdict).toBe('accepted');
  });
});
