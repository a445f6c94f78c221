import { LoadError } from '../errors.js';
import { Shn, ShType, SYM_SIZE } from './constants.js';
import { Cursor } from './cursor.js';
import type { ElfSection, ElfSymbol } from './types.js';

/** Read a SYMTAB section; its string table and every section index are checked. */
export function readSymbols(symtab: ElfSection, sections: readonly ElfSection[], littleEndian: boolean): ElfSymbol[] {
  const where = { section: symtab.name };
  if (symtab.entsize !== SYM_SIZE) {
    throw new LoadError(`symbol table entry size is ${symtab.entsize}, expected ${SYM_SIZE}`, { ...where, offset: symtab.offset });
  }
  if (symtab.size % SYM_SIZE !== 0) {
    throw new LoadError(`symbol table size ${symtab.size} is not a multiple of ${SYM_SIZE}`, { ...where, offset: symtab.offset });
  }
  const strtab = sections[symtab.link];
  if (strtab === undefined || strtab.type !== ShType.STRTAB) {
    throw new LoadError(`symbol table links to section ${symtab.link}, which is not a string table`, {
      ...where, offset: symtab.offset,
    });
  }
  const names = new Cursor(strtab.data, littleEndian, { section: strtab.name }, strtab.offset);
  const cur = new Cursor(symtab.data, littleEndian, where, symtab.offset);
  const count = symtab.size / SYM_SIZE;
  const out: ElfSymbol[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const at = index * SYM_SIZE;
    const info = cur.u8(at + 4);
    const shndx = cur.u16(at + 6);
    if (shndx !== Shn.UNDEF && shndx < Shn.LORESERVE && shndx >= sections.length) {
      cur.fail(`symbol #${index} refers to missing section ${shndx}`, at + 6);
    }
    if (shndx === Shn.XINDEX) cur.fail(`symbol #${index} uses extended section indexes (unsupported)`, at + 6);
    out[index] = {
      index,
      name: names.cstring(cur.u32(at), `name of symbol #${index}`),
      type: info & 0xf,
      bind: info >> 4,
      visibility: cur.u8(at + 5) & 0x3,
      shndx,
      value: cur.size64(at + 8, `value of symbol #${index}`),
      size: cur.size64(at + 16, `size of symbol #${index}`),
    };
  }
  return out;
}
