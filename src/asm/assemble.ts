/**
 * The assembler: text in either syntax (detected per line, or forced) → instruction slots. Lines may
 * carry the prefixes the disassemblers print (`3: (b7) ` of the kernel, `3:\tb7 00 … 00\t` of
 * llvm-objdump), so their output reads back.
 */
import { AssembleError, UsageError } from '../errors.js';
import { describe, intOption } from '../options.js';
import { makeInsn, type Insn } from '../isa/insn.js';
import { CallSrc, Cls, Mode, Size } from '../isa/opcodes.js';
import { Cursor } from './cursor.js';
import { LexError, tokenize, type Token } from './lexer.js';
import { link, slotCount, type Stmt } from './link.js';
import type { ParsedStmt } from './parse-common.js';
import { isMnemonic, parseMnemonic } from './parse-mnemonic.js';
import { parsePseudoC } from './parse-pseudoc.js';
import { callRow, kindRow } from './rows.js';

/** Assembler syntaxes: the kernel's and LLVM's pseudo-C, or mnemonics (`mov r0, 1`). */
export type Syntax = 'pseudo-c' | 'mnemonic';

/** Options of `assemble`. */
export interface AssembleOptions {
  /** Force one syntax for every line; by default each line's own is detected. */
  syntax?: Syntax;
  /** Helper number of a name, for `call bpf_map_lookup_elem`. */
  helperId?: (name: string) => number | undefined;
  /** Line number of the text's first line in its file (1 by default), for error locations. */
  firstLine?: number;
}

const KERNEL_PREFIX = /^(\s*\d+:\s+\(([0-9a-f]{2})\)\s)/;
const OBJDUMP_PREFIX = /^(\s*\d+:\s+(?:[0-9a-f]{2} ){7}[0-9a-f]{2}(?: (?:[0-9a-f]{2} ){7}[0-9a-f]{2})?\s)/;
const LDDW_OPCODE = Cls.LD | Mode.IMM | Size.DW;

/** Assembles a program; an lddw yields two slots. Throws AssembleError with line and column. */
export function assemble(text: string, opts: AssembleOptions = {}): Insn[] {
  if (typeof text !== 'string') throw new UsageError(`assemble: expected the program text as a string, got ${describe(text)}`);
  checkOptions(opts);
  const stmts: ParsedStmt[] = [];
  const labels = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + (opts.firstLine ?? 1);
    const { line, wide } = stripPrefix(raw);
    let tokens = lex(line, lineNo);
    while (tokens[0]?.kind === 'ident' && tokens[1]?.text === ':') {
      const name = tokens[0];
      if (labels.has(name.text)) throw new AssembleError(`duplicate label '${name.text}'`, { line: lineNo, column: name.column });
      labels.set(name.text, slotCount(stmts));
      tokens = tokens.slice(2);
    }
    if (tokens.length === 0) return;
    const c = new Cursor(tokens, lineNo, line.trimEnd().length + 1);
    const stmt = syntaxOf(tokens, opts.syntax) === 'mnemonic' ? parseMnemonic(c) : parsePseudoC(c, { wide });
    c.end();
    stmts.push(stmt);
  });
  addExitLabel(stmts, labels);
  return link(stmts.map((s) => resolveCallByName(s, labels, opts)), labels);
}

const SYNTAXES: readonly unknown[] = ['pseudo-c', 'mnemonic'] satisfies Syntax[];

/** The options are an object of the documented fields (each validated, naming the option). */
function checkOptions(opts: unknown): asserts opts is AssembleOptions {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new UsageError(`assemble: options must be an object, got ${describe(opts)}`);
  const o = opts as Record<string, unknown>;
  if (o.syntax !== undefined && !SYNTAXES.includes(o.syntax)) throw new UsageError(`option syntax: expected 'pseudo-c' or 'mnemonic', got ${describe(o.syntax)}`);
  if (o.helperId !== undefined && typeof o.helperId !== 'function') throw new UsageError(`option helperId: expected a function, got ${describe(o.helperId)}`);
  intOption('firstLine', o.firstLine, 1, 0x7fffffff);
}

/** Replaces a disassembler's line prefix by blanks (columns stay true); reports the kernel's `(18)`. */
function stripPrefix(raw: string): { line: string; wide: boolean } {
  const k = KERNEL_PREFIX.exec(raw);
  const m = k ?? OBJDUMP_PREFIX.exec(raw);
  if (m === null) return { line: raw, wide: false };
  return { line: ' '.repeat(m[1]!.length) + raw.slice(m[1]!.length), wide: k !== null && parseInt(k[2]!, 16) === LDDW_OPCODE };
}

function lex(line: string, lineNo: number): Token[] {
  try {
    return tokenize(line);
  } catch (e) {
    if (e instanceof LexError) throw new AssembleError(e.message, { line: lineNo, column: e.column });
    throw e;
  }
}

function syntaxOf(tokens: readonly Token[], forced: Syntax | undefined): Syntax {
  if (forced !== undefined) return forced;
  const [first, second] = tokens;
  if (first?.kind !== 'ident' || !isMnemonic(first.text)) return 'pseudo-c';
  if (second?.kind === 'op' && (second.text.endsWith('=') || second.text === '*')) return 'pseudo-c';
  return 'mnemonic';
}

/** The conformance suite's convention: a jump to an undefined `exit` goes to the first exit. */
function addExitLabel(stmts: readonly Stmt[], labels: Map<string, number>): void {
  if (labels.has('exit')) return;
  const exit = kindRow('exit').code;
  let pc = 0;
  for (const s of stmts) {
    if (s.slots[0]!.code === exit) {
      labels.set('exit', pc);
      return;
    }
    pc += s.slots.length;
  }
}

/** `call name`: a local call when `name` is a label, else the helper the resolver names. */
function resolveCallByName(s: ParsedStmt, labels: ReadonlyMap<string, number>, opts: AssembleOptions): Stmt {
  if (!s.callByName || labels.has(s.target!.name)) return s;
  const id: unknown = opts.helperId?.(s.target!.name);
  if (id === undefined) throw new AssembleError(`undefined label or helper '${s.target!.name}'`, s.where ?? {});
  if (typeof id !== 'number' || !Number.isInteger(id) || id < -0x80000000 || id > 0x7fffffff) {
    throw new AssembleError(`helperId gave ${describe(id)} for '${s.target!.name}', not an s32 helper number`, s.where ?? {});
  }
  return { slots: [makeInsn(callRow(CallSrc.HELPER).code, { imm: id })], where: s.where };
}
