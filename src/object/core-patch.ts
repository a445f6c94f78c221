/**
 * libbpf's bpf_core_patch_insn and bpf_core_poison_insn: the relocated value written into the
 * instruction (an ALU immediate, a load/store offset with its size adjusted, an ldimm64's 64 bits), the
 * instruction checked against the value the compiler expected first, and poisoning as libbpf does it
 * (`call 0xbad2310`, both halves of an ldimm64).
 */
import { Cls, lookupOp, Op, UNKNOWN, type Insn } from '../isa/index.js';
import type { CoreRes } from './core-calc.js';
import { CoreFail } from './core-spec.js';
import { EINVAL, ERANGE } from '../uapi/errno.js';

/** The helper id libbpf puts in a poisoned instruction (`call 0xbad2310`, "invalid func unknown#195896080"). */
export const CORE_POISON_IMM = 0xbad2310;

export type PatchOutcome =
  | { kind: 'patched'; field: 'imm' | 'off' | 'imm64'; from: bigint; to: bigint; memSize?: [number, number] }
  | {
    kind: 'poisoned';
    /** Why, in full (what a run that reaches the instruction reports), and in short. */
    why: string;
    reason: string;
    /** The slots now `call 0xbad2310`. */
    slots: number[];
  };

/** Why libbpf poisons when no candidate matched. */
export const NO_MATCH = "no match in the kernel's BTF";

/** Who is patching, for libbpf's words: the (sub)program, the relocation's number, the instruction in that program. */
export interface PatchWhere { prog: string; index: number; insnIdx: number; debug: (line: string) => void; warn: (line: string) => void }

const BPF_K = 0x00;
const SIZE_BYTES: Record<number, number> = { 0x18: 8, 0x00: 4, 0x08: 2, 0x10: 1 };
const BYTES_SIZE: Record<number, number> = { 8: 0x18, 4: 0x00, 2: 0x08, 1: 0x10 };
const u64 = (v: number | bigint) => BigInt.asUintN(64, BigInt(v));

/** bpf_core_poison_insn on one slot. */
function poisonSlot(insns: Insn[], at: number, w: PatchWhere, insnIdx: number): void {
  w.debug(`prog '${w.prog}': relo #${w.index}: substituting insn #${insnIdx} w/ invalid insn`);
  insns[at] = { code: Op.CALL, opcode: Cls.JMP | 0x80, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM };
}

/** Poison the instruction at `at` (and the second half of an ldimm64). */
export function poisonInsn(insns: Insn[], at: number, w: PatchWhere): number[] {
  const slots = [at];
  if (insns[at]?.opcode === 0x18 && insns[at + 1] !== undefined) {
    poisonSlot(insns, at + 1, w, w.insnIdx + 1);
    slots.push(at + 1);
  }
  poisonSlot(insns, at, w, w.insnIdx);
  return slots;
}

/** Rewrite fields of one slot and recompute which operation it is. */
function set(insns: Insn[], at: number, fields: Partial<Pick<Insn, 'opcode' | 'off' | 'imm'>>): void {
  const i = { ...insns[at]!, ...fields };
  i.code = lookupOp(i.opcode, i.src, i.off, i.imm)?.code ?? UNKNOWN;
  insns[at] = i;
}

/**
 * bpf_core_patch_insn: patch (or poison) the instruction at `at`. A relocation libbpf refuses throws
 * CoreFail with its error code, after `w.warn` got libbpf's words.
 */
