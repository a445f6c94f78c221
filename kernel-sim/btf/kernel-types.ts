/**
 * The simulated kernel's types: the reference kernel's own vmlinux BTF, plus a split part of types the
 * simulation adds after vmlinux's last id (as a module's BTF continues vmlinux's ids): a user kfunc's
 * FUNC and FUNC_PROTO, the structs a user defines for it, and pointer/array types a C type text names that
 * vmlinux happens not to contain. Every layout comes from BTF: a kernel struct has the kernel's size and
 * offsets, a user-defined struct is laid out by the x86-64 C rules from its members' BTF types.
 *
 * C type texts (`struct task_struct *`, `u32`, `unsigned long`, `char[16]`, `const struct path *`) are how
 * kfunc prototypes and the object model name types; `idOf` turns one into a BTF id.
 */
import { Btf, type BtfType, type TypeSource } from '../../src/btf/index.js';
import { CTypeError, type InlineComposite, type MemberDef, type TypeDef } from './ctypes.js';

/** C spellings of the integer types and the names DWARF (so pahole's BTF) gives them. */
const INT_NAMES: Readonly<Record<string, { btf: string; size: number; encoding: number }>> = {
  char: { btf: 'char', size: 1, encoding: 1 | 2 },
  'unsigned char': { btf: 'unsigned char', size: 1, encoding: 2 },
  'signed char': { btf: 'signed char', size: 1, encoding: 1 | 2 },
  short: { btf: 'short int', size: 2, encoding: 1 },
  'short int': { btf: 'short int', size: 2, encoding: 1 },
  'unsigned short': { btf: 'short unsigned int', size: 2, encoding: 0 },
  'short unsigned int': { btf: 'short unsigned int', size: 2, encoding: 0 },
  int: { btf: 'int', size: 4, encoding: 1 },
  'unsigned int': { btf: 'unsigned int', size: 4, encoding: 0 },
  unsigned: { btf: 'unsigned int', size: 4, encoding: 0 },
  long: { btf: 'long int', size: 8, encoding: 1 },
  'long int': { btf: 'long int', size: 8, encoding: 1 },
  'unsigned long': { btf: 'long unsigned int', size: 8, encoding: 0 },
  'long unsigned int': { btf: 'long unsigned int', size: 8, encoding: 0 },
  'long long': { btf: 'long long int', size: 8, encoding: 1 },
  'long long int': { btf: 'long long int', size: 8, encoding: 1 },
  'unsigned long long': { btf: 'long long unsigned int', size: 8, encoding: 0 },
  'long long unsigned int': { btf: 'long long unsigned int', size: 8, encoding: 0 },
  _Bool: { btf: '_Bool', size: 1, encoding: 4 },
};

/** A parsed C type text: qualifier, tag, base name, pointer depth, array length (0 = flexible). */
interface Parsed {
  isConst: boolean;
  tag: 'struct' | 'union' | 'enum' | null;
  base: string;
  ptr: number;
  array?: number;
}

function parseText(text: string): Parsed {
  const m = /^\s*(const\s+)?(?:(struct|union|enum)\s+)?([A-Za-z_][\w ]*?)\s*((?:\*\s*(?:const\s*)?)*)\s*(?:\[(\d*)\])?\s*$/.exec(text);
  if (m === null) throw new CTypeError(text, 'not a C type text (`struct x *`, `u32`, `char[16]`)');
  return {
    isConst: m[1] !== undefined,
    tag: (m[2] as Parsed['tag']) ?? null,
    base: m[3]!.replace(/\s+/g, ' '),
    ptr: (m[4]!.match(/\*/g) ?? []).length,
    array: m[5] === undefined ? undefined : m[5] === '' ? 0 : Number(m[5]),
  };
}

/** A type by C text or by BTF id. */
export type TypeRef = string | number;

export interface MemberLocation {
  /** Byte offset from the start of the outer type (of the byte holding a bitfield's first bit). */
  offset: number;
  /** The member's BTF id. */
  type: number;
  bitOffset: number;
  /** 0 unless a bitfield. */
  bitSize: number;
}

export class KernelTypes {
  /** vmlinux and the simulation's additions, as one BTF (ids below `base.count` are vmlinux's). */
  readonly btf: Btf;
  private readonly added: BtfType[] = [];
  private readonly memo = new Map<string, number>();
  private readonly userDefs = new Map<string, TypeDef>();
  private readonly userIds = new Map<string, number>();

  constructor(readonly base: Btf, defs: Iterable<TypeDef> = []) {
    const added = this.added;
    const src: TypeSource = {
      get count() { return added.length + 1; },
      decode: (local: number) => added[local - 1]!,
    };
    this.btf = new Btf(src, base.littleEndian, Uint8Array.of(0), base);
    for (const d of defs) this.define(d);
  }

