/**
 * Structure-aware mutation of eBPF ELF objects: the object is walked (tolerantly, by this file's own
 * reader, not the loader's) into a list of fields — ELF header, section headers, symbols, relocations,
 * legacy map definitions, BTF header, type records and string offsets, BTF.ext headers and records —
 * and a mutation overwrites one field with a value chosen to hit edges (0, all ones, sign bits, the
 * neighbour's value, a valid index of another table, a size just past the end). Byte-level mutations
 * (flips, truncation, splices of another section's bytes) are mixed in.
 */
import fc from 'fast-check';

export interface Field {
  /** What the field is, e.g. `shdr[3].sh_size`, `btf.type[12].info`, `sym[4].st_shndx`. */
  name: string;
  at: number;
  width: 1 | 2 | 4 | 8;
}

export interface Layout {
  fields: Field[];
  /** Section data ranges [start, end) with names, for byte-level mutations and splices. */
  sections: { name: string; start: number; end: number }[];
  /** Counts a value may sensibly point at (section count, symbol count, BTF type count, string table size). */
  counts: number[];
}

class Reader {
  readonly dv: DataView;
  constructor(readonly b: Uint8Array, readonly le: boolean) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  ok(at: number, w: number): boolean {
    return at >= 0 && at + w <= this.b.length;
  }
  u16(at: number): number {
    return this.ok(at, 2) ? this.dv.getUint16(at, this.le) : 0;
  }
  u32(at: number): number {
    return this.ok(at, 4) ? this.dv.getUint32(at, this.le) : 0;
  }
  u64(at: number): number {
    return this.ok(at, 8) ? Number(this.dv.getBigUint64(at, this.le)) : 0;
  }
}

const BTF_MAGIC = 0xeb9f;

/** Walks an object into its mutable fields. Never throws: a malformed part simply contributes fewer fields. */
export function layoutOf(b: Uint8Array): Layout {
  const fields: Field[] = [];
  const sections: Layout['sections'] = [];
  const counts: number[] = [];
  const f = (name: string, at: number, width: Field['width']): void => {
    if (at >= 0 && at + width <= b.length) fields.push({ name, at, width });
  };
  if (b.length < 64) return { fields, sections, counts };
  const r = new Reader(b, b[5] !== 2);
  f('e_ident[EI_CLASS]', 4, 1); f('e_ident[EI_DATA]', 5, 1);
  f('e_type', 16, 2); f('e_machine', 18, 2); f('e_shoff', 40, 8); f('e_shentsize', 58, 2); f('e_shnum', 60, 2); f('e_shstrndx', 62, 2);
  const shoff = r.u64(40);
  const shnum = Math.min(r.u16(60), 4096);
  counts.push(shnum);
  const shstr = r.u16(62);
  const hdr = (i: number) => shoff + i * 64;
  const shstrOff = r.u64(hdr(shstr) + 24);
  const nameOf = (i: number): string => {
    let at = shstrOff + r.u32(hdr(i));
    let s = '';
    while (at < b.length && b[at] !== 0 && s.length < 64) s += String.fromCharCode(b[at++]!);
    return s;
  };
  for (let i = 0; i < shnum; i++) {
    const h = hdr(i);
    if (!r.ok(h, 64)) break;
    const p = `shdr[${i}]`;
    f(`${p}.sh_name`, h, 4); f(`${p}.sh_type`, h + 4, 4); f(`${p}.sh_flags`, h + 8, 8); f(`${p}.sh_offset`, h + 24, 8);
    f(`${p}.sh_size`, h + 32, 8); f(`${p}.sh_link`, h + 40, 4); f(`${p}.sh_info`, h + 44, 4); f(`${p}.sh_entsize`, h + 56, 8);
    const type = r.u32(h + 4), off = r.u64(h + 24), size = r.u64(h + 32);
    if (type === 8 || off + size > b.length || size === 0) continue; // NOBITS, or out of the file
    const name = nameOf(i);
    sections.push({ name, start: off, end: off + size });
    if (type === 2) { // SYMTAB
      counts.push(Math.floor(size / 24));
      for (let k = 0; k * 24 + 24 <= size && k < 2000; k++) {
        const s = off + k * 24, q = `sym[${k}]`;
        f(`${q}.st_name`, s, 4); f(`${q}.st_info`, s + 4, 1); f(`${q}.st_shndx`, s + 6, 2); f(`${q}.st_value`, s + 8, 8); f(`${q}.st_size`, s + 16, 8);
      }
    } else if (type === 9 || type === 4) { // REL, RELA
      const ent = type === 4 ? 24 : 16;
      for (let k = 0; k * ent + ent <= size && k < 2000; k++) {
        const s = off + k * ent, q = `${name}[${k}]`;
        f(`${q}.r_offset`, s, 8); f(`${q}.r_info.type`, r.le ? s + 8 : s + 12, 4); f(`${q}.r_info.sym`, r.le ? s + 12 : s + 8, 4);
        if (type === 4) f(`${q}.r_addend`, s + 16, 8);
      }
    } else if (name === 'maps') { // legacy struct bpf_map_def, 20 bytes or more each
      for (let k = 0; k * 4 + 4 <= size && k < 500; k++) f(`maps.u32[${k}]`, off + k * 4, 4);
    } else if (name === '.BTF') {
      btfFields(r, off, size, f, counts);
    } else if (name === '.BTF.ext') {
      btfExtFields(r, off, size, f);
    } else if (type === 3) { // STRTAB
      counts.push(size);
    }
  }
  return { fields, sections, counts };
}