export function patchInsn(insns: Insn[], at: number, res: CoreRes, w: PatchWhere, poisonWhy: (reason: string) => string): PatchOutcome {
  const insn = insns[at];
  if (insn === undefined) throw new CoreFail(-EINVAL);
  const pre = `prog '${w.prog}': relo #${w.index}:`;
  const k = w.insnIdx;
  if (res.poison) {
    return { kind: 'poisoned', why: poisonWhy(NO_MATCH), reason: NO_MATCH, slots: poisonInsn(insns, at, w) };
  }
  const orig = res.orig, value = res.value;
  const cls = insn.opcode & 0x07;
  switch (cls) {
    case Cls.ALU: case Cls.ALU64: {
      if ((insn.opcode & 0x08) !== BPF_K) throw new CoreFail(-EINVAL);
      if (res.validate && u64(insn.imm) !== orig) {
        w.warn(`${pre} unexpected insn #${k} (ALU/ALU64) value: got ${insn.imm >>> 0}, exp ${orig} -> ${value}`);
        throw new CoreFail(-EINVAL);
      }
      const from = u64(insn.imm);
      set(insns, at, { imm: Number(BigInt.asIntN(32, value)) });
      w.debug(`${pre} patched insn #${k} (ALU/ALU64) imm ${from} -> ${value}`);
      return { kind: 'patched', field: 'imm', from, to: value };
    }
    case Cls.LDX: case Cls.ST: case Cls.STX: {
      if (res.validate && u64(insn.off) !== orig) {
        w.warn(`${pre} unexpected insn #${k} (LDX/ST/STX) value: got ${insn.off >>> 0}, exp ${orig} -> ${value}`);
        throw new CoreFail(-EINVAL);
      }
      if (value > 0x7fffn) {
        w.warn(`${pre} insn #${k} (LDX/ST/STX) value too big: ${value}`);
        throw new CoreFail(-ERANGE);
      }
      if (res.failMemsz) {
        const detail = `insn #${k} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`;
        w.warn(`${pre} ${detail}`);
        const reason = detail.slice(0, -1);
        return { kind: 'poisoned', why: poisonWhy(reason), reason, slots: poisonInsn(insns, at, w) };
      }
      const from = u64(insn.off);
      set(insns, at, { off: Number(value) });
      w.debug(`${pre} patched insn #${k} (LDX/ST/STX) off ${from} -> ${value}`);
      const out: PatchOutcome = { kind: 'patched', field: 'off', from, to: value };
      if (res.newSz !== res.origSz) {
        const have = SIZE_BYTES[insn.opcode & 0x18]!;
        if (have !== res.origSz) {
          w.warn(`${pre} insn #${k} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSz}`);
          throw new CoreFail(-EINVAL);
        }
        const size = BYTES_SIZE[res.newSz];
        if (size === undefined) {
          w.warn(`${pre} insn #${k} (LDX/ST/STX) invalid new mem size: ${res.newSz}`);
          throw new CoreFail(-EINVAL);
        }
        set(insns, at, { opcode: (insn.opcode & 0xe0) | size | cls });
        w.debug(`${pre} patched insn #${k} (LDX/ST/STX) mem_sz ${res.origSz} -> ${res.newSz}`);
        out.memSize = [res.origSz, res.newSz];
      }
      return out;
    }
    case Cls.LD: {
      const hi = insns[at + 1];
      if (insn.opcode !== 0x18 || insn.src !== 0 || insn.off !== 0 || hi === undefined || hi.opcode !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        w.warn(`${pre} insn #${k} (LDIMM64) has unexpected form`);
        throw new CoreFail(-EINVAL);
      }
      const imm = (BigInt(hi.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      if (res.validate && imm !== orig) {
        w.warn(`${pre} unexpected insn #${k} (LDIMM64) value: got ${imm}, exp ${orig} -> ${value}`);
        throw new CoreFail(-EINVAL);
      }
      const v = BigInt.asUintN(64, value);
      insns[at] = { ...insn, imm: Number(BigInt.asIntN(32, v)), imm64: v };
      insns[at + 1] = { ...hi, imm: Number(BigInt.asIntN(32, v >> 32n)) };
      w.debug(`${pre} patched insn #${k} (LDIMM64) imm64 ${imm} -> ${value}`);
      return { kind: 'patched', field: 'imm64', from: imm, to: value };
    }
    default:
      w.warn(`${pre} trying to relocate unrecognized insn #${k}, code:0x${insn.opcode.toString(16)}, src:0x${insn.src.toString(16)}, dst:0x${insn.dst.toString(16)}, off:0x${(insn.off >>> 0).toString(16)}, imm:0x${(insn.imm >>> 0).toString(16)}`);
      throw new CoreFail(-EINVAL);
  }
}
