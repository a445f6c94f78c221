/**
 * The one opcode table of bpfvm.
 *
 * Every eBPF instruction of RFC 9669 (v1–v4), the legacy packet loads, and LLVM's callx is one row of
 * `OPS`. The decoder, encoder, assembler, disassembler, interpreter and verifier all read these rows; no
 * other file re-describes an opcode.
 *
 * An instruction's *code* is its opcode byte, or, where the opcode byte alone does not name the
 * operation (sdiv/smod and movsx select by `off`, byte swaps and atomics by `imm`, calls by `src`), a
 * compact code above 0xff. `Op` names every code; the interpreter dispatches on it.
 */

/** Instruction classes (the low three bits of the opcode). */
export const enum Cls {
  LD = 0x00,
  LDX = 0x01,
  ST = 0x02,
  STX = 0x03,
  ALU = 0x04,
  JMP = 0x05,
  JMP32 = 0x06,
  ALU64 = 0x07,
}

/** Source bit for ALU and JMP classes. */
export const enum Src {
  K = 0x00,
  X = 0x08,
}

/** Size field of load/store opcodes. */
export const enum Size {
  W = 0x00,
  H = 0x08,
  B = 0x10,
  DW = 0x18,
}

/** Mode field of load/store opcodes. */
export const enum Mode {
  IMM = 0x00,
  ABS = 0x20,
  IND = 0x40,
  MEM = 0x60,
  MEMSX = 0x80,
  ATOMIC = 0xc0,
}

/** Operation field of ALU opcodes. */
export const enum AluOp {
  ADD = 0x00,
  SUB = 0x10,
  MUL = 0x20,
  DIV = 0x30,
  OR = 0x40,
  AND = 0x50,
  LSH = 0x60,
  RSH = 0x70,
  NEG = 0x80,
  MOD = 0x90,
  XOR = 0xa0,
  MOV = 0xb0,
  ARSH = 0xc0,
  END = 0xd0,
}

/** Operation field of JMP opcodes. */
export const enum JmpOp {
  JA = 0x00,
  JEQ = 0x10,
  JGT = 0x20,
  JGE = 0x30,
  JSET = 0x40,
  JNE = 0x50,
  JSGT = 0x60,
  JSGE = 0x70,
  CALL = 0x80,
  EXIT = 0x90,
  JLT = 0xa0,
  JLE = 0xb0,
  JSLT = 0xc0,
  JSLE = 0xd0,
}

/** `imm` values of atomic operations. */
export const enum AtomicImm {
  ADD = 0x00,
  OR = 0x40,
  AND = 0x50,
  XOR = 0xa0,
  FETCH = 0x01,
  XCHG = 0xe0 | 0x01,
  CMPXCHG = 0xf0 | 0x01,
}

/** `src` values of call instructions. */
export const enum CallSrc {
  HELPER = 0,
  LOCAL = 1,
  KFUNC = 2,
}

/** `src` values of lddw (BPF_PSEUDO_*). */
export const enum Pseudo {
  NONE = 0,
  MAP_FD = 1,
  MAP_VALUE = 2,
  BTF_ID = 3,
  FUNC = 4,
  MAP_IDX = 5,
  MAP_IDX_VALUE = 6,
}

/**
 * Codes of operations that share an opcode byte with others (selected by off, imm or src) are compact:
 * VARIANT + the opcode's base in VARIANT_BASE + (variant number - 1). Every code then lies in 0..0x12b, so
 * the interpreter's `switch` compiles to a jump table.
 */
const VARIANT = 0x100;
const VARIANT_BASE: Readonly<Record<number, number>> = {
  0x37: 0, 0x3f: 1, 0x97: 2, 0x9f: 3, 0x34: 4, 0x3c: 5, 0x94: 6, 0x9c: 7, // sdiv, smod (off = 1)
  0xbf: 8, 0xbc: 11, // movsx (off = 8, 16, 32)
  0xd7: 13, 0xd4: 16, 0xdc: 19, // bswap, le, be (imm = 16, 32, 64)
  0x85: 22, // local and kfunc calls (src = 1, 2)
  0xc3: 24, 0xdb: 34, // atomics (imm selects one of ten)
};

/**
 * Every operation bpfvm knows. Values are computed from the encoding constants above, so the name and
 * its encoding cannot drift apart; `OPS` below attaches the rest of the facts.
 */
