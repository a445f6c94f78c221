/**
 * Before abstract interpretation: subprogram discovery (add_subprog_and_kfunc, check_subprogs),
 * the ld_imm64/opcode sanity pass (resolve_pseudo_ldimm64) and the control-flow check (check_cfg):
 * out-of-range jumps, back-edges, unreachable instructions, jumps into an ld_imm64.
 */
import type { Insn } from '../isa/insn.js';
import { CallSrc, Cls, JmpOp, Mode, Pseudo, Size, Src } from '../isa/opcodes.js';
import type { Env } from './env.js';
import { E2BIG, EFAULT, EINVAL, EPERM } from '../uapi/errno.js';
import { BPF_FUNC } from '../uapi/index.js';

export const CLS = (code: number): number => code & 7;
export const OP = (code: number): number => code & 0xf0;
export const MODE = (code: number): number => code & 0xe0;
export const SRC_X = (code: number): boolean => (code & Src.X) !== 0;
// The opcode table's fields under the short names the verifier's checks read.
export const C_LD = Cls.LD, C_LDX = Cls.LDX, C_ST = Cls.ST, C_STX = Cls.STX, C_ALU = Cls.ALU, C_JMP = Cls.JMP, C_JMP32 = Cls.JMP32, C_ALU64 = Cls.ALU64;
export const J_JA = JmpOp.JA, J_CALL = JmpOp.CALL, J_EXIT = JmpOp.EXIT;
export const LDDW = Cls.LD | Mode.IMM | Size.DW;
export const PSEUDO_CALL = CallSrc.LOCAL, PSEUDO_KFUNC = CallSrc.KFUNC, PSEUDO_FUNC = Pseudo.FUNC;
export const FUNC_tail_call = BPF_FUNC.tail_call, FUNC_timer_set_callback = BPF_FUNC.timer_set_callback;

export const isLdimm64 = (i: Insn): boolean => i.opcode === LDDW;
export const isPseudoCall = (i: Insn): boolean => i.opcode === (C_JMP | J_CALL) && i.src === PSEUDO_CALL;
export const isPseudoKfunc = (i: Insn): boolean => i.opcode === (C_JMP | J_CALL) && i.src === PSEUDO_KFUNC;
export const isPseudoFunc = (i: Insn): boolean => i.opcode === LDDW && i.src === PSEUDO_FUNC;

function findSubprog(env: Env, off: number): number {
  return env.subprogs.findIndex((s) => s.start === off);
}

function addSubprog(env: Env, off: number): number {
  if (off >= env.insns.length || off < 0) env.fail('call to invalid destination\n', EINVAL);
  const f = findSubprog(env, off);
  if (f >= 0) return f;
  if (env.subprogs.length >= 256) env.fail('too many subprograms\n', E2BIG);
  env.subprogs.push({ start: off, hasTailCall: false, hasLdAbs: false, stackDepth: 0, isAsyncCb: false, isCallback: false, tailCallReachable: false });
  env.subprogs.sort((a, b) => a.start - b.start);
  return env.subprogs.length - 1;
}

export function addSubprogsAndKfuncs(env: Env): void {
  addSubprog(env, 0);
  const insns = env.insns;
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (!isPseudoFunc(insn) && !isPseudoCall(insn) && !isPseudoKfunc(insn)) continue;
    if (!env.bpfCapable) {
      env.fail('loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN\n', EPERM);
    }
    if (isPseudoFunc(insn) || isPseudoCall(insn)) addSubprog(env, i + insn.imm + 1);
    else env.addKfuncCall(insn.imm, insn.off);
  }
  if (env.log.level & 2) env.subprogs.forEach((s, i) => env.verbose(`func#${i} @${s.start}\n`));
}

export function checkSubprogs(env: Env): void {
  const insns = env.insns;
  let cur = 0;
  let start = env.subprogs[0]!.start;
  let end = env.subprogs[1]?.start ?? insns.length;
  for (let i = 0; i < insns.length; i++) {
    const code = insns[i]!.opcode;
    if (code === (C_JMP | J_CALL) && insns[i]!.imm === FUNC_tail_call && insns[i]!.src !== PSEUDO_CALL) {
      env.subprogs[cur]!.hasTailCall = true;
    }
    if (CLS(code) === C_LD && (MODE(code) === Mode.ABS || MODE(code) === Mode.IND)) env.subprogs[cur]!.hasLdAbs = true;
    const cls = CLS(code);
    if ((cls === C_JMP || cls === C_JMP32) && OP(code) !== J_EXIT && OP(code) !== J_CALL) {
      const off = code === (C_JMP32 | J_JA) ? i + insns[i]!.imm + 1 : i + insns[i]!.off + 1;
      if (off < start || off >= end) env.fail(`jump out of range from insn ${i} to ${off}\n`, EINVAL);
    }
    if (i === end - 1) {
      if (code !== (C_JMP | J_EXIT) && code !== (C_JMP32 | J_JA) && code !== (C_JMP | J_JA)) {
        env.fail('last insn is not an exit or jmp\n', EINVAL);
      }
      start = end;
      cur++;
      if (cur < env.subprogs.length) end = env.subprogs[cur + 1]?.start ?? insns.length;
    }
  }
}

