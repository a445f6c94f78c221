import type { BtfType } from './types.js';

/** Every type id a type refers to. */
export function referencedIds(t: BtfType): number[] {
  switch (t.kind) {
    case 'VOID': case 'INT': case 'ENUM': case 'ENUM64': case 'FWD': case 'FLOAT':
      return [];
    case 'PTR': case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG':
    case 'FUNC': case 'VAR': case 'DECL_TAG':
      return [t.type];
    case 'ARRAY':
      return [t.type, t.indexType];
    case 'STRUCT': case 'UNION':
      return t.members.map((m) => m.type);
    case 'FUNC_PROTO':
      return [t.returnType, ...t.params.map((p) => p.type)];
    case 'DATASEC':
      return t.vars.map((v) => v.type);
  }
}
