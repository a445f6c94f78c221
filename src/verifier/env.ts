/**
 * The verifier environment (struct bpf_verifier_env): the program, the platform, the capability
 * switches, the current state and the stack of states still to explore, per-instruction auxiliary
 * data, counters for the statistics line, and the log.
 */
import { newRecording, type RecordedStates } from './record.js';
import type { Insn } from '../isa/insn.js';
import type { Btf } from '../btf/index.js';
import type { Capability } from '../platform/caps.js';
import { resolveProg, type MapDef, type Platform, type ProgInfo } from '../platform/platform.js';
import { markKnown, markUnknownScalar } from './bounds.js';
import type { SubprogInfo } from './subprog.js';
import { VerifierLog } from './log.js';
import { gplCompatible } from './license.js';
import type { KernelProfile } from './profile.js';
import { F, Live, type Reg, regTypeStr, T } from './reg-state.js';
import { copyState, curFrame, type FuncState, type VState } from './state.js';
import { EACCES, EBADF, EFAULT, EINVAL, ENOENT, EPROTO } from '../uapi/errno.js';
import { BPF_MAP_TYPE } from '../uapi/index.js';

/** check_map_prog_compatibility: the map types a sleepable program may use (6.1). */
const SLEEPABLE_MAP_TYPES: ReadonlySet<number> = new Set(([
  'HASH', 'ARRAY', 'PERCPU_HASH', 'PERCPU_ARRAY', 'LRU_HASH', 'LRU_PERCPU_HASH', 'ARRAY_OF_MAPS', 'HASH_OF_MAPS',
  'RINGBUF', 'USER_RINGBUF', 'INODE_STORAGE', 'SK_STORAGE', 'TASK_STORAGE',
] as const).map((t) => BPF_MAP_TYPE[t]));

/** A rejection: the message is already in the log. */
export class Reject extends Error {
  constructor(readonly errno: number) {
    super(`rejected (errno ${errno})`);
  }
}

export interface InsnAux {
  ptrType: number;
  /** ld_imm64 of a map: the map and, for MAP_VALUE, the offset. */
  map?: MapDef;
  mapOff: number;
  /** Map pointer a helper call used (for "same insn" / tail call checks). */
  callMap?: MapDef;
  callMapPoisoned: boolean;
  /** The call's map was made by a loader without CAP_PERFMON (bpf_map_ptr_unpriv). */
  callMapUnpriv?: boolean;
  kfuncId?: number;
  /** Spectre v1 masking of pointer arithmetic (alu_state, alu_limit; see sanitize.ts). */
  aluState: number;
  aluLimit: number;
  /** A stack store the JIT follows with a speculation barrier (Spectre v4). */
  sanitizeStackSpill?: boolean;
  /** bpf_loop calls (loop_inline_state): whether every visit had flags 0 and the same callback. */
  loopInline?: { fit: boolean; subprog: number };
  /**
   * ld_imm64 of a kernel variable (BPF_PSEUDO_BTF_ID): the register type it loads, the struct or type name
   * (PTR_TO_BTF_ID) and, for PTR_TO_MEM and per-CPU non-struct variables, the size.
   */
  btfVar?: { type: number; btfName?: string; memSize: number };
}

/** What func_info says of one subprogram (bpf_func_info + bpf_func_info_aux). */
export interface FuncInfoAux {
  /** BTF id of its FUNC. */
  typeId: number;
  /** BTF_FUNC_STATIC 0, GLOBAL 1, EXTERN 2. */
  linkage: number;
  /** Its BTF was found not to match a call (btf_check_subprog_arg_match failed once). */
  unreliable: boolean;
}

export interface PendingState {
  state: VState;
  insnIdx: number;
  prevInsnIdx: number;
  logPos: number;
}

export interface StateListEntry {
  state: VState;
  hit: number;
  miss: number;
  /** Fully explored and cleaned (6.1's REG_LIVE_DONE): evicting it frees it, so peak_states drops. */
  done: boolean;
  /** loopKey of the state: equal for states whose current registers are equal in value. */
  key: number;
}

