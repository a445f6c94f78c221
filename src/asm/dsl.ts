/**
 * A builder DSL in the manner of cilium/ebpf's asm package: instructions are data, labels are items,
 * and `program` lays them out and resolves labels to offsets.
 *
 *   program(Mov.imm(R0, 0), Label('loop'), Add.imm(R0, 1), JLT.imm(R0, 10, 'loop'), Exit())
 *
 * Each constructor family is one generic function that finds its row in `OPS`.
 */
import { AssembleError } from '../errors.js';
import { makeInsn, makeLddw, type Insn } from '../isa/insn.js';
import { CallSrc, type AluName, type AtomicName, type EndKind, type JmpCond, type OpInfo } from '../isa/opcodes.js';
import { link, type Stmt } from './link.js';
import { fits, OFF16, SIGNED32 } from './numbers.js';
import { aluRow, atomicRow, callRow, endRow, jaRow, jcondRow, kindRow, memRow, movsxRow, type Bytes, type Width } from './rows.js';

/** A register number, r0 to r10. */
export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
/** r0: return value and helper result. */
export const R0: Reg = 0;
/** r1: first argument (the context at entry). */
export const R1: Reg = 1;
/** r2: second argument. */
export const R2: Reg = 2;
/** r3: third argument. */
export const R3: Reg = 3;
/** r4: fourth argument. */
export const R4: Reg = 4;
/** r5: fifth argument. */
export const R5: Reg = 5;
/** r6: callee-saved. */
export const R6: Reg = 6;
/** r7: callee-saved. */
export const R7: Reg = 7;
/** r8: callee-saved. */
export const R8: Reg = 8;
/** r9: callee-saved. */
export const R9: Reg = 9;
/** r10: the read-only frame pointer. */
export const R10: Reg = 10;

/** Access sizes, as cilium names them. */
export type SizeName = 'B' | 'H' | 'W' | 'DW';
const BYTES: Readonly<Record<SizeName, Bytes>> = { B: 1, H: 2, W: 4, DW: 8 };

/** A jump or local-call target: a label, or a relative offset. */
export type Target = string | number;

/** One instruction of a DSL program, with its unresolved jump or call target if it has one. */
export interface Instruction {
  readonly kind: 'insn';
  /** One slot, or an lddw's two. */
  readonly slots: readonly Insn[];
  /** A label or relative offset, written into `off` (jumps) or `imm` (ja32, local calls) by `program`. */
  readonly target?: { readonly to: Target; readonly field: 'off' | 'imm' };
}

/** A label: names the position of the next instruction. */
export interface LabelItem {
  readonly kind: 'label';
  readonly name: string;
}

/** What `program` lays out. */
export type Item = Instruction | LabelItem;

type Fields = { dst?: number; src?: number; off?: number; imm?: number };

function row(info: OpInfo | undefined, what: string): OpInfo {
  if (info === undefined) throw new AssembleError(`no instruction ${what}`, {});
  return info;
}

function insn(info: OpInfo, fields: Fields = {}, target?: Instruction['target']): Instruction {
  return { kind: 'insn', slots: [makeInsn(info.code, fields)], ...(target !== undefined ? { target } : {}) };
}

// ALU ------------------------------------------------------------------------------------------------

/** An ALU operation in its two source forms. */
export interface AluBuilder {
  /** `dst op= imm` (imm is a signed 32-bit value). */
  imm(dst: Reg, imm: number): Instruction;
  /** `dst op= src`. */
  reg(dst: Reg, src: Reg): Instruction;
}

function alu(name: AluName, width: Width): AluBuilder {
  return {
    imm: (dst, imm) => insn(row(aluRow(name, width, false), `${name}${width} with an immediate`), { dst, imm }),
    reg: (dst, src) => insn(row(aluRow(name, width, true), `${name}${width} with a register`), { dst, src }),
  };
}

