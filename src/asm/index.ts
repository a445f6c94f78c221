export { assemble, type AssembleOptions, type Syntax } from './assemble.js';
export { disassemble, disassembleLines, printInsn, type DisassembleOptions, type PrintOptions, type Style } from './disassemble.js';
export type { CallNames } from './print-pseudoc.js';
export * from './dsl.js';