/** resolve_pseudo_ldimm64: reserved LDX fields, ld_imm64 shape, map fds, unknown opcodes. */
export function resolvePseudoLdimm64(env: Env): void {
  const insns = env.insns;
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (CLS(insn.opcode) === C_LDX && (MODE(insn.opcode) !== Mode.MEM || insn.imm !== 0)) {
      env.fail('BPF_LDX uses reserved fields\n', EINVAL);
    }
    if (insn.opcode === LDDW) {
      const next = insns[i + 1];
      if (i === insns.length - 1 || next!.opcode !== 0 || next!.dst !== 0 || next!.src !== 0 || next!.off !== 0) {
        env.fail('invalid bpf_ld_imm64 insn\n', EINVAL);
      }
      env.resolveLdimm64(i, insn, next!);
      i++;
      continue;
    }
    if (!env.profile.opcodeAccepted(insn.opcode)) {
      env.fail(`unknown opcode ${insn.opcode.toString(16).padStart(2, '0')}\n`, EINVAL);
    }
  }
}

const DISCOVERED = 0x10, EXPLORED = 0x20, FALLTHROUGH = 1, BRANCH = 2;
const DONE = 0, KEEP = 1;

export function checkCfg(env: Env): void {
  const insns = env.insns;
  const n = insns.length;
  const state = new Int32Array(n);
  const stack: number[] = [0];
  state[0] = DISCOVERED;
  const prune = env.prunePoint;
  const jmpPoint = env.jmpPoint;

  const push = (t: number, w: number, e: number, loopOk: boolean): number => {
    if (e === FALLTHROUGH && state[t]! >= (DISCOVERED | FALLTHROUGH)) return DONE;
    if (e === BRANCH && state[t]! >= (DISCOVERED | BRANCH)) return DONE;
    if (w < 0 || w >= n) env.fail(`jump out of range from insn ${t} to ${w}\n`, EINVAL);
    if (e === BRANCH) prune[w] = jmpPoint[w] = 1;
    if (state[w] === 0) {
      state[t] = DISCOVERED | e;
      state[w] = DISCOVERED;
      stack.push(w);
      return KEEP;
    } else if ((state[w]! & 0xf0) === DISCOVERED) {
      if (loopOk && env.bpfCapable) return DONE;
      env.fail(`back-edge from insn ${t} to ${w}\n`, EINVAL);
    } else if (state[w] === EXPLORED) {
      state[t] = DISCOVERED | e;
    } else {
      env.fail('insn state internal bug\n', EFAULT);
    }
    return DONE;
  };
  const visitCall = (t: number, visitCallee: boolean): number => {
    const sz = isLdimm64(insns[t]!) ? 2 : 1;
    let r = push(t, t + sz, FALLTHROUGH, false);
    if (r) return r;
    prune[t + sz] = jmpPoint[t + sz] = 1;
    if (visitCallee) {
      prune[t] = 1;
      r = push(t, t + insns[t]!.imm + 1, BRANCH, isPseudoFunc(insns[t]!));
    }
    return r;
  };
  const visit = (t: number): number => {
    const insn = insns[t]!;
    if (isPseudoFunc(insn)) return visitCall(t, true);
    const cls = CLS(insn.opcode);
    if (cls !== C_JMP && cls !== C_JMP32) return push(t, t + (isLdimm64(insn) ? 2 : 1), FALLTHROUGH, false);
    switch (OP(insn.opcode)) {
      case J_EXIT:
        return DONE;
      case J_CALL:
        if (insn.imm === FUNC_timer_set_callback) prune[t] = 1;
        return visitCall(t, insn.src === PSEUDO_CALL);
      case J_JA: {
        if (SRC_X(insn.opcode)) env.fail('', EINVAL);
        const off = cls === C_JMP ? insn.off : insn.imm;
        const r = push(t, t + off + 1, FALLTHROUGH, true);
        if (r) return r;
        prune[t + off + 1] = jmpPoint[t + off + 1] = 1;
        return r;
      }
      default: {
        prune[t] = 1;
        const r = push(t, t + 1, FALLTHROUGH, true);
        if (r) return r;
        return push(t, t + insn.off + 1, BRANCH, true);
      }
    }
  };
  while (stack.length > 0) {
    const t = stack[stack.length - 1]!;
    if (visit(t) === DONE) {
      state[t] = EXPLORED;
      stack.pop();
    }
  }
  for (let i = 0; i < n; i++) {
    if (state[i] !== EXPLORED) env.fail(`unreachable insn ${i}\n`, EINVAL);
    if (isLdimm64(insns[i]!)) {
      if (state[i + 1] !== 0) env.fail(`jump into the middle of ldimm64 insn ${i}\n`, EINVAL);
      i++;
    }
  }
}
