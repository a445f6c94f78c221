import { AssembleError } from '../errors.js';
import { MAX_REG } from '../isa/insn.js';
import type { Token } from './lexer.js';
import { fits, parseLiteral, type Range } from './numbers.js';

/** A register operand: its number and the width its name says (`r`: 64, `w`: 32; `%r`: 64). */
export interface RegOperand {
  readonly reg: number;
  readonly width: 32 | 64;
  readonly token: Token;
}

const REGISTER = /^(%r|r|w)(\d+)$/;

/** True when the token names a register (`r1`, `w1`, `%r1`). */
export function isRegister(token: Token | undefined): boolean {
  return token?.kind === 'ident' && REGISTER.test(token.text);
}

/** Reads the tokens of one line; every failure is an AssembleError at the offending token. */
export class Cursor {
  private pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    readonly line: number,
    /** Column reported when the line ends too early. */
    private readonly endColumn: number,
  ) {}

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.pos + ahead];
  }

  /** True when the next token's text is `text`. */
  is(text: string, ahead = 0): boolean {
    return this.peek(ahead)?.text === text;
  }

  next(what = 'more operands'): Token {
    const t = this.tokens[this.pos];
    if (t === undefined) this.fail(undefined, `expected ${what}, got end of line`);
    this.pos++;
    return t;
  }

  accept(text: string): Token | undefined {
    if (!this.is(text)) return undefined;
    return this.next();
  }

  expect(text: string): Token {
    const t = this.next(`'${text}'`);
    if (t.text !== text) this.fail(t, `expected '${text}', got '${t.text}'`);
    return t;
  }

  ident(what: string): Token {
    const t = this.next(what);
    if (t.kind !== 'ident') this.fail(t, `expected ${what}, got '${t.text}'`);
    return t;
  }

  register(): RegOperand {
    const t = this.next('register');
    const m = t.kind === 'ident' ? REGISTER.exec(t.text) : null;
    if (m === null) this.fail(t, `expected register, got '${t.text}'`);
    const reg = Number(m[2]);
    if (reg > MAX_REG) this.fail(t, `invalid register '${t.text}'`);
    return { reg, width: m[1] === 'w' ? 32 : 64, token: t };
  }

  /** A register of the given width (`r`/`%r` for 64, `w` for 32). */
  registerOfWidth(width: 32 | 64): RegOperand {
    const r = this.register();
    if (r.width !== width) this.fail(r.token, `expected a ${width}-bit register, got '${r.token.text}'`);
    return r;
  }

  /** An integer with an optional sign, checked against a range; returns the value, its first token and its text. */
  number(range: Range): { value: bigint; token: Token; text: string } {
    const first = this.next('number');
    let t = first;
    let negative = false;
    if (t.text === '-' || t.text === '+') {
      negative = t.text === '-';
      t = this.next('number');
    }
    const lit = t.kind === 'num' ? parseLiteral(t.text) : undefined;
    if (lit === undefined) this.fail(t, `expected number, got '${t.text}'`);
    const value = negative ? -lit : lit;
    const text = `${negative ? '-' : ''}${t.text}`;
    if (!fits(value, range)) this.fail(first, `${range.noun} ${text} does not fit in ${range.what}`);
    return { value, token: first, text };
  }

  /** The number as the field stores it: wrapped to the range's width, signed. */
  field(range: Range): number {
    return Number(BigInt.asIntN(range.bits, this.number(range).value));
  }

  /** Fails unless the next token starts a register or a number. */
  expectRegisterOrNumber(): void {
    if (!isRegister(this.peek()) && !this.atNumber()) {
      const t = this.peek();
      this.fail(t, `expected register or number, got ${t === undefined ? 'end of line' : `'${t.text}'`}`);
    }
  }

  /** True when the next token starts a number (a digit or a sign followed by a digit). */
  atNumber(): boolean {
    const t = this.peek();
    if (t?.kind === 'num') return true;
    return (t?.text === '-' || t?.text === '+') && this.peek(1)?.kind === 'num';
  }

  end(): void {
    const t = this.peek();
    if (t !== undefined) this.fail(t, `unexpected '${t.text}'`);
  }

  fail(token: Token | undefined, message: string): never {
    throw new AssembleError(message, { line: this.line, column: token?.column ?? this.endColumn });
  }
}
