/**
 * Pseudo-C text of one instruction in two dialects: the kernel's (Linux 6.1 kernel/bpf/disasm.c, and
 * later kernels for the v4 instructions 6.1 does not know) and LLVM's (llvm-objdump with hex
 * immediates, LLVM 16+ atomics). Forms neither prints (local and kfunc calls for LLVM, callx for the
 * kernel) are written so that the assembler reads them back.
 */
import { UsageError } from '../errors.js';
import type { Insn } from '../isa/insn.js';
import { describe } from '../options.js';
import { CallSrc, type OpInfo } from '../isa/opcodes.js';
import { signedHex, withSign } from './numbers.js';
import { pseudoName } from './pseudo.js';
import { ALU_OPERATOR, ATOMIC_OPERATOR, JMP_OPERATOR, memType } from './syntax.js';

export type Dialect = 'kernel' | 'llvm';

/** Names the printer gives call targets (helpers, kfuncs) instead of numbers. */
export interface CallNames {
  /** Name of a helper (`bpf_map_lookup_elem`); the kernel prints `unknown` without one. */
  helperName?: (id: number) => string | undefined;
  /** Name of a kfunc by BTF id and BTF fd index; the kernel prints `kernel-function` without one. */
  kfuncName?: (id: number, btfIndex: number) => string | undefined;
  /**
   * Kernel style exactly as print_bpf_insn writes it (the verifier's log): an lddw's pseudo source and a
   * kfunc call's off are not shown. Without it, kernel style keeps them (`r1 = map_fd(0x5)`,
   * `call kernel-function#9, 3`), so the text reassembles to the same program.
   */
  kernelExact?: boolean;
}

export function printPseudoC(insn: Insn, info: OpInfo, imm64: bigint, dialect: Dialect, names: CallNames): string {
  const k = dialect === 'kernel';
  const reg = (n: number) => `${info.width === 32 && (info.kind === 'alu' || info.kind === 'jcond') ? 'w' : 'r'}${n}`;
  const imm = (v: number) => (k ? String(v) : signedHex(v));
  const target = (v: number) => (k ? `pc${withSign(String(Math.abs(v)), v < 0)}` : withSign(signedHex(Math.abs(v)), v < 0));
  const mem = (r: number, off: number) =>
    k ? `(r${r} ${withSign(String(Math.abs(off)), off < 0)})` : `(r${r} ${off < 0 ? '-' : '+'} ${signedHex(Math.abs(off))})`;
  const type = memType(info.size ?? 8, info.signExtend);
  const { dst, src, off } = insn;
  switch (info.kind) {
    case 'alu':
      if (info.alu === 'neg') return `${reg(dst)} = -${reg(dst)}`;
      if (info.alu === 'movsx') return `${reg(dst)} = (${memType(info.size!, true)})${reg(src)}`;
      return `${reg(dst)} ${ALU_OPERATOR[info.alu!]} ${info.srcReg ? reg(src) : imm(insn.imm)}`;
    case 'end':
      return `r${dst} = ${info.end}${info.width} r${dst}`;
    case 'ja':
      return `${info.width === 32 ? 'gotol' : 'goto'} ${target(info.width === 32 ? insn.imm : off)}`;
    case 'jcond': {
      const rhs = info.srcReg ? reg(src) : k ? `0x${(insn.imm >>> 0).toString(16)}` : signedHex(insn.imm);
      return `if ${reg(dst)} ${JMP_OPERATOR[info.jmp!]} ${rhs} goto ${target(off)}`;
    }
    case 'call':
      return call(insn, info, dialect, names);
    case 'callx':
      return `callx r${dst}`;
    case 'exit':
      return 'exit';
    case 'lddw':
      return lddwText(insn, imm64, dialect, names.kernelExact === true);
    case 'ldabs':
      return `r0 = *(${type} *)skb[${imm(insn.imm)}]`;
    case 'ldind':
      return k
        ? `r0 = *(${type} *)skb[r${src} + ${insn.imm}]`
        : `r0 = *(${type} *)skb[r${src} ${insn.imm < 0 ? '-' : '+'} ${signedHex(Math.abs(insn.imm))}]`;
    case 'ldx':
      return `r${dst} = *(${type} *)${mem(src, off)}`;
    case 'st':
      return `*(${type} *)${mem(dst, off)} = ${imm(insn.imm)}`;
    case 'stx':
      return `*(${type} *)${mem(dst, off)} = r${src}`;
    case 'atomic':
      return atomic(insn, info, dialect, mem(dst, off));
  }
}