export const enum Op {
  // ALU64
  ADD64_K = Cls.ALU64 | Src.K | AluOp.ADD, ADD64_X = Cls.ALU64 | Src.X | AluOp.ADD,
  SUB64_K = Cls.ALU64 | Src.K | AluOp.SUB, SUB64_X = Cls.ALU64 | Src.X | AluOp.SUB,
  MUL64_K = Cls.ALU64 | Src.K | AluOp.MUL, MUL64_X = Cls.ALU64 | Src.X | AluOp.MUL,
  DIV64_K = Cls.ALU64 | Src.K | AluOp.DIV, DIV64_X = Cls.ALU64 | Src.X | AluOp.DIV,
  SDIV64_K = VARIANT + 0, SDIV64_X = VARIANT + 1,
  OR64_K = Cls.ALU64 | Src.K | AluOp.OR, OR64_X = Cls.ALU64 | Src.X | AluOp.OR,
  AND64_K = Cls.ALU64 | Src.K | AluOp.AND, AND64_X = Cls.ALU64 | Src.X | AluOp.AND,
  LSH64_K = Cls.ALU64 | Src.K | AluOp.LSH, LSH64_X = Cls.ALU64 | Src.X | AluOp.LSH,
  RSH64_K = Cls.ALU64 | Src.K | AluOp.RSH, RSH64_X = Cls.ALU64 | Src.X | AluOp.RSH,
  NEG64 = Cls.ALU64 | Src.K | AluOp.NEG,
  MOD64_K = Cls.ALU64 | Src.K | AluOp.MOD, MOD64_X = Cls.ALU64 | Src.X | AluOp.MOD,
  SMOD64_K = VARIANT + 2, SMOD64_X = VARIANT + 3,
  XOR64_K = Cls.ALU64 | Src.K | AluOp.XOR, XOR64_X = Cls.ALU64 | Src.X | AluOp.XOR,
  MOV64_K = Cls.ALU64 | Src.K | AluOp.MOV, MOV64_X = Cls.ALU64 | Src.X | AluOp.MOV,
  MOVSX8_64 = VARIANT + 8,
  MOVSX16_64 = VARIANT + 9,
  MOVSX32_64 = VARIANT + 10,
  ARSH64_K = Cls.ALU64 | Src.K | AluOp.ARSH, ARSH64_X = Cls.ALU64 | Src.X | AluOp.ARSH,
  BSWAP16 = VARIANT + 13,
  BSWAP32 = VARIANT + 14,
  BSWAP64 = VARIANT + 15,
  // ALU (32-bit)
  ADD32_K = Cls.ALU | Src.K | AluOp.ADD, ADD32_X = Cls.ALU | Src.X | AluOp.ADD,
  SUB32_K = Cls.ALU | Src.K | AluOp.SUB, SUB32_X = Cls.ALU | Src.X | AluOp.SUB,
  MUL32_K = Cls.ALU | Src.K | AluOp.MUL, MUL32_X = Cls.ALU | Src.X | AluOp.MUL,
  DIV32_K = Cls.ALU | Src.K | AluOp.DIV, DIV32_X = Cls.ALU | Src.X | AluOp.DIV,
  SDIV32_K = VARIANT + 4, SDIV32_X = VARIANT + 5,
  OR32_K = Cls.ALU | Src.K | AluOp.OR, OR32_X = Cls.ALU | Src.X | AluOp.OR,
  AND32_K = Cls.ALU | Src.K | AluOp.AND, AND32_X = Cls.ALU | Src.X | AluOp.AND,
  LSH32_K = Cls.ALU | Src.K | AluOp.LSH, LSH32_X = Cls.ALU | Src.X | AluOp.LSH,
  RSH32_K = Cls.ALU | Src.K | AluOp.RSH, RSH32_X = Cls.ALU | Src.X | AluOp.RSH,
  NEG32 = Cls.ALU | Src.K | AluOp.NEG,
  MOD32_K = Cls.ALU | Src.K | AluOp.MOD, MOD32_X = Cls.ALU | Src.X | AluOp.MOD,
  SMOD32_K = VARIANT + 6, SMOD32_X = VARIANT + 7,
  XOR32_K = Cls.ALU | Src.K | AluOp.XOR, XOR32_X = Cls.ALU | Src.X | AluOp.XOR,
  MOV32_K = Cls.ALU | Src.K | AluOp.MOV, MOV32_X = Cls.ALU | Src.X | AluOp.MOV,
  MOVSX8_32 = VARIANT + 11,
  MOVSX16_32 = VARIANT + 12,
  ARSH32_K = Cls.ALU | Src.K | AluOp.ARSH, ARSH32_X = Cls.ALU | Src.X | AluOp.ARSH,
  LE16 = VARIANT + 16,
  LE32 = VARIANT + 17,
  LE64 = VARIANT + 18,
  BE16 = VARIANT + 19,
  BE32 = VARIANT + 20,
  BE64 = VARIANT + 21,
  // JMP
  JA = Cls.JMP | Src.K | JmpOp.JA,
  JEQ_K = Cls.JMP | Src.K | JmpOp.JEQ, JEQ_X = Cls.JMP | Src.X | JmpOp.JEQ,
  JGT_K = Cls.JMP | Src.K | JmpOp.JGT, JGT_X = Cls.JMP | Src.X | JmpOp.JGT,
  JGE_K = Cls.JMP | Src.K | JmpOp.JGE, JGE_X = Cls.JMP | Src.X | JmpOp.JGE,
  JSET_K = Cls.JMP | Src.K | JmpOp.JSET, JSET_X = Cls.JMP | Src.X | JmpOp.JSET,
  JNE_K = Cls.JMP | Src.K | JmpOp.JNE, JNE_X = Cls.JMP | Src.X | JmpOp.JNE,
  JSGT_K = Cls.JMP | Src.K | JmpOp.JSGT, JSGT_X = Cls.JMP | Src.X | JmpOp.JSGT,
  JSGE_K = Cls.JMP | Src.K | JmpOp.JSGE, JSGE_X = Cls.JMP | Src.X | JmpOp.JSGE,
  JLT_K = Cls.JMP | Src.K | JmpOp.JLT, JLT_X = Cls.JMP | Src.X | JmpOp.JLT,
  JLE_K = Cls.JMP | Src.K | JmpOp.JLE, JLE_X = Cls.JMP | Src.X | JmpOp.JLE,
  JSLT_K = Cls.JMP | Src.K | JmpOp.JSLT, JSLT_X = Cls.JMP | Src.X | JmpOp.JSLT,
  JSLE_K = Cls.JMP | Src.K | JmpOp.JSLE, JSLE_X = Cls.JMP | Src.X | JmpOp.JSLE,
  CALL = Cls.JMP | Src.K | JmpOp.CALL,
  CALL_LOCAL = VARIANT + 22,
  CALL_KFUNC = VARIANT + 23,
  CALLX = Cls.JMP | Src.X | JmpOp.CALL,
  EXIT = Cls.JMP | Src.K | JmpOp.EXIT,
  // JMP32
  JA32 = Cls.JMP32 | Src.K | JmpOp.JA,
  JEQ32_K = Cls.JMP32 | Src.K | JmpOp.JEQ, JEQ32_X = Cls.JMP32 | Src.X | JmpOp.JEQ,
  JGT32_K = Cls.JMP32 | Src.K | JmpOp.JGT, JGT32_X = Cls.JMP32 | Src.X | JmpOp.JGT,
  JGE32_K = Cls.JMP32 | Src.K | JmpOp.JGE, JGE32_X = Cls.JMP32 | Src.X | JmpOp.JGE,
  JSET32_K = Cls.JMP32 | Src.K | JmpOp.JSET, JSET32_X = Cls.JMP32 | Src.X | JmpOp.JSET,
  JNE32_K = Cls.JMP32 | Src.K | JmpOp.JNE, JNE32_X = Cls.JMP32 | Src.X | JmpOp.JNE,
  JSGT32_K = Cls.JMP32 | Src.K | JmpOp.JSGT, JSGT32_X = Cls.JMP32 | Src.X | JmpOp.JSGT,
  JSGE32_K = Cls.JMP32 | Src.K | JmpOp.JSGE, JSGE32_X = Cls.JMP32 | Src.X | JmpOp.JSGE,
  JLT32_K = Cls.JMP32 | Src.K | JmpOp.JLT, JLT32_X = Cls.JMP32 | Src.X | JmpOp.JLT,
  JLE32_K = Cls.JMP32 | Src.K | JmpOp.JLE, JLE32_X = Cls.JMP32 | Src.X | JmpOp.JLE,
  JSLT32_K = Cls.JMP32 | Src.K | JmpOp.JSLT, JSLT32_X = Cls.JMP32 | Src.X | JmpOp.JSLT,
  JSLE32_K = Cls.JMP32 | Src.K | JmpOp.JSLE, JSLE32_X = Cls.JMP32 | Src.X | JmpOp.JSLE,
  // LD
  LDDW = Cls.LD | Mode.IMM | Size.DW,
  LDABS_W = Cls.LD | Mode.ABS | Size.W, LDABS_H = Cls.LD | Mode.ABS | Size.H, LDABS_B = Cls.LD | Mode.ABS | Size.B,
  LDIND_W = Cls.LD | Mode.IND | Size.W, LDIND_H = Cls.LD | Mode.IND | Size.H, LDIND_B = Cls.LD | Mode.IND | Size.B,
  // LDX
  LDXW = Cls.LDX | Mode.MEM | Size.W, LDXH = Cls.LDX | Mode.MEM | Size.H,
  LDXB = Cls.LDX | Mode.MEM | Size.B, LDXDW = Cls.LDX | Mode.MEM | Size.DW,
  LDXSW = Cls.LDX | Mode.MEMSX | Size.W, LDXSH = Cls.LDX | Mode.MEMSX | Size.H, LDXSB = Cls.LDX | Mode.MEMSX | Size.B,
  // ST / STX
  STW = Cls.ST | Mode.MEM | Size.W, STH = Cls.ST | Mode.MEM | Size.H,
  STB = Cls.ST | Mode.MEM | Size.B, STDW = Cls.ST | Mode.MEM | Size.DW,
  STXW = Cls.STX | Mode.MEM | Size.W, STXH = Cls.STX | Mode.MEM | Size.H,
  STXB = Cls.STX | Mode.MEM | Size.B, STXDW = Cls.STX | Mode.MEM | Size.DW,
  // Atomics (variant = which atomic operation)
  ATOMIC_ADD_W = VARIANT + 24, ATOMIC_ADD_DW = VARIANT + 34,
  ATOMIC_OR_W = VARIANT + 25, ATOMIC_OR_DW = VARIANT + 35,
  ATOMIC_AND_W = VARIANT + 26, ATOMIC_AND_DW = VARIANT + 36,
  ATOMIC_XOR_W = VARIANT + 27, ATOMIC_XOR_DW = VARIANT + 37,
  ATOMIC_FADD_W = VARIANT + 28, ATOMIC_FADD_DW = VARIANT + 38,
  ATOMIC_FOR_W = VARIANT + 29, ATOMIC_FOR_DW = VARIANT + 39,
  ATOMIC_FAND_W = VARIANT + 30, ATOMIC_FAND_DW = VARIANT + 40,
  ATOMIC_FXOR_W = VARIANT + 31, ATOMIC_FXOR_DW = VARIANT + 41,
  ATOMIC_XCHG_W = VARIANT + 32, ATOMIC_XCHG_DW = VARIANT + 42,
  ATOMIC_CMPXCHG_W = VARIANT + 33, ATOMIC_CMPXCHG_DW = VARIANT + 43,
}

