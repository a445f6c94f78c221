/**
 * BTF types as the verifier's platform hands them out (KType): typedefs and modifiers skipped, a pointer
 * to the program type's context struct marked `ctx`, struct members expanded on first read (a
 * task_struct's pointers lead to the whole kernel; only what a check reads is converted). One converter
 * per BTF and context struct keeps every converted type.
 */
import type { Btf } from '../../src/btf/index.js';
import type { KMember, KType } from '../../src/platform/platform.js';
import type { KernelTypes } from './kernel-types.js';

export class KTypeConverter {
  private readonly cache = new Map<number, KType>();

  constructor(private readonly btf: Btf, private readonly ctxStruct?: string) {}

  convert(id: number, depth = 0): KType {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    const k = this.make(id, depth);
    this.cache.set(id, k);
    return k;
  }

  private make(id: number, depth: number): KType {
    const btf = this.btf;
    if (depth > 32) return { kind: 'void' };
    const t = btf.type(id);
    switch (t.kind) {
      case 'VOID': return { kind: 'void' };
      case 'INT': return { kind: 'int', size: t.size, name: t.name };
      case 'ENUM': case 'ENUM64': return { kind: 'int', size: t.size, name: t.name };
      case 'FLOAT': return { kind: 'int', size: t.size, name: t.name };
      case 'TYPEDEF': case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPE_TAG':
        return this.convert(t.type, depth + 1);
      case 'PTR': {
        const to = btf.type(btf.resolve(t.type));
        if ((to.kind === 'STRUCT') && this.ctxStruct !== undefined && to.name === this.ctxStruct) return { kind: 'ptr', to: { kind: 'ctx' } };
        // the pointee is converted when first read: a ptr's `to` is a getter over the cache
        const target = t.type;
        const convert = (): KType => this.convert(target, depth + 1);
        let got: KType | undefined;
        return { kind: 'ptr', get to() { return (got ??= convert()); } };
      }
      case 'ARRAY': {
        const convert = (id: number): KType => this.convert(id, depth + 1);
        let elem: KType | undefined;
        const elemId = t.type;
        return { kind: 'array', count: t.nelems, get elem() { return (elem ??= convert(elemId)); } };
      }
      case 'STRUCT': case 'UNION': {
        const convert = (id: number): KType => this.convert(id, depth + 1);
        let members: KMember[] | undefined;
        let flex: boolean | undefined;
        const composite = t;
        const expand = (): KMember[] => {
          members ??= composite.members.map((m) => ({ name: m.name, off: Math.floor(m.bitOffset / 8), type: convert(m.type) }));
          return members;
        };
        return {
          kind: 'struct', name: t.name, size: t.size, union: t.kind === 'UNION',
          get members() { return expand(); },
          get flex() {
            if (flex === undefined) {
              const last = composite.members[composite.members.length - 1];
              const lt = last === undefined ? undefined : btf.type(btf.resolve(last.type));
              flex = lt?.kind === 'ARRAY' && lt.nelems === 0;
            }
            return flex;
          },
        } as KType;
      }
      case 'FWD': return { kind: 'struct', name: t.name, size: 0, members: [], union: t.union };
      default: return { kind: 'void' };
    }
  }
}

/**
 * KTypes of a kernel's types by C type text (`struct task_struct *`, `u32`: KernelTypes parses the text)
 * or BTF id, for a program whose context is `ctxStruct` (a pointer to it is marked `ctx`).
 */
export class CTypeConverter {
  /**
   * A cache, not state: one KTypeConverter per BTF (immutable) and context struct, so every program of a
   * kernel shares the converted types. Weak, so a BTF nobody holds is collected with its conversions.
   */
  private static readonly converters = new WeakMap<Btf, Map<string, KTypeConverter>>();
  private readonly conv: KTypeConverter;

  constructor(private readonly types: KernelTypes, ctxStruct: string | undefined) {
    const btf = types.btf;
    let byCtx = CTypeConverter.converters.get(btf);
    if (byCtx === undefined) CTypeConverter.converters.set(btf, (byCtx = new Map()));
    const ctx = ctxStruct ?? '';
    let c = byCtx.get(ctx);
    if (c === undefined) byCtx.set(ctx, (c = new KTypeConverter(btf, ctx === '' ? undefined : ctx)));
    this.conv = c;
  }

  /** The KType of a C type text. */
  convert(text: string): KType {
    return this.conv.convert(this.types.idOf(text));
  }

  /** The KType of a BTF id. */
  byId(id: number): KType {
    return this.conv.convert(id);
  }
}
