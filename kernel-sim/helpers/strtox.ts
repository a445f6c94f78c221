/**
 * bpf_strtol / bpf_strtoul (kernel/bpf/helpers.c, Linux 6.1): leading spaces, an optional '-', the base
 * from the flags (0 = detect 0x / 0 prefixes, 8, 10, 16) as _parse_integer_fixup_radix does, at most 63
 * characters; the number of characters consumed, or -EINVAL / -ERANGE (the result is written as 0 then).
 * bpf_strncmp as the kernel's strncmp. Also bpf_csum_update, which test-run skbs (CHECKSUM_NONE) answer with -ENOTSUPP.
 */
import type { HelperContext, HelperFn } from '../../vm/machine.js';
import { ERRNO, errno, ret } from './args.js';

const BASE_MASK = 0x1fn;
const U64_MAX = (1n << 64n) - 1n;

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const lower = (c: number): number => c | 0x20;
const isXdigit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (lower(c) >= 0x61 && lower(c) <= 0x66);

/** __bpf_strtoull: [consumed, value, negative] or a negative errno. */
function strtoull(ctx: HelperContext, buf: bigint, len: bigint, flags: bigint): [number, bigint, boolean] | number {
  let base = Number(flags & BASE_MASK);
  if (buf === 0n || len === 0n) return -ERRNO.EINVAL;
  if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return -ERRNO.EINVAL;
  if (flags & ~BASE_MASK) return -ERRNO.EINVAL;
  const bytes = ctx.space.readBytes(buf, Number(len));
  let i = 0;
  while (i < bytes.length && isSpace(bytes[i]!)) i++;
  const negative = i < bytes.length && bytes[i] === 0x2d;
  if (negative) i++;
  if (i === bytes.length) return -ERRNO.EINVAL;
  const str = bytes.subarray(i, i + Math.min(bytes.length - i, 63));
  const at = (k: number): number => (k < str.length ? str[k]! : 0);
  let s = 0;
  if (base === 0) base = at(0) === 0x30 ? (lower(at(1)) === 0x78 && isXdigit(at(2)) ? 16 : 8) : 10;
  if (base === 16 && at(0) === 0x30 && lower(at(1)) === 0x78) s = 2;
  let res = 0n;
  let n = 0;
  let overflow = false;
  for (;;) {
    const c = at(s + n);
    let v: number;
    if (c >= 0x30 && c <= 0x39) v = c - 0x30;
    else if (lower(c) >= 0x61 && lower(c) <= 0x66) v = lower(c) - 0x61 + 10;
    else break;
    if (v >= base) break;
    res = res * BigInt(base) + BigInt(v);
    if (res > U64_MAX) overflow = true;
    res &= U64_MAX;
    n++;
  }
  if (overflow) return -ERRNO.ERANGE;
  if (n === 0) return -ERRNO.EINVAL;
  return [i + s + n, res, negative];
}

function store(ctx: HelperContext, addr: bigint, v: bigint): void {
  ctx.space.write(addr, 8, BigInt.asUintN(64, v));
}

/** bpf_strtol(buf, buf_len, flags, long *res) */
export const strtol: HelperFn = (ctx, buf, len, flags, res) => {
  store(ctx, res, 0n);
  const r = strtoull(ctx, buf, len, flags);
  if (typeof r === 'number') return errno(-r);
  const [consumed, v, negative] = r;
  if (negative) {
    if (v > 1n << 63n) return errno(ERRNO.ERANGE);
    store(ctx, res, -v);
  } else {
    if (v >= 1n << 63n) return errno(ERRNO.ERANGE);
    store(ctx, res, v);
  }
  return ret(consumed);
};

/** bpf_strtoul(buf, buf_len, flags, unsigned long *res) */
export const strtoul: HelperFn = (ctx, buf, len, flags, res) => {
  store(ctx, res, 0n);
  const r = strtoull(ctx, buf, len, flags);
  if (typeof r === 'number') return errno(-r);
  const [consumed, v, negative] = r;
  if (negative) return errno(ERRNO.EINVAL);
  store(ctx, res, v);
  return ret(consumed);
};

/**
 * bpf_strncmp(s1, s1_sz, s2): lib/string.c's strncmp(s1, s2, s1_sz) — -1, 0 or 1 at the first byte that
 * differs or the first NUL; s2 is a constant string the verifier found zero-terminated.
 */
export const strncmp: HelperFn = (ctx, s1, s1Sz, s2) => {
  const a = ctx.space.readBytes(s1, Number(s1Sz));
  for (let i = 0; i < a.length; i++) {
    const c1 = a[i]!;
    const c2 = ctx.space.readBytes(s2 + BigInt(i), 1)[0]!;
    if (c1 !== c2) return ret(c1 < c2 ? -1 : 1);
    if (c1 === 0) break;
  }
  return ret(0);
};

/** bpf_csum_update(skb, csum): only CHECKSUM_COMPLETE skbs keep a csum; test-run skbs are CHECKSUM_NONE. */
export const csumUpdate: HelperFn = () => errno(ERRNO.ENOTSUPP);
