// The instruction arbitraries live with the fuzz suites (bench/fuzz/insns.ts); tests import them from here.
export { anyInsn, insnOf } from '../bench/fuzz/insns.js';
