import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BtfBuilder, encodeBtf, IntEncoding, parseBtf, parseBtfExt, type BtfTypeInput } from '../src/btf/index.js';
import { parseElf, sectionByName } from '../src/elf/index.js';
import { LoadError } from '../src/errors.js';
import { fixture } from './fixtures/paths.js';

/** One of every kind, ids 1.. in order. */
function everyKind(): BtfBuilder {
  const b = new BtfBuilder();
  const int = b.add({ kind: 'INT', name: 'int', size: 4, encoding: IntEncoding.SIGNED, bitOffset: 0, bits: 32 }); // 1
  const u8 = b.add({ kind: 'INT', name: 'unsigned char', size: 1, encoding: 0, bitOffset: 0, bits: 8 }); // 2
  const ptr = b.add({ kind: 'PTR', name: '', type: int }); // 3
  const arr = b.add({ kind: 'ARRAY', name: '', type: u8, indexType: int, nelems: 16 }); // 4
  const s = b.add({ kind: 'STRUCT', name: 'pkt', size: 24, kindFlag: true, members: [ // 5
    { name: 'len', type: int, bitOffset: 0, bitSize: 0 },
    { name: 'flag', type: int, bitOffset: 32, bitSize: 3 },
    { name: 'kind', type: int, bitOffset: 35, bitSize: 5 },
    { name: 'data', type: ptr, bitOffset: 64, bitSize: 0 },
    { name: '', type: 7, bitOffset: 128, bitSize: 0 },
  ] });
  b.add({ kind: 'UNION', name: 'u', size: 4, kindFlag: false, members: [{ name: 'i', type: int, bitOffset: 0, bitSize: 0 }] }); // 6
  b.add({ kind: 'STRUCT', name: '', size: 8, kindFlag: false, members: [{ name: 'inner', type: int, bitOffset: 32, bitSize: 0 }] }); // 7
  b.add({ kind: 'ENUM', name: 'color', size: 4, signed: true, values: [{ name: 'RED', value: -1 }, { name: 'BLUE', value: 7 }] }); // 8
  b.add({ kind: 'ENUM64', name: 'big', size: 8, signed: false, values: [{ name: 'HUGE', value: 0xffff_ffff_0000_0001n }] }); // 9
  b.add({ kind: 'FWD', name: 'later', union: true }); // 10
  const td = b.add({ kind: 'TYPEDEF', name: 'u8_t', type: u8 }); // 11
  const cv = b.add({ kind: 'CONST', name: '', type: b.add({ kind: 'VOLATILE', name: '', type: td }) }); // 12 volatile, 13 const
  b.add({ kind: 'RESTRICT', name: '', type: ptr }); // 14
  const proto = b.add({ kind: 'FUNC_PROTO', name: '', returnType: int, params: [{ name: 'p', type: ptr }, { name: 'n', type: cv }] }); // 15
  b.add({ kind: 'FUNC', name: 'handler', type: proto, linkage: 1 }); // 16
  const v = b.add({ kind: 'VAR', name: 'counter', type: int, linkage: 1 }); // 17
  b.add({ kind: 'DATASEC', name: '.data', size: 4, vars: [{ type: v, offset: 0, size: 4 }] }); // 18
  b.add({ kind: 'FLOAT', name: 'double', size: 8 }); // 19
  b.add({ kind: 'DECL_TAG', name: 'user', type: s, componentIdx: 1 }); // 20
  b.add({ kind: 'TYPE_TAG', name: 'rcu', type: s }); // 21
  b.add({ kind: 'PTR', name: '', type: arr }); // 22
  b.add({ kind: 'PTR', name: '', type: proto }); // 23
  b.add({ kind: 'CONST', name: '', type: ptr }); // 24
  return b;
}

