/**
 * The verifier pipeline (bpf_check): decode → subprograms → CFG check → path-exploring abstract
 * interpretation (do_check) → verdict, errno and log.
 */
import { gplCompatible } from './license.js';
import { decode, type Insn } from '../isa/insn.js';
import { printOne } from '../asm/disassemble.js';
import type { Capability } from '../platform/caps.js';
import type { Platform, ProgInfo } from '../platform/platform.js';
import { BpfError } from '../errors.js';
import type { Btf } from '../btf/index.js';
import { btfCheckSubprogArgMatch, checkBtfInfo, type FuncInfoRecord, isGlobalFunc, prepareGlobalFuncArgs } from './btf-func.js';
import { markKnown } from './bounds.js';
import {
  addSubprogsAndKfuncs, C_ALU, C_ALU64, C_JMP, C_JMP32, C_LD, C_LDX, C_ST, C_STX, checkCfg, checkSubprogs, CLS, J_CALL,
  J_EXIT, J_JA, MODE, OP, resolvePseudoLdimm64, SRC_X,
} from './cfg.js';
import { checkAlu } from './check-alu.js';
import { checkFuncCall, checkHelperCall, checkReferenceLeak, invalidScalarValue, prepareFuncExit } from './check-call.js';
import { checkCondJmp } from './check-jmp.js';
import { checkKfuncCall } from './check-kfunc.js';
import { checkMemAccess } from './check-mem.js';
import { checkPtrOffReg } from './mem-region.js';
import { Env, Reject } from './env.js';
import { resolveProg } from '../platform/platform.js';
import { formatFuncState, lastMessage, LOG_LEVEL2, VerifierLog, vlogAlignment } from './log.js';
import { PROFILES } from './profile.js';
import { progLoadErrno } from './prog-load.js';
import { miscFixupChecks } from './sanitize.js';
import { isStateVisited, updateBranchCounts } from './prune.js';
import { recordAt, type RecordedStates } from './record.js';
import { xlatedProgram } from './xlated.js';
import { baseType, isPktPointer, Live, regTypeStr, T } from './reg-state.js';
import { curFrame, newFuncState, type VState } from './state.js';
import { tnumConst, tnumIn, tnumRange, tnumStr, type Tnum } from './tnum.js';
import { E2BIG, EACCES, EFAULT, EINVAL } from '../uapi/errno.js';

export interface VerifyOptions {
  prog: ProgInfo;
  platform: Platform;
  caps: ReadonlySet<Capability>;
  /** 0, 1 or 2 (4 = statistics only). Default 1. */
  logLevel?: number;
  /** BPF_F_* load flags (1 strict alignment, 2 any alignment, 8 test state freq, 16 sleepable). */
  progFlags?: number;
  /** Kernel profile (`6.1`). */
  profile?: string;
  /** Keep every explored state per instruction in the result. */
  recordStates?: boolean;
  /** BTF line info of the program (instruction → source line), printed as `; <line>` in the log. */
  lineInfo?: readonly { insn: number; source: string }[];
  /** The program's BTF (BPF_PROG_LOAD's prog_btf_fd): func_info records name its FUNC types. */
  btf?: Btf;
  /**
   * func_info: one record per subprogram (its first instruction, its FUNC's BTF id). Global functions
   * (BTF_FUNC_GLOBAL) are verified on their own; callbacks (ld_imm64 of a function) need it.
   */
  funcInfo?: readonly FuncInfoRecord[];
  /** Also return the rewritten program (`xlated`) of an accepted program. */
  xlated?: boolean;
}

export interface VerifierResult {
  verdict: 'accepted' | 'rejected';
  /** Positive errno, 0 when accepted. */
  errno: number;
  log: string;
  /** Last non-statistics log line; empty when accepted. */
  message: string;
  processed: number;
  /**
   * Instructions the kernel rewrites to BPF_PROBE_MEM loads (reads through PTR_TO_BTF_ID pointers): a fault
   * there reads 0 instead of crashing, through the exception table.
   */
  probeMem?: ReadonlySet<number>;
  /** Abstract states checked per instruction, and the paths pruned (only with recordStates). */
  states?: RecordedStates;
  /**
   * The program after the verifier's rewrites, as `bpftool prog dump xlated` shows it (only with the
   * `xlated` option, for an accepted program; see xlated.ts for the rewrites modelled).
   */
  xlated?: Insn[];
}

export class VerifierError extends BpfError {
  constructor(readonly result: VerifierResult) {
    super('verifier', summary(result.log));
  }
}