  /** Add a type of the simulation's own (a struct a user's kfunc takes); vmlinux's types cannot be redefined. */
  define(d: TypeDef): void {
    const key = d.kind === 'typedef' ? d.name : `${d.kind} ${d.name}`;
    if (this.userDefs.has(key)) throw new CTypeError(d.name, 'defined twice');
    if (this.kernelId(d.kind === 'typedef' ? null : d.kind, d.name) !== undefined) {
      throw new CTypeError(key, 'is a type of the kernel already (its BTF defines it)');
    }
    this.userDefs.set(key, d);
  }

  /** Whether a C type text names a type (of the kernel or defined here). */
  has(text: string): boolean {
    try {
      this.idOf(text);
      return true;
    } catch (e) {
      if (e instanceof CTypeError) return false;
      throw e;
    }
  }

  /** The BTF id of a C type text, adding what it needs (a pointer type, an array) after vmlinux's ids. */
  idOf(text: string): number {
    const key = text.replace(/\s+/g, ' ').trim();
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const p = parseText(text);
    let id: number;
    if (p.array !== undefined) {
      const elem = this.idOf(key.replace(/\[\d*\]\s*$/, ''));
      id = this.findOrAdd((t) => t.kind === 'ARRAY' && t.type === elem && t.nelems === p.array,
        { kind: 'ARRAY', name: '', type: elem, indexType: this.idOf('int'), nelems: p.array });
    } else if (p.ptr > 0) {
      const to = this.idOf(key.replace(/\*\s*(const\s*)?$/, ''));
      id = this.pointerTo(to);
    } else if (p.isConst) {
      const to = this.idOf(key.replace(/^\s*const\s+/, ''));
      id = this.findOrAdd((t) => t.kind === 'CONST' && t.type === to, { kind: 'CONST', name: '', type: to });
    } else if (p.tag === null && p.base === 'void') {
      id = 0;
    } else {
      id = this.named(p, text);
    }
    this.memo.set(key, id);
    return id;
  }

  /** A PTR to `to`: vmlinux's own when it has one (found through the types that point there), else added. */
  pointerTo(to: number): number {
    const key = `*${to}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let id: number | undefined;
    for (let i = 0; i < this.added.length; i++) {
      const t = this.added[i]!;
      if (t.kind === 'PTR' && t.type === to) id = this.btf.firstId + i;
    }
    if (id === undefined) id = this.add({ kind: 'PTR', name: '', type: to });
    this.memo.set(key, id);
    return id;
  }

  /** Size in bytes of a type. */
  sizeOf(ref: TypeRef): number {
    return this.btf.sizeOf(typeof ref === 'number' ? ref : this.idOf(ref));
  }

  /** Size and alignment (x86-64 rules) of a type. */
  layout(ref: TypeRef): { size: number; align: number } {
    const id = typeof ref === 'number' ? ref : this.idOf(ref);
    return { size: this.btf.sizeOf(id), align: this.alignOf(id) };
  }

  /** Offset and type of member `name` of a struct or union (anonymous members searched, as C does). */
  member(ref: TypeRef, name: string): MemberLocation | undefined {
    const id = typeof ref === 'number' ? ref : this.idOf(ref);
    const m = this.btf.member(id, name);
    if (m === undefined) return undefined;
    return { offset: Math.floor(m.bitOffset / 8), type: m.type, bitOffset: m.bitOffset, bitSize: m.bitSize };
  }

  /** The struct or union (modifiers and typedefs skipped) a type resolves to, or undefined. */
  composite(ref: TypeRef): number | undefined {
    const id = this.btf.resolve(typeof ref === 'number' ? ref : this.idOf(ref));
    const k = this.btf.type(id).kind;
    return k === 'STRUCT' || k === 'UNION' ? id : undefined;
  }

  /** The id of a FUNC: vmlinux's when it has one by that name, else a FUNC (and FUNC_PROTO) added for it. */
  funcId(name: string, proto: { ret: string; params: readonly { name: string; type: string }[] }): number {
    const key = `func ${name}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let id = this.base.idByName(name, 'FUNC');
    if (id === undefined) {
      const protoId = this.add({
        kind: 'FUNC_PROTO', name: '', returnType: this.idOf(proto.ret),
        params: proto.params.map((p) => ({ name: p.name, type: this.idOf(p.type) })),
      });
      id = this.add({ kind: 'FUNC', name, type: protoId, linkage: 1 /* BTF_FUNC_GLOBAL */ });
    }
    this.memo.set(key, id);
    return id;
  }

