/**
 * Linux 6.1's uapi names, once, for every layer (ISA and object loading, the verifier, the simulated kernel):
 * program, attach and map types, helper numbers.
 */
export * from './enums.js';
export * from './helpers.js';
export * from './errno.js';
import { MAP_TYPES, numbering } from './enums.js';

/** `BPF_MAP_TYPE.<name>`: the map type's number. */
export const BPF_MAP_TYPE = numbering(MAP_TYPES);
export * from './retcodes.js';
export * from './reg-types.js';