function summary(log: string): string {
  const lines = log.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-3).join('\n');
}

/** Verify a program given as instruction slots or raw bytes. */
export function verify(input: readonly Insn[] | Uint8Array, opts: VerifyOptions): VerifierResult {
  const insns = input instanceof Uint8Array ? decode(input, { strict: false }) : input;
  const level = opts.logLevel ?? 1;
  const log = new VerifierLog(level);
  const profile = PROFILES[opts.profile ?? '6.1']!;
  const env = new Env(insns, opts.prog, opts.platform, opts.caps, profile, log, opts.progFlags ?? 0, !!opts.recordStates);
  if (opts.lineInfo !== undefined) env.lineInfo = [...opts.lineInfo].sort((a, b) => a.insn - b.insn);
  let errno = 0;
  try {
    if (insns.length === 0) env.fail('', EINVAL);
    if (!env.bpfCapable && insns.length > 4096) env.fail('', E2BIG);
    addSubprogsAndKfuncs(env);
    checkSubprogs(env);
    checkBtfInfo(env, opts.btf, opts.funcInfo, (opts.lineInfo?.length ?? 0) > 0);
    checkAttachBtfId(env);
    resolvePseudoLdimm64(env);
    checkCfg(env);
    doCheckSubprogs(env);
    doCheckCommon(env, 0);
    checkMaxStackDepth(env);
    miscFixupChecks(env);
  } catch (e) {
    if (!(e instanceof Reject)) throw e;
    errno = e.errno;
  }
  const stats = `processed ${env.insnProcessed} insns (limit ${profile.complexityLimitInsns}) max_states_per_insn ${env.maxStatesPerInsn} total_states ${env.totalStates} peak_states ${env.peakStates} mark_read ${env.longestMarkRead}\n`;
  // print_verification_stats: the time and the stack depths only with BPF_LOG_STATS (level 4).
  if (level & 4) {
    log.write('verification time 0 usec\n');
    log.write(`stack depth ${env.subprogs.map((s) => s.stackDepth).join('+') || '0'}\n`);
  }
  log.write(stats);
  const text = log.text();
  return {
    verdict: errno ? 'rejected' : 'accepted',
    errno,
    log: text,
    message: errno ? lastMessage(text) : '',
    processed: env.insnProcessed,
    probeMem: env.probeMem,
    states: env.states,
    ...(opts.xlated && !errno ? { xlated: rewritten(env, opts.platform) } : {}),
  };
}

function rewritten(env: Env, platform: Platform): Insn[] {
  return xlatedProgram({
    insns: env.insns,
    subprogs: env.subprogs,
    loopInline: (i) => env.aux(i).loopInline,
    symbolAddress: platform.kernelSymbol?.bind(platform),
  }).insns;
}

/**
 * BPF_PROG_LOAD as far as bpfvm models it: the syscall's own checks (instruction count, the
 * capabilities each program type needs: EPERM with an empty log), then the verifier.
 */
export function progLoad(input: readonly Insn[] | Uint8Array, opts: VerifyOptions): VerifierResult {
  const insns = input instanceof Uint8Array ? decode(input, { strict: false }) : input;
  const errno = progLoadErrno(opts.prog.type, insns.length, opts.caps, opts.prog.expectedAttachType);
  if (errno) return { verdict: 'rejected', errno, log: '', message: '', processed: 0 };
  return verify(insns, opts);
}

/** Verify and throw a VerifierError when rejected. */
export function verifyOrThrow(input: readonly Insn[] | Uint8Array, opts: VerifyOptions): VerifierResult {
  const r = verify(input, opts);
  if (r.verdict === 'rejected') throw new VerifierError(r);
  return r;
}

/**
 * check_max_stack_depth: walk every call chain from the main program (and from each async callback) as
 * the JIT lays frames out — each frame's stack rounded up to 32 bytes — and refuse a chain deeper than 512
 * bytes or 8 frames, or a tail call below 256 bytes of callers' stack.
 */
function checkMaxStackDepth(env: Env): void {
  for (let i = 0; i < env.subprogs.length; i++) {
    if (i === 0 || env.subprogs[i]!.isAsyncCb) checkMaxStackDepthSubprog(env, i);
  }
}