type AddField = (name: string, at: number, width: Field['width']) => void;

function btfFields(r: Reader, off: number, size: number, f: AddField, counts: number[]): void {
  if (r.u16(off) !== BTF_MAGIC) return;
  f('btf.hdr.magic', off, 2); f('btf.hdr.version', off + 2, 1); f('btf.hdr.flags', off + 3, 1); f('btf.hdr.hdr_len', off + 4, 4);
  f('btf.hdr.type_off', off + 8, 4); f('btf.hdr.type_len', off + 12, 4); f('btf.hdr.str_off', off + 16, 4); f('btf.hdr.str_len', off + 20, 4);
  const hdrLen = r.u32(off + 4);
  const start = off + hdrLen + r.u32(off + 8);
  const end = Math.min(start + r.u32(off + 12), off + size);
  counts.push(r.u32(off + 20));
  let at = start, id = 1;
  while (at + 12 <= end && id < 5000) {
    const info = r.u32(at + 4);
    const kind = (info >>> 24) & 0x1f, vlen = info & 0xffff;
    const p = `btf.type[${id}]`;
    f(`${p}.name_off`, at, 4); f(`${p}.info`, at + 4, 4); f(`${p}.info.vlen`, r.le ? at + 4 : at + 6, 2); f(`${p}.size_type`, at + 8, 4);
    at += 12;
    // trailing data by kind: per-member record size and count
    const tail: Record<number, [number, number]> = {
      1: [4, 1], 3: [12, 1], 4: [12, vlen], 5: [12, vlen], 6: [8, vlen], 13: [8, vlen], 14: [4, 1], 15: [12, vlen], 17: [4, 1], 19: [12, vlen],
    };
    const [rec, n] = tail[kind] ?? [0, 0];
    for (let k = 0; k < n && at + rec <= end && k < 200; k++) {
      for (let w = 0; w < rec; w += 4) f(`${p}.m[${k}].u32[${w / 4}]`, at + w, 4);
      at += rec;
    }
    if (kind === 0 || kind > 19) break; // lost sync
    id++;
  }
  counts.push(id);
}