/** `dst += src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Add = alu('add', 64);
/** `dst += src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Add32 = alu('add', 32);
/** `dst -= src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Sub = alu('sub', 64);
/** `dst -= src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Sub32 = alu('sub', 32);
/** `dst *= src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Mul = alu('mul', 64);
/** `dst *= src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Mul32 = alu('mul', 32);
/** `dst /= src, unsigned; division by zero gives 0` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Div = alu('div', 64);
/** `dst /= src, unsigned; division by zero gives 0` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Div32 = alu('div', 32);
/** `dst /= src, signed (v4 sdiv); division by zero gives 0` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const SDiv = alu('sdiv', 64);
/** `dst /= src, signed (v4 sdiv); division by zero gives 0` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const SDiv32 = alu('sdiv', 32);
/** `dst %= src, unsigned; modulo by zero leaves dst` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Mod = alu('mod', 64);
/** `dst %= src, unsigned; modulo by zero leaves dst` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Mod32 = alu('mod', 32);
/** `dst %= src, signed (v4 smod); modulo by zero leaves dst` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const SMod = alu('smod', 64);
/** `dst %= src, signed (v4 smod); modulo by zero leaves dst` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const SMod32 = alu('smod', 32);
/** `dst |= src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Or = alu('or', 64);
/** `dst |= src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Or32 = alu('or', 32);
/** `dst &= src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const And = alu('and', 64);
/** `dst &= src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const And32 = alu('and', 32);
/** `dst ^= src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Xor = alu('xor', 64);
/** `dst ^= src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Xor32 = alu('xor', 32);
/** `dst <<= src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const LSh = alu('lsh', 64);
/** `dst <<= src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const LSh32 = alu('lsh', 32);
/** `dst >>= src, logical` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const RSh = alu('rsh', 64);
/** `dst >>= src, logical` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const RSh32 = alu('rsh', 32);
/** `dst >>= src, arithmetic (sign-filling)` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const ArSh = alu('arsh', 64);
/** `dst >>= src, arithmetic (sign-filling)` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const ArSh32 = alu('arsh', 32);
/** `dst = src` on 64 bits: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Mov = alu('mov', 64);
/** `dst = src` on the low 32 bits, zero-extending the result: `.imm(dst, imm)` or `.reg(dst, src)`. */
export const Mov32 = alu('mov', 32);

/** `dst = -dst` on 64 bits. */
export const Neg = (dst: Reg): Instruction => insn(row(aluRow('neg', 64, false), 'neg64'), { dst });
/** `dst = -dst` on the low 32 bits, zero-extended. */
export const Neg32 = (dst: Reg): Instruction => insn(row(aluRow('neg', 32, false), 'neg32'), { dst });

/** Sign-extending move of the low `from` bits of src (movsx). */
export function MovSX(dst: Reg, src: Reg, from: 8 | 16 | 32, width: Width = 64): Instruction {
  return insn(row(movsxRow(width, (from / 8) as Bytes), `movsx${from}${width}`), { dst, src });
}

function swap(end: EndKind) {
  return (dst: Reg, bits: 16 | 32 | 64): Instruction => insn(row(endRow(end, bits), `${end}${bits}`), { dst });
}

/** Converts dst to big-endian: `ToBE(dst, 16 | 32 | 64)`. */
export const ToBE = swap('be');
/** Converts dst to little-endian: `ToLE(dst, 16 | 32 | 64)`. */
export const ToLE = swap('le');
/** Swaps dst's bytes unconditionally (v4 bswap). */
export const BSwap = swap('bswap');

// Jumps and calls ----------------------------------------------------------------------------------

/** A conditional jump in its two source forms. */
export interface JumpBuilder {
  /** Compare dst with a signed 32-bit immediate. */
  imm(dst: Reg, imm: number, to: Target): Instruction;
  /** Compare dst with src. */
  reg(dst: Reg, src: Reg, to: Target): Instruction;
}

function jump(cond: JmpCond, width: Width): JumpBuilder {
  return {
    imm: (dst, imm, to) => insn(row(jcondRow(cond, width, false), `j${cond}`), { dst, imm }, { to, field: 'off' }),
    reg: (dst, src, to) => insn(row(jcondRow(cond, width, true), `j${cond}`), { dst, src }, { to, field: 'off' }),
  };
}