function checkMaxStackDepthSubprog(env: Env, start: number): void {
  const sps = env.subprogs;
  const insns = env.insns;
  const round32 = (d: number): number => Math.ceil(Math.max(d, 1) / 32) * 32;
  const retInsn: number[] = [];
  const retProg: number[] = [];
  let idx = start;
  let i = sps[idx]!.start;
  let depth = 0;
  let frame = 0;
  let tailCallReachable = false;
  let enter = true;
  for (;;) {
    if (enter) {
      if (idx && sps[idx]!.hasTailCall && depth >= 256) {
        env.fail(`tail_calls are not allowed when call stack of previous frames is ${depth} bytes. Too large\n`, EACCES);
      }
      depth += round32(sps[idx]!.stackDepth);
      if (depth > env.profile.maxBpfStack) env.fail(`combined stack size of ${frame + 1} calls is ${depth}. Too large\n`, EACCES);
      enter = false;
    }
    const end = sps[idx + 1]?.start ?? insns.length;
    let called = false;
    for (; i < end; i++) {
      const insn = insns[i]!;
      const call = insn.opcode === 0x85 && insn.src === 1;
      const func = insn.opcode === 0x18 && insn.src === 4;
      if (!call && !func) continue;
      retInsn[frame] = i + 1;
      retProg[frame] = idx;
      const next = i + insn.imm + 1;
      const sidx = sps.findIndex((s) => s.start === next);
      if (sidx < 0) env.fail(`verifier bug. No program starts at insn ${next}\n`, EFAULT);
      if (sps[sidx]!.isAsyncCb) {
        if (sps[sidx]!.hasTailCall) env.fail('verifier bug. subprog has tail_call and async cb\n', EFAULT);
        // An async callback's frames are its own chain, unless called directly.
        if (!call) continue;
      }
      i = next;
      idx = sidx;
      if (sps[idx]!.hasTailCall) tailCallReachable = true;
      frame++;
      if (frame >= env.profile.maxCallFrames) env.fail(`the call stack of ${frame} frames is too deep !\n`, E2BIG);
      called = true;
      break;
    }
    if (called) {
      enter = true;
      continue;
    }
    if (tailCallReachable) for (let j = 0; j < frame; j++) sps[retProg[j]!]!.tailCallReachable = true;
    if (frame === 0) return;
    depth -= round32(sps[idx]!.stackDepth);
    frame--;
    i = retInsn[frame]!;
    idx = retProg[frame]!;
  }
}

/**
 * do_check_subprogs: with func_info, each global function is verified first, alone, for any arguments its
 * BTF prototype allows; calls to it are then only checked against that prototype.
 */
function doCheckSubprogs(env: Env): void {
  if (env.funcInfo === undefined) return;
  for (let i = 1; i < env.subprogs.length; i++) {
    if (!isGlobalFunc(env, i)) continue;
    doCheckCommon(env, i);
    if (env.log.level & 3) env.verbose(`Func#${i} is safe for any args that match its prototype\n`);
  }
}

/** do_check_common: verify from the entry of `subprog` (0: the program, with R1 = ctx). */
function doCheckCommon(env: Env, subprog: number): void {
  env.prevLinfo = -1;
  env.explored.clear();
  env.pending.length = 0;
  const start = env.subprogs[subprog]!.start;
  const st: VState = {
    frames: [newFuncState(0, -1, subprog)], curframe: 0, parent: null, branches: 1, activeSpinLock: 0, speculative: false,
    insnIdx: start, firstInsnIdx: start, lastInsnIdx: -1, jmpHistory: [],
  };
  const regs = st.frames[0]!.regs;
  env.cur = st;
  env.insnIdx = start;
  env.markAllScratched();
  // An extension's entry takes its arguments from BTF as a global function does (6.1 always knows the
  // program it extends; bpfvm's extension without a target keeps its u64-arguments context).
  if (subprog || (env.prog.type === 'EXT' && env.prog.extTarget !== undefined && env.funcInfo !== undefined)) {
    prepareGlobalFuncArgs(env, subprog, regs);
  } else {
    const r1 = regs[1]!;
    env.markUnknown(r1);
    markKnown(r1, 0n);
    r1.type = T.PTR_TO_CTX;
    if (env.funcInfo !== undefined && btfCheckSubprogArgMatch(env, 0, regs) === 14) env.fail('', EFAULT);
  }
  doCheck(env);
  // A successful pass leaves no log below level 2: 6.1's do_check_common drops it (of a global function as of
  // the program), so an accepted program's level-1 log is the statistics line alone.
  if (!(env.log.level & LOG_LEVEL2)) env.log.reset(0);
}

