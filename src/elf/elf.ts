import { LoadError } from '../errors.js';
import {
  EHDR_SIZE, ELF_MAGIC, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, SHDR_SIZE, Shn, ShType,
} from './constants.js';
import { Cursor } from './cursor.js';
import { readRelocations } from './relocations.js';
import { readSymbols } from './symbols.js';
import type { ElfFile, ElfSection, Relocation } from './types.js';

/** Parse an ELF64 relocatable object (either byte order). Every malformation is a LoadError. */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (bytes.length < EHDR_SIZE) {
    throw new LoadError(`truncated ELF header: ${bytes.length} bytes, need ${EHDR_SIZE}`, { offset: 0 });
  }
  for (let i = 0; i < ELF_MAGIC.length; i++) {
    if (bytes[i] !== ELF_MAGIC[i]) throw new LoadError('not an ELF file (bad magic)', { offset: i });
  }
  if (bytes[4] !== ELFCLASS64) throw new LoadError(`not ELF64 (class ${bytes[4]})`, { offset: 4 });
  if (bytes[5] !== ELFDATA2LSB && bytes[5] !== ELFDATA2MSB) {
    throw new LoadError(`unknown ELF byte order ${bytes[5]}`, { offset: 5 });
  }
  const littleEndian = bytes[5] === ELFDATA2LSB;
  const file = new Cursor(bytes, littleEndian);
  const shoff = file.size64(40, 'e_shoff');
  const shentsize = file.u16(58, 'e_shentsize');
  let shnum = file.u16(60, 'e_shnum');
  let shstrndx = file.u16(62, 'e_shstrndx');
  if (shoff === 0) throw new LoadError('ELF file has no section headers', { offset: 40 });
  if (shentsize !== SHDR_SIZE) throw new LoadError(`e_shentsize is ${shentsize}, expected ${SHDR_SIZE}`, { offset: 58 });
  if (shnum === 0 || shstrndx === Shn.XINDEX) {
    // Extended numbering: the real values live in section header 0.
    const first = readHeader(file, shoff, 0);
    if (shnum === 0) shnum = first.size;
    if (shstrndx === Shn.XINDEX) shstrndx = first.link;
  }
  if (shoff + shnum * SHDR_SIZE > bytes.length) {
    throw new LoadError(`section header table (${shnum} entries at ${shoff}) runs past the end of the file`, {
      offset: shoff,
    });
  }
  const raw = Array.from({ length: shnum }, (_, i) => readHeader(file, shoff, i));
  if (shstrndx >= shnum || raw[shstrndx]!.type !== ShType.STRTAB) {
    throw new LoadError(`e_shstrndx ${shstrndx} is not a string table`, { offset: 62 });
  }
  const sectionData = (h: RawHeader, i: number, name: string): Uint8Array => {
    if (h.type === ShType.NOBITS || h.type === ShType.NULL) return new Uint8Array(0);
    if (h.offset + h.size > bytes.length) {
      throw new LoadError(`section data (${h.size} bytes at ${h.offset}) runs past the end of the file (${bytes.length})`, {
        section: name || `#${i}`, offset: h.offset,
      });
    }
    return bytes.subarray(h.offset, h.offset + h.size);
  };
  const shstrHeader = raw[shstrndx]!;
  const names = new Cursor(sectionData(shstrHeader, shstrndx, '.shstrtab'), littleEndian,
    { section: `#${shstrndx}` }, shstrHeader.offset);
  const sections: ElfSection[] = raw.map((h, index) => {
    const name = index === 0 ? '' : names.cstring(h.name, `name of section #${index}`);
    return { ...h, index, name, data: sectionData(h, index, name) };
  });
  const symtabs = sections.filter((s) => s.type === ShType.SYMTAB);
  if (symtabs.length > 1) {
    throw new LoadError('more than one symbol table', { section: symtabs[1]!.name, offset: symtabs[1]!.offset });
  }
  const symbols = symtabs[0] === undefined ? [] : readSymbols(symtabs[0], sections, littleEndian);
  const relocations = new Map<number, Relocation[]>();
  for (const s of sections) {
    if (s.type !== ShType.REL && s.type !== ShType.RELA) continue;
    if (symtabs[0] === undefined || s.link !== symtabs[0].index) {
      throw new LoadError(`relocation section links to section ${s.link}, which is not the symbol table`, {
        section: s.name, offset: s.offset,
      });
    }
    if (s.info === 0 || s.info >= sections.length) {
      throw new LoadError(`relocation section applies to missing section ${s.info}`, { section: s.name, offset: s.offset });
    }
    const list = relocations.get(s.info) ?? [];
    list.push(...readRelocations(s, symbols, littleEndian));
    relocations.set(s.info, list);
  }
  return { littleEndian, type: file.u16(16), machine: file.u16(18), sections, symbols, relocations };
}

type RawHeader = Omit<ElfSection, 'index' | 'name' | 'data'> & { name: number };

function readHeader(file: Cursor, shoff: number, i: number): RawHeader {
  const at = shoff + i * SHDR_SIZE;
  const what = `section header #${i}`;
  return {
    name: file.u32(at, what),
    type: file.u32(at + 4, what),
    flags: file.u64(at + 8, what),
    offset: file.size64(at + 24, `${what} sh_offset`),
    size: file.size64(at + 32, `${what} sh_size`),
    link: file.u32(at + 40, what),
    info: file.u32(at + 44, what),
    addralign: file.size64(at + 48, `${what} sh_addralign`),
    entsize: file.size64(at + 56, `${what} sh_entsize`),
  };
}

/** The section named `name`, if any. */
export function sectionByName(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}
