/**
 * Splits one line of assembler text into tokens, each with its 1-based column. Comments (`//`, `;`,
 * and `#` at the start of a line or after white space) end the line; a `#` glued to a word is a token,
 * as in the kernel's `call bpf_map_lookup_elem#1`.
 */
export type TokenKind = 'ident' | 'num' | 'op';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

/** Operators, longest first so that a prefix never wins over the whole. */
const OPERATORS = [
  's>>=', 's/=', 's%=', 's>=', 's<=', '<<=', '>>=', 's>', 's<',
  '==', '!=', '>=', '<=', '+=', '-=', '*=', '/=', '|=', '&=', '^=', '%=',
  '>', '<', '=', '(', ')', '[', ']', '*', ',', '+', '-', '&', ':', '#',
];

const IDENT_START = /[A-Za-z_.$%]/;
const IDENT_PART = /[A-Za-z0-9_.$]/;

export class LexError extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
  }
}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === ';' || line.startsWith('//', i)) break;
    if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
    const start = i;
    // `s>=`, `s>>=`…: a lone `s` glued to a comparison or shift is one operator.
    const sOp = ch === 's' && !IDENT_PART.test(line[i - 1] ?? ' ')
      ? OPERATORS.find((op) => op.startsWith('s') && line.startsWith(op, i))
      : undefined;
    if (sOp !== undefined) {
      tokens.push({ kind: 'op', text: sOp, column: start + 1 });
      i += sOp.length;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < line.length && IDENT_PART.test(line[i]!)) i++;
      tokens.push({ kind: 'num', text: line.slice(start, i), column: start + 1 });
      continue;
    }
    if (IDENT_START.test(ch) && !(ch === '%' && line[i + 1] === '=')) {
      i++;
      while (i < line.length && IDENT_PART.test(line[i]!)) i++;
      tokens.push({ kind: 'ident', text: line.slice(start, i), column: start + 1 });
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op === undefined) throw new LexError(`unexpected character '${ch}'`, start + 1);
    tokens.push({ kind: 'op', text: op, column: start + 1 });
    i += op.length;
  }
  return tokens;
}
