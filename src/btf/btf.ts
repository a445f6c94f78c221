import { LoadError } from '../errors.js';
import { Cursor } from '../elf/cursor.js';
import type { BtfKindName, BtfMember, BtfType } from './types.js';

/** How deep type chains may go (libbpf's MAX_RESOLVE_DEPTH): deeper means a loop. */
export const MAX_RESOLVE_DEPTH = 32;

const MODIFIERS = new Set<BtfKindName>(['TYPEDEF', 'VOLATILE', 'CONST', 'RESTRICT', 'TYPE_TAG']);

/** A member found by name, with its offset from the start of the outermost type. */
export interface MemberAt extends BtfMember {
  /** Bit offset from the start of the containing type (nested anonymous members included). */
  bitOffset: number;
}

/** Parsed BTF: types by id (0 is void) and the raw string table (for .BTF.ext). */
export class Btf {
  private readonly strings: Cursor;

  constructor(readonly types: readonly BtfType[], readonly littleEndian: boolean, stringBytes: Uint8Array) {
    this.strings = new Cursor(stringBytes, littleEndian, { section: '.BTF' });
  }

  /** The string at an offset of the BTF string table (used by .BTF.ext records). */
  stringAt(offset: number, what = 'string'): string {
    return this.strings.cstring(offset, what);
  }

  type(id: number): BtfType {
    const t = this.types[id];
    if (t === undefined) throw new LoadError(`no BTF type with id ${id}`, { section: '.BTF' });
    return t;
  }

  /** The first type with this name (and kind); its id. */
  idByName(name: string, kind?: BtfKindName): number | undefined {
    const id = this.types.findIndex((t) => t.name === name && (kind === undefined || t.kind === kind));
    return id < 0 ? undefined : id;
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

function loop(id: number): LoadError {
  return new LoadError(`type chain from [${id}] is longer than ${MAX_RESOLVE_DEPTH} (a loop?)`, { section: '.BTF' });
}
