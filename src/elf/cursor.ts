import { LoadError, type ErrorLocation } from '../errors.js';

/**
 * Bounds-checked reads of fixed-width integers from a byte range. Every read past the range is a
 * LoadError carrying `where` plus the absolute byte offset, never a RangeError.
 */
export class Cursor {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    /** Location reported with errors (section, symbol). */
    readonly where: ErrorLocation = {},
    /** Absolute offset of bytes[0] in the file, for error offsets. */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(detail: string, at: number): never {
    throw new LoadError(detail, { ...this.where, offset: this.base + at });
  }

  private check(at: number, width: number, what: string): void {
    if (!Number.isInteger(at) || at < 0 || at + width > this.bytes.length) {
      this.fail(`truncated: ${what} at ${at} needs ${width} bytes, only ${this.bytes.length} available`, at);
    }
  }

  u8(at: number, what = 'u8'): number {
    this.check(at, 1, what);
    return this.view.getUint8(at);
  }

  u16(at: number, what = 'u16'): number {
    this.check(at, 2, what);
    return this.view.getUint16(at, this.littleEndian);
  }

  u32(at: number, what = 'u32'): number {
    this.check(at, 4, what);
    return this.view.getUint32(at, this.littleEndian);
  }

  i32(at: number, what = 'i32'): number {
    this.check(at, 4, what);
    return this.view.getInt32(at, this.littleEndian);
  }

  u64(at: number, what = 'u64'): bigint {
    this.check(at, 8, what);
    return this.view.getBigUint64(at, this.littleEndian);
  }

  /** A 64-bit field used as a size or offset: it must fit a safe JavaScript number. */
  size64(at: number, what: string): number {
    const v = this.u64(at, what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${v} is too large`, at);
    return Number(v);
  }

  /** A sub-range [at, at+len), checked. */
  slice(at: number, len: number, what: string): Uint8Array {
    this.check(at, len, what);
    return this.bytes.subarray(at, at + len);
  }

  /** A NUL-terminated string starting at `at`. */
  cstring(at: number, what = 'string'): string {
    if (!Number.isInteger(at) || at < 0 || at >= this.bytes.length) {
      this.fail(`${what} offset ${at} is outside the string table (${this.bytes.length} bytes)`, 0);
    }
    const end = this.bytes.indexOf(0, at);
    if (end < 0) this.fail(`${what} at ${at} is not NUL-terminated`, at);
    return utf8.decode(this.bytes.subarray(at, end));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
