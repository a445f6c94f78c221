import { LoadError } from '../errors.js';
import { Cursor } from '../elf/cursor.js';
import { VOID, type BtfKindName, type BtfMember, type BtfType } from './types.js';

/** How deep type chains may go (libbpf's MAX_RESOLVE_DEPTH): deeper means a loop. */
export const MAX_RESOLVE_DEPTH = 32;

const MODIFIERS = new Set<BtfKindName>(['TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT', 'TYPE_TAG']);

/** A member found by name, with its offset from the start of the outermost type. */
export interface MemberAt extends BtfMember {
  /** Bit offset from the start of the containing type (nested anonymous members included). */
  bitOffset: number;
}

/** Where a Btf's types come from: decoded on demand by id (1..count-1), with cheap peeks for indexes. */
export interface TypeSource {
  /** Number of types, void included. */
  count: number;
  decode(id: number): BtfType;
  /** The type's name offset in the string table, without decoding the type. */
  nameOffset?(id: number): number;
  kindOf?(id: number): BtfKindName;
}

/**
 * Parsed BTF: types by id (0 is void) and the raw string table (for .BTF.ext). Types are decoded when
 * first asked for and kept; names are indexed on the first lookup by name. A split BTF (a module's, or the
 * simulated kernel's additions) continues the ids of its base: ids below `base.count` are the base's.
 */
export class Btf {
  private readonly strings: Cursor;
  private readonly src: TypeSource;
  private readonly cache: (BtfType | undefined)[];
  private names: Map<string, number[]> | null = null;
  private hashed: NameHash | null = null;
  /** Types whose name has a `___flavour` suffix, by essential name (libbpf's bpf_core_essential_name_len). */
  private flavoured = new Map<string, number[]>();
  /** The source's count when `names` was made (a growing source is re-indexed). */
  private namesAt = 0;
  /** Ids of the first own type (0 without a base: void is type 0). */
  readonly firstId: number;

  constructor(types: readonly BtfType[] | TypeSource, readonly littleEndian: boolean, stringBytes: Uint8Array, readonly base?: Btf) {
    this.strings = new Cursor(stringBytes, littleEndian, { section: '.BTF' });
    this.src = Array.isArray(types)
      ? { count: types.length, decode: (id) => types[id]! }
      : types as TypeSource;
    this.cache = new Array<BtfType | undefined>(this.src.count);
    if (Array.isArray(types)) (types as readonly BtfType[]).forEach((t, i) => { this.cache[i] = t; });
    else this.cache[0] = VOID;
    this.firstId = base === undefined ? 0 : base.count;
  }

  /** Number of type ids, void (and a base's types) included. */
  get count(): number {
    return this.firstId + this.src.count - (this.base === undefined ? 0 : 1);
  }

  /** Every type by id (decodes all of them: for small BTFs; use `type` and `count` on a vmlinux). */
  get types(): readonly BtfType[] {
    const out: BtfType[] = [];
    for (let id = 0; id < this.count; id++) out.push(this.type(id));
    return out;
  }

  /** The string at an offset of the BTF string table (used by .BTF.ext records). */
  stringAt(offset: number, what = 'string'): string {
    return this.strings.cstring(offset, what);
  }

  /** The type with this id (0 is void); an id out of range raises LoadError. */
  type(id: number): BtfType {
    if (this.base !== undefined && id < this.firstId) return this.base.type(id);
    const local = this.base === undefined ? id : id - this.firstId + 1;
    if (!Number.isInteger(local) || local < 0 || local >= this.src.count || (this.base !== undefined && local === 0)) {
      throw new LoadError(`no BTF type with id ${id}`, { section: '.BTF' });
    }
    let t = this.cache[local];
    if (t === undefined) {
      t = this.src.decode(local);
      this.cache[local] = t;
    }
    return t;
  }

  /** Ids of every type with this name, in id order (a base's first). */
  idsByName(name: string): readonly number[] {
    this.ensureNameIndex();
    const own = this.ownIdsByName(name);
    return this.base === undefined ? own : [...this.base.idsByName(name), ...own];
  }

  /**
   * Ids of every type whose essential name (the name up to a `___flavour` suffix, as CO-RE compares
   * names) is `name`, ascending: `task_struct` and `task_struct___old`.
   */
  idsByEssentialName(name: string): readonly number[] {
    this.ensureNameIndex();
    const exact = this.ownIdsByName(name);
    const fl = this.flavoured.get(name);
    const own = fl === undefined ? exact : [...exact, ...fl].sort((a, b) => a - b);
    return this.base === undefined ? own : [...this.base.idsByEssentialName(name), ...own];
  }

