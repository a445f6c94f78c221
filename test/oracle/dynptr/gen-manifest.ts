// Prints the oracle manifest of cases.ts (`run`: of run-cases.ts), with a packet so accepted programs are
// test-run: npx vite-node test/oracle/dynptr/gen-manifest.ts [run] > BATCH/manifest
import { helperId } from '../../../kernel-sim/helpers/index.js';
import { assemble } from '../../../src/asm/index.js';
import { encode } from '../../../src/isa/insn.js';
import { CASES, MAPS } from './cases.js';
import { RUN_CASES } from './run-cases.js';

const run = process.argv.includes('run');
const PKT = ' pkthex=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
for (const c of run ? RUN_CASES : CASES) {
  const hex = Buffer.from(encode(assemble(c.asm, { helperId }))).toString('hex');
  console.log(`id=${c.id} type=socket_filter maps=${MAPS.join(',')} insns=${hex}${PKT}`);
}