export class Env {
  readonly subprogs: SubprogInfo[] = [];
  /** BTF line info (bpf_line_info): source lines by first instruction, sorted; printed into the log. */
  lineInfo: readonly { insn: number; source: string }[] = [];
  /** The line info record printed last (env->prev_linfo), as an index into lineInfo. */
  prevLinfo = -1;
  readonly prunePoint: Uint8Array;
  /** Instructions entered by a jump or a return (insn_aux_data.jmp_point): recorded in jmp_history. */
  readonly jmpPoint: Uint8Array;
  /** Per-instruction auxiliary data, made on first use (most instructions never need it). */
  private readonly auxes: (InsnAux | undefined)[];
  /** Instructions some path reached (insn_aux_data.seen). */
  readonly seen: Uint8Array;
  cur!: VState;
  readonly pending: PendingState[] = [];
  readonly explored = new Map<number, StateListEntry[]>();
  insnIdx = 0;
  prevInsnIdx = -1;
  insnProcessed = 0;
  jmpsProcessed = 0;
  prevJmpsProcessed = 0;
  prevInsnProcessed = 0;
  totalStates = 0;
  peakStates = 0;
  maxStatesPerInsn = 0;
  longestMarkRead = 0;
  idGen = 0;
  scratchedRegs = 0;
  scratchedSlots = new Set<number>();
  prevLogLen = 0;
  prevInsnPrintLen = 0;
  readonly bpfCapable: boolean;
  readonly allowPtrLeaks: boolean;
  readonly allowUninitStack: boolean;
  readonly bypassSpecV1: boolean;
  readonly bypassSpecV4: boolean;
  /** Set by pointer arithmetic with an unknown offset under Spectre v1 sanitation: pruning compares scalars exactly. */
  exploreAluLimits = false;
  readonly allowPtrToMapAccess: boolean;
  readonly strictAlignment: boolean;
  readonly testStateFreq: boolean;
  readonly kfuncIds = new Set<number>();
  /** Recorded abstract states per instruction (for differential checks), when requested. */
  readonly states?: RecordedStates;
  /** Loads through PTR_TO_BTF_ID pointers: the kernel turns them into BPF_PROBE_MEM loads (a fault reads 0). */
  readonly probeMem = new Set<number>();
  currentSubprog = 0;
  maxCombinedStack = 0;
  maxCombinedFrames = 0;
  /** A kfunc call with imm 0 was reached (fixup_kfunc_call refuses it after do_check). */
  liveZeroKfuncCall = false;
  /** The program's BTF (prog_btf_fd), when given. */
  btf?: Btf;
  /** func_info per subprogram, once check_btf_func accepted it; undefined without func_info. */
  funcInfo?: FuncInfoAux[];

  constructor(
    readonly insns: readonly Insn[],
    readonly prog: ProgInfo,
    readonly platform: Platform,
    readonly caps: ReadonlySet<Capability>,
    readonly profile: KernelProfile,
    readonly log: VerifierLog,
    readonly progFlags: number,
    recordStates: boolean,
  ) {
    const n = insns.length;
    this.prunePoint = new Uint8Array(n + 1);
    this.jmpPoint = new Uint8Array(n + 1);
    this.auxes = new Array<InsnAux | undefined>(n);
    this.seen = new Uint8Array(n);
    const sysAdmin = caps.has('CAP_SYS_ADMIN');
    this.bpfCapable = caps.has('CAP_BPF') || sysAdmin;
    const perfmon = caps.has('CAP_PERFMON') || sysAdmin;
    this.allowPtrLeaks = perfmon;
    this.allowUninitStack = perfmon;
    this.bypassSpecV1 = perfmon;
    this.bypassSpecV4 = perfmon;
    this.allowPtrToMapAccess = perfmon;
    this.strictAlignment = (progFlags & 1) !== 0 && (progFlags & 2) === 0;
    this.testStateFreq = this.bpfCapable && (progFlags & 8) !== 0;
    if (recordStates) this.states = newRecording();
  }

  aux(i: number): InsnAux {
    return (this.auxes[i] ??= { ptrType: T.NOT_INIT, mapOff: 0, callMapPoisoned: false, aluState: 0, aluLimit: 0 });
  }

  /** The auxiliary data of instruction i if any was made. */
  peekAux(i: number): InsnAux | undefined {
    return this.auxes[i];
  }

  verbose(s: string): void {
    this.log.write(s);
  }

  fail(msg: string, errno: number): never {
    if (msg) this.verbose(msg);
    throw new Reject(errno);
  }

  get frame(): FuncState {
    return curFrame(this.cur);
  }

  get regs(): Reg[] {
    return curFrame(this.cur).regs;
  }