  /** The first type with this name (and kind); its id. */
  idByName(name: string, kind?: BtfKindName): number | undefined {
    for (const id of this.idsByName(name)) if (kind === undefined || this.type(id).kind === kind) return id;
    return undefined;
  }

  private ensureNameIndex(): void {
    if ((this.names === null && this.hashed === null) || this.namesAt !== this.src.count) {
      this.namesAt = this.src.count;
      if (this.src.nameOffset !== undefined) this.hashed = this.hashNames(this.src.nameOffset);
      else this.names = this.indexNames();
    }
  }

  private ownIdsByName(name: string): number[] {
    if (name === '') return [];
    if (this.hashed === null) return this.names!.get(name) ?? [];
    const { heads, next, offsets, mask } = this.hashed;
    const bytes = this.strings.bytes;
    const want = UTF8.encode(name);
    const out: number[] = [];
    for (let local = heads[nameHash(want, 0, want.length) & mask]!; local !== 0; local = next[local]!) {
      const off = offsets[local]!;
      if (off + want.length >= bytes.length || bytes[off + want.length] !== 0) continue;
      let same = true;
      for (let i = 0; i < want.length; i++) if (bytes[off + i] !== want[i]) { same = false; break; }
      if (same) out.push(this.toId(local));
    }
    return out.reverse(); // chains run newest first
  }

  /**
   * The name index of a parsed BTF without a string per type (a vmlinux BTF has some 100k names): a hash
   * table over the string table's bytes, chained through the type ids. Only `___flavour` names (few)
   * are decoded, for the essential-name index.
   */
  private hashNames(nameOffset: (local: number) => number): NameHash {
    const count = this.src.count;
    const bytes = this.strings.bytes;
    let size = 1024;
    while (size < count * 2) size *= 2;
    const heads = new Int32Array(size), next = new Int32Array(count), offsets = new Uint32Array(count);
    const mask = size - 1;
    const flavoured = new Map<string, number[]>();
    for (let local = 1; local < count; local++) {
      const off = nameOffset(local);
      if (off === 0) continue;
      const end = off < bytes.length ? bytes.indexOf(0, off) : -1;
      if (end < 0) this.strings.cstring(off, `name of type [${local}]`); // throws: unterminated or out of the table
      if (end === off) continue;
      const h = nameHash(bytes, off, end);
      let flavour = false;
      for (let i = off, run = 0; i < end; i++) {
        if (bytes[i] !== 0x5f) run = 0;
        else if (++run === 3) { flavour = true; break; }
      }
      offsets[local] = off;
      const bucket = h & mask;
      next[local] = heads[bucket]!;
      heads[bucket] = local;
      if (flavour) {
        const name = this.strings.cstring(off, `name of type [${local}]`);
        const e = essentialName(name);
        if (e !== name) {
          const f = flavoured.get(e);
          if (f === undefined) flavoured.set(e, [this.toId(local)]);
          else f.push(this.toId(local));
        }
      }
    }
    this.flavoured = flavoured;
    return { heads, next, offsets, mask };
  }

  private indexNames(): Map<string, number[]> {
    const byName = new Map<string, number[]>();
    const flavoured = new Map<string, number[]>();
    for (let local = 1; local < this.src.count; local++) {
      const id = this.toId(local);
      const name = this.type(id).name;
      if (name === '') continue;
      const l = byName.get(name);
      if (l === undefined) byName.set(name, [id]);
      else l.push(id);
      if (name.includes('___')) {
        const e = essentialName(name);
        if (e !== name) {
          const f = flavoured.get(e);
          if (f === undefined) flavoured.set(e, [id]);
          else f.push(id);
        }
      }
    }
    this.flavoured = flavoured;
    return byName;
  }

  private toId(local: number): number {
    return this.base === undefined ? local : this.firstId + local - 1;
  }

  /** The kind of a type without decoding it where the source can tell. */
  kindOf(id: number): BtfKindName {
    if (this.base === undefined && this.src.kindOf !== undefined && id > 0 && id < this.src.count && this.cache[id] === undefined) {
      return this.src.kindOf(id);
    }
    return this.type(id).kind;
  }