  /** The C spelling of a type by id (`struct task_struct *`). */
  textOf(id: number): string {
    return this.btf.typeName(id);
  }

  private alignOf(id: number, depth = 0): number {
    if (depth > 32) return 8;
    const t = this.btf.type(id);
    switch (t.kind) {
      case 'INT': case 'ENUM': case 'ENUM64': case 'FLOAT': return Math.min(Math.max(t.size, 1), 16);
      case 'PTR': return 8;
      case 'ARRAY': return this.alignOf(t.type, depth + 1);
      case 'STRUCT': case 'UNION': return t.members.reduce((a, m) => Math.max(a, this.alignOf(m.type, depth + 1)), 1);
      case 'TYPEDEF': case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPE_TAG': return this.alignOf(t.type, depth + 1);
      default: return 1;
    }
  }

  private kernelId(tag: Parsed['tag'], name: string): number | undefined {
    if (tag === 'struct') return this.base.idByName(name, 'STRUCT') ?? this.base.idByName(name, 'FWD');
    if (tag === 'union') return this.base.idByName(name, 'UNION');
    if (tag === 'enum') return this.base.idByName(name, 'ENUM') ?? this.base.idByName(name, 'ENUM64');
    for (const id of this.base.idsByName(name)) {
      const k = this.base.kindOf(id);
      if (k === 'TYPEDEF' || k === 'INT' || k === 'FLOAT') return id;
    }
    return undefined;
  }

  private named(p: Parsed, text: string): number {
    const key = p.tag === null ? p.base : `${p.tag} ${p.base}`;
    const user = this.userDefs.get(key);
    if (user !== undefined) return this.emitUser(key, user);
    const int = p.tag === null ? INT_NAMES[p.base] : undefined;
    const kid = this.kernelId(p.tag, int?.btf ?? p.base);
    if (kid !== undefined) return kid;
    if (int !== undefined) {
      return this.findOrAdd((t) => t.kind === 'INT' && t.name === int.btf,
        { kind: 'INT', name: int.btf, size: int.size, encoding: int.encoding, bitOffset: 0, bits: int.size * 8 });
    }
    throw new CTypeError(text, 'is not a type of the kernel (not in its BTF) nor defined');
  }

  private emitUser(key: string, d: TypeDef): number {
    const known = this.userIds.get(key);
    if (known !== undefined) return known;
    if (d.kind === 'typedef') {
      const id = this.add({ kind: 'TYPEDEF', name: d.name, type: 0 });
      this.userIds.set(key, id);
      (this.added[id - this.btf.firstId] as { type: number }).type = this.idOf(d.type);
      return id;
    }
    if (d.kind === 'enum') {
      const id = this.add({ kind: 'ENUM', name: d.name, size: 4, signed: false, values: d.values.map(([name, value]) => ({ name, value })) });
      this.userIds.set(key, id);
      return id;
    }
    // reserve the id first so a member `struct x *next` can point back at it
    const id = this.add({ kind: d.kind === 'struct' ? 'STRUCT' : 'UNION', name: d.name, size: 0, kindFlag: false, members: [] });
    this.userIds.set(key, id);
    this.fillComposite(id, d);
    return id;
  }

  private fillComposite(id: number, c: InlineComposite): void {
    const t = this.added[id - this.btf.firstId]!;
    if (t.kind !== 'STRUCT' && t.kind !== 'UNION') throw new Error('internal: composite id is not a composite');
    let off = 0;
    let size = 0;
    let align = 1;
    t.members = c.members.map(([name, type]: MemberDef) => {
      const mid = typeof type === 'string' ? this.idOf(type) : this.anonymous(type);
      const l = this.layout(mid);
      align = Math.max(align, l.align);
      const at = c.kind === 'union' ? 0 : alignUp(off, l.align);
      off = at + l.size;
      size = c.kind === 'union' ? Math.max(size, l.size) : off;
      return { name, type: mid, bitOffset: at * 8, bitSize: 0 };
    });
    t.size = alignUp(size, align);
  }

  private anonymous(c: InlineComposite): number {
    const id = this.add({ kind: c.kind === 'struct' ? 'STRUCT' : 'UNION', name: '', size: 0, kindFlag: false, members: [] });
    this.fillComposite(id, c);
    return id;
  }

  private findOrAdd(match: (t: BtfType) => boolean, t: BtfType): number {
    for (let i = 0; i < this.added.length; i++) if (match(this.added[i]!)) return this.btf.firstId + i;
    return this.add(t);
  }

  private add(t: BtfType): number {
    this.added.push(t);
    return this.btf.firstId + this.added.length - 1;
  }
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
