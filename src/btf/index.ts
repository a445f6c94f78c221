export * from './types.js';
export { Btf, MAX_RESOLVE_DEPTH, type MemberAt, type TypeSource } from './btf.js';
export { btfFromSections, parseBtf, type BtfSource } from './parse.js';
export { BtfBuilder, encodeBtf } from './build.js';
export { parseBtfExt, CORE_RELO_KINDS, type BtfExt, type CoreRelo, type CoreReloKind, type FuncInfo, type LineInfo } from './ext.js';
export { referencedIds } from './refs.js';
