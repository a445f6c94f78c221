/**
 * The BPF printf family's format rules (Linux 6.1 bpf_bprintf_prepare) and output (vsnprintf): %d %i %u
 * %x %X with l / ll, %c, %s, %p with %pK %px %ps %pS %pB %pks %pus %pI4 %pi4 %pI6 %pi6, the `[0 +-]`
 * flags and a width, `%%`; no precision. At most `maxArgs` conversions. A format that breaks a rule is
 * -EINVAL, as the kernel answers.
 *
 * Simulation choices: pointers print unhashed (`%p` as `%px`, so output repeats), and symbol lookups
 * (%ps %pS %pB) print the address in hex, as the kernel does for an address without a symbol.
 */
import type { AddressSpace } from '../../vm/address-space.js';
import { ERRNO } from './args.js';

/** MAX_BPRINTF_BUF: the output buffer of trace_printk; longer output is cut. */
export const MAX_BPRINTF_BUF = 1024;
/** MAX_BPRINTF_VARARGS. */
export const MAX_BPRINTF_VARARGS = 12;
/** MAX_BPRINTF_BIN_ARGS: room for string arguments (a %s reads at most this much). */
const MAX_STR = 512;

interface Spec {
  flags: string;
  width: number;
  conv: 'd' | 'u' | 'x' | 'X' | 'c' | 's' | 'p' | 'ip';
  /** Bytes of the integer argument (4 or 8). */
  size: 4 | 8;
  /** %p modifier (`x`, `K`, `s`, `S`, `B`, `ks`, `us`, `I4`, `i6`…), '' for plain %p. */
  pmod: string;
}

type Piece = string | Spec;

const isPunct = (c: number): boolean => c > 0x20 && c < 0x7f && !/[A-Za-z0-9]/.test(String.fromCharCode(c));
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
/** Where a `%s` / `%p` may end: the end of the format, a space or punctuation. */
const endsConv = (c: number | undefined): boolean => c === undefined || isSpace(c) || isPunct(c);

/** Parse a format (its bytes before the NUL) into text and conversions, or -EINVAL. */
export function parseFormat(fmt: Uint8Array, maxArgs: number): Piece[] | number {
  const out: Piece[] = [];
  let text = '';
  let nspec = 0;
  const at = (k: number): number | undefined => (k < fmt.length ? fmt[k] : undefined);
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c < 0x80 && !(c >= 0x20 && c < 0x7f) && !isSpace(c)) return -ERRNO.EINVAL;
    if (c !== 0x25) {
      text += String.fromCharCode(c);
      continue;
    }
    if (at(i + 1) === 0x25) {
      text += '%';
      i++;
      continue;
    }
    if (text !== '') out.push(text);
    text = '';
    if (nspec++ >= maxArgs) return -ERRNO.EINVAL;
    i++;
    if ((at(i) ?? 0) >= 0x80) return -ERRNO.EINVAL;
    let flags = '';
    while (at(i) === 0x30 || at(i) === 0x2b || at(i) === 0x2d || at(i) === 0x20) flags += String.fromCharCode(fmt[i++]!);
    let width = 0;
    if ((at(i) ?? 0) >= 0x31 && at(i)! <= 0x39) {
      while ((at(i) ?? 0) >= 0x30 && at(i)! <= 0x39) width = width * 10 + (fmt[i++]! - 0x30);
    }
    const ch = (k: number): string => String.fromCharCode(at(k) ?? 0);
    const spec = (conv: Spec['conv'], size: 4 | 8 = 8, pmod = ''): Spec => ({ flags, width, conv, size, pmod });
    if (ch(i) === 'p') {
      const n = at(i + 1);
      if (endsConv(n)) out.push(spec('p'));
      else if ((ch(i + 1) === 'k' || ch(i + 1) === 'u') && ch(i + 2) === 's') {
        if (!endsConv(at(i + 3))) return -ERRNO.EINVAL;
        out.push(spec('s', 8, ch(i + 1) + 's'));
        i += 2;
      } else if ('KxsSB'.includes(ch(i + 1))) {
        out.push(spec('p', 8, ch(i + 1)));
        i++;
      } else if ((ch(i + 1) === 'i' || ch(i + 1) === 'I') && (ch(i + 2) === '4' || ch(i + 2) === '6')) {
        out.push(spec('ip', 8, ch(i + 1) + ch(i + 2)));
        i += 2;
      } else return -ERRNO.EINVAL;
    } else if (ch(i) === 's') {
      if (!endsConv(at(i + 1))) return -ERRNO.EINVAL;
      out.push(spec('s'));
    } else if (ch(i) === 'c') {
      out.push(spec('c'));
    } else {
      let size: 4 | 8 = 4;
      if (ch(i) === 'l') { size = 8; i++; }
      if (ch(i) === 'l') i++;
      const conv = ch(i);
      if (conv !== 'i' && conv !== 'd' && conv !== 'u' && conv !== 'x' && conv !== 'X') return -ERRNO.EINVAL;
      out.push(spec(conv === 'i' ? 'd' : conv, size));
    }
  }
  if (text !== '') out.push(text);
  return out;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (s.length >= spec.width) return s;
  if (spec.flags.includes('-')) return s.padEnd(spec.width);
  if (numeric && spec.flags.includes('0')) {
    const sign = /^[-+ ]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return s.padStart(spec.width);
}

