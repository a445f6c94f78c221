import { ShFlag, ShType, Stb, Stt, type ElfFile, type ElfSection, type ElfSymbol, type Relocation } from '../elf/index.js';
import { LoadError } from '../errors.js';
import { decode, INSN_SIZE, Op, type Insn } from '../isa/index.js';

/** One function of a code section: a program entry or a subprogram. */
export interface Func {
  name: string;
  sec: ElfSection;
  /** First instruction slot, counted in the section. */
  start: number;
  /** Decoded slots (lenient: slots that are no instruction are kept for the verifier to report). */
  insns: Insn[];
  global: boolean;
  /** Relocations by slot index within this function. */
  relocs: Map<number, Relocation>;
}

export const isCodeSection = (s: ElfSection) =>
  s.type === ShType.PROGBITS && (s.flags & BigInt(ShFlag.EXECINSTR)) !== 0n && s.size > 0;

/**
 * Split every code section into functions by its symbols, as libbpf does: FUNC symbols; in objects
 * from before clang emitted those, the global symbols; failing both, the whole section.
 */
export function collectFunctions(elf: ElfFile): Map<number, Func[]> {
  const out = new Map<number, Func[]>();
  for (const sec of elf.sections.filter(isCodeSection)) {
    if (sec.size % INSN_SIZE !== 0) {
      throw new LoadError(`code section size ${sec.size} is not a multiple of ${INSN_SIZE}`, { section: sec.name, offset: sec.offset });
    }
    const inSec = elf.symbols.filter((s) => s.shndx === sec.index && s.name !== '');
    let entries = inSec.filter((s) => s.type === Stt.FUNC);
    if (entries.length === 0) entries = inSec.filter((s) => s.type === Stt.NOTYPE && s.bind !== Stb.LOCAL);
    entries.sort((a, b) => a.value - b.value);
    const funcs = entries.length === 0
      ? [makeFunc(elf, sec, sec.name, 0, sec.size, true)]
      : entries.map((sym, i) => {
        const end = sym.size !== 0 ? sym.value + sym.size : (entries[i + 1]?.value ?? sec.size);
        checkEntry(sec, sym, end);
        return makeFunc(elf, sec, sym.name, sym.value, end - sym.value, sym.bind !== Stb.LOCAL);
      });
    attachRelocations(elf, sec, funcs);
    out.set(sec.index, funcs);
  }
  return out;
}

function checkEntry(sec: ElfSection, sym: ElfSymbol, end: number): void {
  const where = { section: sec.name, symbol: sym.name, offset: sec.offset + sym.value };
  if (sym.value % INSN_SIZE !== 0 || end % INSN_SIZE !== 0) throw new LoadError('function is not instruction-aligned', where);
  if (end > sec.size || end <= sym.value) throw new LoadError(`function [${sym.value}, ${end}) crosses the section boundary`, where);
}

function makeFunc(elf: ElfFile, sec: ElfSection, name: string, offset: number, size: number, global: boolean): Func {
  const insns = decode(sec.data.subarray(offset, offset + size), { endian: elf.littleEndian ? 'le' : 'be', strict: false });
  insns.forEach((insn, i) => {
    if (insn.code === Op.LDDW && insn.imm64 === undefined) {
      throw new LoadError('lddw is missing its second half', { section: sec.name, symbol: name, insn: i, offset: sec.offset + offset + i * INSN_SIZE });
    }
  });
  return { name, sec, start: offset / INSN_SIZE, insns, global, relocs: new Map() };
}

/**
 * Relocations by function, as bpf_object__collect_relos files them: a misplaced one (not on an instruction
 * slot, past the section) is an error; one on code no function symbol covers — the body of a weak function
 * another object's copy overrode, which a linker leaves behind — is skipped, as libbpf skips it.
 */
function attachRelocations(elf: ElfFile, sec: ElfSection, funcs: Func[]): void {
  for (const r of elf.relocations.get(sec.index) ?? []) {
    const slot = r.offset / INSN_SIZE;
    if (!Number.isInteger(slot) || r.offset >= sec.size) {
      throw new LoadError(`relocation #${r.from.index} at offset ${r.offset} is not on an instruction slot of the section`, {
        section: sec.name, symbol: r.symbol.name, offset: r.offset,
      });
    }
    const f = funcs.find((fn) => slot >= fn.start && slot < fn.start + fn.insns.length);
    if (f !== undefined) f.relocs.set(slot - f.start, r);
  }
}
