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

export type Reg = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export const R0: Reg = 0, R1: Reg = 1, R2: Reg = 2, R3: Reg = 3, R4: Reg = 4, R5: Reg = 5;
export const R6: Reg = 6, R7: Reg = 7, R8: Reg = 8, R9: Reg = 9, R10: Reg = 10;

/** Access sizes, as cilium names them. */
export type SizeName = 'B' | 'H' | 'W' | 'DW';
const BYTES: Readonly<Record<SizeName, Bytes>> = { B: 1, H: 2, W: 4, DW: 8 };

/** A jump or local-call target: a label, or a relative offset. */
export type Target = string | number;

export interface Instruction {
  readonly kind: 'insn';
  /** One slot, or an lddw's two. */
  readonly slots: readonly Insn[];
  readonly target?: { readonly to: Target; readonly field: 'off' | 'imm' };
}

export interface LabelItem {
  readonly kind: 'label';
  readonly name: string;
}

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

export interface AluBuilder {
  imm(dst: Reg, imm: number): Instruction;
  reg(dst: Reg, src: Reg): Instruction;
}

function alu(name: AluName, width: Width): AluBuilder {
  return {
    imm: (dst, imm) => insn(row(aluRow(name, width, false), `${name}${width} with an immediate`), { dst, imm }),
    reg: (dst, src) => insn(row(aluRow(name, width, true), `${name}${width} with a register`), { dst, src }),
  };
}

export const Add = alu('add', 64), Add32 = alu('add', 32);
export const Sub = alu('sub', 64), Sub32 = alu('sub', 32);
export const Mul = alu('mul', 64), Mul32 = alu('mul', 32);
export const Div = alu('div', 64), Div32 = alu('div', 32);
export const SDiv = alu('sdiv', 64), SDiv32 = alu('sdiv', 32);
export const Mod = alu('mod', 64), Mod32 = alu('mod', 32);
export const SMod = alu('smod', 64), SMod32 = alu('smod', 32);
export const Or = alu('or', 64), Or32 = alu('or', 32);
export const And = alu('and', 64), And32 = alu('and', 32);
export const Xor = alu('xor', 64), Xor32 = alu('xor', 32);
export const LSh = alu('lsh', 64), LSh32 = alu('lsh', 32);
export const RSh = alu('rsh', 64), RSh32 = alu('rsh', 32);
export const ArSh = alu('arsh', 64), ArSh32 = alu('arsh', 32);
export const Mov = alu('mov', 64), Mov32 = alu('mov', 32);

export const Neg = (dst: Reg): Instruction => insn(row(aluRow('neg', 64, false), 'neg64'), { dst });
export const Neg32 = (dst: Reg): Instruction => insn(row(aluRow('neg', 32, false), 'neg32'), { dst });

/** Sign-extending move of the low `from` bits of src (movsx). */
export function MovSX(dst: Reg, src: Reg, from: 8 | 16 | 32, width: Width = 64): Instruction {
  return insn(row(movsxRow(width, (from / 8) as Bytes), `movsx${from}${width}`), { dst, src });
}

function swap(end: EndKind) {
  return (dst: Reg, bits: 16 | 32 | 64): Instruction => insn(row(endRow(end, bits), `${end}${bits}`), { dst });
}

/** Byte swaps: to big-endian, to little-endian, unconditional. */
export const ToBE = swap('be'), ToLE = swap('le'), BSwap = swap('bswap');

// Jumps and calls ----------------------------------------------------------------------------------

export interface JumpBuilder {
  imm(dst: Reg, imm: number, to: Target): Instruction;
  reg(dst: Reg, src: Reg, to: Target): Instruction;
}

function jump(cond: JmpCond, width: Width): JumpBuilder {
  return {
    imm: (dst, imm, to) => insn(row(jcondRow(cond, width, false), `j${cond}`), { dst, imm }, { to, field: 'off' }),
    reg: (dst, src, to) => insn(row(jcondRow(cond, width, true), `j${cond}`), { dst, src }, { to, field: 'off' }),
  };
}

