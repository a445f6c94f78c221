import { disassembleLines } from '../../asm/index.js';
import { UsageError } from '../../errors.js';
import type { ObjectFile, ProgramSpec } from '../../object/index.js';
import { readProgram } from '../input.js';
import { EXIT, type Io } from '../io.js';
import { readObject } from './inspect.js';
import { KERNEL_NAMES } from '../names.js';

export interface DisasmOptions {
  style: 'kernel' | 'llvm' | 'mnemonic';
  program?: string;
}

/** The program `--program NAME` names (by function or section name), or the only one. */
export function selectProgram(obj: ObjectFile, name: string | undefined): ProgramSpec {
  if (name === undefined) {
    if (obj.programs.length === 1) return obj.programs[0]!;
    throw new UsageError(`the object has ${obj.programs.length} programs: choose one with --program (${obj.programs.map((p) => p.name).join(', ')})`);
  }
  const p = obj.programs.find((x) => x.name === name) ?? obj.programs.find((x) => x.section === name);
  if (p === undefined) throw new UsageError(`no program '${name}' (programs: ${obj.programs.map((x) => x.name).join(', ') || 'none'})`);
  return p;
}

export function disasmCommand(io: Io, file: string, opts: DisasmOptions): number {
  if (file.toLowerCase().endsWith('.o')) {
    const prog = selectProgram(readObject(file), opts.program);
    // Source lines from BTF line info go before the instruction they start, as bpftool prints them.
    const source = new Map(prog.lineInfo.map((l) => [l.insn, l.source.trim()]));
    const lines = disassembleLines(prog.insns, { style: opts.style, ...KERNEL_NAMES });
    let slot = 0;
    for (const line of lines) {
      const src = source.get(slot);
      if (src !== undefined && src !== '') io.out(`; ${src}\n`);
      io.out(line + '\n');
      slot += prog.insns[slot]?.imm64 !== undefined ? 2 : 1;
    }
    return EXIT.OK;
  }
  const prog = readProgram(file);
  for (const line of disassembleLines(prog.insns, { style: opts.style, ...KERNEL_NAMES })) io.out(line + '\n');
  return EXIT.OK;
}
