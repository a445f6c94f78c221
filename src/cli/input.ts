import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { assemble } from '../asm/index.js';
import { parseDataFile } from '../conformance/data-file.js';
import { BpfError, LoadError } from '../errors.js';
import { decode, type Insn } from '../isa/insn.js';
import { ASSEMBLE_NAMES } from './names.js';

/** A program read from a file, as the CLI's commands see it. */
export interface ProgramInput {
  file: string;
  format: 'data' | 'asm' | 'bin';
  insns: Insn[];
  /** Input memory from a `.data` file's `-- mem` section. */
  mem?: Uint8Array;
  /** Expected r0 from a `.data` file's `-- result` section. */
  expected?: bigint;
}

export function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LoadError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? e})`, { file });
  }
}

/** Read `.data` (conformance test), `.s`/`.asm` (assembler) or `.bin` (raw little-endian bytecode). */
export function readProgram(file: string): ProgramInput {
  const prog = readAnyProgram(file);
  // An empty program is an input error, as BPF_PROG_LOAD refuses insn_cnt 0 (EINVAL), not a run that falls off the end.
  if (prog.insns.length === 0) throw new LoadError('the program has no instructions', { file: basename(file) });
  return prog;
}

function readAnyProgram(file: string): ProgramInput {
  const ext = extname(file).toLowerCase();
  const bytes = readInput(file);
  const withFile = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof BpfError) e.locate({ file: basename(file) });
      throw e;
    }
  };
  switch (ext) {
    case '.data': {
      const df = withFile(() => parseDataFile(bytes.toString('utf8'), basename(file)));
      const insns = withFile(() => assemble(df.asm, { firstLine: df.asmLine, ...ASSEMBLE_NAMES }));
      return { file, format: 'data', insns, mem: df.mem, expected: df.result };
    }
    case '.s':
    case '.asm':
      return { file, format: 'asm', insns: withFile(() => assemble(bytes.toString('utf8'), ASSEMBLE_NAMES)) };
    case '.bin':
      return { file, format: 'bin', insns: withFile(() => decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) };
    case '.o':
      throw new LoadError('this command takes a raw program (.s, .asm, .bin, .data); ELF objects are read by run, disasm, inspect and verify', { file: basename(file) });
    default:
      throw new LoadError(`unknown input format '${ext || '(none)'}': expected .data, .s, .asm or .bin`, { file: basename(file) });
  }
}