function btfExtFields(r: Reader, off: number, size: number, f: AddField): void {
  if (r.u16(off) !== BTF_MAGIC) return;
  const hdrLen = r.u32(off + 4);
  f('btf.ext.hdr_len', off + 4, 4);
  const subs = [['func_info', 8], ['line_info', 16], ['core_relo', 24]] as const;
  for (const [name, h] of subs) {
    if (h + 8 > hdrLen) continue;
    f(`btf.ext.${name}_off`, off + h, 4); f(`btf.ext.${name}_len`, off + h + 4, 4);
    const start = off + hdrLen + r.u32(off + h);
    const end = Math.min(start + r.u32(off + h + 4), off + size);
    if (start + 4 > end) continue;
    f(`btf.ext.${name}.rec_size`, start, 4);
    const recSize = r.u32(start);
    if (recSize < 4 || recSize > 64) continue;
    let at = start + 4, sec = 0;
    while (at + 8 <= end && sec < 200) {
      f(`btf.ext.${name}.sec[${sec}].sec_name_off`, at, 4); f(`btf.ext.${name}.sec[${sec}].num_info`, at + 4, 4);
      const n = r.u32(at + 4);
      at += 8;
      for (let k = 0; k < n && at + recSize <= end && k < 500; k++) {
        for (let w = 0; w + 4 <= recSize; w += 4) f(`btf.ext.${name}.sec[${sec}].rec[${k}].u32[${w / 4}]`, at + w, 4);
        at += recSize;
      }
      sec++;
    }
  }
}

/** One mutation, chosen by numbers the arbitrary draws (so fast-check can shrink them). */
export type Mutation =
  | { op: 'field'; field: number; value: number; raw: bigint }
  | { op: 'flip'; pos: number; bits: number }
  | { op: 'truncate'; pos: number }
  | { op: 'splice'; from: number; to: number; len: number }
  | { op: 'swap'; a: number; b: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('field' as const), field: fc.nat(), value: fc.nat(31), raw: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flip' as const), pos: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), pos: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), from: fc.nat(), to: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }) },
);

function write(b: Uint8Array, fd: Field, v: bigint, le: boolean): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const x = BigInt.asUintN(fd.width * 8, v);
  switch (fd.width) {
    case 1: dv.setUint8(fd.at, Number(x)); break;
    case 2: dv.setUint16(fd.at, Number(x), le); break;
    case 4: dv.setUint32(fd.at, Number(x), le); break;
    case 8: dv.setBigUint64(fd.at, x, le); break;
  }
}

function read(b: Uint8Array, fd: Field, le: boolean): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (fd.width) {
    case 1: return BigInt(dv.getUint8(fd.at));
    case 2: return BigInt(dv.getUint16(fd.at, le));
    case 4: return BigInt(dv.getUint32(fd.at, le));
    case 8: return dv.getBigUint64(fd.at, le);
  }
}

/** The edge value a field gets: `pick` selects the strategy. */
function edgeValue(pick: number, old: bigint, fd: Field, layout: Layout, raw: bigint, size: number): bigint {
  const bits = BigInt(fd.width * 8);
  const max = (1n << bits) - 1n;
  const count = BigInt(layout.counts[Number(raw % BigInt(Math.max(1, layout.counts.length)))] ?? 0);
  switch (pick) {
    case 0: return 0n;
    case 1: return max;
    case 2: return max >> 1n; // INT_MAX of the width
    case 3: return (max >> 1n) + 1n; // the sign bit
    case 4: return old + 1n;
    case 5: return old - 1n;
    case 6: return old + 8n;
    case 7: return old * 2n + 1n;
    case 8: return count; // one past a table's end
    case 9: return count - 1n;
    case 10: return BigInt(size); // the file's size
    case 11: return BigInt(size) - old;
    case 12: return 1n << (raw % bits);
    case 13: return (1n << (raw % bits)) - 1n;
    case 14: return old ^ (1n << (raw % bits));
    case 15: return 0x10000000n + (raw % 0xf0000000n); // 2^28…2^32: counts that would allocate
    default:
      // 16…23 (another field's value) are handled by the caller; the rest are random bytes or words
      return raw & (pick < 28 ? 0xffn : max);
  }
}

