import type { Btf } from '../btf/index.js';
import { Cursor, ShType, Stt, type ElfFile, type ElfSection } from '../elf/index.js';
import { LoadError } from '../errors.js';
import { ARRAY_MAP, BPF_F_MMAPABLE, BPF_F_RDONLY_PROG, mapType } from './bpf-enums.js';
import { btfMapDef } from './btf-maps.js';
import type { MapSpec } from './types.js';

/** A map and where its definition lives, so relocations can find it. */
export interface MapSlot {
  spec: MapSpec;
  secIdx: number;
  /** Byte offset of the definition in its section (0 for global data maps). */
  offset: number;
  /** Global data maps: lddw refers to a value inside the map. */
  data: boolean;
}

const isLegacyMapSection = (name: string) => name === 'maps' || name.startsWith('maps/');
const isDataSection = (name: string) => /^\.(data|rodata|bss)(\..*)?$/.test(name);

/** Every map an object declares: BTF `.maps`, legacy `maps` sections, and global data sections. */
export function collectMaps(elf: ElfFile, btf: Btf | undefined): MapSlot[] {
  const out: MapSlot[] = [];
  for (const sec of elf.sections) {
    if (sec.name === '.maps') out.push(...btfMaps(elf, sec, btf));
    else if (isLegacyMapSection(sec.name)) out.push(...legacyMaps(elf, sec));
    else if (isDataSection(sec.name) && sec.size > 0 && (sec.type === ShType.PROGBITS || sec.type === ShType.NOBITS)) {
      out.push(dataMap(sec, btf));
    }
  }
  return out;
}

/**
 * Maps of the `.maps` DATASEC. Clang leaves the DATASEC's offsets 0 (libbpf fixes them from the
 * symbol table), so each map's offset is its symbol's value.
 */
function btfMaps(elf: ElfFile, sec: ElfSection, btf: Btf | undefined): MapSlot[] {
  if (btf === undefined) throw new LoadError('BTF-defined maps need a .BTF section', { section: sec.name });
  const id = btf.idByName('.maps', 'DATASEC');
  if (id === undefined) throw new LoadError('no DATASEC ".maps" in BTF', { section: sec.name });
  const ds = btf.type(id);
  if (ds.kind !== 'DATASEC') throw new LoadError('".maps" is not a DATASEC', { section: sec.name });
  return ds.vars.map((v) => {
    const variable = btf.type(v.type);
    if (variable.kind !== 'VAR') {
      throw new LoadError(`entry at offset ${v.offset} is a ${variable.kind}, not a variable`, { section: sec.name, offset: v.offset });
    }
    const sym = elf.symbols.find((s) => s.shndx === sec.index && s.name === variable.name);
    if (sym === undefined) throw new LoadError(`map "${variable.name}" has no symbol`, { section: sec.name, symbol: variable.name });
    return { spec: btfMapDef(btf, variable.type, variable.name), secIdx: sec.index, offset: sym.value, data: false };
  });
}

/** Flag saying numa_node is meaningful (BPF_F_NUMA_NODE). */
const BPF_F_NUMA_NODE = 0x4;
const MAP_IN_MAP = new Set(['BPF_MAP_TYPE_ARRAY_OF_MAPS', 'BPF_MAP_TYPE_HASH_OF_MAPS']);

/**
 * `struct bpf_map_def` symbols in a `maps` section (the layout of the kernel samples' bpf_load.h:
 * type, key_size, value_size, max_entries, map_flags, inner_map_idx, numa_node). Each definition's
 * size is the symbol's size, or the section split evenly as libbpf did.
 */
function legacyMaps(elf: ElfFile, sec: ElfSection): MapSlot[] {
  const syms = elf.symbols
    .filter((s) => s.shndx === sec.index && s.type !== Stt.SECTION && s.type !== Stt.FILE && s.name !== '')
    .sort((a, b) => a.value - b.value);
  if (syms.length === 0) return [];
  const even = Math.floor(sec.size / syms.length);
  const cur = new Cursor(sec.data, elf.littleEndian, { section: sec.name }, sec.offset);
  const raw = syms.map((sym) => {
    const size = sym.size || even;
    const where = { section: sec.name, symbol: sym.name, offset: sec.offset + sym.value };
    if (size < 16) throw new LoadError(`map definition of ${size} bytes is too small`, where);
    if (sym.value + size > sec.size) throw new LoadError('map definition runs past the end of the section', where);
    const field = (i: number) => (i * 4 + 4 <= size ? cur.u32(sym.value + i * 4) : 0);
    const spec: MapSpec = {
      name: sym.name, section: sec.name, type: mapType(field(0)), keySize: field(1), valueSize: field(2),
      maxEntries: field(3), flags: field(4),
    };
    if (spec.flags & BPF_F_NUMA_NODE) spec.numaNode = field(6);
    return { spec, innerIdx: field(5), slot: { spec, secIdx: sec.index, offset: sym.value, data: false } };
  });
  for (const r of raw) {
    const inner = raw[r.innerIdx];
    if (MAP_IN_MAP.has(r.spec.type.name) && inner !== undefined && inner !== r) r.spec.inner = inner.spec;
  }
  return raw.map((r) => r.slot);
}

/** A global data section as libbpf's internal array map: one element, the whole section. */
function dataMap(sec: ElfSection, btf: Btf | undefined): MapSlot {
  const readonly = sec.name.startsWith('.rodata');
  const valueType = btf?.idByName(sec.name, 'DATASEC');
  const spec: MapSpec = {
    name: sec.name, section: sec.name, type: ARRAY_MAP, keySize: 4, valueSize: sec.size, maxEntries: 1,
    flags: (readonly ? BPF_F_RDONLY_PROG : 0) | BPF_F_MMAPABLE,
    ...(valueType !== undefined && { btfValueType: valueType }),
    ...(sec.type !== ShType.NOBITS && { initialData: sec.data.slice() }),
    ...(readonly && { frozen: true }),
  };
  return { spec, secIdx: sec.index, offset: 0, data: true };
}