  newId(): number {
    return ++this.idGen;
  }

  markRegScratched(regno: number): void {
    this.scratchedRegs |= 1 << regno;
  }

  markSlotScratched(spi: number): void {
    this.scratchedSlots.add(spi);
  }

  markAllScratched(): void {
    this.scratchedRegs = 0x7ff;
    for (let i = 0; i < 64; i++) this.scratchedSlots.add(i);
  }

  markClean(): void {
    this.scratchedRegs = 0;
    this.scratchedSlots.clear();
  }

  /** mark_reg_read: propagate a read up the parentage chain until a write screens it. */
  markRegRead(reg: Reg): void {
    let state = reg;
    let parent = reg.parent;
    let writes = true;
    let cnt = 0;
    while (parent) {
      if (writes && state.live & Live.WRITTEN) break;
      if ((parent.live & Live.READ) === Live.READ64 || parent.live & Live.READ64) break;
      parent.live |= Live.READ64;
      parent.live &= ~Live.READ32;
      state = parent;
      parent = state.parent;
      writes = true;
      cnt++;
    }
    if (this.longestMarkRead < cnt) this.longestMarkRead = cnt;
  }

  /** check_reg_arg: a source must be initialised; a destination must not be the frame pointer. */
  checkRegArg(regno: number, kind: 'src' | 'dst' | 'dst_nomark'): void {
    if (regno >= 11) this.fail(`R${regno} is invalid\n`, EINVAL);
    const reg = this.regs[regno]!;
    this.markRegScratched(regno);
    if (kind === 'src') {
      if (reg.type === T.NOT_INIT) this.fail(`R${regno} !read_ok\n`, EACCES);
      if (regno === 10) return;
      this.markRegRead(reg);
    } else {
      if (regno === 10) this.fail('frame pointer is read only\n', EACCES);
      reg.live |= Live.WRITTEN;
      if (kind === 'dst') this.markUnknown(reg);
    }
  }

  markUnknown(reg: Reg): void {
    markUnknownScalar(reg, !this.bpfCapable);
  }

  markNotInit(reg: Reg): void {
    markUnknownScalar(reg, !this.bpfCapable);
    reg.type = T.NOT_INIT;
  }

  markKnownZero(reg: Reg): void {
    markKnown(reg, 0n);
  }

  /** __is_pointer_value */
  isPointerValue(reg: Reg): boolean {
    if (this.allowPtrLeaks) return false;
    return reg.type !== T.SCALAR_VALUE;
  }

  regTypeStr(t: number): string {
    return regTypeStr(t);
  }

  /** push_stack: queue the other branch of a jump. */
  pushStack(insnIdx: number, prevInsnIdx: number, speculative: boolean): VState {
    const st = this.tryPushStack(insnIdx, prevInsnIdx, speculative);
    if (!st) this.fail('', EFAULT); // -EFAULT from the callers
    return st;
  }

  /** push_stack that logs and returns null when the queue is full (the caller picks the verdict). */
  tryPushStack(insnIdx: number, prevInsnIdx: number, speculative: boolean): VState | null {
    const st = copyState(this.cur, true);
    st.speculative = st.speculative || speculative;
    if (st.parent) st.parent.branches++;
    this.pending.push({ state: st, insnIdx, prevInsnIdx, logPos: this.log.len });
    if (this.pending.length > this.profile.complexityLimitJmpSeq) {
      this.verbose(`The sequence of ${this.pending.length} jumps is too complex.\n`);
      return null;
    }
    return st;
  }

  addKfuncCall(imm: number, off: number): void {
    if (imm === 0 && off === 0) return;
    if (this.kfuncIds.size === 0 && !gplCompatible(this.prog)) this.fail('cannot call kernel function from non-GPL compatible program\n', EINVAL);
    this.kfuncIds.add(imm);
    const k = this.platform.kfunc(imm, this.prog);
    if (!k) this.fail(`kernel btf_id ${imm >>> 0} is not a function\n`, EINVAL);
  }

