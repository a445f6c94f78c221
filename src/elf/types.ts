/** The shapes an ELF relocatable object is read into: sections, symbols, relocations, the whole file. */

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** The section's bytes (empty for NOBITS). */
  data: Uint8Array;
}

export interface ElfFile {
  littleEndian: boolean;
  type: number;
  machine: number;
  sections: ElfSection[];
  /** The symbol table (index 0 is the null symbol); empty when the file has none. */
  symbols: ElfSymbol[];
  /** Relocations by the index of the section they apply to. */
  relocations: Map<number, Relocation[]>;
}

export interface ElfSymbol {
  index: number;
  name: string;
  /** Stt: low nibble of st_info. */
  type: number;
  /** Stb: high nibble of st_info. */
  bind: number;
  /** Visibility (low two bits of st_other). */
  visibility: number;
  /** Section index, or a special Shn value (UNDEF, ABS, COMMON). */
  shndx: number;
  value: number;
  size: number;
}

export interface Relocation {
  /** Byte offset in the section the relocation applies to. */
  offset: number;
  /** RBpf relocation type. */
  type: number;
  symbol: ElfSymbol;
  /** Explicit addend (RELA only; 0 for REL). */
  addend: bigint;
  /** The relocation section and entry index, for error locations. */
  from: { section: string; index: number };
}
