/** ELF constants bpfvm reads (System V gABI and the BPF psABI). */

export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EM_BPF = 247;

export const EHDR_SIZE = 64;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;
export const REL_SIZE = 16;
export const RELA_SIZE = 24;

/** Section header types. */
export const enum ShType {
  NULL = 0,
  PROGBITS = 1,
  SYMTAB = 2,
  STRTAB = 3,
  RELA = 4,
  NOBITS = 8,
  REL = 9,
}

/** Section header flags. */
export const enum ShFlag {
  WRITE = 0x1,
  ALLOC = 0x2,
  EXECINSTR = 0x4,
}

/** Special section indexes. */
export const enum Shn {
  UNDEF = 0,
  LORESERVE = 0xff00,
  ABS = 0xfff1,
  COMMON = 0xfff2,
  XINDEX = 0xffff,
}

/** Symbol types (low nibble of st_info). */
export const enum Stt {
  NOTYPE = 0,
  OBJECT = 1,
  FUNC = 2,
  SECTION = 3,
  FILE = 4,
}

/** Symbol bindings (high nibble of st_info). */
export const enum Stb {
  LOCAL = 0,
  GLOBAL = 1,
  WEAK = 2,
}

/** BPF relocation types (BPF psABI). */
export const enum RBpf {
  NONE = 0,
  R_64_64 = 1,
  R_64_ABS64 = 2,
  R_64_ABS32 = 3,
  R_64_NODYLD32 = 4,
  R_64_32 = 10,
}