/** verbose_linfo: the source line whose record covers `idx`, once per record (`; <line>`). */
function verboseLinfo(env: Env, idx: number): void {
  const li = env.lineInfo;
  let lo = 0, hi = li.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (li[mid]!.insn <= idx) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0 || found === env.prevLinfo) return;
  env.prevLinfo = found;
  env.verbose(`; ${li[found]!.source.trimStart()}\n`);
}

function printInsnLine(env: Env, insn: Insn, idx: number): void {
  let next = env.insns[idx + 1];
  // Without allow_ptr_leaks a map's address is printed as 0 (print_bpf_insn).
  if (insn.opcode === 0x18 && (insn.src === 1 || insn.src === 2) && !env.allowPtrLeaks && next) {
    insn = { ...insn, imm: 0, imm64: 0n };
    next = { ...next, imm: 0 };
  }
  const text = printOne(insn, { style: 'kernel', kernelExact: true, helperName: (id) => env.platform.helperName(id) }, next);
  env.prevLogLen = env.log.len;
  env.verbose(`${idx}: (${insn.opcode.toString(16).padStart(2, '0')}) ${text}\n`);
  env.prevInsnPrintLen = env.log.len - env.prevLogLen;
  env.prevLogLen = env.log.len;
}

function printInsnState(env: Env): void {
  if (env.prevLogLen && env.prevLogLen === env.log.len) {
    env.log.reset(env.prevLogLen - 1);
    env.verbose(' '.repeat(vlogAlignment(env.prevInsnPrintLen)) + ';');
  } else {
    env.verbose(`${env.insnIdx}:`);
  }
  env.verbose(formatFuncState(env.frame, false, env.scratchedRegs, env.scratchedSlots));
  env.markClean();
}

function popStack(env: Env, popLog: boolean): boolean {
  const p = env.pending.pop();
  if (!p) return false;
  env.cur = p.state;
  env.insnIdx = p.insnIdx;
  env.prevInsnIdx = p.prevInsnIdx;
  if (popLog) env.log.reset(p.logPos);
  return true;
}

