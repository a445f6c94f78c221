/**
 * The program as the verifier leaves it (what `bpftool prog dump xlated` shows), as far as bpfvm models
 * the rewrites of helper calls on x86-64 with the JIT on (Debian's 6.1: BPF_JIT_ALWAYS_ON):
 * - optimize_bpf_loop replaces every bpf_loop call whose flags were a known zero with the same callback on
 *   every visit by an inline loop that calls the callback as a subprogram;
 * - do_misc_fixups replaces a bpf_jiffies64 call by a load of `jiffies`.
 * Context-access conversion, map lookup inlining and the other rewrites are not modelled: those
 * instructions stay as the program wrote them.
 *
 * The rewrites run after a successful verification (do_check and check_max_stack_depth): they only
 * change what a dump shows and the stack each subprogram reserves; bpfvm runs the original program,
 * whose helpers do the same thing.
 */
import { AluOp, CallSrc, Cls, JmpOp, lookupOp, Mode, Pseudo, Size, Src } from '../isa/opcodes.js';
import { LDDW_HI, UNKNOWN, type Insn } from '../isa/insn.js';
import { BPF_FUNC } from '../uapi/helpers.js';
import { E2BIG } from '../uapi/errno.js';

/** BPF_MAX_LOOPS (kernel/bpf/bpf_iter.c): the most iterations bpf_loop allows. */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
const BPF_REG_SIZE = 8;
/** The slot of the callback call inside the inlined sequence (insn_buf[12] in the kernel). */
const CALL_SLOT = 12;

/** What the rewrite needs to know of the verification. */
export interface XlatedInput {
  insns: readonly Insn[];
  /** Subprograms in order of their first instruction, with the stack depth the verifier found. */
  subprogs: readonly { start: number; stackDepth: number }[];
  /** The loop_inline_state of instruction i, when the verifier reached a bpf_loop call there. */
  loopInline(i: number): { fit: boolean; subprog: number } | undefined;
  /** The kernel's address of a symbol (kallsyms), for the loads that replace helper calls; 0 when unknown. */
  symbolAddress?(name: string): bigint | undefined;
}

export interface Xlated {
  insns: Insn[];
  /** Each subprogram's stack depth after the rewrite (the spill slots of inlined loops added). */
  stackDepths: number[];
  /** Original instruction index → its index in the rewritten program. */
  newIndex: Int32Array;
}

/** A decoded slot, its operation code looked up in the opcode table. */
function raw(opcode: number, dst: number, src: number, off: number, imm: number): Insn {
  return { code: lookupOp(opcode, src, off, imm)?.code ?? UNKNOWN, opcode, dst, src, off, imm };
}

function isHelperCall(insn: Insn, id: number): boolean {
  return insn.opcode === (Cls.JMP | JmpOp.CALL) && insn.src === CallSrc.HELPER && insn.imm === id;
}

/** do_misc_fixups' bpf_jiffies64 on a 64-bit JIT: R0 = &jiffies; R0 = *(u64 *)(R0 + 0). */
function inlineJiffies64(addr: bigint): Insn[] {
  const lo = Number(BigInt.asIntN(32, addr)), hi = Number(BigInt.asIntN(32, addr >> 32n));
  const lddw = Cls.LD | Mode.IMM | Size.DW;
  return [{ ...raw(lddw, 0, 0, 0, lo), imm64: BigInt.asUintN(64, addr) }, { code: LDDW_HI, opcode: 0, dst: 0, src: 0, off: 0, imm: hi }, raw(Cls.LDX | Mode.MEM | Size.DW, 0, 0, 0, 0)];
}

/** The inline sequence of inline_bpf_loop: R6..R8 spilled at `stackBase`, the callback's call imm filled later. */
function inlineLoop(stackBase: number): Insn[] {
  const r6 = stackBase, r7 = stackBase + BPF_REG_SIZE, r8 = stackBase + 2 * BPF_REG_SIZE;
  const JMP = Cls.JMP, K = Src.K, X = Src.X;
  const stxdw = Cls.STX | Mode.MEM | Size.DW, ldxdw = Cls.LDX | Mode.MEM | Size.DW;
  const mov64x = Cls.ALU64 | X | AluOp.MOV, mov32k = Cls.ALU | K | AluOp.MOV;
  return [
    raw(JMP | K | JmpOp.JLE, 1, 0, 2, BPF_MAX_LOOPS),
    raw(mov32k, 0, 0, 0, -E2BIG),
    raw(JMP | K | JmpOp.JA, 0, 0, 16, 0),
    raw(stxdw, 10, 6, r6, 0),
    raw(stxdw, 10, 7, r7, 0),
    raw(stxdw, 10, 8, r8, 0),
    raw(mov64x, 6, 1, 0, 0),
    raw(mov32k, 7, 0, 0, 0),
    raw(mov64x, 8, 3, 0, 0),
    raw(JMP | X | JmpOp.JGE, 7, 6, 5, 0),
    raw(mov64x, 1, 7, 0, 0),
    raw(mov64x, 2, 8, 0, 0),
    raw(JMP | K | JmpOp.CALL, 0, CallSrc.LOCAL, 0, 0),
    raw(Cls.ALU64 | K | AluOp.ADD, 7, 0, 0, 1),
    raw(JMP | K | JmpOp.JEQ, 0, 0, -6, 0),
    raw(mov64x, 0, 7, 0, 0),
    raw(ldxdw, 6, 10, r6, 0),
    raw(ldxdw, 7, 10, r7, 0),
    raw(ldxdw, 8, 10, r8, 0),
  ];
}

