/** Internet checksum arithmetic (ones' complement), on 16-bit words read little-endian as the kernel's __sum16. */

/** Fold a sum to 16 bits with end-around carries. */
export function fold16(v: number): number {
  let s = v;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** csum_partial on x86-64: a 32-bit ones' complement sum of the 32-bit words plus `seed`. */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let s = seed >>> 0;
  for (let k = 0; k + 4 <= bytes.length; k += 4) s += dv.getUint32(k, true);
  while (s > 0xffffffff) s = (s % 0x100000000) + Math.floor(s / 0x100000000);
  return s;
}

/** The 16-bit halves of a 32-bit value (its little-endian words). */
const halves = (v: number): number[] => [v & 0xffff, v >>> 16];

/** csum_replace2/4: the checksum after the field `from` became `to` (RFC 1624 eqn. 3). */
export function csumReplace(sum: number, from: number[], to: number[]): number {
  let s = ~sum & 0xffff;
  for (const f of from) s += ~f & 0xffff;
  for (const t of to) s += t;
  return ~fold16(s) & 0xffff;
}

export const csumReplace2 = (sum: number, from: number, to: number): number => csumReplace(sum, [from & 0xffff], [to & 0xffff]);
export const csumReplace4 = (sum: number, from: number, to: number): number => csumReplace(sum, halves(from), halves(to));
/** csum_replace_by_diff: apply a 32-bit partial checksum difference. */
export const csumReplaceByDiff = (sum: number, diff: number): number => csumReplace(sum, [], halves(diff));
