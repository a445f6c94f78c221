// Prints the oracle manifest of cases.ts: npx vite-node test/oracle/dynptr/gen-manifest.ts > BATCH/manifest
import { helperId } from '../../../kernel-sim/helpers/index.js';
import { assemble } from '../../../src/asm/index.js';
import { encode } from '../../../src/isa/insn.js';
import { CASES, MAPS } from './cases.js';

for (const c of CASES) {
  const hex = Buffer.from(encode(assemble(c.asm, { helperId }))).toString('hex');
  console.log(`id=${c.id} type=socket_filter maps=${MAPS.join(',')} insns=${hex}`);
}
