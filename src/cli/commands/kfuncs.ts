import { listKfuncs } from '../../../kernel-sim/kfuncs/index.js';
import { EXIT, type Io } from '../io.js';

export function kfuncsCommand(io: Io, opts: { json?: boolean }): number {
  const list = listKfuncs().map((k) => ({ name: k.name, btfId: k.btfId, flags: [...k.flags], progTypes: [...k.progTypes] }));
  if (opts.json) {
    io.out(JSON.stringify(list) + '\n');
    return EXIT.OK;
  }
  for (const k of list) {
    io.out(`${String(k.btfId).padStart(6)}  ${k.name.padEnd(36)} ${(k.flags.join('|') || '-').padEnd(40)} ${k.progTypes.join(',')}\n`);
  }
  io.out(`${list.length} kfuncs\n`);
  return EXIT.OK;
}
