export * from './constants.js';
export { Cursor } from './cursor.js';
export { parseElf, sectionByName } from './elf.js';
export type { ElfFile, ElfSection, ElfSymbol, Relocation } from './types.js';
