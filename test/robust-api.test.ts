/**
 * Hostile input to the public API: any value for a map's keys, values and flags, for run options and load
 * options, is either accepted or refused with a BpfError — never a raw JavaScript exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpfError } from '../src/errors.js';
import { assemble, disassemble, printInsn } from '../src/asm/index.js';
import { UsageError } from '../src/errors.js';
import { loadProgram } from '../src/api/collection.js';
import { createMap, MapError, type BpfMap, type MapOf } from '../kernel-sim/maps/index.js';
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

  it('assemble with any text and options', () => {
    const text = fc.oneof(anything, fc.constantFrom('r0 = 0\nexit', 'call foo\nexit', 'mov %r0, 1\nexit'), fc.array(fc.string()));
    const opts = fc.oneof(anything, fc.record({ syntax: anything, helperId: fc.oneof(anything, fc.constant(() => 1.5), fc.constant(() => 'x'), fc.constant(() => 5)), firstLine: anything }, { requiredKeys: [] }));
    fc.assert(fc.property(text, opts, (t, o) => {
      onlyBpfErrors(() => assemble(t as never, o as never));
    }), { numRuns: 1500 });
    for (const v of [null, 5, 5n, ['r0 = 0'], {}, undefined]) expect(() => assemble(v as never)).toThrow(UsageError);
    expect(() => assemble('exit', null as never)).toThrow(/assemble: options must be an object, got null/);
    expect(() => assemble('exit', { syntax: 'intel' as never })).toThrow(/option syntax/);
    expect(() => assemble('exit', { firstLine: 0 })).toThrow(/option firstLine/);
    expect(() => assemble('call foo\nexit', { helperId: () => 1.5 })).toThrow(/line 1:6: helperId gave 1.5 for 'foo', not an s32 helper number/);
    expect(assemble('call foo\nexit', { helperId: () => 7 })[0]!.imm).toBe(7);
  });

  it('disassemble and printInsn with any instructions and options', () => {
    const good = assemble('r0 = 0\nr1 = 0x123456789 ll\ncall 5\nexit');
    const field = fc.oneof(anything, fc.integer({ min: -3, max: 300 }));
    const insn = fc.oneof(anything, fc.constantFrom(...good), fc.record({ code: field, opcode: field, dst: field, src: field, off: field, imm: field, imm64: anything }, { requiredKeys: [] }));
    const insns = fc.oneof(anything, fc.array(insn, { maxLength: 4 }), fc.constant(good));
    const name = fc.oneof(anything, fc.constant(() => 5), fc.constant(() => Symbol('x')), fc.constant(() => 'bpf_x'));
    const opts = fc.oneof(anything, fc.record({ style: fc.oneof(anything, fc.constantFrom('kernel', 'llvm', 'mnemonic')), endian: fc.oneof(anything, fc.constantFrom('le', 'be')), helperName: name, kfuncName: name, kernelExact: anything }, { requiredKeys: [] }));
    fc.assert(fc.property(insns, opts, insn, (xs, o, x) => {
      onlyBpfErrors(() => disassemble(xs as never, o as never));
      onlyBpfErrors(() => printInsn(x as never, o as never));
    }), { numRuns: 1500 });
    for (const v of [null, 5, 'r0 = 0', {}, undefined, new Uint8Array(8)]) expect(() => disassemble(v as never)).toThrow(/disassemble: expected an array of instructions/);
    const e = (() => {
      try {
        disassemble([good[0]!, { ...good[0]!, imm: 1.5 }]);
      } catch (err) {
        return err as BpfError;
      }
    })();
    expect(e?.kind).toBe('decode');
    expect(e?.where.insn).toBe(1);
    expect(() => disassemble(good, { style: 'gnu' as never })).toThrow(/option style/);
    expect(() => disassemble(good, { helperName: () => 5 as never })).toThrow(/option helperName: the function must return a string or undefined, got 5/);
    expect(disassemble(good, { helperName: () => 'bpf_x' })).toContain('call bpf_x#5');
  });

  it('every host-side map operation, on every map family, with any arguments', () => {
    const k = new Kernel({ nrCpus: 2 });
    const specs: [string, number, number, number, number?][] = [
      ['array', 4, 8, 4], ['percpu_array', 4, 8, 4], ['hash', 4, 8, 8], ['percpu_hash', 4, 8, 8], ['lru_hash', 4, 8, 8], ['lru_percpu_hash', 4, 8, 8],
      ['prog_array', 4, 4, 4], ['perf_event_array', 4, 4, 2], ['queue', 0, 8, 4], ['stack', 0, 8, 4], ['lpm_trie', 8, 8, 4, 1], ['bloom_filter', 0, 8, 4],
      ['ringbuf', 0, 0, 4096], ['devmap', 4, 4, 4], ['devmap_hash', 4, 4, 4], ['cpumap', 4, 4, 2], ['cgroup_array', 4, 4, 4], ['xskmap', 4, 4, 4],
      ['sk_storage', 4, 8, 0, 1], ['task_storage', 4, 8, 0, 1],
    ];
    const maps = specs.map(([type, keySize, valueSize, maxEntries, flags]) =>
      createMap(k.maps, { type: type as never, name: type.slice(0, 15), keySize, valueSize, maxEntries, flags: flags ?? 0 }) as BpfMap);
    const ops = ['get', 'set', 'delete', 'keys', 'entries', 'push', 'pop', 'peek', 'add', 'has', 'open', 'drain', 'consume', 'at', 'lookupSys', 'updateSys', 'deleteSys'];
    const arg = fc.oneof(anything, fc.constantFrom(new Uint8Array(4), new Uint8Array(8), new Uint8Array(16), 0, 1, 3n));
    fc.assert(fc.property(fc.constantFrom(...maps), fc.constantFrom(...ops), arg, arg, arg, (m, op, a, b, c) => {
      const f = (m as unknown as Record<string, unknown>)[op];
      if (typeof f === 'function') onlyBpfErrors(() => f.call(m, a, b, c));
    }), { numRuns: 4000 });
    const hash = maps[2]!;
    expect(() => hash.updateSys(new Uint8Array(4), undefined as never)).toThrow(/map "hash": value must be a Uint8Array of 8 bytes, got undefined/);
    expect(() => hash.lookupSys(null as never)).toThrow(MapError);
    expect(() => hash.lookupSys(new Uint8Array(4), 1n as never)).toThrow(/flags must be a u32, got 1n/);
    expect(hash.updateSys(new Uint8Array(4), new Uint8Array(8))).toBe(0);
  });

  it('map creation with attributes of any type', () => {
    const k = new Kernel({ nrCpus: 2 });
    const attr = fc.record({
      type: fc.oneof(fc.constantFrom('hash', 'array', 'queue', 'ringbuf', 'prog_array', 'lpm_trie', 'bloom_filter', 'hash_of_maps'), anything),
      name: fc.oneof(fc.constant('m'), anything), keySize: fc.oneof(fc.constantFrom(4, 8), anything), valueSize: fc.oneof(fc.constantFrom(4, 8), anything),
      maxEntries: fc.oneof(fc.constantFrom(1, 4), anything), flags: anything, mapExtra: anything, innerMap: anything, spinLockOff: anything,
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(anything, attr), (a) => {
      onlyBpfErrors(() => createMap(k.maps, a as never));
    }), { numRuns: 2000 });
    expect(() => createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 4, maxEntries: 4, flags: 1n as never })).toThrow(/map "h": flags: expected an integer, got 1n/);
  });
});
