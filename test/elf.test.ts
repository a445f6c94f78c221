import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseElf, sectionByName, ShType } from '../src/elf/index.js';
import { LoadError } from '../src/errors.js';
import { fixture } from './fixtures/paths.js';

const obj = fixture('tc_maps.bpf.o');

function loadError(f: () => unknown): LoadError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return e as LoadError;
  }
  throw new Error('expected a LoadError');
}

function patched(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const copy = bytes.slice();
  copy.set(values, at);
  return copy;
}

describe('ELF reader', () => {
  it('reads sections, symbols and relocations of a clang object', () => {
    const elf = parseElf(obj);
    expect(elf.littleEndian).toBe(true);
    expect(elf.machine).toBe(247);
    expect(sectionByName(elf, 'tc')?.type).toBe(ShType.PROGBITS);
    expect(elf.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['count_marks', 'counts', 'config', 'LICENSE']));
    const tc = sectionByName(elf, 'tc')!;
    const relocs = elf.relocations.get(tc.index)!;
    expect(relocs.map((r) => r.symbol.name)).toEqual(['config', 'counts', 'counts']);
    expect(relocs.every((r) => r.type === 1 && r.offset % 8 === 0)).toBe(true);
  });

  it('reads a big-endian object the same way', () => {
    const le = parseElf(fixture('socket_filter.bpf.o'));
    const be = parseElf(fixture('socket_filter.bpfeb.o'));
    expect(be.littleEndian).toBe(false);
    expect(be.sections.map((s) => s.name)).toEqual(le.sections.map((s) => s.name));
    expect(be.symbols.map((s) => [s.name, s.value, s.size])).toEqual(le.symbols.map((s) => [s.name, s.value, s.size]));
  });

  const shoff = Number(new DataView(obj.buffer, obj.byteOffset).getBigUint64(40, true));
  const shdr = (i: number, field: number) => shoff + i * 64 + field;
  const symtabIndex = parseElf(obj).sections.findIndex((s) => s.type === ShType.SYMTAB);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty input', new Uint8Array(0), /truncated ELF header/],
    ['bad magic', patched(obj, 1, [0x46]), /bad magic/],
    ['ELF32', patched(obj, 4, [1]), /not ELF64/],
    ['bad byte order', patched(obj, 5, [3]), /byte order/],
    ['section table past the end', patched(obj, 40, [0xff, 0xff, 0xff, 0, 0, 0, 0, 0]), /past the end/],
    ['section data past the end', patched(obj, shdr(2, 24), [0, 0, 0, 0x10]), /runs past the end/],
    ['bad section name offset', patched(obj, shdr(2, 0), [0xff, 0xff, 0, 0]), /outside the string table/],
    ['bad shstrndx', patched(obj, 62, [0x77, 0]), /not a string table/],
    ['symbol table with a bad link', patched(obj, shdr(symtabIndex, 40), [0xf0, 0, 0, 0]), /not a string table/],
    ['symbol table with a bad entry size', patched(obj, shdr(symtabIndex, 56), [8]), /entry size is 8/],
  ];
  it.each(cases)('%s is a LoadError', (_name, bytes, message) => {
    expect(loadError(() => parseElf(bytes)).message).toMatch(message);
  });

  it('names the section of a bad relocation symbol index', () => {
    const elf = parseElf(obj);
    const rel = elf.sections.find((s) => s.type === ShType.REL && s.name === '.reltc')!;
    const bytes = patched(obj, rel.offset + 12, [0xff, 0xff, 0, 0]);
    const e = loadError(() => parseElf(bytes));
    expect(e.where.section).toBe('.reltc');
    expect(e.message).toMatch(/missing symbol/);
  });

  it('is a LoadError or a result for every truncation and header corruption (property)', () => {
    fc.assert(fc.property(fc.nat(obj.length), (cut) => {
      try {
        parseElf(obj.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
      }
    }), { numRuns: 400 });
    const headerBytes = [...Array(64).keys(), ...Array.from({ length: 64 * 8 }, (_, i) => shoff + i)];
    fc.assert(fc.property(fc.constantFrom(...headerBytes), fc.integer({ min: 0, max: 255 }), (at, value) => {
      try {
        parseElf(patched(obj, at, [value]));
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
      }
    }), { numRuns: 1000 });
  });
});