const roundUp8 = (n: number): number => (n + 7) & ~7;

/** optimize_bpf_loop and do_misc_fixups: the rewritten program, its jumps, calls and function addresses moved with it. */
export function xlatedProgram(input: XlatedInput): Xlated {
  const { insns, subprogs } = input;
  const n = insns.length;
  const newIndex = new Int32Array(n + 1);
  const stackDepths = subprogs.map((s) => s.stackDepth);
  const out: Insn[] = [];
  // Where each inlined loop's callback call lies in `out`, and the subprogram it calls.
  const calls: { at: number; subprog: number }[] = [];
  let sp = 0;
  let patched = false;
  for (let i = 0; i < n; i++) {
    while (sp + 1 < subprogs.length && subprogs[sp + 1]!.start <= i) sp++;
    newIndex[i] = out.length;
    const insn = insns[i]!;
    if (isHelperCall(insn, BPF_FUNC.jiffies64)) {
      patched = true;
      out.push(...inlineJiffies64(input.symbolAddress?.('jiffies') ?? 0n));
      continue;
    }
    const state = isHelperCall(insn, BPF_FUNC.loop) ? input.loopInline(i) : undefined;
    if (state === undefined || !state.fit) {
      out.push({ ...insn });
      continue;
    }
    patched = true;
    // All loops of one subprogram share one spill area below the stack the verifier found.
    const depth = subprogs[sp]!.stackDepth;
    const extra = BPF_REG_SIZE * 3 + (roundUp8(depth) - depth);
    stackDepths[sp] = depth + extra;
    calls.push({ at: out.length + CALL_SLOT, subprog: state.subprog });
    out.push(...inlineLoop(-(depth + extra)));
  }
  newIndex[n] = out.length;
  if (!patched) return { insns: out, stackDepths, newIndex };
  // bpf_adj_branches: jumps, subprogram calls and ld_imm64 of a function keep their targets. Only helper
  // calls are replaced, so every other instruction sits unchanged at newIndex[i].
  const relocate = (i: number, rel: number): number => {
    const target = i + 1 + rel;
    return target < 0 || target > n ? rel : newIndex[target]! - newIndex[i]! - 1;
  };
  for (let i = 0; i < n; i++) {
    const insn = insns[i]!;
    const copy = out[newIndex[i]!]!;
    const cls = insn.opcode & 7;
    if (insn.opcode === (Cls.LD | Mode.IMM | Size.DW) && insn.src === Pseudo.FUNC) copy.imm = relocate(i, insn.imm);
    else if (insn.opcode === (Cls.JMP | JmpOp.CALL)) { if (insn.src === CallSrc.LOCAL) copy.imm = relocate(i, insn.imm); }
    else if ((cls === Cls.JMP || cls === Cls.JMP32) && insn.opcode !== (Cls.JMP | JmpOp.EXIT)) copy.off = relocate(i, insn.off);
  }
  for (const c of calls) out[c.at]!.imm = newIndex[subprogs[c.subprog]!.start]! - c.at - 1;
  return { insns: out, stackDepths, newIndex };
}

/**
 * test_verifier's check for expected_insns/unexpected_insns: the pattern, split at SKIP_INSNS markers, must
 * occur segment by segment in order. A pattern slot whose imm is -1 matches any imm, off -1 any off.
 */
export function findInsnSubseqs(prog: readonly Insn[], pattern: readonly Insn[]): boolean {
  const isSkip = (p: Insn): boolean => p.opcode === 0xde && p.dst === 0xa && p.src === 0xd && (p.off & 0xffff) === 0xbeef && (p.imm >>> 0) === 0xdeadbeef;
  const matches = (a: Insn, p: Insn): boolean =>
    a.opcode === p.opcode && a.dst === p.dst && a.src === p.src && (p.off === -1 || a.off === p.off) && (p.imm === -1 || a.imm === p.imm);
  let from = 0;
  let k = 0;
  while (k < pattern.length) {
    let end = k;
    while (end < pattern.length && !isSkip(pattern[end]!)) end++;
    const len = end - k;
    let found = -1;
    for (let i = from; i + len <= prog.length && found < 0; i++) {
      let j = 0;
      while (j < len && matches(prog[i + j]!, pattern[k + j]!)) j++;
      if (j === len) found = i;
    }
    if (found < 0) return false;
    from = found + len;
    k = end + 1;
  }
  return true;
}
