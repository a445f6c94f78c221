import type { Btf } from '../btf/index.js';
import { LoadError } from '../errors.js';
import { ARRAY_MAP, BPF_F_MMAPABLE, BPF_F_RDONLY_PROG } from './bpf-enums.js';
import type { KconfigType, KconfigVar, MapSpec } from './types.js';

export type { KconfigType, KconfigVar };

/** The `.kconfig` map libbpf makes for `extern ... __kconfig` variables, and each one's offset. */
export interface KconfigLayout {
  spec: MapSpec;
  offsets: Map<string, number>;
  vars: KconfigVar[];
}

const where = { section: '.kconfig' };

/** find_kcfg_type: the storage class of a kconfig extern's type, or a LoadError (`type is unsupported`). */
function kcfgType(btf: Btf, id: number, name: string): { type: KconfigType; signed: boolean } {
  const t = btf.type(btf.resolve(id));
  const unsupported = (): never => {
    throw new LoadError(`extern (kcfg) '${name}': type is unsupported`, where);
  };
  switch (t.kind) {
    case 'INT':
      if (t.encoding & 4) return t.size === 1 ? { type: 'bool', signed: false } : unsupported();
      if (t.size === 1) return { type: 'char', signed: (t.encoding & 1) !== 0 };
      if (t.size < 1 || t.size > 8 || (t.size & (t.size - 1)) !== 0) unsupported();
      return { type: 'int', signed: (t.encoding & 1) !== 0 };
    case 'ENUM':
    case 'ENUM64':
      if ((t.kind === 'ENUM' && t.size !== 4) || t.name !== 'libbpf_tristate') unsupported();
      return { type: 'tristate', signed: false };
    case 'ARRAY': {
      if (t.nelems === 0) unsupported();
      const e = btf.type(btf.resolve(t.type));
      if (e.kind !== 'INT' || (e.encoding & 4) || e.size !== 1) unsupported();
      return { type: 'char_arr', signed: false };
    }
    default:
      return unsupported();
  }
}

/**
 * Lay out the `.kconfig` externs as libbpf does: by alignment, largest first, then by name, each at
 * its natural alignment; the map's value ends where the last extern does (bpf_object__init_kconfig_map). `weak` names the
 * externs whose symbols are weak.
 */
