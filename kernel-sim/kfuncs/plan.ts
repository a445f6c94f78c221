/**
 * What a kfunc's BTF prototype says about each argument, worked out once per kfunc: scalars (sizes,
 * constants, returned-buffer sizes), pointers to the program's context, to kernel objects, to memory of
 * a known size, and the pointers a kfunc cannot take (6.1's "must point to scalar, or struct with scalar").
 */
import type { Btf, BtfType } from '../../src/btf/index.js';

/** The program contexts a kfunc parameter may ask for by type. */
export const CTX_TYPES: ReadonlySet<string> = new Set(['__sk_buff', 'xdp_md']);

/** 6.1's __btf_type_is_scalar_struct recursion limit. */
const MAX_SCALAR_STRUCT_DEPTH = 3;

export type ParamPlan =
  | {
      kind: 'scalar';
      name: string;
      /** `__sz`: the size of the pointer parameter at this index. */
      sizes?: number;
      /** `__k`: a known constant. */
      constant: boolean;
      /** rdonly_buf_size / rdwr_buf_size: the size of the memory returned. */
      retBuf?: 'rdonly' | 'rdwr';
      size: number;
      signed: boolean;
    }
  | {
      kind: 'pointer';
      name: string;
      /** The pointee, as C (`struct nf_conn`, `int`, `void`). */
      pointee: string;
      /** Struct name when the pointee is a struct. */
      struct?: string;
      ctx: boolean;
      /** Bytes the pointer must make readable when it points to memory; a string says why it cannot. */
      memSize: number | string;
      /** Index of the `__sz` parameter giving the size. */
      sizedBy?: number;
      /** A double pointer (KF_KPTR_GET's kptr slot). */
      double: boolean;
    };

export interface KfuncPlan {
  params: ParamPlan[];
  /** The return type: a scalar of some size, or a pointer (to a struct, when it is one). */
  ret: { kind: 'void' } | { kind: 'scalar'; size: number } | { kind: 'pointer'; struct?: string };
}

export function planKfunc(btf: Btf, funcId: number): KfuncPlan {
  const func = btf.type(funcId);
  if (func.kind !== 'FUNC') throw new Error(`BTF id ${funcId} is not a FUNC`);
  const proto = btf.type(func.type);
  if (proto.kind !== 'FUNC_PROTO') throw new Error(`FUNC ${func.name} has no FUNC_PROTO`);
  const ps = proto.params;
  const params: ParamPlan[] = ps.map((p, i) => {
    const t = btf.type(btf.resolve(p.type));
    if (t.kind !== 'PTR') {
      const sizeParam = p.name.endsWith('__sz') && i > 0 && btf.type(btf.resolve(ps[i - 1]!.type)).kind === 'PTR';
      const retBuf = p.name === 'rdonly_buf_size' ? 'rdonly' : p.name === 'rdwr_buf_size' ? 'rdwr' : undefined;
      return {
        kind: 'scalar', name: p.name, constant: p.name.endsWith('__k'), size: btf.sizeOf(p.type),
        signed: t.kind === 'INT' && (t.encoding & 1) === 1,
        ...(sizeParam ? { sizes: i - 1 } : {}), ...(retBuf ? { retBuf } : {}),
      };
    }
    const targetId = btf.resolve(t.type);
    const target = btf.type(targetId);
    const sized = i + 1 < ps.length && ps[i + 1]!.name.endsWith('__sz');
    const pointee = btf.typeName(t.type);
    return {
      kind: 'pointer', name: p.name, pointee,
      ...(target.kind === 'STRUCT' ? { struct: target.name } : {}),
      ctx: target.kind === 'STRUCT' && CTX_TYPES.has(target.name),
      memSize: sized ? 0 : memSize(btf, targetId, target, i, pointee),
      ...(sized ? { sizedBy: i + 1 } : {}),
      double: target.kind === 'PTR',
    };
  });
  const rt = btf.type(btf.resolve(proto.returnType));
  const ret: KfuncPlan['ret'] = proto.returnType === 0 ? { kind: 'void' }
    : rt.kind === 'PTR' ? { kind: 'pointer', ...structName(btf, rt.type) } : { kind: 'scalar', size: btf.sizeOf(proto.returnType) };
  return { params, ret };
}

function structName(btf: Btf, id: number): { struct?: string } {
  const t = btf.type(btf.resolve(id));
  return t.kind === 'STRUCT' ? { struct: t.name } : {};
}

/** Size of the memory a pointer to `t` covers, or why such a pointer is refused. */
function memSize(btf: Btf, id: number, t: BtfType, i: number, pointee: string): number | string {
  if (t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64' || t.kind === 'FLOAT') return btf.sizeOf(id);
  if ((t.kind === 'STRUCT' || t.kind === 'UNION') && (t.name === 'bpf_dynptr_kern' || isScalarStruct(btf, id, 0))) return btf.sizeOf(id);
  if (t.kind === 'VOID') return `arg#${i} pointer type void must point to scalar, or struct with scalar (a void * parameter needs a __sz size parameter)`;
  return `arg#${i} pointer type ${pointee} must point to scalar, or struct with scalar`;
}

function isScalarStruct(btf: Btf, id: number, depth: number): boolean {
  const t = btf.type(btf.resolve(id));
  if (t.kind !== 'STRUCT' && t.kind !== 'UNION') return false;
  return t.members.every((m) => {
    const mt = btf.type(btf.resolve(m.type));
    if (mt.kind === 'STRUCT' || mt.kind === 'UNION') return depth < MAX_SCALAR_STRUCT_DEPTH && isScalarStruct(btf, m.type, depth + 1);
    if (mt.kind === 'ARRAY') {
      const elem = btf.type(btf.resolve(mt.type));
      return mt.nelems > 0 && (elem.kind === 'INT' || elem.kind === 'ENUM');
    }
    return mt.kind === 'INT' || mt.kind === 'ENUM' || mt.kind === 'ENUM64';
  });
}