/** Jump to `to` when `dst == src` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JEq = jump('eq', 64);
/** Jump to `to` when `dst == src`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JEq32 = jump('eq', 32);
/** Jump to `to` when `dst != src` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JNE = jump('ne', 64);
/** Jump to `to` when `dst != src`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JNE32 = jump('ne', 32);
/** Jump to `to` when `dst > src, unsigned` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JGT = jump('gt', 64);
/** Jump to `to` when `dst > src, unsigned`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JGT32 = jump('gt', 32);
/** Jump to `to` when `dst >= src, unsigned` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JGE = jump('ge', 64);
/** Jump to `to` when `dst >= src, unsigned`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JGE32 = jump('ge', 32);
/** Jump to `to` when `dst < src, unsigned` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JLT = jump('lt', 64);
/** Jump to `to` when `dst < src, unsigned`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JLT32 = jump('lt', 32);
/** Jump to `to` when `dst <= src, unsigned` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JLE = jump('le', 64);
/** Jump to `to` when `dst <= src, unsigned`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JLE32 = jump('le', 32);
/** Jump to `to` when `dst > src, signed` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSGT = jump('sgt', 64);
/** Jump to `to` when `dst > src, signed`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSGT32 = jump('sgt', 32);
/** Jump to `to` when `dst >= src, signed` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSGE = jump('sge', 64);
/** Jump to `to` when `dst >= src, signed`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSGE32 = jump('sge', 32);
/** Jump to `to` when `dst < src, signed` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSLT = jump('slt', 64);
/** Jump to `to` when `dst < src, signed`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSLT32 = jump('slt', 32);
/** Jump to `to` when `dst <= src, signed` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSLE = jump('sle', 64);
/** Jump to `to` when `dst <= src, signed`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSLE32 = jump('sle', 32);
/** Jump to `to` when `dst & src is not zero` (64-bit compare): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSet = jump('set', 64);
/** Jump to `to` when `dst & src is not zero`, comparing the low 32 bits (jmp32): `.imm(dst, imm, to)` or `.reg(dst, src, to)`. */
export const JSet32 = jump('set', 32);

/** Unconditional jump (target in `off`). */
export const Ja = (to: Target): Instruction => insn(jaRow(64), {}, { to, field: 'off' });
/** Long unconditional jump (ja32 / gotol: target in `imm`). */
export const Ja32 = (to: Target): Instruction => insn(jaRow(32), {}, { to, field: 'imm' });

/** Call helper number `helper` (`BPF_FUNC_*`). */
export const Call = (helper: number): Instruction => insn(callRow(CallSrc.HELPER), { imm: helper });
/** Call a bpf-to-bpf subprogram at a label or relative offset. */
export const CallLocal = (to: Target): Instruction => insn(callRow(CallSrc.LOCAL), {}, { to, field: 'imm' });
/** Call a kfunc by its BTF id; `btfIndex` names a module BTF (fd_array index, 0 for vmlinux). */
export const CallKfunc = (btfId: number, btfIndex = 0): Instruction => insn(callRow(CallSrc.KFUNC), { imm: btfId, off: btfIndex });
/** Indirect call through a register (LLVM's callx). */
export const CallX = (reg: Reg): Instruction => insn(kindRow('callx'), { dst: reg });
/** Return r0 to the caller. */
export const Exit = (): Instruction => insn(kindRow('exit'));

// Loads and stores ---------------------------------------------------------------------------------

/** A 64-bit immediate (lddw, two slots); `pseudo` is its src (BPF_PSEUDO_*). */
export function LoadImm64(dst: Reg, value: bigint, pseudo = 0): Instruction {
  return { kind: 'insn', slots: makeLddw(dst, value, pseudo) };
}

/** `dst = *(size *)(src + off)`, zero-extended. */
export const LoadMem = (dst: Reg, src: Reg, off: number, size: SizeName): Instruction =>
  insn(row(memRow('ldx', BYTES[size]), `ldx${size}`), { dst, src, off });
