/**
 * The pseudo-C syntax as llvm-objdump and the kernel's verifier log print it: `r0 = *(u32 *)(r1 + 4)`,
 * `if w1 s< w2 goto L`, `r1 = 0x1234 ll`, `lock *(u64 *)(r10 - 8) += r1`, `r0 = cmpxchg_64(r10 - 8, r0, r1)`,
 * `r0 = *(u16 *)skb[r1 + 2]`. Spellings of both (and of several LLVM versions) are accepted.
 */
import { Cursor, isRegister, type RegOperand } from './cursor.js';
import { fits, IMM32, IMM64 } from './numbers.js';
import {
  bareMemRef, callOperands, jump, lddw, lddwValue, memRef, one, type ParsedStmt,
} from './parse-common.js';
import { pseudoByName } from './pseudo.js';
import { aluRow, atomicRow, endRow, jaRow, jcondRow, kindRow, memRow, movsxRow, type Bytes } from './rows.js';
import { ALU_OPERATOR, ATOMIC_OPERATOR, JMP_OPERATOR, keyOf, parseMemType } from './syntax.js';
import type { AluName, AtomicName, EndKind, OpInfo } from '../isa/opcodes.js';
import type { Token } from './lexer.js';

export interface PseudoCHints {
  /** The line came with the kernel's `(18)` opcode prefix: `rN = imm` is an lddw even without `ll`. */
  readonly wide?: boolean;
}

export function parsePseudoC(c: Cursor, hints: PseudoCHints = {}): ParsedStmt {
  const t = c.peek()!;
  if (isRegister(t)) return assignment(c, hints);
  if (t.text === '*') return store(c);
  c.next();
  switch (t.text) {
    case 'exit':
      return one(kindRow('exit'));
    case 'goto':
      return jump(c, jaRow(64), {}, 'off');
    case 'gotol':
      return jump(c, jaRow(32), {}, 'imm');
    case 'if':
      return conditional(c);
    case 'call':
      return callOperands(c);
    case 'callx':
      return one(kindRow('callx'), { dst: c.register().reg });
    case 'lock':
      return lock(c);
    default:
      return c.fail(t, `unknown mnemonic '${t.text}'`);
  }
}

function found(c: Cursor, row: OpInfo | undefined, at: Token | undefined, what: string): OpInfo {
  if (row === undefined) c.fail(at, what);
  return row;
}

/** `(u32 *)`: an access type in parentheses. */
function pointerType(c: Cursor): { bytes: Bytes; signed: boolean } {
  c.expect('(');
  const t = c.ident('access type');
  const type = parseMemType(t.text);
  if (type === undefined) c.fail(t, `expected access type (u8, u16, u32, u64, s8, s16, s32), got '${t.text}'`);
  c.expect('*');
  c.expect(')');
  return type;
}

function conditional(c: Cursor): ParsedStmt {
  const a = c.register();
  const opTok = c.next('comparison operator');
  const cond = keyOf(JMP_OPERATOR, opTok.text) as keyof typeof JMP_OPERATOR | undefined;
  if (cond === undefined) c.fail(opTok, `expected comparison operator, got '${opTok.text}'`);
  c.expectRegisterOrNumber();
  const srcReg = isRegister(c.peek());
  const row = jcondRow(cond, a.width, srcReg)!;
  const fields = srcReg ? { dst: a.reg, src: c.registerOfWidth(a.width).reg } : { dst: a.reg, imm: c.field(IMM32) };
  c.expect('goto');
  return jump(c, row, fields, 'off');
}

/** `*(u32 *)(r10 - 8) = r1` or `= 5`. */
function store(c: Cursor): ParsedStmt {
  c.expect('*');
  const typeTok = c.peek(1);
  const type = pointerType(c);
  const m = memRef(c, '(', ')');
  c.expect('=');
  if (type.signed) c.fail(typeTok, 'stores take an unsigned access type');
  if (isRegister(c.peek())) return one(memRow('stx', type.bytes)!, { dst: m.reg, off: m.off, src: c.register().reg });
  return one(memRow('st', type.bytes)!, { dst: m.reg, off: m.off, imm: c.field(IMM32) });
}

