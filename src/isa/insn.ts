import { DecodeError, EncodeError, UsageError } from '../errors.js';
import { describe } from '../options.js';
import { Cls, isWide, lookupOp, Op, OP_BY_CODE, type FieldUse, type OpInfo } from './opcodes.js';

/** The code of the second slot of an lddw: it is data, not an instruction. */
export const LDDW_HI = -2;
/** The code of a slot whose opcode is not an instruction (kept only by lenient decoding). */
export const UNKNOWN = -1;

/**
 * One instruction slot, decoded once at load. The raw fields are kept as they were encoded (so the
 * verifier can report reserved fields as the kernel does); `code` names the operation (`Op`), or is
 * `LDDW_HI` / `UNKNOWN`.
 */
export interface Insn {
  code: number;
  opcode: number;
  dst: number;
  src: number;
  /** Signed 16-bit offset. */
  off: number;
  /** Signed 32-bit immediate. */
  imm: number;
  /** For lddw: the whole 64-bit immediate (unsigned). */
  imm64?: bigint;
}

/** The highest register number (r10, the frame pointer). */
export const MAX_REG = 10;

/** Build an instruction from an operation and its operands; variant selectors are filled in. */
export function makeInsn(code: Op, fields: { dst?: number; src?: number; off?: number; imm?: number } = {}): Insn {
  const info = OP_BY_CODE.get(code);
  if (info === undefined) throw new Error(`unknown operation code ${code}`);
  let { dst = 0, src = 0, off = 0, imm = 0 } = fields;
  const v = info.variant;
  if (v !== undefined) {
    if (v.field === 'off') off = v.value;
    else if (v.field === 'imm') imm = v.value;
    else src = v.value;
  }
  return { code, opcode: info.opcode, dst, src, off, imm };
}

/** An lddw as its two slots. */
export function makeLddw(dst: number, value: bigint, src = 0): [Insn, Insn] {
  const v = BigInt.asUintN(64, value);
  const lo = Number(v & 0xffffffffn) | 0;
  const hi = Number(v >> 32n) | 0;
  return [
    { code: Op.LDDW, opcode: Cls.LD | 0x18, dst, src, off: 0, imm: lo, imm64: v },
    { code: LDDW_HI, opcode: 0, dst: 0, src: 0, off: 0, imm: hi },
  ];
}

const isInt = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/**
 * Instruction objects built by hand have the decoder's shape: `insns` an array (else a UsageError from
 * `what`), each slot an object whose fields are in range — code an integer, dst and src 0-15, off an s16,
 * imm an s32, an lddw's imm64 a bigint — else a DecodeError naming the slot. (Register numbers above r10
 * and lddw pairing are the machine's and the verifier's to judge; a printer shows them as they are.)
 */
export function checkInsnFields(insns: unknown, what: string): asserts insns is readonly Insn[] {
  if (!Array.isArray(insns)) throw new UsageError(`${what}: expected an array of instructions, got ${describe(insns)}`);
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i] as Partial<Insn> | null | undefined;
    if (typeof x !== 'object' || x === null) throw new DecodeError('not an instruction object', { insn: i });
    if (!isInt(x.code, -0x10000, 0xffff) || !isInt(x.dst, 0, 15) || !isInt(x.src, 0, 15) || !isInt(x.off, -0x8000, 0x7fff)
      || !isInt(x.imm, -0x80000000, 0x7fffffff)) {
      throw new DecodeError('an instruction field is out of range (code, dst and src 0-15, off an s16, imm an s32)', { insn: i });
    }
    if (x.code === Op.LDDW && x.imm64 !== undefined && typeof x.imm64 !== 'bigint') throw new DecodeError('lddw imm64 must be a bigint', { insn: i });
  }
}

/** The opcode table's row for an instruction, or undefined when it is not one. */
export function opInfo(insn: Insn): OpInfo | undefined {
  return OP_BY_CODE.get(insn.code);
}

/** Instructions are equal when their encodings are (imm64 is derived). */
export function insnEquals(a: Insn, b: Insn): boolean {
  return a.code === b.code && a.opcode === b.opcode && a.dst === b.dst && a.src === b.src && a.off === b.off &&
    a.imm === b.imm;
}

/**
 * Checks one instruction against its row of the opcode table (uBPF's validity table): unused fields
 * must be zero, registers in range, r10 never written. Returns the problem, or undefined.
 */
export function fieldProblem(insn: Insn, info: OpInfo): string | undefined {
  const f = info.fields;
  const check = (name: 'dst' | 'src' | 'off' | 'imm', use: FieldUse): string | undefined => {
    const value = insn[name];
    if (use === 'zero' && value !== 0) return `reserved field ${name} is ${value}, must be 0`;
    if (use === 'reg' && (value < 0 || value > MAX_REG)) return `invalid ${name} register r${value}`;
    return undefined;
  };
  const p = check('dst', f.dst) ?? check('src', f.src) ?? check('off', f.off) ?? check('imm', f.imm);
  if (p !== undefined) return p;
  if (info.kind === 'lddw' && (insn.src < 0 || insn.src > 6)) return `invalid lddw pseudo source ${insn.src}`;
  if (writesDst(info) && insn.dst === 10) return 'r10 is read-only';
  return undefined;
}

/** Whether an operation writes its dst register. */
export function writesDst(info: OpInfo): boolean {
  return info.kind === 'alu' || info.kind === 'end' || info.kind === 'ldx' || info.kind === 'lddw';
}

