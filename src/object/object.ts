import { parseBtf, parseBtfExt, type Btf, type BtfExt } from '../btf/index.js';
import { Cursor, EM_BPF, parseElf, sectionByName, Shn, Stb, type ElfFile } from '../elf/index.js';
import { LoadError } from '../errors.js';
import { collectFunctions, type Func } from './functions.js';
import { kconfigLayout } from './kconfig.js';
import { markHiddenStatic } from './btf-static.js';
import { linkProgram, type LinkContext } from './link.js';
import { collectMaps } from './maps.js';
import { matchSection } from './section-defs.js';
import { collectStructOps, structOpsRefs, type StructOpsRef } from './struct-ops.js';
import type { ObjectFile, ProgramSpec } from './types.js';

const ET_REL = 1;

/**
 * libbpf's open stage, side-effect free: parse an eBPF ELF object into its programs (linked with
 * their subprograms, relocations applied symbolically), map definitions, license and BTF. Every
 * failure is a LoadError naming the section, symbol or offset.
 */
export function parseObject(bytes: Uint8Array): ObjectFile {
  const elf = parseElf(bytes);
  if (elf.type !== ET_REL) throw new LoadError(`not a relocatable object (e_type ${elf.type})`, { offset: 16 });
  if (elf.machine !== EM_BPF && elf.machine !== 0) throw new LoadError(`not an eBPF object (e_machine ${elf.machine})`, { offset: 18 });
  const parsedBtf = readBtf(elf);
  const ext = readBtfExt(elf, parsedBtf);
  const funcs = collectFunctions(elf);
  const textIdx = sectionByName(elf, '.text')?.index;
  const btfSec = sectionByName(elf, '.BTF');
  const btf = parsedBtf && btfSec && markHiddenStatic(parsedBtf, btfSec, elf, textIdx === undefined ? [] : funcs.get(textIdx) ?? []);
  const maps = collectMaps(elf, btf);
  const weak = new Set(elf.symbols.filter((s) => s.shndx === Shn.UNDEF && s.bind === Stb.WEAK).map((s) => s.name));
  const kconfig = kconfigLayout(btf, weak);
  if (kconfig !== undefined) maps.push({ spec: kconfig.spec, secIdx: -1, offset: 0, data: true });
  const ctx: LinkContext = {
    funcs, maps, ext,
    kconfig: kconfig && { mapIndex: maps.length - 1, offsets: kconfig.offsets },
  };
  const structOps = collectStructOps(elf, btf);
  const refs = structOpsRefs(structOps);
  const programs = entryPoints(elf, funcs).map((f) => programSpec(f, ctx, refs.get(f.name)));
  const version = sectionByName(elf, 'version');
  return {
    license: readLicense(elf),
    ...(version !== undefined && { kernVersion: new Cursor(version.data, elf.littleEndian, { section: 'version' }, version.offset).u32(0, 'kernel version') }),
    programs,
    maps: maps.map((m) => m.spec),
    ...(structOps.length > 0 && { structOps }),
    ...(kconfig !== undefined && { kconfig: { mapIndex: maps.findIndex((m) => m.spec === kconfig.spec), vars: kconfig.vars } }),
    ...(btf !== undefined && { btf }),
  };
}

function readBtf(elf: ElfFile): Btf | undefined {
  const s = sectionByName(elf, '.BTF');
  return s && parseBtf(s.data, { section: s.name, offset: s.offset });
}

function readBtfExt(elf: ElfFile, btf: Btf | undefined): BtfExt | undefined {
  const s = sectionByName(elf, '.BTF.ext');
  if (s === undefined) return undefined;
  if (btf === undefined) throw new LoadError('.BTF.ext without .BTF', { section: s.name });
  return parseBtfExt(s.data, btf, s.offset);
}

function readLicense(elf: ElfFile): string {
  const s = sectionByName(elf, 'license');
  if (s === undefined) return '';
  const end = s.data.indexOf(0);
  return new TextDecoder().decode(s.data.subarray(0, end < 0 ? s.data.length : end));
}

/**
 * Program entry points: the functions of every code section but `.text` (whose functions are
 * subprograms). Static entry points are accepted (libbpf 1.x refuses them; cilium/ebpf does not, and
 * Cilium's and Falco's objects have them). An object whose only code is `.text` has its global
 * `.text` functions as programs.
 */
function entryPoints(elf: ElfFile, funcs: Map<number, Func[]>): Func[] {
  const text = sectionByName(elf, '.text');
  const entries = [...funcs].filter(([idx]) => idx !== text?.index).flatMap(([, fs]) => fs);
  if (entries.length > 0 || text === undefined) return entries;
  return (funcs.get(text.index) ?? []).filter((f) => f.global);
}

function programSpec(f: Func, ctx: LinkContext, structOps: StructOpsRef | undefined): ProgramSpec {
  const m = matchSection(f.sec.name);
  return {
    name: f.name,
    section: f.sec.name,
    type: m.type,
    ...(m.attachType !== undefined && { attachType: m.attachType }),
    ...(m.attachTo !== undefined && { attachTo: m.attachTo }),
    sleepable: m.sleepable,
    autoload: m.autoload,
    ...(structOps !== undefined && { structOps }),
    ...linkProgram(f, ctx),
  };
}
