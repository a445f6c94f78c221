import { disassemble } from '../../asm/index.js';
import { readProgram } from '../input.js';
import { EXIT, type Io } from '../io.js';

export function disasmCommand(io: Io, file: string, opts: { style: 'kernel' | 'llvm' | 'mnemonic' }): number {
  const prog = readProgram(file);
  io.out(disassemble(prog.insns, { style: opts.style }));
  return EXIT.OK;
}