function doCheck(env: Env): void {
  const popLog = !(env.log.level & LOG_LEVEL2);
  const insns = env.insns;
  let doPrintState = false;
  let prevInsnIdx = -1;
  const logOn = (env.log.level & 3) !== 0;
  for (;;) {
    env.prevInsnIdx = prevInsnIdx;
    if (env.insnIdx >= insns.length) env.fail(`invalid insn idx ${env.insnIdx} insn_cnt ${insns.length}\n`, EFAULT);
    const idx = env.insnIdx;
    const insn = insns[idx]!;
    const cls = CLS(insn.opcode);
    if (++env.insnProcessed > env.profile.complexityLimitInsns) {
      env.fail(`BPF program is too large. Processed ${env.insnProcessed} insn\n`, E2BIG);
    }
    const visited = isStateVisited(env, idx);
    let exitPath = false;
    if (visited === 1) {
      if (logOn) {
        if (doPrintState) env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}${env.cur.speculative ? ' (speculative execution)' : ''}: safe\n`);
        else env.verbose(`${idx}: safe\n`);
      }
      exitPath = true;
    }
    if (!exitPath) {
      if (env.states !== undefined) recordAt(env.states, idx, env.cur);
      if ((env.log.level & LOG_LEVEL2) && doPrintState) {
        env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}${env.cur.speculative ? ' (speculative execution)' : ''}:`);
        env.verbose(formatFuncState(env.frame, true, 0, new Set()));
        doPrintState = false;
      }
      if (logOn) {
        if (env.scratchedRegs || env.scratchedSlots.size) printInsnState(env);
        verboseLinfo(env, idx);
        printInsnLine(env, insn, idx);
      }
      if (!env.cur.speculative) env.seen[idx] = 1; // speculative-only code is dead code to the kernel
      prevInsnIdx = idx;
      let next = idx + 1;
      if (cls === C_ALU || cls === C_ALU64) {
        checkAlu(env, insn);
      } else if (cls === C_LDX) {
        env.checkRegArg(insn.src, 'src');
        env.checkRegArg(insn.dst, 'dst_nomark');
        const srcType = env.regs[insn.src]!.type;
        checkMemAccess(env, insn.src, insn.off, sizeOf(insn.opcode), false, insn.dst, false);
        sameInsnCheck(env, idx, srcType);
      } else if (cls === C_STX) {
        if (MODE(insn.opcode) === 0xc0) {
          checkAtomic(env, insn, idx);
        } else {
          if (MODE(insn.opcode) !== 0x60 || insn.imm !== 0) env.fail('BPF_STX uses reserved fields\n', EINVAL);
          env.checkRegArg(insn.src, 'src');
          env.checkRegArg(insn.dst, 'src');
          const dstType = env.regs[insn.dst]!.type;
          checkMemAccess(env, insn.dst, insn.off, sizeOf(insn.opcode), true, insn.src, false);
          sameInsnCheck(env, idx, dstType);
        }
      } else if (cls === C_ST) {
        if (MODE(insn.opcode) !== 0x60 || insn.src !== 0) env.fail('BPF_ST uses reserved fields\n', EINVAL);
        env.checkRegArg(insn.dst, 'src');
        const d = env.regs[insn.dst]!;
        if (d.type === T.PTR_TO_CTX) env.fail(`BPF_ST stores into R${insn.dst} ${regTypeStr(d.type)} is not allowed\n`, EACCES);
        checkMemAccess(env, insn.dst, insn.off, sizeOf(insn.opcode), true, -1, false);
      } else if (cls === C_JMP || cls === C_JMP32) {
        const op = OP(insn.opcode);
        env.jmpsProcessed++;
        if (op === J_CALL) {
          if (SRC_X(insn.opcode) || (insn.src !== 2 && insn.off !== 0) || (insn.src !== 0 && insn.src !== 1 && insn.src !== 2) ||
            insn.dst !== 0 || cls === C_JMP32) {
            env.fail('BPF_CALL uses reserved fields\n', EINVAL);
          }
          if (env.cur.activeSpinLock && (insn.src === 1 || insn.imm !== 94)) {
            env.fail('function calls are not allowed while holding a lock\n', EINVAL);
          }
          if (insn.src === 1) next = checkFuncCall(env, insn, idx);
          else if (insn.src === 2) next = checkKfuncCall(env, insn, idx);
          else next = checkHelperCall(env, insn, idx);
          if (insn.src === 1) doPrintState = false;
          if (next !== idx + 1) {
            trackStack(env);
          }
        } else if (op === J_JA) {
          if (SRC_X(insn.opcode) || insn.src !== 0 || insn.dst !== 0 || (cls === C_JMP && insn.imm !== 0) ||
            (cls === C_JMP32 && insn.off !== 0)) {
            env.fail('BPF_JA uses reserved fields\n', EINVAL);
          }
          next = idx + (cls === C_JMP ? insn.off : insn.imm) + 1;
        } else if (op === J_EXIT) {
          if (SRC_X(insn.opcode) || insn.imm !== 0 || insn.src !== 0 || insn.dst !== 0 || cls === C_JMP32) {
            env.fail('BPF_EXIT uses reserved fields\n', EINVAL);
          }
          if (env.cur.activeSpinLock) env.fail('bpf_spin_unlock is missing\n', EINVAL);
          checkReferenceLeak(env);
          if (env.cur.curframe) {
            next = prepareFuncExit(env);
            doPrintState = true;
          } else {
            checkReturnCode(env);
            exitPath = true;
          }
        } else {
          next = checkCondJmp(env, insn, idx);
          if (logOn) printInsnState(env);
        }
      } else if (cls === C_LD) {
        const mode = MODE(insn.opcode);
        if (mode === 0x20 || mode === 0x40) checkLdAbs(env, insn);
        else if (mode === 0x00) {
          checkLdImm(env, insn, idx);
          next = idx + 2;
        } else env.fail('invalid BPF_LD mode\n', EINVAL);
      } else {
        env.fail(`unknown insn class ${cls}\n`, EINVAL);
      }
      if (!exitPath) {
        env.insnIdx = next;
        continue;
      }
    }
    // process_bpf_exit
    env.markAllScratched();
    updateBranchCounts(env.cur);
    if (!popStack(env, popLog)) break;
    prevInsnIdx = env.prevInsnIdx;
    doPrintState = true;
  }
}

function trackStack(env: Env): void {
  let total = 0;
  for (const f of env.cur.frames) total += Math.ceil((f.stack.length * 8) / 16) * 16;
  void total;
}

function sizeOf(code: number): number {
  return [4, 2, 1, 8][(code >> 3) & 3]!;
}

function sameInsnCheck(env: Env, idx: number, type: number): void {
  const aux = env.aux(idx);
  if (aux.ptrType === T.NOT_INIT) aux.ptrType = type;
  else if (typeMismatch(type, aux.ptrType)) env.fail('same insn cannot be used with different pointers\n', EINVAL);
}