/** `lock *(u64 *)(r10 - 8) += r1`. */
function lock(c: Cursor): ParsedStmt {
  c.expect('*');
  const typeTok = c.peek(1);
  const type = pointerType(c);
  const m = memRef(c, '(', ')');
  const opTok = c.next('atomic operator');
  const op = keyOf(ATOMIC_OPERATOR, opTok.text) as AtomicName | undefined;
  if (op === undefined) c.fail(opTok, `expected one of += &= |= ^=, got '${opTok.text}'`);
  const row = found(c, type.signed ? undefined : atomicRow(op, false, type.bytes), typeTok, `no atomic operation on ${typeTok?.text}`);
  return one(row, { dst: m.reg, off: m.off, src: c.register().reg });
}

function assignment(c: Cursor, hints: PseudoCHints): ParsedStmt {
  const dst = c.register();
  const opTok = c.next('assignment operator');
  if (opTok.text !== '=') {
    const alu = keyOf(ALU_OPERATOR, opTok.text) as AluName | undefined;
    if (alu === undefined || alu === 'mov') c.fail(opTok, `expected assignment operator, got '${opTok.text}'`);
    return aluSource(c, alu, dst);
  }
  const t = c.peek();
  if (t === undefined) return c.fail(undefined, 'expected a value, got end of line');
  if (t.text === '*') return load(c, dst);
  if (t.text === '-' && isRegister(c.peek(1))) {
    c.next();
    sameRegister(c, dst);
    return one(aluRow('neg', dst.width, false)!, { dst: dst.reg });
  }
  if (t.text === '(') return movsx(c, dst);
  if (t.kind === 'ident') {
    const end = /^(be|le|bswap)(16|32|64)$/.exec(t.text);
    if (end !== null) {
      c.next();
      sameRegister(c, dst);
      return one(endRow(end[1] as EndKind, Number(end[2]))!, { dst: dst.reg });
    }
    if (/^(atomic|xchg|cmpxchg)/.test(t.text)) return atomicCall(c, dst);
    if (pseudoByName(t.text) !== undefined) {
      const v = lddwValue(c);
      c.accept('ll');
      return lddw(wide(c, dst), v);
    }
    if (isRegister(t)) return one(aluRow('mov', dst.width, true)!, { dst: dst.reg, src: c.registerOfWidth(dst.width).reg });
  }
  const n = c.number(IMM64);
  if (c.accept('ll') || hints.wide) return lddw(wide(c, dst), { src: 0, value: n.value });
  if (!fits(n.value, IMM32)) c.fail(n.token, `immediate ${n.text} does not fit in 32 bits`);
  return one(aluRow('mov', dst.width, false)!, { dst: dst.reg, imm: Number(BigInt.asIntN(32, n.value)) });
}

function wide(c: Cursor, dst: RegOperand): number {
  if (dst.width !== 64) c.fail(dst.token, `a 64-bit load needs a 64-bit register, got '${dst.token.text}'`);
  return dst.reg;
}

function sameRegister(c: Cursor, dst: RegOperand): void {
  const r = c.register();
  if (r.reg !== dst.reg) c.fail(r.token, `expected '${dst.token.text}' (the destination), got '${r.token.text}'`);
}

function aluSource(c: Cursor, name: AluName, dst: RegOperand): ParsedStmt {
  c.expectRegisterOrNumber();
  if (isRegister(c.peek())) {
    return one(aluRow(name, dst.width, true)!, { dst: dst.reg, src: c.registerOfWidth(dst.width).reg });
  }
  return one(aluRow(name, dst.width, false)!, { dst: dst.reg, imm: c.field(IMM32) });
}

/** `r0 = (s8)r1`, `w0 = (s16)w1`. */
function movsx(c: Cursor, dst: RegOperand): ParsedStmt {
  c.expect('(');
  const t = c.ident('sign-extension type');
  const type = parseMemType(t.text);
  const row = type?.signed ? movsxRow(dst.width, type.bytes) : undefined;
  if (row === undefined) c.fail(t, `no sign extension from '${t.text}' to ${dst.width} bits`);
  c.expect(')');
  return one(row, { dst: dst.reg, src: c.registerOfWidth(dst.width).reg });
}

