export { parseObject } from './object.js';
export type * from './types.js';
export { matchSection, SECTION_DEFS, type SectionMatch } from './section-defs.js';
export * from './bpf-enums.js';
export type { StructOpsRef, StructOpsSpec } from './struct-ops.js';