export function kconfigLayout(btf: Btf | undefined, weak: ReadonlySet<string> = new Set()): KconfigLayout | undefined {
  const id = btf?.idByName('.kconfig', 'DATASEC');
  if (btf === undefined || id === undefined) return undefined;
  const ds = btf.type(id);
  if (ds.kind !== 'DATASEC' || ds.vars.length === 0) return undefined;
  const vars = ds.vars.map((v) => {
    const variable = btf.type(v.type);
    if (variable.kind !== 'VAR') throw new LoadError(`entry [${v.type}] is a ${variable.kind}, not a variable`, where);
    return { name: variable.name, size: btf.sizeOf(variable.type), align: alignOf(btf, variable.type), ...kcfgType(btf, variable.type, variable.name) };
  }).sort((a, b) => b.align - a.align || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const offsets = new Map<string, number>();
  const out: KconfigVar[] = [];
  let end = 0;
  for (const v of vars) {
    const off = Math.ceil(end / v.align) * v.align;
    offsets.set(v.name, off);
    out.push({ name: v.name, offset: off, size: v.size, type: v.type, signed: v.signed, weak: weak.has(v.name) });
    end = off + v.size;
  }
  const spec: MapSpec = {
    name: '.kconfig', section: '.kconfig', type: ARRAY_MAP, keySize: 4, valueSize: end,
    maxEntries: 1, flags: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, btfValueType: id, frozen: true,
  };
  return { spec, offsets, vars: out };
}

/** Natural alignment of a type: its (element) size as a power of two, at most 8. */
function alignOf(btf: Btf, id: number): number {
  let t = btf.type(btf.resolve(id));
  for (let depth = 0; t.kind === 'ARRAY' && depth < 32; depth++) t = btf.type(btf.resolve(t.type));
  const size = 'size' in t ? t.size : 8;
  return Math.min(8, Math.max(1, size & -size));
}

/** What the kernel a program loads into tells libbpf about itself. */
export interface KconfigSource {
  /** The kernel's configuration file, as text (`CONFIG_X=y` lines; `# … is not set` lines are comments). */
  configText: string | undefined;
  /** libbpf's virtual externs: LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE, LINUX_HAS_SYSCALL_WRAPPER. */
  virtual(name: string): bigint | undefined;
}

function fail(detail: string): never {
  throw new LoadError(detail, where);
}

const TRISTATE = { n: 0, y: 1, m: 2 } as const;

/**
 * bpf_object__resolve_externs for `.kconfig`: the map's contents, each extern set as libbpf sets it
 * (virtual LINUX_* externs first, then the config file's lines in order), with libbpf's refusals
 * (a value of the wrong kind, a strong extern left unresolved).
 */
export function fillKconfig(vars: readonly KconfigVar[], valueSize: number, src: KconfigSource): Uint8Array {
  const data = new Uint8Array(valueSize);
  const dv = new DataView(data.buffer);
  const set = new Set<string>();
  const num = (v: KconfigVar, value: bigint): void => {
    if (v.type !== 'int' && v.type !== 'char' && v.type !== 'bool') fail(`extern (kcfg) '${v.name}': value '${value}' implies integer, char, or boolean type`);
    if (v.type === 'bool' && value > 1n) fail(`extern (kcfg) '${v.name}': value '${value}' isn't boolean compatible`);
    const bits = BigInt(v.size * 8);
    const inRange = v.size === 8 || (v.signed ? value + (1n << (bits - 1n)) < (1n << bits) : value >> bits === 0n);
    if (!inRange) fail(`extern (kcfg) '${v.name}': value '${value}' doesn't fit in ${v.size} bytes`);
    const u = BigInt.asUintN(64, value);
    if (v.size === 1) dv.setUint8(v.offset, Number(u & 0xffn));
    else if (v.size === 2) dv.setUint16(v.offset, Number(u & 0xffffn), true);
    else if (v.size === 4) dv.setUint32(v.offset, Number(u & 0xffffffffn), true);
    else dv.setBigUint64(v.offset, u, true);
    set.add(v.name);
  };
  const needConfig: KconfigVar[] = [];
  for (const v of vars) {
    if (v.name.startsWith('CONFIG_')) {
      needConfig.push(v);
      continue;
    }
    const value = src.virtual(v.name);
    if (value === undefined) {
      if (!v.name.startsWith('LINUX_') || !v.weak) fail(`extern (kcfg) '${v.name}': unrecognized virtual extern`);
      continue; // libbpf sets an unknown weak LINUX_ extern to 0
    }
    num(v, value);
  }
  if (needConfig.length > 0) {
    if (src.configText === undefined) fail('failed to open system Kconfig');
    const byName = new Map(needConfig.map((v) => [v.name, v]));
    for (const raw of src.configText.split('\n')) {
      if (!raw.startsWith('CONFIG_')) continue;
      const sep = raw.indexOf('=');
      if (sep < 0) fail(`failed to parse '${raw}': no separator`);
      const name = raw.slice(0, sep);
      const value = raw.slice(sep + 1);
      if (value === '') fail(`failed to parse '${raw}': no value`);
      const v = byName.get(name);
      if (v === undefined || set.has(name)) continue;
      const c = value[0]!;
      if (c === 'y' || c === 'n' || c === 'm') {
        if (v.type === 'bool') {
          if (c === 'm') fail(`extern (kcfg) '${v.name}': value '${c}' implies tristate or char type`);
          data[v.offset] = c === 'y' ? 1 : 0;
        } else if (v.type === 'tristate') dv.setUint32(v.offset, TRISTATE[c], true);
        else if (v.type === 'char') data[v.offset] = c.charCodeAt(0);
        else fail(`extern (kcfg) '${v.name}': value '${c}' implies bool, tristate, or char type`);
        set.add(name);
      } else if (c === '"') {
        if (v.type !== 'char_arr') fail(`extern (kcfg) '${v.name}': value '${value}' implies char array type`);
        if (value.length < 2 || !value.endsWith('"')) fail(`extern (kcfg) '${v.name}': invalid string config '${value}'`);
        const bytes = new TextEncoder().encode(value.slice(1, -1)).subarray(0, v.size - 1);
        data.set(bytes, v.offset);
        data[v.offset + bytes.length] = 0;
        set.add(name);
      } else {
        const n = parseConfigInt(value);
        if (n === undefined) fail(`extern (kcfg) '${v.name}': value '${value}' isn't a valid integer`);
        if (v.type !== 'int' && v.type !== 'char') fail(`extern (kcfg) '${v.name}': value '${value}' implies integer type`);
        num(v, n);
      }
    }
  }
  for (const v of vars) {
    if (!set.has(v.name) && !v.weak) fail(`extern '${v.name}' (strong): not resolved`);
  }
  return data;
}

/** parse_u64: strtoull with base 0 (decimal, 0x hex, 0 octal), the whole string. */
function parseConfigInt(s: string): bigint | undefined {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (m === null) return undefined;
  if (/^0[0-7]+$/.test(s)) return BigInt(`0o${s.slice(1)}`);
  return BigInt(s);
}