/** What an operand field holds for one operation. */
export type FieldUse =
  | 'reg' // a register number 0..10
  | 'zero' // reserved: must be 0
  | 'imm' // a signed 32-bit immediate
  | 'off' // a signed 16-bit jump or memory offset
  | 'fixed' // holds the variant selector (`variant` below)
  | 'pseudo' // lddw's BPF_PSEUDO_* source
  | 'free'; // carries data the ISA does not constrain (kfunc `off`: the BTF fd index)

/** What an operation does, as the interpreter, verifier and printers dispatch on it. */
export type OpKind =
  | 'alu' // binary or unary arithmetic
  | 'end' // byte swaps (le/be/bswap)
  | 'ja' // unconditional jump (off or, for ja32, imm)
  | 'jcond' // conditional jump
  | 'call' // helper, local or kfunc call by immediate
  | 'callx' // call of the helper whose number is in a register
  | 'exit'
  | 'lddw' // 64-bit immediate load, two slots
  | 'ldabs' // legacy packet load, absolute offset
  | 'ldind' // legacy packet load, register + offset
  | 'ldx' // load from memory
  | 'st' // store immediate
  | 'stx' // store register
  | 'atomic';

/** The ALU operations by name (`BPF_ADD` … `BPF_END`, lowercased). */
export type AluName =
  | 'add' | 'sub' | 'mul' | 'div' | 'sdiv' | 'or' | 'and' | 'lsh' | 'rsh' | 'neg' | 'mod' | 'smod'
  | 'xor' | 'mov' | 'movsx' | 'arsh';
