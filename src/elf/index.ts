export * from './constants.js';
export { Cursor } from './cursor.js';
export { parseElf, sectionByName, type ElfFile, type ElfSection } from './elf.js';
export type { ElfSymbol } from './symbols.js';
export type { Relocation } from './relocations.js';
