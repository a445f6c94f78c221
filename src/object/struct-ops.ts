/**
 * libbpf's struct_ops maps, parsed without side effects: each variable of a `.struct_ops` (or
 * `.struct_ops.link`) section is a struct whose function-pointer members the section's relocations
 * point at programs. Every program named there gets the struct type and the member it implements; the
 * loader resolves both against the kernel's struct (attach_btf_id, and the member's index there as the
 * expected attach type).
 */
import type { Btf } from '../btf/index.js';
import { Stt, type ElfFile, type ElfSymbol } from '../elf/index.js';
import { LoadError } from '../errors.js';

export const STRUCT_OPS_SECTIONS: readonly string[] = ['.struct_ops', '.struct_ops.link'];

/** One struct_ops variable of the object. */
export interface StructOpsSpec {
  /** The variable's name (libbpf's map name). */
  name: string;
  section: string;
  /** The struct type's name (`bpf_dummy_ops`, `tcp_congestion_ops`). */
  typeName: string;
  size: number;
  /** The variable's initial bytes (function pointers zero). */
  data: Uint8Array;
  /** Function-pointer members set to a program: member name → program (function symbol) name. */
  programs: { member: string; memberIndex: number; program: string }[];
}

/** What a struct_ops program implements, as the object says it. */
export interface StructOpsRef {
  map: string;
  typeName: string;
  member: string;
  /** Declared with `.struct_ops.link` (a BPF link rather than a registration). */
  link: boolean;
}

export function collectStructOps(elf: ElfFile, btf: Btf | undefined): StructOpsSpec[] {
  const out: StructOpsSpec[] = [];
  for (const sec of elf.sections) {
    if (!STRUCT_OPS_SECTIONS.includes(sec.name)) continue;
    if (btf === undefined) throw new LoadError('struct_ops maps need a .BTF section', { section: sec.name });
    const relocs = elf.relocations.get(sec.index) ?? [];
    const syms = elf.symbols.filter((s) => s.shndx === sec.index && s.type === Stt.OBJECT && s.name !== '');
    for (const sym of syms) {
      const where = { section: sec.name, symbol: sym.name };
      const varId = btf.idByName(sym.name, 'VAR');
      if (varId === undefined) throw new LoadError(`struct_ops variable "${sym.name}" has no BTF`, where);
      const v = btf.type(varId);
      if (v.kind !== 'VAR') throw new LoadError(`"${sym.name}" is not a BTF variable`, where);
      const st = btf.type(btf.resolve(v.type));
      if (st.kind !== 'STRUCT') throw new LoadError(`struct_ops variable "${sym.name}" is a ${st.kind}, not a struct`, where);
      const programs: StructOpsSpec['programs'] = [];
      for (const r of relocs) {
        if (r.offset < sym.value || r.offset >= sym.value + st.size) continue;
        const moff = (r.offset - sym.value) * 8;
        const memberIndex = st.members.findIndex((m) => m.bitOffset === moff);
        const member = st.members[memberIndex];
        if (member === undefined) {
          throw new LoadError(`relocation at offset ${r.offset - sym.value} is not at a member of struct ${st.name}`, where);
        }
        const proto = btf.type(btf.resolve(member.type));
        const fn = proto.kind === 'PTR' ? btf.type(btf.resolve(proto.type)) : proto;
        if (fn.kind !== 'FUNC_PROTO') throw new LoadError(`member "${member.name}" of struct ${st.name} is not a function pointer`, where);
        if (r.symbol.type !== Stt.FUNC && r.symbol.type !== Stt.SECTION) {
          throw new LoadError(`member "${member.name}" points at "${r.symbol.name}", which is not a program`, where);
        }
        programs.push({ member: member.name, memberIndex, program: programName(elf, r.symbol, sec.data, r.offset) });
      }
      out.push({
        name: sym.name, section: sec.name, typeName: st.name, size: st.size,
        data: sec.data.slice(sym.value, sym.value + st.size), programs,
      });
    }
  }
  return out;
}

/** The function a relocation names: its symbol, or (a section symbol) the function at the stored offset. */
function programName(elf: ElfFile, sym: ElfSymbol, data: Uint8Array, at: number): string {
  if (sym.type === Stt.FUNC) return sym.name;
  const off = Number(new DataView(data.buffer, data.byteOffset + at, 8).getBigUint64(0, elf.littleEndian));
  const fn = elf.symbols.find((s) => s.type === Stt.FUNC && s.shndx === sym.shndx && s.value === off);
  if (fn === undefined) throw new LoadError(`no function at offset ${off} of the section a struct_ops member points at`, { offset: at });
  return fn.name;
}

/** The struct_ops reference of each program the object's struct_ops maps name. */
export function structOpsRefs(specs: readonly StructOpsSpec[]): Map<string, StructOpsRef> {
  const refs = new Map<string, StructOpsRef>();
  for (const s of specs) {
    for (const p of s.programs) {
      refs.set(p.program, { map: s.name, typeName: s.typeName, member: p.member, link: s.section === '.struct_ops.link' });
    }
  }
  return refs;
}