  /** Follow typedefs and modifiers (const, volatile, restrict, type tags) to the underlying type id. */
  resolve(id: number): number {
    for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
      const t = this.type(id);
      if (!MODIFIERS.has(t.kind)) return id;
      id = (t as { type: number }).type;
    }
    throw loop(id);
  }

  /** Size in bytes of a type; typedefs and modifiers are followed. */
  sizeOf(id: number, depth = 0): number {
    if (depth > MAX_RESOLVE_DEPTH) throw loop(id);
    const rid = this.resolve(id);
    const t = this.type(rid);
    switch (t.kind) {
      case 'INT': case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'FLOAT': case 'DATASEC':
        return t.size;
      case 'PTR':
        return 8;
      case 'ARRAY':
        return t.nelems * this.sizeOf(t.type, depth + 1);
      case 'VAR':
        return this.sizeOf(t.type, depth + 1);
      default:
        throw new LoadError(`type [${rid}] ${t.kind} ${t.name} has no size`, { section: '.BTF' });
    }
  }

  /**
   * The member `name` of a struct or union, searching anonymous nested members as C does; its bit
   * offset is from the start of `id`.
   */
  member(id: number, name: string, depth = 0): MemberAt | undefined {
    if (depth > MAX_RESOLVE_DEPTH) throw loop(id);
    const t = this.type(this.resolve(id));
    if (t.kind !== 'STRUCT' && t.kind !== 'UNION') return undefined;
    for (const m of t.members) {
      if (m.name === name) return m;
      if (m.name === '') {
        const inner = this.member(m.type, name, depth + 1);
        if (inner !== undefined) return { ...inner, bitOffset: m.bitOffset + inner.bitOffset };
      }
    }
    return undefined;
  }

  /** C spelling of a type, with an optional declarator name: `int (*fn)(char *)`, `struct s[4]`. */
  typeName(id: number, decl = ''): string {
    return this.format(id, decl, 0);
  }

  private format(id: number, decl: string, depth: number): string {
    if (depth > MAX_RESOLVE_DEPTH) throw loop(id);
    const t = this.type(id);
    const named = (base: string) => (decl === '' ? base : `${base} ${decl}`);
    const next = (ref: number, d: string) => this.format(ref, d, depth + 1);
    switch (t.kind) {
      case 'VOID': return named('void');
      case 'INT': case 'FLOAT': case 'TYPEDEF': return named(t.name);
      case 'STRUCT': case 'UNION': return named(`${t.kind.toLowerCase()} ${t.name || '{...}'}`);
      case 'ENUM': case 'ENUM64': return named(`enum ${t.name || '{...}'}`);
      case 'FWD': return named(`${t.union ? 'union' : 'struct'} ${t.name}`);
      case 'PTR': {
        const pointee = this.type(this.resolve(t.type)).kind;
        return next(t.type, pointee === 'ARRAY' || pointee === 'FUNC_PROTO' ? `(*${decl})` : `*${decl}`);
      }
      case 'ARRAY': return next(t.type, `${decl}[${t.nelems}]`);
      case 'CONST': case 'VOLATILE': case 'RESTRICT': {
        const q = t.kind.toLowerCase();
        return this.type(t.type).kind === 'PTR' ? next(t.type, decl === '' ? q : `${q} ${decl}`) : `${q} ${next(t.type, decl)}`;
      }
      case 'TYPE_TAG': return `__attribute__((btf_type_tag("${t.name}"))) ${next(t.type, decl)}`;
      case 'FUNC_PROTO': {
        const params = t.params.map((p) => (p.type === 0 && p.name === '' ? '...' : next(p.type, p.name)));
        return next(t.returnType, `${decl}(${params.length === 0 ? 'void' : params.join(', ')})`);
      }
      case 'FUNC': return next(t.type, t.name);
      case 'VAR': return next(t.type, t.name);
      case 'DATASEC': return `SEC("${t.name}")`;
      case 'DECL_TAG': return `__attribute__((btf_decl_tag("${t.name}")))`;
    }
  }
}

interface NameHash { heads: Int32Array; next: Int32Array; offsets: Uint32Array; mask: number }

const FNV_OFFSET = 0x811c9dc5 | 0, FNV_PRIME = 0x01000193;
const UTF8 = new TextEncoder();

/**
 * The name index's hash: the length and up to 8 bytes from each end (cheap for 100k names; the lookup
 * compares whole names, so collisions cost only chain length).
 */
function nameHash(bytes: Uint8Array, from: number, to: number): number {
  let h = Math.imul(to - from, FNV_PRIME) ^ FNV_OFFSET;
  const head = Math.min(to, from + 8), tailFrom = Math.max(head, to - 8);
  for (let i = from; i < head; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  for (let i = tailFrom; i < to; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return (h ^ (h >>> 15)) >>> 0;
}

/** bpf_core_essential_name_len: a name up to its last `X___Y` flavour separator. */
function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

function loop(id: number): LoadError {
  return new LoadError(`type chain from [${id}] is longer than ${MAX_RESOLVE_DEPTH} (a loop?)`, { section: '.BTF' });
}
