export { assemble, type AssembleOptions, type Syntax } from './assemble.js';