/** How `decode` reads bytes. */
export interface DecodeOptions {
  /** Byte order of the encoded stream; 'le' by default. */
  endian?: 'le' | 'be';
  /**
   * Strict (default): unknown opcodes, reserved fields and half lddws are DecodeErrors. Lenient: every
   * slot is kept with `code` UNKNOWN where it is not an instruction; the verifier reports such slots
   * with the kernel's own messages.
   */
  strict?: boolean;
  /**
   * Equal slots (the same eight bytes) share one object, so a program of long runs of one instruction
   * (the 1M-instruction test_verifier cases) costs an array slot per instruction, not an object. Only for
   * callers that never change an instruction in place (relocations do: the ELF loader decodes without it).
   */
  shareEqual?: boolean;
}

/** Bytes per instruction slot. */
export const INSN_SIZE = 8;

/** Slots remembered by `shareEqual` decoding (a direct-mapped cache keyed by the slot's two words). */
const SHARE_SLOTS = 4096;

/** Decode an instruction stream. */
export function decode(bytes: Uint8Array, opts: DecodeOptions = {}): Insn[] {
  const be = opts.endian === 'be';
  const strict = opts.strict ?? true;
  if (bytes.length % INSN_SIZE !== 0) {
    const n = Math.floor(bytes.length / INSN_SIZE);
    throw new DecodeError(
      `truncated input: ${bytes.length} bytes is not a whole number of 8-byte instructions (${bytes.length % INSN_SIZE} trailing bytes)`,
      { insn: n, offset: n * INSN_SIZE },
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.length / INSN_SIZE;
  const out: Insn[] = new Array(count);
  const share: (Insn | undefined)[] | undefined = opts.shareEqual ? new Array(SHARE_SLOTS) : undefined;
  for (let i = 0; i < count; i++) {
    const at = i * INSN_SIZE;
    const opcode = dv.getUint8(at);
    const regs = dv.getUint8(at + 1);
    const dst = be ? regs >> 4 : regs & 0xf;
    const src = be ? regs & 0xf : regs >> 4;
    const off = dv.getInt16(at + 2, !be);
    const imm = dv.getInt32(at + 4, !be);
    let slot = 0;
    if (share !== undefined && !isWide(opcode)) {
      // The slot's encoding as two 32-bit words, hashed to a cache line; an equal slot there is reused.
      const lo = opcode | (regs << 8) | ((off & 0xffff) << 16);
      slot = (Math.imul(lo ^ Math.imul(imm, 0x9e3779b1), 0x85ebca6b) >>> 20) & (SHARE_SLOTS - 1);
      const prev = share[slot];
      if (prev !== undefined && prev.opcode === opcode && prev.dst === dst && prev.src === src && prev.off === off && prev.imm === imm) {
        out[i] = prev;
        continue;
      }
    }
    const info = lookupOp(opcode, src, off, imm);
    const insn: Insn = { code: info ? info.code : UNKNOWN, opcode, dst, src, off, imm };
    out[i] = insn;
    if (share !== undefined && !isWide(opcode)) share[slot] = insn;
    if (info === undefined) {
      if (strict) throw new DecodeError(unknownMessage(opcode), { insn: i, offset: at });
      continue;
    }
    if (strict) {
      const p = fieldProblem(insn, info);
      if (p !== undefined) throw new DecodeError(`${p} (${info.mnemonic})`, { insn: i, offset: at });
    }
    if (isWide(opcode)) {
      if (i + 1 >= count) {
        if (strict) throw new DecodeError('lddw is missing its second half', { insn: i, offset: at });
        continue;
      }
      const at2 = at + INSN_SIZE;
      const op2 = dv.getUint8(at2);
      const regs2 = dv.getUint8(at2 + 1);
      const off2 = dv.getInt16(at2 + 2, !be);
      const hi = dv.getInt32(at2 + 4, !be);
      if (strict && (op2 !== 0 || regs2 !== 0 || off2 !== 0)) {
        throw new DecodeError('second half of lddw must have opcode, registers and offset 0', { insn: i + 1, offset: at2 });
      }
      insn.imm64 = (BigInt(hi >>> 0) << 32n) | BigInt(imm >>> 0);
      out[++i] = {
        code: op2 === 0 ? LDDW_HI : UNKNOWN, opcode: op2, dst: be ? regs2 >> 4 : regs2 & 0xf,
        src: be ? regs2 & 0xf : regs2 >> 4, off: off2, imm: hi,
      };
    }
  }
  return out;
}

function unknownMessage(opcode: number): string {
  return `unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`;
}

/** Encode instructions (slots) to bytes. */
export function encode(insns: readonly Insn[], opts: { endian?: 'le' | 'be' } = {}): Uint8Array {
  const be = opts.endian === 'be';
  const bytes = new Uint8Array(insns.length * INSN_SIZE);
  const dv = new DataView(bytes.buffer);
  insns.forEach((insn, i) => {
    const at = i * INSN_SIZE;
    if (insn.dst < 0 || insn.dst > 15 || insn.src < 0 || insn.src > 15) {
      throw new EncodeError(`register field out of range (dst ${insn.dst}, src ${insn.src})`, { insn: i, offset: at });
    }
    dv.setUint8(at, insn.opcode & 0xff);
    dv.setUint8(at + 1, be ? (insn.dst << 4) | insn.src : (insn.src << 4) | insn.dst);
    dv.setInt16(at + 2, insn.off, !be);
    dv.setInt32(at + 4, insn.imm, !be);
  });
  return bytes;
}
