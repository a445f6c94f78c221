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
  json?: boolean;
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
  const obj = file.toLowerCase().endsWith('.o') ? selectProgram(readObject(file), opts.program) : undefined;
  if (obj === undefined && opts.program !== undefined) throw new UsageError('--program selects a program of an ELF object (.o)');
  const insns = obj?.insns ?? readProgram(file).insns;
  // Source lines from BTF line info go before the instruction they start, as bpftool prints them.
  const source = new Map((obj?.lineInfo ?? []).map((l) => [l.insn, l.source.trim()]));
  const rows: { insn: number; text: string; source?: string }[] = [];
  let slot = 0;
  for (const text of disassembleLines(insns, { style: opts.style, ...KERNEL_NAMES })) {
    const src = source.get(slot);
    rows.push({ insn: slot, text, ...(src !== undefined && src !== '' && { source: src }) });
    slot += insns[slot]?.imm64 !== undefined ? 2 : 1;
  }
  if (opts.json) {
    io.out(JSON.stringify({ ...(obj !== undefined && { program: obj.name, section: obj.section }), insns: rows }) + '\n');
    return EXIT.OK;
  }
  for (const r of rows) {
    if (r.source !== undefined) io.out(`; ${r.source}\n`);
    io.out(r.text + '\n');
  }
  return EXIT.OK;
}