/** The groups a field belongs to, picked evenly first so that big tables (symbols, relocations) do not drown the rest. */
const GROUPS: readonly RegExp[] = [
  /^(e_|shdr)/, /^sym\[/, /\.r_/, /^maps\./, /^btf\.hdr/, /^btf\.type\[\d+\]\.(name_off|info|size_type)/, /^btf\.type\[\d+\]\.m/,
  /^btf\.ext\.[a-z_]+(_off|_len|\.rec_size)|^btf\.ext\.hdr/, /^btf\.ext\.func_info\.sec/, /^btf\.ext\.line_info\.sec/, /^btf\.ext\.core_relo\.sec/,
];

function pickField(layout: Layout, n: number): Field {
  const groups = GROUPS.map((g) => layout.fields.filter((f) => g.test(f.name))).filter((g) => g.length > 0);
  if (groups.length === 0) return layout.fields[n % layout.fields.length]!;
  const g = groups[n % groups.length]!;
  return g[Math.floor(n / groups.length) % g.length]!;
}

/** Applies mutations to a copy of `bytes`. */
export function mutate(bytes: Uint8Array, muts: readonly Mutation[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  let layout = layoutOf(b);
  const le = b[5] !== 2;
  for (const m of muts) {
    if (b.length === 0) break;
    switch (m.op) {
      case 'field': {
        if (layout.fields.length === 0) break;
        const fd = pickField(layout, m.field);
        if (fd.at + fd.width > b.length) break;
        let v: bigint;
        if (m.value >= 16 && m.value < 24) {
          const other = layout.fields[Number(m.raw % BigInt(layout.fields.length))]!;
          v = other.at + other.width <= b.length ? read(b, other, le) : 0n;
        } else {
          v = edgeValue(m.value, read(b, fd, le), fd, layout, m.raw, b.length);
        }
        write(b, fd, v, le);
        // headers changed: later mutations see the new structure
        if (/^(e_|shdr|btf\.hdr|btf\.ext\.(hdr|\w+_(off|len)|\w+\.rec_size|.*num_info))/.test(fd.name)) layout = layoutOf(b);
        break;
      }
      case 'flip': {
        const s = layout.sections[m.pos % Math.max(1, layout.sections.length)];
        const lo = s?.start ?? 0, hi = s?.end ?? b.length;
        if (hi <= lo) break;
        const at = lo + ((m.pos >>> 4) % (hi - lo));
        if (at < b.length) b[at]! ^= m.bits;
        break;
      }
      case 'truncate':
        b = b.subarray(0, m.pos % b.length);
        layout = layoutOf(b);
        break;
      case 'splice': {
        if (layout.sections.length === 0) break;
        const from = layout.sections[m.from % layout.sections.length]!;
        const to = layout.sections[m.to % layout.sections.length]!;
        const len = Math.min(m.len, from.end - from.start, to.end - to.start);
        if (len > 0 && to.start + len <= b.length && from.start + len <= b.length) b.copyWithin(to.start, from.start, from.start + len);
        layout = layoutOf(b);
        break;
      }
      case 'swap': {
        // swap two fields of the same width (two section headers' offsets, two symbols' indices…)
        if (layout.fields.length < 2) break;
        const x = layout.fields[m.a % layout.fields.length]!;
        const same = layout.fields.filter((g) => g.width === x.width);
        const y = same[m.b % same.length]!;
        if (x.at + x.width > b.length || y.at + y.width > b.length) break;
        const vx = read(b, x, le), vy = read(b, y, le);
        write(b, x, vy, le);
        write(b, y, vx, le);
        break;
      }
    }
  }
  return b;
}

/** A copy of `bytes` with the named fields (as layoutOf names them) set: how reproducers are written down. */
export function withFields(bytes: Uint8Array, values: Readonly<Record<string, bigint | number>>): Uint8Array {
  const b = bytes.slice();
  const fields = layoutOf(b).fields;
  const le = b[5] !== 2;
  for (const [name, v] of Object.entries(values)) {
    const fd = fields.find((f) => f.name === name);
    if (fd === undefined) throw new Error(`no field ${name}`);
    write(b, fd, BigInt(v), le);
  }
  return b;
}
