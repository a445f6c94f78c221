/**
 * Highlighting for bpfvm's assembler text (kernel/LLVM pseudo-C and the mnemonic syntax): a CodeMirror
 * stream tokenizer that follows the core's lexer (src/asm/lexer.ts) — its comments (`//`, `;`, `#` after
 * white space), identifiers and numbers — and names what each token is.
 */
import { StreamLanguage, type StreamParser } from '@codemirror/language';

const KEYWORDS = new Set(['if', 'goto', 'gotol', 'call', 'callx', 'exit', 'll', 'lock', 'may_goto']);
const TYPES = /^(?:u8|u16|u32|u64|s8|s16|s32|s64|be16|be32|be64|le16|le32|le64|bswap16|bswap32|bswap64)$/;
const REGISTER = /^[rw](?:10|[0-9])$/;
const MNEMONIC = /^(?:mov|add|sub|mul|div|sdiv|mod|smod|or|and|lsh|rsh|arsh|neg|xor|be|le|swap|ja|jeq|jne|jgt|jge|jlt|jle|jset|jsgt|jsge|jslt|jsle|ld|ldx|st|stx|lddw|call|exit)\w*$/;

interface AsmState {
  /** A `call` was just read: the next name is a function. */
  afterCall: boolean;
  /** The first word of the line is still to come. */
  lineStart: boolean;
}

const parser: StreamParser<AsmState> = {
  name: 'bpf-asm',
  startState: () => ({ afterCall: false, lineStart: true }),
  token(stream, state) {
    if (stream.sol()) {
      state.lineStart = true;
      state.afterCall = false;
    }
    if (stream.eatSpace()) return null;
    // comments end the line, as in the lexer: `#` only at the start or after white space
    if (stream.match('//') || stream.peek() === ';' || (stream.peek() === '#' && (stream.pos === 0 || /\s/.test(stream.string[stream.pos - 1]!)))) {
      stream.skipToEnd();
      return 'comment';
    }
    // the kernel log's `3: (b7) ` prefix
    if (state.lineStart && stream.match(/^\d+:\s+\([0-9a-f]{2}\)/)) return 'meta';
    const first = state.lineStart;
    state.lineStart = false;
    if (stream.match(/^-?(?:0x[0-9a-fA-F]+|\d+)\b/)) return 'number';
    const word = stream.match(/^[A-Za-z_.$][A-Za-z0-9_.$]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (first && stream.peek() === ':') return 'labelName';
      if (REGISTER.test(w)) return 'variableName.special';
      if (state.afterCall) {
        state.afterCall = false;
        return 'variableName.function';
      }
      if (w === 'call' || w === 'callx') state.afterCall = true;
      if (KEYWORDS.has(w)) return 'keyword';
      if (TYPES.test(w)) return 'typeName';
      if (first && MNEMONIC.test(w)) return 'keyword';
      if (/^(?:map_fd|map_value|map_idx|map_idx_value|btf_id|func)$/.test(w)) return 'macroName';
      return 'labelName';
    }
    if (stream.match(/^(?:s>>=|s\/=|s%=|s>=|s<=|<<=|>>=|s>|s<|==|!=|>=|<=|[-+*/|&^%]=|[<>=*+\-&#])/)) return 'operator';
    if (stream.match(/^[()[\],:]/)) return 'punctuation';
    stream.next();
    return 'invalid';
  },
  languageData: { commentTokens: { line: '//' } },
};

export const bpfAsm = StreamLanguage.define(parser);