/** The conditions of conditional jumps (`BPF_JEQ` … `BPF_JSLE`, lowercased). */
export type JmpCond = 'eq' | 'gt' | 'ge' | 'set' | 'ne' | 'sgt' | 'sge' | 'lt' | 'le' | 'slt' | 'sle';
/** The atomic read-modify-write operations. */
export type AtomicName = 'add' | 'or' | 'and' | 'xor' | 'xchg' | 'cmpxchg';
/** Byte-order conversions: to little-endian, to big-endian, unconditional swap (v4). */
export type EndKind = 'le' | 'be' | 'bswap';

/** One row of the opcode table: an operation's encoding, name, kind and the fields it uses. */
export interface OpInfo {
  /** Dispatch code (`Op`): opcode byte | variant << 8. */
  readonly code: Op;
  /** The opcode byte. */
  readonly opcode: number;
  /** Unique upper-case name, e.g. `ADD64_K`; equals the `Op` member's name. */
  readonly name: string;
  readonly cls: Cls;
  readonly kind: OpKind;
  /** Conformance-suite (uBPF) mnemonic: `add`, `add32`, `ldxdw`, `jeq32`, `lddw`, `be16`, `movsx832`… */
  readonly mnemonic: string;
  /** Operand width in bits: ALU/JMP width, or memory access size × 8. */
  readonly width: 8 | 16 | 32 | 64;
  /** Register source (the X bit) for ALU and JMP. */
  readonly srcReg: boolean;
  /** Which field selects the variant, and its value. */
  readonly variant?: { readonly field: 'off' | 'imm' | 'src'; readonly value: number };
  /** How each field is used; 'zero' fields are reserved. */
  readonly fields: { readonly dst: FieldUse; readonly src: FieldUse; readonly off: FieldUse; readonly imm: FieldUse };
  /** First ISA version that has the instruction (RFC 9669 conformance groups; 4 = v4 additions). */
  readonly isaVersion: 1 | 2 | 3 | 4;
  /** Non-standard: beyond RFC 9669 (callx). */
  readonly extension?: true;
  readonly alu?: AluName;
  readonly jmp?: JmpCond;
  readonly atomic?: { readonly op: AtomicName; readonly fetch: boolean };
  readonly end?: EndKind;
  /** Memory access size in bytes, for loads, stores and atomics. */
  readonly size?: 1 | 2 | 4 | 8;
  /** Sign-extending load (MEMSX) or movsx. */
  readonly signExtend?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Building the table. Rows are generated from the small lists below; nothing here is per-opcode prose.

const ALU_OPS: ReadonlyArray<{ name: AluName; op: AluOp; variantOff?: number; isa: 1 | 2 | 3 | 4 }> = [
  { name: 'add', op: AluOp.ADD, isa: 1 },
  { name: 'sub', op: AluOp.SUB, isa: 1 },
  { name: 'mul', op: AluOp.MUL, isa: 1 },
  { name: 'div', op: AluOp.DIV, isa: 1 },
  { name: 'sdiv', op: AluOp.DIV, variantOff: 1, isa: 4 },
  { name: 'or', op: AluOp.OR, isa: 1 },
  { name: 'and', op: AluOp.AND, isa: 1 },
  { name: 'lsh', op: AluOp.LSH, isa: 1 },
  { name: 'rsh', op: AluOp.RSH, isa: 1 },
  { name: 'mod', op: AluOp.MOD, isa: 1 },
  { name: 'smod', op: AluOp.MOD, variantOff: 1, isa: 4 },
  { name: 'xor', op: AluOp.XOR, isa: 1 },
  { name: 'mov', op: AluOp.MOV, isa: 1 },
  { name: 'arsh', op: AluOp.ARSH, isa: 1 },
];

const JMP_CONDS: ReadonlyArray<{ name: JmpCond; op: JmpOp; isa: 1 | 2 }> = [
  { name: 'eq', op: JmpOp.JEQ, isa: 1 },
  { name: 'gt', op: JmpOp.JGT, isa: 1 },
  { name: 'ge', op: JmpOp.JGE, isa: 1 },
  { name: 'set', op: JmpOp.JSET, isa: 1 },
  { name: 'ne', op: JmpOp.JNE, isa: 1 },
  { name: 'sgt', op: JmpOp.JSGT, isa: 1 },
  { name: 'sge', op: JmpOp.JSGE, isa: 1 },
  { name: 'lt', op: JmpOp.JLT, isa: 2 },
  { name: 'le', op: JmpOp.JLE, isa: 2 },
  { name: 'slt', op: JmpOp.JSLT, isa: 2 },
  { name: 'sle', op: JmpOp.JSLE, isa: 2 },
];

const SIZES: ReadonlyArray<{ size: Size; bytes: 1 | 2 | 4 | 8; suffix: string }> = [
  { size: Size.W, bytes: 4, suffix: 'w' },
  { size: Size.H, bytes: 2, suffix: 'h' },
  { size: Size.B, bytes: 1, suffix: 'b' },
  { size: Size.DW, bytes: 8, suffix: 'dw' },
];

const ATOMICS: ReadonlyArray<{ op: AtomicName; fetch: boolean; imm: number; name: string; variant: number }> = [
  { op: 'add', fetch: false, imm: AtomicImm.ADD, name: 'ADD', variant: 1 },
  { op: 'or', fetch: false, imm: AtomicImm.OR, name: 'OR', variant: 2 },
  { op: 'and', fetch: false, imm: AtomicImm.AND, name: 'AND', variant: 3 },
  { op: 'xor', fetch: false, imm: AtomicImm.XOR, name: 'XOR', variant: 4 },
  { op: 'add', fetch: true, imm: AtomicImm.ADD | AtomicImm.FETCH, name: 'FADD', variant: 5 },
  { op: 'or', fetch: true, imm: AtomicImm.OR | AtomicImm.FETCH, name: 'FOR', variant: 6 },
  { op: 'and', fetch: true, imm: AtomicImm.AND | AtomicImm.FETCH, name: 'FAND', variant: 7 },
  { op: 'xor', fetch: true, imm: AtomicImm.XOR | AtomicImm.FETCH, name: 'FXOR', variant: 8 },
  { op: 'xchg', fetch: true, imm: AtomicImm.XCHG, name: 'XCHG', variant: 9 },
  { op: 'cmpxchg', fetch: true, imm: AtomicImm.CMPXCHG, name: 'CMPXCHG', variant: 10 },
];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function buildTable(): OpInfo[] {
  const rows: Mutable<OpInfo>[] = [];
  const add = (r: Mutable<OpInfo>) => rows.push(r);
  const code = (opcode: number, variant = 0) => (variant === 0 ? opcode : VARIANT + VARIANT_BASE[opcode]! + variant - 1) as Op;

  // ALU and ALU64.
  for (const w of [64, 32] as const) {
    const cls = w === 64 ? Cls.ALU64 : Cls.ALU;
    const sfx = w === 64 ? '' : '32';
    for (const a of ALU_OPS) {
      for (const x of [false, true]) {
        const opcode = cls | a.op | (x ? Src.X : Src.K);
        const v = a.variantOff ?? 0;
        add({
          code: code(opcode, v), opcode, name: `${a.name.toUpperCase()}${w}_${x ? 'X' : 'K'}`, cls, kind: 'alu',
          mnemonic: `${a.name}${sfx}`, width: w, srcReg: x, alu: a.name,
          ...(a.variantOff !== undefined ? { variant: { field: 'off' as const, value: a.variantOff } } : {}),
          fields: { dst: 'reg', src: x ? 'reg' : 'zero', off: a.variantOff !== undefined ? 'fixed' : 'zero', imm: x ? 'zero' : 'imm' },
          isaVersion: a.isa,
        });
      }
    }
    const negOpcode = cls | AluOp.NEG | Src.K;
    add({
      code: code(negOpcode), opcode: negOpcode, name: `NEG${w}`, cls, kind: 'alu', mnemonic: `neg${sfx}`, width: w,
      srcReg: false, alu: 'neg', fields: { dst: 'reg', src: 'zero', off: 'zero', imm: 'zero' }, isaVersion: 1,
    });
    // movsx: sign-extend the low 8/16/32 bits of src (only 8/16 for the 32-bit form).
    const movsxWidths = w === 64 ? ([8, 16, 32] as const) : ([8, 16] as const);
    movsxWidths.forEach((from, i) => {
      const opcode = cls | AluOp.MOV | Src.X;
      add({
        code: code(opcode, i + 1), opcode, name: `MOVSX${from}_${w}`, cls, kind: 'alu',
        mnemonic: `movsx${from}${w}`, width: w, srcReg: true, alu: 'movsx', signExtend: true,
        size: (from / 8) as 1 | 2 | 4, variant: { field: 'off', value: from },
        fields: { dst: 'reg', src: 'reg', off: 'fixed', imm: 'zero' }, isaVersion: 4,
      });
    });
  }
  // Byte swaps: to-le / to-be (ALU class) and unconditional bswap (ALU64 class).
  for (const [kind, cls, x] of [['le', Cls.ALU, false], ['be', Cls.ALU, true], ['bswap', Cls.ALU64, false]] as const) {
    const opcode = cls | AluOp.END | (x ? Src.X : Src.K);
    ([16, 32, 64] as const).forEach((bits, i) => {
      add({
        code: code(opcode, i + 1), opcode, name: `${kind.toUpperCase()}${bits}`, cls, kind: 'end',
        mnemonic: `${kind}${bits}`, width: bits, srcReg: x, end: kind, variant: { field: 'imm', value: bits },
        fields: { dst: 'reg', src: 'zero', off: 'zero', imm: 'fixed' }, isaVersion: kind === 'bswap' ? 4 : 1,
      });
    });
  }

  // JMP and JMP32.
  add({
    code: code(Cls.JMP | JmpOp.JA), opcode: Cls.JMP | JmpOp.JA, name: 'JA', cls: Cls.JMP, kind: 'ja', mnemonic: 'ja',
    width: 64, srcReg: false, fields: { dst: 'zero', src: 'zero', off: 'off', imm: 'zero' }, isaVersion: 1,
  });
  add({
    code: code(Cls.JMP32 | JmpOp.JA), opcode: Cls.JMP32 | JmpOp.JA, name: 'JA32', cls: Cls.JMP32, kind: 'ja',
    mnemonic: 'ja32', width: 32, srcReg: false, fields: { dst: 'zero', src: 'zero', off: 'zero', imm: 'imm' },
    isaVersion: 4,
  });
  for (const w of [64, 32] as const) {
    const cls = w === 64 ? Cls.JMP : Cls.JMP32;
    const sfx = w === 64 ? '' : '32';
    for (const j of JMP_CONDS) {
      for (const x of [false, true]) {
        const opcode = cls | j.op | (x ? Src.X : Src.K);
        add({
          code: code(opcode), opcode, name: `J${j.name.toUpperCase()}${sfx}_${x ? 'X' : 'K'}`, cls, kind: 'jcond',
          mnemonic: `j${j.name}${sfx}`, width: w, srcReg: x, jmp: j.name,
          fields: { dst: 'reg', src: x ? 'reg' : 'zero', off: 'off', imm: x ? 'zero' : 'imm' },
          isaVersion: w === 32 ? 3 : j.isa,
        });
      }
    }
  }
  const callOpcode = Cls.JMP | JmpOp.CALL;
  for (const [name, src, offUse] of [['CALL', CallSrc.HELPER, 'zero'], ['CALL_LOCAL', CallSrc.LOCAL, 'zero'],
    ['CALL_KFUNC', CallSrc.KFUNC, 'free']] as const) {
    add({
      code: code(callOpcode, src), opcode: callOpcode, name, cls: Cls.JMP, kind: 'call', mnemonic: 'call', width: 64,
      srcReg: false, variant: { field: 'src', value: src }, fields: { dst: 'zero', src: 'fixed', off: offUse, imm: 'imm' },
      isaVersion: 1,
    });
  }
  add({
    code: code(callOpcode | Src.X), opcode: callOpcode | Src.X, name: 'CALLX', cls: Cls.JMP, kind: 'callx',
    mnemonic: 'call', width: 64, srcReg: true, fields: { dst: 'reg', src: 'zero', off: 'zero', imm: 'zero' },
    isaVersion: 1, extension: true,
  });
  add({
    code: code(Cls.JMP | JmpOp.EXIT), opcode: Cls.JMP | JmpOp.EXIT, name: 'EXIT', cls: Cls.JMP, kind: 'exit',
    mnemonic: 'exit', width: 64, srcReg: false, fields: { dst: 'zero', src: 'zero', off: 'zero', imm: 'zero' },
    isaVersion: 1,
  });

  // LD: lddw and the legacy packet loads.
  add({
    code: code(Cls.LD | Mode.IMM | Size.DW), opcode: Cls.LD | Mode.IMM | Size.DW, name: 'LDDW', cls: Cls.LD,
    kind: 'lddw', mnemonic: 'lddw', width: 64, srcReg: false, size: 8,
    fields: { dst: 'reg', src: 'pseudo', off: 'zero', imm: 'imm' }, isaVersion: 1,
  });
  for (const mode of [Mode.ABS, Mode.IND] as const) {
    for (const s of SIZES) {
      if (s.size === Size.DW) continue;
      const opcode = Cls.LD | mode | s.size;
      const m = mode === Mode.ABS ? 'abs' : 'ind';
      add({
        code: code(opcode), opcode, name: `LD${m.toUpperCase()}_${s.suffix.toUpperCase()}`, cls: Cls.LD,
        kind: mode === Mode.ABS ? 'ldabs' : 'ldind', mnemonic: `ld${m}${s.suffix}`, width: (s.bytes * 8) as 8 | 16 | 32,
        srcReg: mode === Mode.IND, size: s.bytes,
        fields: { dst: 'zero', src: mode === Mode.IND ? 'reg' : 'zero', off: 'zero', imm: 'imm' }, isaVersion: 1,
      });
    }
  }
  // LDX, LDX sign-extending, ST, STX.
  for (const s of SIZES) {
    const w = (s.bytes * 8) as 8 | 16 | 32 | 64;
    const sz = s.suffix.toUpperCase();
    add({
      code: code(Cls.LDX | Mode.MEM | s.size), opcode: Cls.LDX | Mode.MEM | s.size, name: `LDX${sz}`, cls: Cls.LDX,
      kind: 'ldx', mnemonic: `ldx${s.suffix}`, width: w, srcReg: true, size: s.bytes,
      fields: { dst: 'reg', src: 'reg', off: 'off', imm: 'zero' }, isaVersion: 1,
    });
    if (s.size !== Size.DW) {
      add({
        code: code(Cls.LDX | Mode.MEMSX | s.size), opcode: Cls.LDX | Mode.MEMSX | s.size, name: `LDXS${sz}`,
        cls: Cls.LDX, kind: 'ldx', mnemonic: `ldxs${s.suffix}`, width: w, srcReg: true, size: s.bytes,
        signExtend: true, fields: { dst: 'reg', src: 'reg', off: 'off', imm: 'zero' }, isaVersion: 4,
      });
    }
    add({
      code: code(Cls.ST | Mode.MEM | s.size), opcode: Cls.ST | Mode.MEM | s.size, name: `ST${sz}`, cls: Cls.ST,
      kind: 'st', mnemonic: `st${s.suffix}`, width: w, srcReg: false, size: s.bytes,
      fields: { dst: 'reg', src: 'zero', off: 'off', imm: 'imm' }, isaVersion: 1,
    });
    add({
      code: code(Cls.STX | Mode.MEM | s.size), opcode: Cls.STX | Mode.MEM | s.size, name: `STX${sz}`, cls: Cls.STX,
      kind: 'stx', mnemonic: `stx${s.suffix}`, width: w, srcReg: true, size: s.bytes,
      fields: { dst: 'reg', src: 'reg', off: 'off', imm: 'zero' }, isaVersion: 1,
    });
  }
  for (const s of SIZES) {
    if (s.size !== Size.W && s.size !== Size.DW) continue;
    const opcode = Cls.STX | Mode.ATOMIC | s.size;
    for (const a of ATOMICS) {
      const w = s.bytes === 8 ? '' : '32';
      add({
        code: code(opcode, a.variant), opcode, name: `ATOMIC_${a.name}_${s.suffix.toUpperCase()}`, cls: Cls.STX,
        kind: 'atomic', mnemonic: `${a.fetch && a.op !== 'xchg' && a.op !== 'cmpxchg' ? 'fetch ' : ''}${a.op}${w}`,
        width: (s.bytes * 8) as 32 | 64, srcReg: true, size: s.bytes, atomic: { op: a.op, fetch: a.fetch },
        variant: { field: 'imm', value: a.imm }, fields: { dst: 'reg', src: 'reg', off: 'off', imm: 'fixed' },
        isaVersion: a.fetch || a.op !== 'add' ? 3 : 1,
      });
    }
  }
  return rows;
}

/** The table: every operation, in a stable order. */
export const OPS: readonly OpInfo[] = Object.freeze(buildTable().map((r) => Object.freeze(r)));

/** Row by dispatch code. */
export const OP_BY_CODE: ReadonlyMap<number, OpInfo> = new Map(OPS.map((r) => [r.code, r]));

/** Row by upper-case name (`ADD64_K`). */
export const OP_BY_NAME: ReadonlyMap<string, OpInfo> = new Map(OPS.map((r) => [r.name, r]));

/** Rows sharing an opcode byte (one, or several variants). */
const ROWS_BY_OPCODE: ReadonlyArray<readonly OpInfo[]> = (() => {
  const t: OpInfo[][] = Array.from({ length: 256 }, () => []);
  for (const r of OPS) t[r.opcode]!.push(r);
  return t;
})();

/** Rows for one opcode byte; empty when the byte is not an instruction. */
export function rowsForOpcode(opcode: number): readonly OpInfo[] {
  return ROWS_BY_OPCODE[opcode & 0xff]!;
}

/**
 * Which row an instruction's fields select, or undefined when its opcode byte is unknown or no variant
 * matches (e.g. `end` with imm 8, `div` with off 2, atomic with an unknown imm).
 */
export function lookupOp(opcode: number, src: number, off: number, imm: number): OpInfo | undefined {
  const rows = ROWS_BY_OPCODE[opcode & 0xff]!;
  if (rows.length === 0) return undefined;
  let fallback: OpInfo | undefined;
  for (const r of rows) {
    const v = r.variant;
    if (v === undefined) {
      fallback = r;
      continue;
    }
    const got = v.field === 'off' ? off : v.field === 'imm' ? imm : src;
    if (got === v.value) return r;
  }
  // The non-variant row of a shared opcode (div with off 0, mov with off 0) is the default choice; it
  // is the caller's job (reserved-field checks) to reject a non-zero selector.
  return fallback;
}

/** True when the opcode's operation is a 64-bit immediate load occupying two slots. */
export function isWide(opcode: number): boolean {
  return (opcode & 0xff) === (Cls.LD | Mode.IMM | Size.DW);
}
