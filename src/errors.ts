/**
 * One typed error class per stage. Each carries where it happened: an instruction slot index (as the
 * kernel numbers them: lddw takes two), a source line and column, an ELF section or byte offset.
 */
export type ErrorKind = 'decode' | 'encode' | 'assemble' | 'load' | 'usage' | 'run' | 'verifier' | 'input' | 'kernel';

/** Where an error happened; the message starts with it (`file: section: insn 3: …`). */
export interface ErrorLocation {
  /** Instruction slot index. */
  insn?: number;
  /** Byte offset in the input. */
  offset?: number;
  /** 1-based source line and column (assembler). */
  line?: number;
  column?: number;
  /** ELF section, symbol or file. */
  section?: string;
  symbol?: string;
  file?: string;
}

/** The base of every error bpfvm raises on bad input: a kind, a location and the bare detail. */
export class BpfError extends Error {
  readonly kind: ErrorKind;
  where: ErrorLocation;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(kind: ErrorKind, detail: string, where: ErrorLocation = {}) {
    super(formatLocation(where) + detail);
    this.name = new.target.name;
    this.kind = kind;
    this.where = where;
    this.detail = detail;
  }

  /** Add outer context (file, section…) the raising stage did not know; inner details win. */
  locate(outer: ErrorLocation): this {
    this.where = { ...outer, ...this.where };
    this.message = formatLocation(this.where) + this.detail;
    return this;
  }

  get insn(): number | undefined {
    return this.where.insn;
  }

  /** The JSON shape the CLI prints: `{"kind":…,"insn":N,"message":…}`. */
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { kind: this.kind };
    if (this.where.insn !== undefined) o.insn = this.where.insn;
    if (this.where.line !== undefined) o.line = this.where.line;
    if (this.where.column !== undefined) o.column = this.where.column;
    if (this.where.section !== undefined) o.section = this.where.section;
    if (this.where.offset !== undefined) o.offset = this.where.offset;
    o.message = this.message;
    return o;
  }
}

function formatLocation(w: ErrorLocation): string {
  const parts: string[] = [];
  if (w.file !== undefined) parts.push(w.file);
  if (w.section !== undefined) parts.push(`section "${w.section}"`);
  if (w.symbol !== undefined) parts.push(`symbol "${w.symbol}"`);
  if (w.line !== undefined) parts.push(w.column !== undefined ? `line ${w.line}:${w.column}` : `line ${w.line}`);
  if (w.insn !== undefined) parts.push(`instruction ${w.insn}`);
  if (w.offset !== undefined && w.insn === undefined) parts.push(`offset ${w.offset}`);
  return parts.length > 0 ? parts.join(': ') + ': ' : '';
}

/** Bytes that are not a valid instruction stream. */
export class DecodeError extends BpfError {
  constructor(detail: string, where: ErrorLocation) {
    super('decode', detail, where);
  }
}

/** An instruction that cannot be encoded (a field out of range). */
export class EncodeError extends BpfError {
  constructor(detail: string, where: ErrorLocation) {
    super('encode', detail, where);
  }
}

/** Assembler text that does not parse; names the line and column. */
export class AssembleError extends BpfError {
  constructor(detail: string, where: ErrorLocation) {
    super('assemble', detail, where);
  }
}

/** An object file or program input that cannot be loaded. */
export class LoadError extends BpfError {
  constructor(detail: string, where: ErrorLocation = {}) {
    super('load', detail, where);
  }
}

/** A real kernel to compare with is not available (the oracle not set up, the host refusing bpf(2)). */
export class KernelUnavailableError extends BpfError {
  constructor(detail: string) {
    super('kernel', detail);
  }
}

/** Bad command-line or API usage. */
export class UsageError extends BpfError {
  constructor(detail: string) {
    super('usage', detail);
  }
}

/**
 * A number as the kernel prints it in hex: never negative. A negative 32-bit integer is shown as its u32
 * (`-0x80000000` → `0x80000000`), any other negative integer as its u64; a bigint likewise as a u64.
 */
export function hex(v: number | bigint): string {
  if (typeof v === 'bigint') return '0x' + BigInt.asUintN(64, v).toString(16);
  if (!Number.isInteger(v)) return String(v);
  if (v >= 0) return '0x' + v.toString(16);
  return '0x' + (v >= -0x80000000 ? (v >>> 0).toString(16) : BigInt.asUintN(64, BigInt(v)).toString(16));
}