function call(insn: Insn, info: OpInfo, dialect: Dialect, names: CallNames): string {
  const k = dialect === 'kernel';
  const v = insn.imm;
  switch (info.variant!.value) {
    case CallSrc.LOCAL:
      return `call pc${withSign(k ? String(Math.abs(v)) : signedHex(Math.abs(v)), v < 0)}`;
    case CallSrc.KFUNC:
      // the kernel's text; an off (the kfunc's module BTF, fd_array index) follows, so reassembly keeps it
      if (k) return `call ${nameOf('kfuncName', names.kfuncName?.(v, insn.off)) ?? 'kernel-function'}#${v}${insn.off !== 0 && names.kernelExact !== true ? `, ${insn.off}` : ''}`;
      return `call kfunc ${signedHex(v)}${insn.off !== 0 ? `, ${signedHex(insn.off)}` : ''}`;
    default:
      return k ? `call ${nameOf('helperName', names.helperName?.(v)) ?? 'unknown'}#${v}` : `call ${signedHex(v)}`;
  }
}

/** A name callback's answer: a string or undefined, else a UsageError naming the option. */
function nameOf(option: string, name: unknown): string | undefined {
  if (name === undefined || typeof name === 'string') return name;
  throw new UsageError(`option ${option}: the function must return a string or undefined, got ${describe(name)}`);
}

function lddwText(insn: Insn, imm64: bigint, dialect: Dialect, exact: boolean): string {
  if (dialect === 'kernel') {
    // the kernel prints the bare value; a pseudo source (map fd, map value, BTF id, func) is kept as its name
    const p = pseudoName(insn.src);
    return p === undefined || insn.src === 0 || exact ? `r${insn.dst} = 0x${imm64.toString(16)}` : `r${insn.dst} = ${p}(0x${imm64.toString(16)})`;
  }
  const value = signedHex(BigInt.asIntN(64, imm64));
  const pseudo = pseudoName(insn.src);
  return `r${insn.dst} = ${pseudo !== undefined ? `${pseudo}(${value})` : value} ll`;
}

function atomic(insn: Insn, info: OpInfo, dialect: Dialect, mem: string): string {
  const a = info.atomic!;
  const type = memType(info.size!);
  const is64 = info.size === 8;
  const r = (n: number) => `${dialect === 'llvm' && !is64 ? 'w' : 'r'}${n}`;
  if (dialect === 'kernel') {
    const fn = `atomic${is64 ? '64' : ''}`;
    if (!a.fetch) return `lock *(${type} *)${mem} ${ATOMIC_OPERATOR[a.op]} r${insn.src}`;
    if (a.op === 'cmpxchg') return `r0 = ${fn}_cmpxchg((${type} *)${mem}, r0, r${insn.src})`;
    if (a.op === 'xchg') return `r${insn.src} = ${fn}_xchg((${type} *)${mem}, r${insn.src})`;
    return `r${insn.src} = ${fn}_fetch_${a.op}((${type} *)${mem}, r${insn.src})`;
  }
  const bare = mem.slice(1, -1);
  const suffix = is64 ? '_64' : '32_32';
  if (!a.fetch) return `lock *(${type} *)${mem} ${ATOMIC_OPERATOR[a.op]} ${r(insn.src)}`;
  if (a.op === 'cmpxchg') return `${r(0)} = cmpxchg${suffix}(${bare}, ${r(0)}, ${r(insn.src)})`;
  if (a.op === 'xchg') return `${r(insn.src)} = xchg${suffix}(${bare}, ${r(insn.src)})`;
  return `${r(insn.src)} = atomic_fetch_${a.op}((${type} *)${mem}, ${r(insn.src)})`;
}
