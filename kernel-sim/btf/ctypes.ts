/**
 * Kernel types as data: structs, unions, enums and typedefs written with C type texts (`u32`,
 * `struct task_struct *`, `char[16]`), laid out with the x86-64 C rules and emitted as BTF. The simulated
 * vmlinux BTF and the object heap read the same definitions, so a field's offset is one fact.
 */
import { BtfBuilder } from '../../src/btf/index.js';

/** A member: its name ('' for an anonymous one) and its type — a C type text or an inline anonymous composite. */
export type MemberDef = readonly [name: string, type: string | InlineComposite];
export interface InlineComposite {
  kind: 'struct' | 'union';
  members: readonly MemberDef[];
}
export interface CompositeDef extends InlineComposite {
  name: string;
}
export interface EnumDef {
  kind: 'enum';
  name: string;
  values: readonly (readonly [string, number])[];
}
export interface TypedefDef {
  kind: 'typedef';
  name: string;
  type: string;
}
export type TypeDef = CompositeDef | EnumDef | TypedefDef;

/** A malformed type text or definition, naming it. */
export class CTypeError extends Error {
  constructor(readonly type: string, message: string) {
    super(`type '${type}': ${message}`);
  }
}

/** The C integer types (x86-64): size and signedness. `char` is signed, as on x86. */
const INTS: Readonly<Record<string, { size: number; signed: boolean; char?: boolean; bool?: boolean }>> = {
  char: { size: 1, signed: true, char: true },
  'unsigned char': { size: 1, signed: false, char: true },
  'signed char': { size: 1, signed: true, char: true },
  short: { size: 2, signed: true },
  'unsigned short': { size: 2, signed: false },
  int: { size: 4, signed: true },
  'unsigned int': { size: 4, signed: false },
  long: { size: 8, signed: true },
  'unsigned long': { size: 8, signed: false },
  'long long': { size: 8, signed: true },
  'unsigned long long': { size: 8, signed: false },
  _Bool: { size: 1, signed: false, bool: true },
};

/** The kernel's fixed-width typedefs (include/uapi/asm-generic/int-ll64.h, linux/types.h). */
export const BASE_TYPEDEFS: readonly TypedefDef[] = [
  ['__u8', 'unsigned char'], ['__s8', 'signed char'], ['__u16', 'unsigned short'], ['__s16', 'short'],
  ['__u32', 'unsigned int'], ['__s32', 'int'], ['__u64', 'unsigned long long'], ['__s64', 'long long'],
  ['u8', '__u8'], ['s8', '__s8'], ['u16', '__u16'], ['s16', '__s16'], ['u32', '__u32'], ['s32', '__s32'],
  ['u64', '__u64'], ['s64', '__s64'], ['__be16', '__u16'], ['__be32', '__u32'], ['bool', '_Bool'],
  ['pid_t', 'int'], ['key_serial_t', 'int'],
].map(([name, type]) => ({ kind: 'typedef', name: name!, type: type! }));

/** A parsed type text: base name (with its tag), pointer depth, array length (0 = flexible, undefined = none). */
interface Parsed {
  tag: 'struct' | 'union' | 'enum' | null;
  base: string;
  ptr: number;
  array?: number;
  isConst: boolean;
}

function parse(text: string): Parsed {
  const m = /^\s*(const\s+)?(?:(struct|union|enum)\s+)?([A-Za-z_][\w ]*?)\s*(\**)\s*(?:\[(\d*)\])?\s*$/.exec(text);
  if (m === null) throw new CTypeError(text, 'not a C type this table understands');
  return {
    isConst: m[1] !== undefined,
    tag: (m[2] as Parsed['tag']) ?? null,
    base: m[3]!,
    ptr: m[4]!.length,
    array: m[5] === undefined ? undefined : m[5] === '' ? 0 : Number(m[5]),
  };
}

export interface Layout {
  size: number;
  align: number;
}

