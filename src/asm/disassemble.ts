/**
 * The disassembler: instruction slots → text in the kernel's verifier-log style, llvm-objdump's style
 * or the conformance mnemonic syntax. An lddw prints as one line at its first slot's index.
 */
import { UsageError } from '../errors.js';
import { checkInsnFields, encode, LDDW_HI, opInfo, type Insn } from '../isa/insn.js';
import { boolOption, describe } from '../options.js';
import { printMnemonic } from './print-mnemonic.js';
import { printPseudoC, type CallNames } from './print-pseudoc.js';

/** Disassembly styles: the kernel's verifier log, llvm-objdump's pseudo-C, or mnemonics. */
export type Style = 'kernel' | 'llvm' | 'mnemonic';

/** How one instruction is printed. */
export interface PrintOptions extends CallNames {
  /** `kernel` by default. */
  style?: Style;
}

/** How a program is listed: print options plus indices and bytes. */
export interface DisassembleOptions extends PrintOptions {
  /** Byte order of the raw bytes in `llvm` style; little-endian by default. */
  endian?: 'le' | 'be';
}

/** Text printed for a slot that is not an instruction. */
const UNKNOWN_TEXT = '<unknown>';

/** The text of one instruction (no index or bytes). `next` is an lddw's second slot when `insn.imm64` is absent. */
export function printInsn(insn: Insn, opts: PrintOptions = {}, next?: Insn): string {
  checkInsnFields(next === undefined ? [insn] : [insn, next], 'printInsn');
  checkOptions(opts);
  return printOne(insn, opts, next);
}

/** printInsn without the checks, for callers inside bpfvm that hold decoder-made instructions (the verifier's log). */
export function printOne(insn: Insn, opts: PrintOptions, next?: Insn): string {
  const info = opInfo(insn);
  if (info === undefined) return UNKNOWN_TEXT;
  const imm64 = insn.imm64 ?? ((BigInt(next?.imm ?? 0) << 32n) | BigInt(insn.imm >>> 0)) & 0xffffffffffffffffn;
  const style = opts.style ?? 'kernel';
  return style === 'mnemonic' ? printMnemonic(insn, info, imm64) : printPseudoC(insn, info, imm64, style, opts);
}

/** One line per instruction, as the chosen tool prints it. */
export function disassembleLines(insns: readonly Insn[], opts: DisassembleOptions = {}): string[] {
  checkInsnFields(insns, 'disassemble');
  checkOptions(opts);
  const lines: string[] = [];
  for (let pc = 0; pc < insns.length; pc++) {
    const insn = insns[pc]!;
    const wide = insns[pc + 1]?.code === LDDW_HI && opInfo(insn)?.kind === 'lddw';
    const slots = wide ? [insn, insns[pc + 1]!] : [insn];
    lines.push(decorate(pc, slots, printOne(insn, opts, slots[1]), opts));
    if (wide) pc++;
  }
  return lines;
}

/** The program's text, one line per instruction, each ending in a newline. */
export function disassemble(insns: readonly Insn[], opts: DisassembleOptions = {}): string {
  return disassembleLines(insns, opts).map((l) => `${l}\n`).join('');
}

const STYLES: readonly unknown[] = ['kernel', 'llvm', 'mnemonic'] satisfies Style[];

/** The options are an object of the documented fields (each validated, naming the option). */
function checkOptions(opts: unknown): asserts opts is DisassembleOptions {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new UsageError(`disassemble: options must be an object, got ${describe(opts)}`);
  const o = opts as Record<string, unknown>;
  if (o.style !== undefined && !STYLES.includes(o.style)) throw new UsageError(`option style: expected 'kernel', 'llvm' or 'mnemonic', got ${describe(o.style)}`);
  if (o.endian !== undefined && o.endian !== 'le' && o.endian !== 'be') throw new UsageError(`option endian: expected 'le' or 'be', got ${describe(o.endian)}`);
  for (const f of ['helperName', 'kfuncName'] as const) {
    if (o[f] !== undefined && typeof o[f] !== 'function') throw new UsageError(`option ${f}: expected a function, got ${describe(o[f])}`);
  }
  boolOption('kernelExact', o.kernelExact);
}

function decorate(pc: number, slots: readonly Insn[], text: string, opts: DisassembleOptions): string {
  switch (opts.style ?? 'kernel') {
    case 'kernel':
      return `${pc}: (${hex2(slots[0]!.opcode)}) ${text}`;
    case 'llvm': {
      const bytes = Array.from(encode(slots, { endian: opts.endian }), hex2).join(' ');
      return `${String(pc).padStart(8)}:\t${bytes}\t${text}`;
    }
    case 'mnemonic':
      return text;
  }
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}
