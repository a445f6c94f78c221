/** Integer literals and the field ranges of an instruction. */

/** A decimal or `0x` hexadecimal literal without sign, or undefined when the text is not one. */
export function parseLiteral(text: string): bigint | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text) || /^[0-9]+$/.test(text)) return BigInt(text);
  return undefined;
}

export interface Range {
  readonly min: bigint;
  readonly max: bigint;
  /** Used in messages: `${noun} 0x1ffffffff does not fit in ${what}`. */
  readonly noun: 'immediate' | 'offset';
  readonly what: string;
  /** Bits the accepted value wraps to (signed). */
  readonly bits: number;
}

/** A 32-bit immediate: signed, or unsigned up to 0xffffffff (stored as its two's complement). */
export const IMM32: Range = { min: -(2n ** 31n), max: 2n ** 32n - 1n, noun: 'immediate', what: '32 bits', bits: 32 };
/** A signed 16-bit offset. */
export const OFF16: Range = { min: -(2n ** 15n), max: 2n ** 15n - 1n, noun: 'offset', what: '16 bits', bits: 16 };
/** lddw's 64-bit immediate: signed or unsigned. */
export const IMM64: Range = { min: -(2n ** 63n), max: 2n ** 64n - 1n, noun: 'immediate', what: '64 bits', bits: 64 };
/** A signed 32-bit value (a relative target held in `imm`). */
export const SIGNED32: Range = { min: -(2n ** 31n), max: 2n ** 31n - 1n, noun: 'offset', what: '32 bits', bits: 32 };

export function fits(value: bigint, range: Range): boolean {
  return value >= range.min && value <= range.max;
}

/** `0x1f`, `-0x8`: hexadecimal with a sign, as LLVM prints immediates. */
export function signedHex(value: number | bigint): string {
  const v = BigInt(value);
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** `+3`, `-3`: a relative target or memory offset with its sign. */
export function withSign(text: string, negative: boolean): string {
  return negative ? `-${text}` : `+${text}`;
}