/** reg_type_mismatch_ok: pointer types whose loads/stores the kernel rewrites per type may not share an instruction. */
function regTypeMismatchOk(t: number): boolean {
  const b = baseType(t);
  return !(b === T.PTR_TO_CTX || b === T.PTR_TO_SOCKET || b === T.PTR_TO_SOCK_COMMON || b === T.PTR_TO_TCP_SOCK || b === T.PTR_TO_XDP_SOCK || b === T.PTR_TO_BTF_ID);
}

function typeMismatch(a: number, b: number): boolean {
  return a !== b && (!regTypeMismatchOk(a) || !regTypeMismatchOk(b));
}

function checkLdImm(env: Env, insn: Insn, idx: number): void {
  if (insn.opcode !== 0x18) env.fail('invalid BPF_LD_IMM insn\n', EINVAL);
  if (insn.off !== 0) env.fail('BPF_LD_IMM64 uses reserved fields\n', EINVAL);
  env.checkRegArg(insn.dst, 'dst');
  const dst = env.regs[insn.dst]!;
  const next = env.insns[idx + 1]!;
  if (insn.src === 0) {
    const v = (BigInt(next.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
    dst.type = T.SCALAR_VALUE;
    markKnown(dst, v);
    return;
  }
  markKnown(dst, 0n);
  if (insn.src === 3) {
    const v = env.aux(idx).btfVar;
    if (v === undefined) env.fail('verifier internal error: unexpected pseudo btf_id ld_imm64\n', EFAULT);
    dst.type = v.type;
    dst.memSize = v.memSize;
    if (v.btfName !== undefined) dst.btfName = v.btfName;
    return;
  }
  if (insn.src === 4) {
    const subprogno = env.subprogs.findIndex((s) => s.start === idx + insn.imm + 1);
    if (env.funcInfo === undefined) env.fail('missing btf func_info\n', EINVAL);
    if (env.funcInfo[subprogno]?.linkage !== 0) env.fail('callback function not static\n', EINVAL);
    if (subprogno === 0) env.fail('callback function cannot be the main program\n', EINVAL);
    dst.type = T.PTR_TO_FUNC;
    dst.subprogno = subprogno;
    return;
  }
  const aux = env.aux(idx);
  dst.map = aux.map;
  if (insn.src === 2 || insn.src === 6) {
    dst.type = T.PTR_TO_MAP_VALUE;
    dst.off = aux.mapOff;
    if (aux.map && aux.map.spinLockOff >= 0) dst.id = env.newId();
  } else {
    dst.type = T.CONST_PTR_TO_MAP;
  }
}

function checkLdAbs(env: Env, insn: Insn): void {
  const t = resolveProg(env.prog).type;
  if (!['SOCKET_FILTER', 'SCHED_CLS', 'SCHED_ACT', 'CGROUP_SKB', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'LWT_SEG6LOCAL', 'SK_SKB', 'SK_MSG'].includes(t)
    || t === 'SK_MSG') {
    env.fail('BPF_LD_[ABS|IND] instructions not allowed for this program type\n', EINVAL);
  }
  if (insn.dst !== 0 || insn.off !== 0 || (insn.opcode & 0x18) === 0x18 || (MODE(insn.opcode) === 0x20 && insn.src !== 0)) {
    env.fail('BPF_LD_[ABS|IND] uses reserved fields\n', EINVAL);
  }
  env.checkRegArg(6, 'src');
  if (env.frame.refs.length > 0) env.fail('BPF_LD_[ABS|IND] cannot be mixed with socket references\n', EINVAL);
  if (env.cur.activeSpinLock) env.fail('BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region\n', EINVAL);
  if (env.regs[6]!.type !== T.PTR_TO_CTX) env.fail('at the time of BPF_LD_ABS|IND R6 != pointer to skb\n', EINVAL);
  if (MODE(insn.opcode) === 0x40) env.checkRegArg(insn.src, 'src');
  checkPtrOffReg(env, env.regs[6]!, 6, false);
  const regs = env.regs;
  for (let i = 0; i < 6; i++) {
    env.markNotInit(regs[i]!);
    regs[i]!.live |= Live.WRITTEN;
    env.markRegScratched(i);
  }
  env.markUnknown(regs[0]!);
}

function checkAtomic(env: Env, insn: Insn, idx: number): void {
  const imm = insn.imm;
  const ok = [0x00, 0x40, 0x50, 0xa0, 0x01, 0x41, 0x51, 0xa1, 0xe1, 0xf1];
  if (!ok.includes(imm)) env.fail(`BPF_ATOMIC uses invalid atomic opcode ${(imm & 0xff).toString(16).padStart(2, '0')}\n`, EINVAL);
  const size = sizeOf(insn.opcode);
  if (size !== 4 && size !== 8) env.fail('invalid atomic operand size\n', EINVAL);
  env.checkRegArg(insn.src, 'src');
  env.checkRegArg(insn.dst, 'src');
  if (imm === 0xf1) {
    env.checkRegArg(0, 'src');
    if (env.isPointerValue(env.regs[0]!)) env.fail('R0 leaks addr into mem\n', EACCES);
  }
  if (env.isPointerValue(env.regs[insn.src]!)) env.fail(`R${insn.src} leaks addr into mem\n`, EACCES);
  const d = env.regs[insn.dst]!;
  if (d.type === T.PTR_TO_CTX || isPktPointer(d.type) || d.type === T.PTR_TO_FLOW_KEYS || [T.PTR_TO_SOCKET, T.PTR_TO_SOCK_COMMON, T.PTR_TO_TCP_SOCK, T.PTR_TO_XDP_SOCK].includes(d.type)) {
    env.fail(`BPF_ATOMIC stores into R${insn.dst} ${regTypeStr(d.type)} is not allowed\n`, EACCES);
  }
  const fetch = (imm & 1) !== 0;
  let loadReg = -1;
  if (fetch) {
    loadReg = imm === 0xf1 ? 0 : insn.src;
    env.checkRegArg(loadReg, 'dst');
  }
  // A read without a destination first (a spilled pointer read back must not leak), then the fill itself.
  checkMemAccess(env, insn.dst, insn.off, size, false, -1, true);
  if (loadReg >= 0) checkMemAccess(env, insn.dst, insn.off, size, false, loadReg, true);
  checkMemAccess(env, insn.dst, insn.off, size, true, -1, true);
  void idx;
}

/** verbose_invalid_scalar for R0 (`note`: a line the kernel adds after it). */
function invalidScalar(env: Env, _tn: Tnum, range: Tnum, ctx: string, reg: string, note?: string): never {
  const r0 = env.regs[0]!;
  const unknown = r0.varOff.mask === 0xffffffffffffffffn;
  const msg = `At ${ctx} the register ${reg} ${unknown ? 'has unknown scalar value' : `has value ${tnumStr(r0.varOff)}`}` +
    ` should have been in ${tnumStr(range)}\n`;
  env.fail(msg + (note ?? ''), EINVAL);
}

/**
 * check_attach_btf_id: which program types may be sleepable; struct_ops' struct and member
 * (check_struct_ops_btf_id); and of bpf_check_attach_target for fentry/fexit/fmod_ret and LSM programs,
 * the rules on the target that do not need its BTF: a sleepable program needs an error-injectable
 * function or a sleepable LSM hook, fmod_ret an error-injectable function or a `security_*` one.
 */
function checkAttachBtfId(env: Env): void {
  const p = env.prog;
  if (p.type === 'SYSCALL') {
    if (!p.sleepable) env.fail('Syscall programs can only be sleepable\n', EINVAL);
    return;
  }
  if (p.sleepable && p.type !== 'TRACING' && p.type !== 'LSM' && p.type !== 'KPROBE') {
    env.fail('Only fentry/fexit/fmod_ret, lsm, and kprobe/uprobe programs can be sleepable\n', EINVAL);
  }
  // (6.1.192's "BPF_LSM_CGROUP programs cannot be sleepable" is a later stable fix: the reference 6.1.176 accepts them)
  if (p.type === 'STRUCT_OPS') {
    if (!gplCompatible(p)) env.fail('struct ops programs must have a GPL compatible license\n', EINVAL);
    if (p.structOps === undefined) return;
    const r = env.platform.structOpsMember?.(p);
    if (r !== undefined && !r.ok) env.fail(r.message, r.errno);
    return;
  }
  const att = p.expectedAttachType;
  const traced = p.type === 'TRACING' && (att === 'TRACE_FENTRY' || att === 'TRACE_FEXIT' || att === 'MODIFY_RETURN');
  if (p.attachTo === undefined || !(traced || p.type === 'LSM')) return;
  // the BTF name of the target: LSM hooks are the bpf_lsm_<hook> functions libbpf looks up
  const tname = p.type === 'LSM' && !p.attachTo.startsWith('bpf_lsm_') ? `bpf_lsm_${p.attachTo}` : p.attachTo;
  const injectable = env.platform.errorInjectable;
  if (p.sleepable) {
    const ok = p.type === 'TRACING' ? injectable?.(tname) : env.platform.sleepableLsmHook?.(tname);
    if (ok === false) env.fail(`${tname} is not sleepable\n`, EINVAL);
  } else if (att === 'MODIFY_RETURN' && injectable !== undefined && !injectable(tname) && !tname.startsWith('security_')) {
    env.fail(`${tname}() is not modifiable\n`, EINVAL);
  }
  // bpf_lsm_verify_prog
  if (p.type === 'LSM' && !gplCompatible(p)) env.fail('LSM programs must have a GPL compatible license\n', EINVAL);
}

/** Whether the struct_ops member implemented returns void (then R0 need not be set). */
function structOpsVoid(env: Env): boolean {
  const r = env.platform.structOpsMember?.(env.prog);
  return r !== undefined && r.ok && r.voidRet;
}

function checkReturnCode(env: Env): void {
  const t = env.prog.type;
  const att = env.prog.expectedAttachType;
  const frame = env.cur.frames[0]!;
  const isSub = frame.subprogno !== 0;
  // LSM and struct_ops members may return void: then R0 is not looked at (an LSM_CGROUP program's is, below)
  const lsmVoid = t === 'LSM' && env.platform.attachReturnsVoid?.(env.prog) === true;
  if (!isSub && t === 'LSM' && att !== 'LSM_CGROUP' && lsmVoid) return;
  if (!isSub && t === 'STRUCT_OPS' && env.prog.structOps !== undefined && structOpsVoid(env)) return;
  env.checkRegArg(0, 'src');
  const r0 = env.regs[0]!;
  if (env.isPointerValue(r0)) env.fail('R0 leaks addr as return value\n', EACCES);
  if (frame.inAsyncCallbackFn) {
    // Async callbacks (timers) must return 0.
    if (r0.type !== T.SCALAR_VALUE) env.fail(`In async callback the register R0 is not a known value (${regTypeStr(r0.type)})\n`, EINVAL);
    if (!tnumIn(tnumConst(0n), r0.varOff)) invalidScalarValue(env, r0, tnumConst(0n), 'async callback', 'R0');
    return;
  }
  if (isSub) {
    if (r0.type !== T.SCALAR_VALUE) env.fail(`At subprogram exit the register R0 is not a scalar value (${regTypeStr(r0.type)})\n`, EINVAL);
    return;
  }
  let range = tnumRange(0n, 1n);
  switch (t) {
    case 'CGROUP_SOCK_ADDR':
      if (['CGROUP_UDP4_RECVMSG', 'CGROUP_UDP6_RECVMSG', 'CGROUP_INET4_GETPEERNAME', 'CGROUP_INET6_GETPEERNAME',
        'CGROUP_INET4_GETSOCKNAME', 'CGROUP_INET6_GETSOCKNAME'].includes(att ?? '')) range = tnumRange(1n, 1n);
      if (att === 'CGROUP_INET4_BIND' || att === 'CGROUP_INET6_BIND') range = tnumRange(0n, 3n);
      break;
    case 'CGROUP_SKB':
      if (att === 'CGROUP_INET_EGRESS') range = tnumRange(0n, 3n);
      break;
    case 'CGROUP_SOCK': case 'SOCK_OPS': case 'CGROUP_DEVICE': case 'CGROUP_SYSCTL': case 'CGROUP_SOCKOPT':
      break;
    case 'RAW_TRACEPOINT':
      return;
    case 'TRACING':
      if (att === 'TRACE_FENTRY' || att === 'TRACE_FEXIT') range = tnumConst(0n);
      else if (att === 'TRACE_ITER') break;
      else return;
      break;
    case 'SK_LOOKUP':
      range = tnumRange(0n, 1n);
      break;
    case 'LSM':
      // regular LSM programs return anything; LSM_CGROUP ones 0 or 1, and 1 on void hooks
      if (att !== 'LSM_CGROUP') return;
      if (lsmVoid) range = tnumRange(1n, 1n);
      break;
    default:
      return;
  }
  if (r0.type !== T.SCALAR_VALUE) env.fail(`At program exit the register R0 is not a known value (${regTypeStr(r0.type)})\n`, EINVAL);
  if (!tnumIn(range, r0.varOff)) {
    invalidScalar(env, r0.varOff, range, 'program exit', 'R0', att === 'LSM_CGROUP' && t === 'LSM' && lsmVoid
      ? "Note, BPF_LSM_CGROUP that attach to void LSM hooks can't modify return value!\n" : undefined);
  }
}

export { curFrame };