export const JEq = jump('eq', 64), JEq32 = jump('eq', 32);
export const JNE = jump('ne', 64), JNE32 = jump('ne', 32);
export const JGT = jump('gt', 64), JGT32 = jump('gt', 32);
export const JGE = jump('ge', 64), JGE32 = jump('ge', 32);
export const JLT = jump('lt', 64), JLT32 = jump('lt', 32);
export const JLE = jump('le', 64), JLE32 = jump('le', 32);
export const JSGT = jump('sgt', 64), JSGT32 = jump('sgt', 32);
export const JSGE = jump('sge', 64), JSGE32 = jump('sge', 32);
export const JSLT = jump('slt', 64), JSLT32 = jump('slt', 32);
export const JSLE = jump('sle', 64), JSLE32 = jump('sle', 32);
export const JSet = jump('set', 64), JSet32 = jump('set', 32);

/** Unconditional jump (target in `off`). */
export const Ja = (to: Target): Instruction => insn(jaRow(64), {}, { to, field: 'off' });
/** Long unconditional jump (ja32 / gotol: target in `imm`). */
export const Ja32 = (to: Target): Instruction => insn(jaRow(32), {}, { to, field: 'imm' });

export const Call = (helper: number): Instruction => insn(callRow(CallSrc.HELPER), { imm: helper });
export const CallLocal = (to: Target): Instruction => insn(callRow(CallSrc.LOCAL), {}, { to, field: 'imm' });
export const CallKfunc = (btfId: number, btfIndex = 0): Instruction => insn(callRow(CallSrc.KFUNC), { imm: btfId, off: btfIndex });
export const CallX = (reg: Reg): Instruction => insn(kindRow('callx'), { dst: reg });
export const Exit = (): Instruction => insn(kindRow('exit'));

// Loads and stores ---------------------------------------------------------------------------------

/** A 64-bit immediate (lddw, two slots); `pseudo` is its src (BPF_PSEUDO_*). */
export function LoadImm64(dst: Reg, value: bigint, pseudo = 0): Instruction {
  return { kind: 'insn', slots: makeLddw(dst, value, pseudo) };
}

export const LoadMem = (dst: Reg, src: Reg, off: number, size: SizeName): Instruction =>
  insn(row(memRow('ldx', BYTES[size]), `ldx${size}`), { dst, src, off });
export const LoadMemSX = (dst: Reg, src: Reg, off: number, size: SizeName): Instruction =>
  insn(row(memRow('ldx', BYTES[size], true), `ldxs${size}`), { dst, src, off });
export const StoreMem = (dst: Reg, off: number, src: Reg, size: SizeName): Instruction =>
  insn(row(memRow('stx', BYTES[size]), `stx${size}`), { dst, src, off });
export const StoreImm = (dst: Reg, off: number, imm: number, size: SizeName): Instruction =>
  insn(row(memRow('st', BYTES[size]), `st${size}`), { dst, off, imm });
/** Legacy packet loads into r0. */
export const LoadAbs = (imm: number, size: SizeName): Instruction =>
  insn(row(memRow('ldabs', BYTES[size]), `ldabs${size}`), { imm });
export const LoadInd = (src: Reg, imm: number, size: SizeName): Instruction =>
  insn(row(memRow('ldind', BYTES[size]), `ldind${size}`), { src, imm });

function atomic(op: AtomicName, fetch: boolean) {
  return (dst: Reg, off: number, src: Reg, size: 'W' | 'DW'): Instruction =>
    insn(row(atomicRow(op, fetch, BYTES[size]), `atomic ${op}`), { dst, off, src });
}

/** Atomic read-modify-write on `*(size *)(dst + off)` with src. */
export const Atomic = {
  add: atomic('add', false), or: atomic('or', false), and: atomic('and', false), xor: atomic('xor', false),
  fetchAdd: atomic('add', true), fetchOr: atomic('or', true), fetchAnd: atomic('and', true), fetchXor: atomic('xor', true),
  xchg: atomic('xchg', true), cmpxchg: atomic('cmpxchg', true),
};

// Programs -----------------------------------------------------------------------------------------

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