/** `dst = *(signed size *)(src + off)`, sign-extended (v4 ldsx). */
export const LoadMemSX = (dst: Reg, src: Reg, off: number, size: SizeName): Instruction =>
  insn(row(memRow('ldx', BYTES[size], true), `ldxs${size}`), { dst, src, off });
/** `*(size *)(dst + off) = src`. */
export const StoreMem = (dst: Reg, off: number, src: Reg, size: SizeName): Instruction =>
  insn(row(memRow('stx', BYTES[size]), `stx${size}`), { dst, src, off });
/** `*(size *)(dst + off) = imm`. */
export const StoreImm = (dst: Reg, off: number, imm: number, size: SizeName): Instruction =>
  insn(row(memRow('st', BYTES[size]), `st${size}`), { dst, off, imm });
/** Legacy packet load into r0 from the absolute offset imm (BPF_ABS). */
export const LoadAbs = (imm: number, size: SizeName): Instruction =>
  insn(row(memRow('ldabs', BYTES[size]), `ldabs${size}`), { imm });
/** Legacy packet load into r0 from the offset src + imm (BPF_IND). */
export const LoadInd = (src: Reg, imm: number, size: SizeName): Instruction =>
  insn(row(memRow('ldind', BYTES[size]), `ldind${size}`), { src, imm });

function atomic(op: AtomicName, fetch: boolean) {
  return (dst: Reg, off: number, src: Reg, size: 'W' | 'DW'): Instruction =>
    insn(row(atomicRow(op, fetch, BYTES[size]), `atomic ${op}`), { dst, off, src });
}

/** Atomic read-modify-write on `*(size *)(dst + off)` with src. */
export const Atomic = {
  /** `*p += src`. */
  add: atomic('add', false),
  /** `*p |= src`. */
  or: atomic('or', false),
  /** `*p &= src`. */
  and: atomic('and', false),
  /** `*p ^= src`. */
  xor: atomic('xor', false),
  /** `src = fetch_add(p, src)`: the old value into src. */
  fetchAdd: atomic('add', true),
  /** `src = fetch_or(p, src)`. */
  fetchOr: atomic('or', true),
  /** `src = fetch_and(p, src)`. */
  fetchAnd: atomic('and', true),
  /** `src = fetch_xor(p, src)`. */
  fetchXor: atomic('xor', true),
  /** `src = xchg(p, src)`. */
  xchg: atomic('xchg', true),
  /** `r0 = cmpxchg(p, r0, src)`: stores src when *p equals r0; r0 gets the old value. */
  cmpxchg: atomic('cmpxchg', true),
};

// Programs -----------------------------------------------------------------------------------------

/** A label item; jumps and calls name it as their target. */
export const Label = (name: string): LabelItem => ({ kind: 'label', name });

/**
 * Lays out items (nested arrays are flattened) and resolves label targets to relative offsets.
 * Errors (AssembleError) name the label and the instruction's slot index.
 */
export function program(...items: ReadonlyArray<Item | readonly Item[]>): Insn[] {
  const stmts: Stmt[] = [];
  const labels = new Map<string, number>();
  let pc = 0;
  for (const item of items.flat()) {
    if (item.kind === 'label') {
      if (labels.has(item.name)) throw new AssembleError(`duplicate label '${item.name}'`, { insn: pc });
      labels.set(item.name, pc);
      continue;
    }
    stmts.push(stmtOf(item, pc));
    pc += item.slots.length;
  }
  return link(stmts, labels);
}

function stmtOf(item: Instruction, pc: number): Stmt {
  const t = item.target;
  if (t === undefined) return { slots: item.slots };
  if (typeof t.to === 'string') return { slots: item.slots, target: { name: t.to, field: t.field } };
  const range = t.field === 'off' ? OFF16 : SIGNED32;
  if (!Number.isInteger(t.to) || !fits(BigInt(t.to), range)) {
    throw new AssembleError(`jump offset ${t.to} does not fit in ${range.what}`, { insn: pc });
  }
  return { slots: [{ ...item.slots[0]!, [t.field]: t.to }] };
}
