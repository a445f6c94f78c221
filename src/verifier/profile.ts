/**
 * Kernel-version facts the verifier itself holds, keyed by profile: which opcodes the kernel's
 * instruction table accepts (bpf_opcode_in_insntable) and its limits. A later kernel (6.12) adds a
 * profile here instead of changing the checks.
 */
import { AluOp, Cls, JmpOp, Mode, Size, Src } from '../isa/opcodes.js';
export interface KernelProfile {
  name: string;
  opcodeAccepted(code: number): boolean;
  complexityLimitInsns: number;
  complexityLimitJmpSeq: number;
  complexityLimitStates: number;
  maxCallFrames: number;
  maxBpfStack: number;
  /** Whether the ISA v4 additions (sdiv/smod, movsx, ldsx, bswap, gotol) are known. */
  isaV4: boolean;
}

/**
 * bpf_opcode_in_insntable of 6.1 (kernel/bpf/core.c's BPF_INSN_MAP): the opcode bytes its instruction table
 * holds, written by class, operation, source, mode and size from the one opcode table's fields.
 */
function table61(): Uint8Array {
  const t = new Uint8Array(256);
  const K = Src.K, X = Src.X;
  const alu = [AluOp.ADD, AluOp.SUB, AluOp.MUL, AluOp.DIV, AluOp.OR, AluOp.AND, AluOp.LSH, AluOp.RSH, AluOp.MOD, AluOp.XOR, AluOp.MOV, AluOp.ARSH];
  for (const cls of [Cls.ALU, Cls.ALU64]) {
    for (const op of alu) for (const src of [K, X]) t[cls | op | src] = 1;
    t[cls | AluOp.NEG] = 1; // K only
  }
  t[Cls.ALU | AluOp.END | K] = 1; // to-le
  t[Cls.ALU | AluOp.END | X] = 1; // to-be
  const jmps = [JmpOp.JEQ, JmpOp.JGT, JmpOp.JGE, JmpOp.JSET, JmpOp.JNE, JmpOp.JSGT, JmpOp.JSGE, JmpOp.JLT, JmpOp.JLE, JmpOp.JSLT, JmpOp.JSLE];
  for (const cls of [Cls.JMP, Cls.JMP32]) for (const op of jmps) for (const src of [K, X]) t[cls | op | src] = 1;
  t[Cls.JMP | JmpOp.JA] = 1;
  t[Cls.JMP32 | JmpOp.JA] = 1; // 6.1.192 has it in the table
  t[Cls.JMP | JmpOp.CALL] = 1;
  t[Cls.JMP | JmpOp.EXIT] = 1;
  for (const sz of [Size.W, Size.H, Size.B, Size.DW]) {
    t[Cls.ST | Mode.MEM | sz] = 1;
    t[Cls.STX | Mode.MEM | sz] = 1;
    t[Cls.LDX | Mode.MEM | sz] = 1;
  }
  t[Cls.STX | Mode.ATOMIC | Size.W] = 1;
  t[Cls.STX | Mode.ATOMIC | Size.DW] = 1;
  t[Cls.LD | Mode.IMM | Size.DW] = 1;
  for (const m of [Mode.ABS, Mode.IND]) for (const sz of [Size.W, Size.H, Size.B]) t[Cls.LD | m | sz] = 1;
  return t;
}

const T61 = table61();

export const PROFILE_6_1: KernelProfile = {
  name: '6.1',
  opcodeAccepted: (code) => T61[code & 0xff] === 1,
  complexityLimitInsns: 1_000_000,
  complexityLimitJmpSeq: 8192,
  complexityLimitStates: 64,
  maxCallFrames: 8,
  maxBpfStack: 512,
  isaV4: false,
};

export const PROFILES: Record<string, KernelProfile> = { '6.1': PROFILE_6_1 };
