/**
 * BTF types as data. Names are strings (the string table is an encoding detail), ids are indexes into
 * `Btf.types`; id 0 is `void`. The parser produces these and the builder serializes them, so
 * parse(build(types)) gives the same types back.
 */

/** Kind numbers of the BTF encoding, by name. */
export const BTF_KINDS = {
  VOID: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9,
  CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17,
  TYPE_TAG: 18, ENUM64: 19,
} as const;

export type BtfKindName = keyof typeof BTF_KINDS;

/** BTF_INT_* encoding bits. */
export const enum IntEncoding {
  SIGNED = 1,
  CHAR = 2,
  BOOL = 4,
}

/** BTF_FUNC_* linkage of FUNC and BTF_VAR_* linkage of VAR. */
export const enum Linkage {
  STATIC = 0,
  GLOBAL = 1,
  EXTERN = 2,
}

export interface BtfVoid { kind: 'VOID'; name: '' }
export interface BtfInt { kind: 'INT'; name: string; size: number; encoding: number; bitOffset: number; bits: number }
/** Kinds that only refer to another type. */
export interface BtfRef {
  kind: 'PTR' | 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT' | 'TYPE_TAG';
  name: string;
  type: number;
}
export interface BtfArray { kind: 'ARRAY'; name: ''; type: number; indexType: number; nelems: number }
export interface BtfMember { name: string; type: number; bitOffset: number; /** 0 unless a bitfield. */ bitSize: number }
export interface BtfComposite {
  kind: 'STRUCT' | 'UNION';
  name: string;
  size: number;
  /** Whether member offsets are encoded as bitfield size << 24 | bit offset. */
  kindFlag: boolean;
  members: BtfMember[];
}
export interface BtfEnum { kind: 'ENUM'; name: string; size: number; signed: boolean; values: { name: string; value: number }[] }
export interface BtfEnum64 { kind: 'ENUM64'; name: string; size: number; signed: boolean; values: { name: string; value: bigint }[] }
export interface BtfFwd { kind: 'FWD'; name: string; union: boolean }
export interface BtfFunc { kind: 'FUNC'; name: string; type: number; linkage: number }
export interface BtfFuncProto { kind: 'FUNC_PROTO'; name: ''; returnType: number; params: { name: string; type: number }[] }
export interface BtfVar { kind: 'VAR'; name: string; type: number; linkage: number }
export interface BtfDatasec { kind: 'DATASEC'; name: string; size: number; vars: { type: number; offset: number; size: number }[] }
export interface BtfFloat { kind: 'FLOAT'; name: string; size: number }
export interface BtfDeclTag { kind: 'DECL_TAG'; name: string; type: number; componentIdx: number }

export type BtfType =
  | BtfVoid | BtfInt | BtfRef | BtfArray | BtfComposite | BtfEnum | BtfEnum64 | BtfFwd | BtfFunc
  | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat | BtfDeclTag;

/** A type as the builder takes it: anything but the implicit void. */
export type BtfTypeInput = Exclude<BtfType, BtfVoid>;

export const VOID: BtfVoid = Object.freeze({ kind: 'VOID', name: '' });

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
export const BTF_HEADER_SIZE = 24;