describe('BTF builder and parser', () => {
  it('round-trips every kind in both byte orders', () => {
    const b = everyKind();
    for (const littleEndian of [true, false]) {
      const btf = parseBtf(b.build({ littleEndian }));
      expect(btf.littleEndian).toBe(littleEndian);
      expect(btf.types).toEqual(b.types);
    }
  });

  it('round-trips generated integer and struct types (property)', () => {
    const int = fc.record({
      kind: fc.constant('INT' as const), name: fc.string({ maxLength: 8 }).filter((s) => !s.includes('\0')),
      size: fc.constantFrom(1, 2, 4, 8, 16), encoding: fc.constantFrom(0, 1, 2, 4), bitOffset: fc.nat(127), bits: fc.nat(128),
    });
    fc.assert(fc.property(fc.array(int, { minLength: 1, maxLength: 10 }), (ints) => {
      const members = ints.map((_, i) => ({ name: `m${i}`, type: i + 1, bitOffset: i * 8, bitSize: i % 3 }));
      const types: BtfTypeInput[] = [...ints, { kind: 'STRUCT', name: 's', size: ints.length, kindFlag: true, members }];
      expect(parseBtf(encodeBtf(types)).types.slice(1)).toEqual(types);
    }));
  });

  it('resolves modifiers, sizes, members and names', () => {
    const btf = parseBtf(everyKind().build());
    expect(btf.resolve(13)).toBe(2);
    expect(btf.sizeOf(13)).toBe(1);
    expect(btf.sizeOf(4)).toBe(16);
    expect(btf.sizeOf(5)).toBe(24);
    expect(btf.member(5, 'kind')).toMatchObject({ bitOffset: 35, bitSize: 5 });
    expect(btf.member(5, 'inner')).toMatchObject({ bitOffset: 160, bitSize: 0 });
    expect(btf.member(5, 'missing')).toBeUndefined();
    expect(btf.typeName(3, 'p')).toBe('int *p');
    expect(btf.typeName(13)).toBe('const volatile u8_t');
    expect(btf.typeName(22, 'a')).toBe('unsigned char (*a)[16]');
    expect(btf.typeName(23, 'fn')).toBe('int (*fn)(int *p, const volatile u8_t n)');
    expect(btf.typeName(24, 'q')).toBe('int *const q');
    expect(btf.typeName(16)).toBe('int handler(int *p, const volatile u8_t n)');
    expect(btf.typeName(10)).toBe('union later');
    expect(btf.typeName(7)).toBe('struct {...}');
    expect(() => btf.sizeOf(16)).toThrow(LoadError);
  });

  const bad: [string, (b: Uint8Array) => void, RegExp][] = [
    ['bad magic', (b) => { b[0] = 0; }, /bad BTF magic/],
    ['bad version', (b) => { b[2] = 9; }, /unsupported BTF version/],
    ['type section past the end', (b) => { b[12] = 0xff; b[13] = 0xff; }, /truncated/],
    ['unknown kind', (b) => { b[24 + 7] = 0x1f; }, /unknown kind/],
    ['name offset past the strings', (b) => { b[24] = 0xff; b[25] = 0xff; }, /outside the string table/],
  ];
  it.each(bad)('%s is a LoadError', (_n, corrupt, message) => {
    const bytes = everyKind().build();
    corrupt(bytes);
    expect(() => parseBtf(bytes)).toThrow(message);
    try { parseBtf(bytes); } catch (e) { expect(e).toBeInstanceOf(LoadError); }
  });

  it('rejects references to missing types and loops', () => {
    expect(() => parseBtf(encodeBtf([{ kind: 'PTR', name: '', type: 5 }]))).toThrow(/refers to missing type 5/);
    const loop = parseBtf(encodeBtf([{ kind: 'TYPEDEF', name: 'a', type: 2 }, { kind: 'TYPEDEF', name: 'b', type: 1 }]));
    expect(() => loop.resolve(1)).toThrow(/a loop/);
    const arrLoop = parseBtf(encodeBtf([{ kind: 'ARRAY', name: '', type: 1, indexType: 1, nelems: 2 }]));
    expect(() => arrLoop.sizeOf(1)).toThrow(LoadError);
  });

  it('every byte flip or truncation is a LoadError or a result (property)', () => {
    const bytes = everyKind().build();
    fc.assert(fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(bytes.length), (at, v, cut) => {
      const b = bytes.slice(0, cut);
      if (at < b.length) b[at] = v;
      try {
        const btf = parseBtf(b);
        btf.types.forEach((_, id) => { try { btf.typeName(id); btf.sizeOf(id); } catch (e) { expect(e).toBeInstanceOf(LoadError); } });
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
      }
    }), { numRuns: 2000 });
  });
});

describe('.BTF.ext', () => {
  it('reads func info, line info with source text, and CO-RE relocations', () => {
    const elf = parseElf(fixture('core.bpf.o'));
    const btf = parseBtf(sectionByName(elf, '.BTF')!.data);
    const ext = parseBtfExt(sectionByName(elf, '.BTF.ext')!.data, btf);
    expect(ext.funcInfo.get('kprobe/do_exit')).toEqual([{ insnOff: 0, typeId: expect.any(Number) }]);
    const lines = ext.lineInfo.get('kprobe/do_exit')!;
    expect(lines[0]).toMatchObject({ insnOff: 0, fileName: expect.stringContaining('core.bpf.c'), source: '\treturn task->parent->tgid;', line: 12 });
    const relos = ext.coreRelos.get('kprobe/do_exit')!;
    expect(relos.map((r) => [r.insnOff, r.access, r.kind])).toEqual([[0, '0:2', 'FIELD_BYTE_OFFSET'], [8, '0:1', 'FIELD_BYTE_OFFSET']]);
    expect(btf.typeName(relos[0]!.typeId)).toBe('struct task_struct');
  });

  it('is a LoadError when truncated or corrupted', () => {
    const elf = parseElf(fixture('core.bpf.o'));
    const btf = parseBtf(sectionByName(elf, '.BTF')!.data);
    const ext = sectionByName(elf, '.BTF.ext')!.data;
    fc.assert(fc.property(fc.nat(ext.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(ext.length), (at, v, cut) => {
      const b = ext.slice(0, cut);
      if (at < b.length) b[at] = v;
      try { parseBtfExt(b, btf); } catch (e) { expect(e).toBeInstanceOf(LoadError); }
    }), { numRuns: 2000 });
  });
});