/**
 * Definitions by name, their layouts, and their BTF ids once emitted. `emit` adds every definition (and
 * whatever types they use) to a BtfBuilder; `typeId` then emits type texts on demand (prototypes).
 */
export class TypeTable {
  private readonly defs = new Map<string, TypeDef>();
  private readonly layouts = new Map<string, Layout>();
  private readonly ids = new Map<string, number>();
  private builder: BtfBuilder | null = null;

  constructor(defs: Iterable<TypeDef> = []) {
    for (const d of BASE_TYPEDEFS) this.define(d);
    for (const d of defs) this.define(d);
  }

  define(d: TypeDef): void {
    const key = defKey(d);
    if (this.defs.has(key)) throw new CTypeError(d.name, 'defined twice');
    this.defs.set(key, d);
  }

  has(text: string): boolean {
    const p = parse(text);
    return p.tag === null ? p.base in INTS || this.defs.has(p.base) || p.base === 'void' : this.defs.has(`${p.tag} ${p.base}`);
  }

  /** The definition of `struct X` / `union X` / `enum X` / a typedef name. */
  definition(text: string): TypeDef | undefined {
    const p = parse(text);
    return this.defs.get(p.tag === null ? p.base : `${p.tag} ${p.base}`);
  }

  /** Size and alignment of a type text. */
  layout(text: string): Layout {
    const p = parse(text);
    if (p.ptr > 0) return times({ size: 8, align: 8 }, p.array);
    return times(this.baseLayout(p, text), p.array);
  }

  /** Offset and type of member `name` of a composite (searching anonymous members too). */
  member(composite: string | InlineComposite, name: string): { offset: number; type: string | InlineComposite } | undefined {
    const d = typeof composite === 'string' ? this.definition(composite) : composite;
    if (d === undefined || d.kind === 'enum' || d.kind === 'typedef') return undefined;
    return this.findMember(d, name, 0);
  }

  /** Size of a type text or an inline composite. */
  sizeOf(type: string | InlineComposite): number {
    return typeof type === 'string' ? this.layout(type).size : this.compositeLayout(type).size;
  }

  private findMember(c: InlineComposite, name: string, base: number): { offset: number; type: string | InlineComposite } | undefined {
    for (const m of this.place(c)) {
      if (m.name === name) return { offset: base + m.offset, type: m.type };
      if (m.name === '' && typeof m.type !== 'string') {
        const inner = this.findMember(m.type, name, base + m.offset);
        if (inner !== undefined) return inner;
      }
    }
    return undefined;
  }

  /** The members of a composite with their byte offsets. */
  place(c: InlineComposite): { name: string; type: string | InlineComposite; offset: number }[] {
    let off = 0;
    return c.members.map(([name, type]) => {
      const l = typeof type === 'string' ? this.layout(type) : this.compositeLayout(type);
      const at = c.kind === 'union' ? 0 : alignUp(off, l.align);
      off = at + l.size;
      return { name, type, offset: at };
    });
  }

  private baseLayout(p: Parsed, text: string): Layout {
    if (p.tag === null && p.base in INTS) {
      const s = INTS[p.base]!.size;
      return { size: s, align: s };
    }
    if (p.tag === null && p.base === 'void') throw new CTypeError(text, 'void has no size');
    const key = p.tag === null ? p.base : `${p.tag} ${p.base}`;
    const cached = this.layouts.get(key);
    if (cached !== undefined) return cached;
    const d = this.defs.get(key);
    if (d === undefined) throw new CTypeError(text, 'not defined');
    const l = d.kind === 'typedef' ? this.layout(d.type) : d.kind === 'enum' ? { size: 4, align: 4 } : this.compositeLayout(d);
    this.layouts.set(key, l);
    return l;
  }

  private compositeLayout(c: InlineComposite): Layout {
    let size = 0;
    let align = 1;
    let off = 0;
    for (const [, type] of c.members) {
      const l = typeof type === 'string' ? this.layout(type) : this.compositeLayout(type);
      align = Math.max(align, l.align);
      if (c.kind === 'union') size = Math.max(size, l.size);
      else {
        off = alignUp(off, l.align) + l.size;
        size = off;
      }
    }
    return { size: alignUp(size, align), align };
  }