/** `r0 = *(u32 *)(r1 + 4)`, `r0 = *(s8 *)(r1 + 0)`, `r0 = *(u8 *)skb[23]`, `r0 = *(u16 *)skb[r1 + 2]`. */
function load(c: Cursor, dst: RegOperand): ParsedStmt {
  c.expect('*');
  const typeTok = c.peek(1);
  const type = pointerType(c);
  if (c.accept('skb')) {
    if (dst.reg !== 0) c.fail(dst.token, `packet loads write r0, got '${dst.token.text}'`);
    const row = (kind: 'ldabs' | 'ldind') =>
      found(c, type.signed ? undefined : memRow(kind, type.bytes), typeTok, `no packet load of ${typeTok?.text}`);
    c.expect('[');
    if (isRegister(c.peek())) {
      const src = c.register().reg;
      // The kernel prints `skb[r1 + -2]`, LLVM-style `skb[r1 - 0x2]`.
      const m = { src, imm: c.accept('+') || c.is('-') ? c.field(IMM32) : 0 };
      c.expect(']');
      return one(row('ldind'), m);
    }
    const imm = c.field(IMM32);
    c.expect(']');
    return one(row('ldabs'), { imm });
  }
  const row = found(c, memRow('ldx', type.bytes, type.signed), typeTok, `no load of ${typeTok?.text}`);
  const m = memRef(c, '(', ')');
  return one(row, { dst: dst.reg, src: m.reg, off: m.off });
}

/**
 * Fetching atomics, in LLVM's and the kernel's spellings:
 * `r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)` (kernel: `atomic64_fetch_add`),
 * `r1 = xchg_64(r10 - 8, r1)`, `w1 = xchg32_32(…)` (kernel: `atomic64_xchg((u64 *)(…), r1)`),
 * `r0 = cmpxchg_64(r10 - 8, r0, r1)` (kernel: `atomic64_cmpxchg((u64 *)(…), r0, r1)`).
 */
function atomicCall(c: Cursor, dst: RegOperand): ParsedStmt {
  const fn = c.next();
  const kernel = /^atomic(?:64)?_(?:fetch_(add|and|or|xor)|(xchg|cmpxchg))$/.exec(fn.text);
  const llvm = /^(xchg|cmpxchg)(?:32)?_(32|64)$/.exec(fn.text);
  if (kernel === null && llvm === null) c.fail(fn, `unknown atomic function '${fn.text}'`);
  const op = (kernel?.[1] ?? kernel?.[2] ?? llvm![1]) as AtomicName;
  c.expect('(');
  let bytes: Bytes;
  let m: { reg: number; off: number };
  const typeTok = c.peek(1);
  if (kernel !== null) {
    const type = pointerType(c);
    if (type.signed) c.fail(typeTok, `no atomic operation on ${typeTok?.text}`);
    bytes = type.bytes;
    m = memRef(c, '(', ')');
  } else {
    bytes = llvm![2] === '64' ? 8 : 4;
    m = bareMemRef(c);
  }
  c.expect(',');
  if (op === 'cmpxchg') {
    if (dst.reg !== 0) c.fail(dst.token, `cmpxchg writes r0, got '${dst.token.text}'`);
    const r0 = c.register();
    if (r0.reg !== 0) c.fail(r0.token, `cmpxchg compares with r0, got '${r0.token.text}'`);
    c.expect(',');
  }
  const src = c.register();
  if (op !== 'cmpxchg' && src.reg !== dst.reg) {
    c.fail(src.token, `the result register '${dst.token.text}' must be the source register, got '${src.token.text}'`);
  }
  c.expect(')');
  const row = found(c, atomicRow(op, true, bytes), typeTok, `no atomic operation of ${bytes} bytes`);
  return one(row, { dst: m.reg, off: m.off, src: src.reg });
}