  resolveLdimm64(i: number, insn: Insn, next: Insn): void {
    const src = insn.src;
    if (src === 3) {
      this.checkPseudoBtfId(i, insn, next);
      return;
    }
    if (src === 0 || src === 4) return;
    if (src === 2 || src === 6) {
      // map value
    } else if (src === 1 || src === 5) {
      if (next.imm !== 0) this.fail('unrecognized bpf_ld_imm64 insn\n', EINVAL);
    } else {
      this.fail('unrecognized bpf_ld_imm64 insn\n', EINVAL);
    }
    if (src === 5 || src === 6) this.fail('fd_idx without fd_array is invalid\n', EPROTO);
    const fd = insn.imm;
    const map = this.platform.map(fd);
    // __bpf_map_get: EBADF for a closed fd, EINVAL for an open one that is not a map
    if (!map) this.fail(`fd ${fd} is not pointing to valid bpf_map\n`, this.platform.fdOpen?.(fd) === true ? EINVAL : EBADF);
    this.checkMapProgCompatibility(map);
    const aux = this.aux(i);
    aux.map = map;
    if (src === 2) {
      const off = next.imm >>> 0;
      if (off >= 1 << 29) this.fail(`direct value offset of ${off} is not allowed\n`, EINVAL);
      if (map.type !== BPF_MAP_TYPE.ARRAY) this.fail('no direct value access support for this map type\n', EINVAL);
      if (off >= map.valueSize) {
        this.fail(`invalid access to map value pointer, value_size=${map.valueSize} off=${off}\n`, EINVAL);
      }
      aux.mapOff = off;
    }
  }

  /** check_pseudo_btf_id: an ld_imm64 of a vmlinux variable, typed by its BTF (per-CPU, struct or sized memory). */
  private checkPseudoBtfId(i: number, insn: Insn, next: Insn): void {
    // Only vmlinux BTF: the simulated kernel has no module BTF objects for insn[1].imm to name.
    if (next.imm !== 0) this.fail('invalid module BTF object FD specified.\n', EINVAL);
    const id = insn.imm >>> 0;
    const v = this.platform.ksymVar?.(id) ?? { kind: 'none' as const };
    if (v.kind === 'none') this.fail(`ldimm64 insn specifies invalid btf_id ${insn.imm}.\n`, ENOENT);
    if (v.kind === 'not_var') this.fail(`pseudo btf_id ${insn.imm} in ldimm64 isn't KIND_VAR.\n`, EINVAL);
    if (!v.hasAddress) this.fail(`ldimm64 failed to find the address for kernel symbol '${v.name}'.\n`, ENOENT);
    const aux = this.aux(i);
    if (v.percpu) {
      // the type is resolved (struct or sized) only when bpf_per_cpu_ptr / bpf_this_cpu_ptr convert the pointer
      aux.btfVar = { type: T.PTR_TO_BTF_ID | F.MEM_PERCPU, btfName: v.typeName, memSize: v.struct === undefined ? v.size ?? 0 : 0 };
    } else if (v.struct === undefined) {
      if (v.size === undefined) this.fail(`ldimm64 unable to resolve the size of type '${v.typeName}': -22\n`, EINVAL);
      aux.btfVar = { type: T.PTR_TO_MEM | F.MEM_RDONLY, memSize: v.size };
    } else {
      aux.btfVar = { type: T.PTR_TO_BTF_ID, btfName: v.struct, memSize: 0 };
    }
  }

  checkMapProgCompatibility(map: MapDef): void {
    const t = resolveProg(this.prog).type;
    if (map.spinLockOff >= 0) {
      if (t === 'SOCKET_FILTER') this.fail('socket filter progs cannot use bpf_spin_lock yet\n', EINVAL);
      if (['KPROBE', 'TRACEPOINT', 'PERF_EVENT', 'RAW_TRACEPOINT', 'RAW_TRACEPOINT_WRITABLE'].includes(t)) {
        this.fail('tracing progs cannot use bpf_spin_lock yet\n', EINVAL);
      }
      if (this.prog.sleepable) this.fail('sleepable progs cannot use bpf_spin_lock yet\n', EINVAL);
    }
    if (map.timerOff >= 0 && ['KPROBE', 'TRACEPOINT', 'PERF_EVENT', 'RAW_TRACEPOINT', 'RAW_TRACEPOINT_WRITABLE'].includes(t)) {
      this.fail('tracing progs cannot use bpf_timer yet\n', EINVAL);
    }
    if (this.prog.sleepable && !SLEEPABLE_MAP_TYPES.has(map.type)) {
      this.fail('Sleepable programs can only use array, hash, and ringbuf maps\n', EINVAL);
    }
  }
}
