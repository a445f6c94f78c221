import { writeFileSync } from 'node:fs';
import { LoadError } from '../../errors.js';
import { encode } from '../../isa/insn.js';
import { readProgram } from '../input.js';
import { EXIT, type Io } from '../io.js';

export function asmCommand(io: Io, file: string, opts: { output: string; endian: 'le' | 'be'; json?: boolean }): number {
  const prog = readProgram(file);
  const bytes = encode(prog.insns, { endian: opts.endian });
  try {
    writeFileSync(opts.output, bytes);
  } catch (e) {
    throw new LoadError(`cannot write (${(e as NodeJS.ErrnoException).code ?? e})`, { file: opts.output });
  }
  if (opts.json) io.out(JSON.stringify({ output: opts.output, insns: prog.insns.length, bytes: bytes.length }) + '\n');
  else io.err(`${prog.insns.length} instructions, ${bytes.length} bytes written to ${opts.output}\n`);
  return EXIT.OK;
}