/** A string argument: read up to a NUL (at most MAX_STR - 1 bytes); a fault reads as the empty string. */
function readString(space: AddressSpace, addr: bigint): string {
  try {
    return String.fromCharCode(...space.readCString(addr, MAX_STR - 1).bytes);
  } catch {
    return '';
  }
}

function formatIp(space: AddressSpace, addr: bigint, mod: string): string {
  const v6 = mod[1] === '6';
  let b: Uint8Array;
  try {
    b = space.readBytes(addr, v6 ? 16 : 4);
  } catch {
    b = new Uint8Array(v6 ? 16 : 4);
  }
  if (!v6) return [...b].map((x) => (mod[0] === 'i' ? String(x).padStart(3, '0') : String(x))).join('.');
  const words = Array.from({ length: 8 }, (_, k) => (b[2 * k]! << 8) | b[2 * k + 1]!);
  return mod[0] === 'i'
    ? words.map((w) => w.toString(16).padStart(4, '0')).join('')
    : words.map((w) => w.toString(16).padStart(4, '0')).join(':');
}

function formatOne(space: AddressSpace, s: Spec, arg: bigint): string {
  switch (s.conv) {
    case 'd': {
      const v = s.size === 4 ? BigInt.asIntN(32, arg) : BigInt.asIntN(64, arg);
      const sign = v < 0n ? '' : s.flags.includes('+') ? '+' : s.flags.includes(' ') ? ' ' : '';
      return pad(sign + v.toString(), s, true);
    }
    case 'u': return pad(BigInt.asUintN(s.size * 8, arg).toString(), s, true);
    case 'x': return pad(BigInt.asUintN(s.size * 8, arg).toString(16), s, true);
    case 'X': return pad(BigInt.asUintN(s.size * 8, arg).toString(16).toUpperCase(), s, true);
    case 'c': return pad(String.fromCharCode(Number(arg & 0xffn)), s, false);
    case 's': return pad(readString(space, arg), s, false);
    case 'ip': return pad(formatIp(space, arg, s.pmod), s, false);
    case 'p': {
      const a = BigInt.asUintN(64, arg);
      if (s.pmod === 's' || s.pmod === 'S' || s.pmod === 'B') return pad(`0x${a.toString(16)}`, s, false);
      return pad(a.toString(16).padStart(16, '0'), s, false);
    }
  }
}

/** Format `fmt` with `args` (one u64 per conversion); -EINVAL when the format breaks a rule. */
export function bprintf(space: AddressSpace, fmt: Uint8Array, args: readonly bigint[]): string | number {
  const pieces = parseFormat(fmt, args.length);
  if (typeof pieces === 'number') return pieces;
  let k = 0;
  return pieces.map((p) => (typeof p === 'string' ? p : formatOne(space, p, args[k++]!))).join('');
}

/** The format's bytes before its NUL within `size` bytes at `addr`; -EINVAL when there is no NUL. */
export function readFormat(space: AddressSpace, addr: bigint, size: number): Uint8Array | number {
  const bytes = space.readBytes(addr, size);
  const end = bytes.indexOf(0);
  return end < 0 ? -ERRNO.EINVAL : bytes.subarray(0, end);
}
