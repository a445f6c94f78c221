export * from './opcodes.js';
export * from './insn.js';
