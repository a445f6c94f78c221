import { Btf } from '../btf/index.js';
import { Cursor, Stb, type ElfFile, type ElfSection } from '../elf/index.js';
import type { Func } from './functions.js';

const STV_INTERNAL = 1;
const STV_HIDDEN = 2;
const BTF_FUNC_STATIC = 0;
const BTF_FUNC_GLOBAL = 1;

/**
 * libbpf's mark_btf_static: a subprogram whose symbol is global but hidden (`__hidden`, or made so by
 * `bpftool gen object`) is verified as a static function — its BTF FUNC's linkage becomes static.
 * Returns the object's BTF, changed when such functions exist.
 */
export function markHiddenStatic(btf: Btf, btfSection: ElfSection, elf: ElfFile, text: readonly Func[]): Btf {
  const hidden = new Set(text.filter((f) => {
    const sym = elf.symbols.find((s) => s.shndx === f.sec.index && s.name === f.name && s.value === f.start * 8);
    return sym !== undefined && sym.bind !== Stb.LOCAL && (sym.visibility === STV_HIDDEN || sym.visibility === STV_INTERNAL);
  }).map((f) => f.name));
  if (hidden.size === 0) return btf;
  const types = btf.types.map((t) => (t.kind === 'FUNC' && t.linkage === BTF_FUNC_GLOBAL && hidden.has(t.name) ? { ...t, linkage: BTF_FUNC_STATIC } : t));
  // the string table, where parseBtf found it (its header was checked then)
  const hdr = new Cursor(btfSection.data, btf.littleEndian, { section: btfSection.name }, btfSection.offset);
  const hdrLen = hdr.u32(4), strOff = hdr.u32(16), strLen = hdr.u32(20);
  return new Btf(types, btf.littleEndian, hdr.slice(hdrLen + strOff, strLen, 'BTF string section'));
}