  // ---- BTF emission ----

  /** Emit every definition into `b` (ids are then stable: definitions in order). */
  emit(b: BtfBuilder): void {
    this.builder = b;
    this.ids.clear();
    for (const d of this.defs.values()) this.typeId(d.kind === 'typedef' ? d.name : `${d.kind} ${d.name}`);
  }

  /** The BTF id of a type text, emitting it (and what it uses) when new. */
  typeId(text: string): number {
    const b = this.builder;
    if (b === null) throw new Error('TypeTable.typeId before emit');
    const key = text.replace(/\s+/g, ' ').trim();
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const p = parse(text);
    let id: number;
    if (p.array !== undefined) {
      const elem = this.typeId(text.replace(/\[\d*\]\s*$/, ''));
      id = b.add({ kind: 'ARRAY', name: '', type: elem, indexType: this.typeId('unsigned int'), nelems: p.array });
    } else if (p.ptr > 0) {
      const target = this.typeId(text.replace(/\*\s*$/, ''));
      id = b.add({ kind: 'PTR', name: '', type: target });
    } else if (p.isConst) {
      id = b.add({ kind: 'CONST', name: '', type: this.typeId(text.replace(/^\s*const\s+/, '')) });
    } else if (p.tag === null && p.base === 'void') {
      id = 0;
    } else if (p.tag === null && p.base in INTS) {
      const i = INTS[p.base]!;
      const encoding = (i.signed ? 1 : 0) | (i.char ? 2 : 0) | (i.bool ? 4 : 0);
      id = b.add({ kind: 'INT', name: p.base, size: i.size, encoding, bitOffset: 0, bits: i.size * 8 });
    } else {
      id = this.emitDef(key, p, text);
    }
    this.ids.set(key, id);
    return id;
  }

  private emitDef(key: string, p: Parsed, text: string): number {
    const b = this.builder!;
    const d = this.defs.get(p.tag === null ? p.base : `${p.tag} ${p.base}`);
    if (d === undefined) throw new CTypeError(text, 'not defined');
    if (d.kind === 'typedef') return b.add({ kind: 'TYPEDEF', name: d.name, type: this.typeId(d.type) });
    if (d.kind === 'enum') {
      return b.add({ kind: 'ENUM', name: d.name, size: 4, signed: false, values: d.values.map(([name, value]) => ({ name, value })) });
    }
    // Reserve the id first so self-referencing members (struct x *next) resolve to it.
    const id = b.add({ kind: d.kind === 'struct' ? 'STRUCT' : 'UNION', name: d.name, size: 0, kindFlag: false, members: [] });
    this.ids.set(key, id);
    this.fillComposite(id, d, d.name);
    return id;
  }

  private fillComposite(id: number, c: InlineComposite, name: string): void {
    const t = this.builder!.types[id]!;
    if (t.kind !== 'STRUCT' && t.kind !== 'UNION') throw new Error('internal: composite id is not a composite');
    t.size = this.compositeLayout(c).size;
    t.members = this.place(c).map((m) => ({
      name: m.name,
      type: typeof m.type === 'string' ? this.typeId(m.type) : this.anonymous(m.type, name),
      bitOffset: m.offset * 8,
      bitSize: 0,
    }));
  }

  private anonymous(c: InlineComposite, within: string): number {
    const id = this.builder!.add({ kind: c.kind === 'struct' ? 'STRUCT' : 'UNION', name: '', size: 0, kindFlag: false, members: [] });
    this.fillComposite(id, c, within);
    return id;
  }
}

function defKey(d: TypeDef): string {
  return d.kind === 'typedef' ? d.name : `${d.kind} ${d.name}`;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function times(l: Layout, n: number | undefined): Layout {
  return n === undefined ? l : { size: l.size * n, align: l.align };
}
