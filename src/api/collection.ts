/**
 * The library API for real programs, shaped like cilium/ebpf and libbpf: `loadObject(bytes)` creates an
 * object's maps in a simulated kernel, links its programs against them, and returns a Collection whose
 * programs run as BPF_PROG_TEST_RUN would run them. Node-free: file access lives in `src/node.ts`.
 */
import { LoadError, UsageError } from '../errors.js';
import { missingAttachTarget } from './attach-target.js';
import { StateChecker } from './check-states.js';
import type { RecordedStates } from '../verifier/record.js';
import { bigintOption, boolOption, bytesOption, choiceOption, intOption, stringOption } from '../options.js';
import { Pseudo } from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import type { Btf } from '../btf/index.js';
import { matchSection } from '../object/section-defs.js';
import { parseObject, type ObjectFile, type ProgramSpec } from '../object/index.js';
import type { AttachTypeName, ProgTypeName } from '../object/bpf-enums.js';
import type { Violation } from '../violations.js';
import { Kernel, type KernelOptions, type KernelRun } from '../../kernel-sim/kernel.js';
import { createFromSpec, KeyedMap, MapError, type BpfMap, type HostScalar } from '../../kernel-sim/maps/index.js';
import { ERRNO } from '../../kernel-sim/maps/errno.js';
import { helperTable } from '../../kernel-sim/helpers/index.js';
import type { KernelWorld } from '../../kernel-sim/objects/world.js';
import { ksymResolver, linkAgainstKernel, withKconfig } from './core-link.js';
import { parseProgType, ProgTypeError, testRun, TestRunError, type TestRunResult } from '../../kernel-sim/progtypes/index.js';
import { testRunErrnoOf, type TracingAttach } from '../../kernel-sim/progtypes/test-run.js';

const TRACING_ATTACH: readonly TracingAttach[] = ['TRACE_FENTRY', 'TRACE_FEXIT', 'MODIFY_RETURN', 'TRACE_RAW_TP', 'TRACE_ITER'];
import { createKfuncRuntime, defaultRegistry, registryForKernel, type KfuncRegistry, type KfuncRuntime, type NullInjectMode } from '../../kernel-sim/kfuncs/index.js';
import { loadKernelBtf } from '../../kernel-sim/btf/kernel-btf.js';
import { CallSrc, Op } from '../isa/opcodes.js';
import { Image, checkInsns, codeAddress } from '../../vm/image.js';
import { progLoad, VerifierError, type VerifierResult } from '../verifier/verifier.js';
import type { MapDef, ProgInfo } from '../platform/platform.js';
import { kernelPlatform } from '../../kernel-sim/platform.js';
import { structOpsAttach, structOpsByBtfId } from '../../kernel-sim/progtypes/struct-ops.js';
import { progInfoOf } from './verify.js';
import { Machine, type RunWarning } from '../../vm/machine.js';
import { engineFor, TIERS, type TierName } from '../../vm/wasm/select.js';
import { eventContexts } from '../../kernel-sim/model/event-context.js';
import { eventSite } from '../../kernel-sim/model/event-site.js';
import type { KernelModel } from '../../kernel-sim/model/model.js';
import { applyModelSpec, type KernelModelSpec } from '../../kernel-sim/model/model-spec.js';
import { bytesContext } from '../../kernel-sim/progtypes/other-runs.js';
import { symbolOffsets, withGlobals, type GlobalValue } from './globals.js';
import { consumeRingbufs, drainPerfArrays, mapContents, programCtxStruct, storageContents, type TriggerOptions, type TriggerResult } from './trigger.js';
import { modelChanges, snapshotModel } from '../../kernel-sim/model/changes.js';
import { retvalName } from '../uapi/retcodes.js';
import type { ProgramRunResult } from './run-result.js';

export type { ProgramRunResult } from './run-result.js';

/** How programs are loaded: the kernel they load into, verification, limits, kfuncs, BTF, globals and model. */
export interface LoadOptions extends KernelOptions {
  /** Load into this kernel (shared maps, address space) instead of a new one. */
  kernel?: Kernel;
  /** Instruction budget of each run (1,000,000 by default; an integer from 1 to 2^53 - 1). */
  budget?: number;
  /** Wall-clock limit of each run, all repeats of a test run together, in milliseconds (10,000 by default). */
  timeLimit?: number;
  /**
   * Verify each program (Linux 6.1's verifier, with the loader's capabilities) before its first run, as
   * BPF_PROG_LOAD would; a rejected program's `run` throws a VerifierError. True by default.
   */
  verify?: boolean;
  /** Load as sleepable (BPF_F_SLEEPABLE); ELF programs in `.s` sections are sleepable anyway. */
  sleepable?: boolean;
  /** Make KF_RET_NULL kfuncs return NULL: never (default), always, or at random with a seed. */
  nullInject?: NullInjectMode;
  /** The kfunc registry (Linux 6.1's catalogue by default; add your own sets to it). */
  kfuncs?: KfuncRegistry;
  /**
   * The kernel's vmlinux BTF (Linux 6.1's, packaged, by default): another kernel's, e.g. the bytes of
   * /sys/kernel/btf/vmlinux (raw or gzip) or a parsed Btf. CO-RE, kernel objects, kfunc ids and tracing
   * contexts then follow it. Ignored when `kfuncs` is given (a registry carries its kernel's BTF).
   */
  kernelBtf?: Btf | Uint8Array;
  /**
   * EXT (freplace) programs of an ELF object: the type of the program they replace a function of (any
   * name parseProgType accepts: `xdp`, `cgroup/getsockopt`); its context rules, helpers and run context apply.
   * Without it an extension's context is untyped u64 arguments.
   */
  extTarget?: string;
  /**
   * Global variables (`const volatile` .rodata, .data, .bss) set by name before load, as a skeleton sets
   * `skel->rodata->x` between open and load.
   */
  globals?: Readonly<Record<string, GlobalValue>>;
  /**
   * The kernel model to build before the programs run (kernel-sim/model/model-spec.ts: objects by id with
   * field paths, references by id, the current task); `task` still sets the default current task.
   */
  model?: KernelModelSpec;
}

/** How a Program is built: its kernel-side environment. */
interface ProgramEnv {
  kernel: Kernel;
  resolve: (insn: Insn, index: number) => bigint;
  maps: readonly BpfMap[];
  opts: LoadOptions;
  sleepable: boolean;
  /** Instructions CO-RE poisoned (`call 0xbad2310`), with the relocation that did it. */
  poisoned?: ReadonlyMap<number, string>;
  /** What BPF_PROG_LOAD tells the verifier: load attributes, and maps by the handle lddw carries. */
  load: ProgInfo;
  mapDefs: (fd: number) => MapDef | undefined;
  /** The program BTF and func_info BPF_PROG_LOAD passes (libbpf sends both for every object with BTF). */
  btf?: Btf;
  funcInfo?: readonly { insn: number; typeId: number }[];
}

/** One test run of a program: BPF_PROG_TEST_RUN's attributes, plus state checks and the tier. */
export interface RunOptions {
  /** The packet, for packet program types. */
  data?: Uint8Array;
  /** The context input (ctx_in). */
  ctx?: Uint8Array;
  /** Runs (BPF_PROG_TEST_RUN's repeat); results are those of the last. */
  repeat?: number;
  flags?: number;
  budget?: number;
  /**
   * State containment: every executed instruction's concrete registers and stack must lie in an abstract
   * state the verifier recorded there; what does not is reported in `escapes` (the run goes on).
   */
  checkStates?: boolean;
  /** The recorded states to check against, for a program verified elsewhere (loaded with verify: false). */
  states?: RecordedStates;
  /**
   * The execution tier: 'interp', 'wasm' (compiled to WebAssembly, every check kept) or 'auto' (the default:
   * the interpreter, unless repeat is large enough to repay compiling). State checks use the interpreter.
   */
  tier?: TierName;
}

/**
 * The helpers a program calls at run time: its type's (an extension's: its target's), with the expected
 * attach type deciding the prototypes that depend on it, as the verifier's do.
 */
function runtimeHelpers(kernel: Kernel, type: ProgTypeName, load: ProgInfo, extra: KfuncRuntime['helpers']): ReturnType<typeof helperTable> {
  const t = load.extTarget?.type ?? type;
  const attach = load.extTarget !== undefined ? load.extTarget.expectedAttachType : load.expectedAttachType;
  return helperTable(kernel, t, { extra, ...(attach === undefined ? {} : { query: { attachType: attach as AttachTypeName } }) });
}

/** A program ready to run: its instructions linked against the collection's maps. */
export class Program {
  readonly image: Image;
  readonly machine: Machine;
  readonly kernel: Kernel;
  /** kfuncs, references held, execution context: the run-time side of the kfunc rules. */
  readonly kfuncs: KfuncRuntime;
  readonly sleepable: boolean;
  /** Maps whose freed values are reclaimed after each run (the end of the RCU grace period). */
  private readonly maps: readonly BpfMap[];
  /** Instructions CO-RE poisoned: reaching one stops the run naming its relocation. */
  readonly poisoned: ReadonlyMap<number, string>;
  private readonly verifyFirst: boolean;
  private readonly load: ProgInfo;
  private readonly mapDefs: (fd: number) => MapDef | undefined;
  private readonly kfuncRegistry: KfuncRegistry | undefined;
  private readonly btf: Btf | undefined;
  private readonly funcInfo: readonly { insn: number; typeId: number }[] | undefined;
  /** The verifier's verdict, once asked (by `verify`, or by the first `run`). */
  verdict?: VerifierResult;

  constructor(
    readonly name: string,
    readonly type: ProgTypeName,
    readonly insns: readonly Insn[],
    readonly spec: ProgramSpec | undefined,
    env: ProgramEnv,
  ) {
    this.kernel = env.kernel;
    this.maps = env.maps;
    this.verifyFirst = env.opts.verify ?? true;
    this.load = { ...env.load, sleepable: env.sleepable };
    this.mapDefs = env.mapDefs;
    this.kfuncRegistry = env.opts.kfuncs;
    this.btf = env.btf;
    this.funcInfo = env.funcInfo;
    this.poisoned = env.poisoned ?? new Map();
    this.sleepable = env.sleepable;
    this.kfuncs = createKfuncRuntime(env.kernel, {
      progType: type, sleepable: env.sleepable, nullInject: env.opts.nullInject, registry: env.opts.kfuncs,
    });
    this.image = new Image(insns, { name, resolvePseudo: env.resolve, checkRegisters: false });
    this.machine = new Machine({
      space: env.kernel.space, budget: env.opts.budget, timeLimit: env.opts.timeLimit, kfuncs: this.kfuncs.kfuncs,
      helpers: runtimeHelpers(env.kernel, type, env.load, this.kfuncs.helpers),
    });
  }

  /** A violation's message with the source line BTF line info gives its instruction (`… (; return p->a;)`). */
  private withSource(v: Violation): Violation {
    const li = this.spec?.lineInfo;
    if (li === undefined || li.length === 0) return v;
    let best: { insn: number; source: string } | undefined;
    for (const l of li) if (l.insn <= v.insn && (best === undefined || l.insn >= best.insn)) best = l;
    const src = best?.source.trim();
    return src ? { ...v, message: `${v.message} (; ${src})` } : v;
  }

  /** A struct_ops program's struct and its member's argument count, for bpf_struct_ops_test_run. */
  private structOpsRun(): { struct: string; nargs: number } | undefined {
    const so = this.load.structOps;
    if (so === undefined) return undefined;
    const t = structOpsByBtfId(this.kfuncRegistry ?? defaultRegistry(), so.btfId);
    const m = t?.members[so.memberIdx];
    return t === undefined || m === undefined || 'data' in m ? undefined : { struct: t.name, nargs: m.params.length };
  }

  /** A raw TRACING program's expected attach type, which decides its test run (a section name says it otherwise). */
  private get tracingAttach(): { attach?: TracingAttach } {
    const att = this.load.expectedAttachType;
    return this.type === 'TRACING' && this.spec === undefined && att !== undefined && TRACING_ATTACH.includes(att as TracingAttach)
      ? { attach: att as TracingAttach } : {};
  }

  /** The section-style type name test runs use to pick attach semantics (`fexit/…` → fexit). */
  private get runType(): string {
    const section = this.spec?.section;
    if (section === undefined) return this.type;
    // A legacy section name (`xdp1`, `socket1`: libbpf 0.x's prefix rule gave the type) is no type name.
    try {
      return parseProgType(section).name === this.type ? section : this.type;
    } catch (e) {
      if (e instanceof ProgTypeError) return this.type;
      throw e;
    }
  }

  /**
   * BPF_PROG_LOAD's checks and the verifier, with the kernel's capabilities; the result is kept
   * (`verdict`). `logLevel` 1 or 2 gives the kernel's log; `xlated` adds the program after the
   * verifier's rewrites (`result.xlated`, what `bpftool prog dump xlated` shows).
   */
  verify(opts: { logLevel?: number; recordStates?: boolean; xlated?: boolean } = {}): VerifierResult {
    if (typeof opts !== 'object' || opts === null) throw new UsageError('verify options must be an object');
    // BPF_LOG_LEVEL1 | BPF_LOG_LEVEL2 | BPF_LOG_STATS: the kernel refuses other bits
    intOption('logLevel', opts.logLevel, 0, 7);
    boolOption('recordStates', opts.recordStates);
    boolOption('xlated', opts.xlated);
    if (this.spec !== undefined) {
      const missing = missingAttachTarget(this.spec, this.kfuncRegistry ?? defaultRegistry());
      if (missing !== undefined) throw new LoadError(missing, { section: this.spec.section, symbol: this.spec.name });
    }
    const r = progLoad(this.insns, {
      prog: this.load, caps: this.kernel.caps, logLevel: opts.logLevel ?? 1, lineInfo: this.spec?.lineInfo, recordStates: opts.recordStates,
      xlated: opts.xlated,
      platform: kernelPlatform({ maps: this.mapDefs, kfuncRegistry: this.kfuncRegistry }),
      ...(this.btf !== undefined ? { btf: this.btf, funcInfo: this.funcInfo } : {}),
    });
    this.verdict = r;
    this.image.probeMem = r.probeMem ?? null;
    return r;
  }

  /** The kernel model this program's helpers read (tasks, current, user memory). */
  get model(): KernelModel {
    return this.kernel.model(this.kfuncs.registry.types);
  }

  private verifyBeforeRun(): void {
    if (this.verifyFirst) {
      const v = this.verdict ?? this.verify({ logLevel: 0 }); // the verdict and message; no log to build
      if (v.verdict === 'rejected') throw new VerifierError(v);
    } else {
      checkInsns(this.insns); // unverified: registers r11-r15 are refused here, not read as 0
    }
  }

  /**
   * Run the program for an event at its attach point (its section: `kprobe/do_unlinkat`, `tp/sched/…`,
   * `fexit/…`, `iter/task`…) against the kernel model: the context comes from the kernel's BTF and the
   * event's arguments (model objects, numbers, strings). An iterator runs once per task, then with NULL.
   */
  trigger(event: TriggerOptions = {}): TriggerResult {
    this.verifyBeforeRun();
    const section = event.section ?? this.spec?.section;
    if (section === undefined) throw new LoadError(`program '${this.name}' has no section: give trigger's "section" (e.g. "kprobe/do_unlinkat")`);
    const site = eventSite(section, event.target);
    const model = this.model;
    // the objects the event itself makes (contexts, iterator state) are not the model's changes
    const existing = new Set(model.objects());
    const contexts = eventContexts({ model, site, event, ctxStruct: programCtxStruct(this.btf, this.funcInfo), maps: this.maps });
    const scaffold = new Set(model.objects().filter((o) => !existing.has(o)));
    const snapshot = snapshotModel(model, scaffold);
    // one kernel run for the event's contexts: bpf_spin_lock/unlock enter this program's atomic sections
    const kernelRun = this.kernel.beginRun({ exec: this.kfuncs.exec });
    try {
      return this.triggerRuns(kernelRun, contexts, model, snapshot, site);
    } finally {
      kernelRun.end();
    }
  }

  private triggerRuns(
    kernelRun: KernelRun, contexts: ReturnType<typeof eventContexts>, model: KernelModel, snapshot: ReturnType<typeof snapshotModel>,
    site: ReturnType<typeof eventSite>,
  ): TriggerResult {
    const before = this.kernel.trace.length;
    const seqBefore = this.kernel.seq.length;
    let insns = 0;
    const warnings: RunWarning[] = [];
    let last: { r0: bigint | null; violations: Violation[] } = { r0: null, violations: [] };
    let runs = 0;
    for (let i = 0; i < contexts.length; i++) {
      const c = contexts[i]!;
      this.kfuncs.exec.spinLocks = 0;
      for (const m of this.maps) m.beginTestRun();
      const run = bytesContext(this.kernel.space, c.model, c.bytes, c.name, false);
      try {
        c.prepare?.();
        const r = this.machine.run(this.image, { args: [run.r1] });
        runs++;
        insns += r.insns;
        warnings.push(...(r.warnings ?? []));
        const leaks = this.kfuncs.finish(r.violations.length === 0 ? this.machine.pc : null);
        last = { r0: r.r0, violations: leaks.length > 0 ? leaks : r.violations };
      } catch (e) {
        this.kfuncs.finish(null);
        for (const m of this.maps) m.reclaim();
        throw e;
      } finally {
        run.release();
        // the event's contexts were made before its runs (an iterator's value pointers): the grace period
        // ends after the last of them
        if (i === contexts.length - 1 || last.violations.length > 0) for (const m of this.maps) m.reclaim();
      }
      if (last.violations.length > 0) break;
      // a cgroup iterator's program returning non-zero ends the walk: the NULL call comes next
      if (c.terminatesOnNonZero === true && last.r0 !== null && BigInt.asUintN(32, last.r0) !== 0n) i = Math.max(i, contexts.length - 2);
    }
    const { changed, userWrites } = modelChanges(model, snapshot);
    const kernelErrno = testRunErrnoOf(this.type, this.load.expectedAttachType ?? site.attach);
    return {
      retval: last.r0 === null ? null : Number(BigInt.asIntN(32, last.r0)), r0: last.r0, runs, insns,
      output: this.kernel.trace.slice(before).map((l) => l.replace(/\n$/, '')),
      seq: this.kernel.seq.slice(seqBefore).join(''),
      ringbuf: consumeRingbufs(this.maps), perf: drainPerfArrays(this.maps), maps: mapContents(this.maps),
      storage: storageContents(this.maps, model), changed, userWrites,
      violations: last.violations.map((x) => this.withSource(this.poisonedWhy(x))),
      ...(warnings.length > 0 && { warnings }),
      ...(kernelRun.outputDropped > 0 && { outputDropped: kernelRun.outputDropped }),
      ...(kernelErrno !== undefined && { kernelErrno }),
    };
  }

  /** A violation at an instruction CO-RE poisoned names its relocation. */
  private poisonedWhy(v: Violation): Violation {
    const why = this.poisoned.get(v.insn);
    return why !== undefined && v.kind === 'unknown-helper' ? { kind: 'invalid-insn', insn: v.insn, message: `instruction ${v.insn}: ${why}` } : v;
  }

  /** The states a checkStates run checks against (verifying again, recording, when needed). */
  private recordedStates(opts: RunOptions): RecordedStates {
    if (opts.states !== undefined) return opts.states;
    if (!this.verifyFirst) throw new UsageError('checkStates needs the verifier\'s states: load with verify, or pass states');
    if (this.verdict?.states === undefined) {
      const v = this.verify({ logLevel: 0, recordStates: true });
      if (v.verdict === 'rejected') throw new VerifierError(v);
    }
    return this.verdict!.states!;
  }

  /**
   * BPF_PROG_TEST_RUN: verify on first use (unless loaded with verify: false), then run with the packet and
   * context given; the result carries retval, r0, dataOut, ctxOut, violations, output and the tier that ran.
   */
  run(opts: RunOptions = {}): ProgramRunResult {
    checkRunOptions(opts);
    if (!opts.checkStates) return this.runOnce(opts);
    const states = this.recordedStates(opts);
    if (this.checker?.states !== states) this.checker = new StateChecker(states, { machine: this.machine, image: this.image, insns: this.insns });
    const checker = this.checker;
    const outer = this.machine.traceHook;
    this.machine.traceHook = checker.hook(outer);
    checker.begin();
    // Each repeat is checked; escapes of every run are kept (repeats differ only through map state).
    try {
      const r = this.runOnce(opts);
      return { ...r, escapes: checker.escapes };
    } finally {
      this.machine.traceHook = outer;
    }
  }

  private checker?: StateChecker;

  private runOnce(opts: RunOptions): ProgramRunResult {
    this.verifyBeforeRun();
    // the run's state (output accounting, cgroup retval, redirect) lives in the kernel run until its end
    const kernelRun = this.kernel.beginRun({ exec: this.kfuncs.exec });
    try {
      return this.testRunIn(kernelRun, opts);
    } finally {
      kernelRun.end();
    }
  }

  private testRunIn(kernelRun: KernelRun, opts: RunOptions): ProgramRunResult {
    const before = this.kernel.trace.length;
    this.kfuncs.exec.spinLocks = 0;
    for (const m of this.maps) m.beginTestRun();
    let r: TestRunResult;
    const engine = this.machine.engine;
    this.machine.engine = engineFor(opts.tier, opts.repeat ?? 1);
    this.machine.lastTier = 'interp';
    try {
      r = testRun(kernelRun, this.machine, this.image, this.runType, {
        data: opts.data, ctx: opts.ctx, repeat: opts.repeat, flags: opts.flags, budget: opts.budget,
        attachType: this.load.expectedAttachType, extTarget: this.load.extTarget, structOps: this.structOpsRun(), ...this.tracingAttach,
      });
    } catch (e) {
      this.kfuncs.finish(null);
      throw e;
    } finally {
      this.machine.engine = engine;
    }
    const tier = this.machine.lastTier;
    // References still held at the exit are leaks, blamed on the instruction that acquired them. A run
    // stopped by a violation reports that one violation only.
    const leaks = this.kfuncs.finish(r.violations.length === 0 ? this.machine.pc : null);
    for (const m of this.maps) m.reclaim();
    if (leaks.length > 0) r = { ...r, violations: leaks };
    const v = r.violations[0];
    const why = v === undefined ? undefined : this.poisoned.get(v.insn);
    if (v !== undefined && why !== undefined && v.kind === 'unknown-helper') {
      r = { ...r, violations: [{ kind: 'invalid-insn', insn: v.insn, message: `instruction ${v.insn}: ${why}` }] };
    }
    const name = r.retval === null ? undefined : retvalName(this.type, r.retval);
    return {
      ...r, violations: r.violations.map((x) => this.withSource(x)), tier,
      output: this.kernel.trace.slice(before).map((l) => l.replace(/\n$/, '')),
      ...(kernelRun.outputDropped > 0 && { outputDropped: kernelRun.outputDropped }),
      ...(name !== undefined && { retvalName: name }),
    };
  }
}

/** RunOptions as the kernel takes them: repeat and flags u32s, data and ctx bytes, the budget a positive integer. */
function checkRunOptions(opts: RunOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new UsageError('run options must be an object');
  bytesOption('data', opts.data);
  bytesOption('ctx', opts.ctx);
  intOption('repeat', opts.repeat, 0, 0xffffffff);
  intOption('flags', opts.flags, 0, 0xffffffff);
  intOption('budget', opts.budget, 0, Number.MAX_SAFE_INTEGER);
  boolOption('checkStates', opts.checkStates);
  choiceOption('tier', opts.tier, TIERS);
}

/** LoadOptions checked before anything is made: each bad value named. */
export function checkLoadOptions(opts: LoadOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new UsageError('load options must be an object');
  intOption('budget', opts.budget, 0, Number.MAX_SAFE_INTEGER);
  intOption('timeLimit', opts.timeLimit, 1, 2 ** 31 - 1);
  intOption('outputLimit', opts.outputLimit, 0, 2 ** 31 - 1);
  intOption('memoryLimit', opts.memoryLimit, 0, Number.MAX_SAFE_INTEGER);
  intOption('nrCpus', opts.nrCpus, 1, 8192);
  intOption('seed', opts.seed, -0x80000000, 0xffffffff);
  boolOption('verify', opts.verify);
  boolOption('sleepable', opts.sleepable);
  stringOption('extTarget', opts.extTarget);
  stringOption('kconfig', opts.kconfig);
  bigintOption('clockStartNs', opts.clockStartNs, 0n, 2n ** 64n - 1n);
  bigintOption('clockStepNs', opts.clockStepNs, 0n, 2n ** 32n);
  if (opts.caps !== undefined && (typeof opts.caps !== 'object' || opts.caps === null || !(Symbol.iterator in opts.caps))) {
    throw new UsageError('option caps: expected an iterable of capability names');
  }
  if (opts.kernelBtf !== undefined && !(opts.kernelBtf instanceof Uint8Array) && typeof opts.kernelBtf !== 'object') {
    throw new UsageError('option kernelBtf: expected the BTF bytes or a parsed Btf');
  }
}

/** What loading an object gives: its maps and programs by name, in one simulated kernel. */
export class Collection {
  readonly maps = new Map<string, BpfMap>();
  readonly programs = new Map<string, Program>();

  constructor(readonly kernel: Kernel, readonly object: ObjectFile, private readonly world?: KernelWorld | (() => KernelWorld)) {}

  /** The kernel model the collection's programs run against: `col.model.create('struct task_struct', {…})`, `col.model.current = t`. */
  get model(): KernelModel {
    if (this.world === undefined) throw new LoadError('this collection has no kernel world');
    const world = typeof this.world === 'function' ? this.world() : this.world;
    return this.kernel.model(world.heap.types);
  }

  /** The program named `name` (its function name, or its section); a LoadError lists the names there are. */
  program(name: string): Program {
    const p = this.programs.get(name) ?? [...this.programs.values()].find((x) => x.spec?.section === name);
    if (p === undefined) throw new LoadError(`no program '${name}' (programs: ${[...this.programs.keys()].join(', ')})`);
    return p;
  }

  /** Free the collection's maps (their last reference dropped): kptrs they hold are released. */
  close(): void {
    for (const m of this.maps.values()) m.free();
  }

  /**
   * The map named `name`, with typed host access: `col.map<number, bigint>('counts')` gives
   * `get(key)`, `set(key, value)`, `delete(key)`, `keys()` and `entries()` over K and V (integers for
   * key and value sizes 1, 2, 4 — `number` — and 8 — `bigint`; `Uint8Array` otherwise; per-CPU maps take
   * and give one value per CPU). Maps without keys (ring buffers, perf event arrays, queues) have only
   * the BpfMap operations: for them the typed methods throw a MapError.
   */
  map<K extends HostScalar = HostScalar, V = HostScalar>(name: string): TypedMap<K, V> {
    const m = this.maps.get(name);
    if (m === undefined) throw new LoadError(`no map '${name}' (maps: ${[...this.maps.keys()].join(', ')})`);
    return (m instanceof KeyedMap ? m : keyless(m)) as unknown as TypedMap<K, V>;
  }
}

/** A map with typed host access over keys K and values V (see Collection.map). */
export type TypedMap<K extends HostScalar = HostScalar, V = HostScalar> = BpfMap & {
  /** The value at `key`, or undefined when there is none. */
  get(key: K, flags?: number): V | undefined;
  /** BPF_MAP_UPDATE_ELEM (flags BPF_ANY by default); a failure throws a MapError with the kernel's errno. */
  set(key: K, value: V, flags?: number): void;
  /** True when an element was deleted, false when there was none. */
  delete(key: K): boolean;
  /** The keys, in BPF_MAP_GET_NEXT_KEY order. */
  keys(): K[];
  /** The [key, value] pairs, in BPF_MAP_GET_NEXT_KEY order. */
  entries(): [K, V][];
};

const KEYLESS = new WeakSet<BpfMap>();

/** A map without keys gets typed methods that say so (a MapError, EINVAL), never a TypeError. */
function keyless(m: BpfMap): BpfMap {
  if (KEYLESS.has(m)) return m;
  const refuse = (): never => {
    throw new MapError(m.name, -ERRNO.EINVAL, `a ${m.typeName} map has no keys to get, set or list`);
  };
  for (const k of ['get', 'set', 'delete', 'keys', 'entries']) {
    if (!(k in m)) Object.defineProperty(m, k, { value: refuse, enumerable: false });
  }
  KEYLESS.add(m);
  return m;
}

/**
 * The value of an lddw with a pseudo source, once maps exist: a map's object address (MAP_FD/MAP_IDX),
 * the address of its value plus an offset (MAP_VALUE/MAP_IDX_VALUE), a function's code address (FUNC).
 */
function pseudoResolver(maps: readonly BpfMap[], insns: readonly Insn[], ksymAddress: (varId: number) => bigint | undefined): (insn: Insn, index: number) => bigint {
  return (insn, index) => {
    switch (insn.src) {
      case Pseudo.MAP_FD:
      case Pseudo.MAP_IDX: {
        const m = maps[insn.imm];
        if (m === undefined) throw new LoadError(`lddw refers to map ${insn.imm}, which does not exist`, { insn: index });
        return m.object.base;
      }
      case Pseudo.MAP_VALUE:
      case Pseudo.MAP_IDX_VALUE: {
        const m = maps[insn.imm];
        if (m === undefined) throw new LoadError(`lddw refers to map ${insn.imm}, which does not exist`, { insn: index });
        const ref = m.lookupElem(new Uint8Array(4));
        if (ref === null) throw new LoadError(`map "${m.name}" has no value to point into`, { insn: index });
        const off = insns[index + 1]?.imm ?? 0;
        if (off < 0 || off >= m.valueSize) throw new LoadError(`offset ${off} is outside map "${m.name}"'s value`, { insn: index });
        return ref.region.addr(ref.offset + off);
      }
      case Pseudo.FUNC:
        return codeAddress(index + 1 + insn.imm);
      case Pseudo.BTF_ID: {
        // the verifier's rewrite of check_pseudo_btf_id: the VAR's kallsyms address
        const addr = insns[index + 1]?.imm === 0 ? ksymAddress(insn.imm >>> 0) : undefined;
        if (addr !== undefined) return addr;
        throw new LoadError(`lddw of BTF id ${insn.imm} names no __ksym variable of the simulated kernel`, { insn: index });
      }
      default:
        throw new LoadError(`lddw pseudo source ${insn.src} (BTF id) needs the kernel-object support`, { insn: index });
    }
  };
}

/** The registry a load uses: the given one, the 6.1 catalogue over a given kernel BTF, or the default. */
export function registryOf(opts: { kfuncs?: KfuncRegistry; kernelBtf?: Btf | Uint8Array }): KfuncRegistry {
  if (opts.kfuncs !== undefined) return opts.kfuncs;
  if (opts.kernelBtf === undefined) return defaultRegistry();
  return registryForKernel(opts.kernelBtf instanceof Uint8Array ? loadKernelBtf(opts.kernelBtf, 'kernelBtf') : opts.kernelBtf);
}

/** Parse an ELF object, create its maps and prepare its programs. */
export function loadObject(bytes: Uint8Array, opts: LoadOptions = {}): Collection {
  if (!(bytes instanceof Uint8Array)) throw new UsageError('loadObject takes the object file\'s bytes (a Uint8Array)');
  checkLoadOptions(opts);
  const kernel = opts.kernel ?? new Kernel(opts);
  const globals = opts.globals ?? {};
  const object = withGlobals(withKconfig(parseObject(bytes), kernel), globals, Object.keys(globals).length > 0 ? symbolOffsets(bytes) : undefined);
  const registry = registryOf(opts);
  // made when first needed (kptr fields, kernel symbols, the model): a program that names no kernel type never reads the BTF
  let madeWorld: KernelWorld | undefined;
  const world = (): KernelWorld => (madeWorld ??= kernel.world(registry.types));
  const col = new Collection(kernel, object, world);
  if (opts.model !== undefined) applyModelSpec(kernel.model(registry.types), opts.model);
  const created: BpfMap[] = [];
  for (const spec of object.maps) {
    const m = createFromSpec(kernel.maps, spec, object.btf, () => world().kptrs);
    created.push(m);
    col.maps.set(spec.name, m);
  }
  const defs = created.map((m) => m.verifierView());
  for (const spec of object.programs) {
    if (spec.type.name === 'BPF_PROG_TYPE_UNSPEC') continue; // a section libbpf would not load
    const type = spec.type.name.replace(/^BPF_PROG_TYPE_/, '') as ProgTypeName;
    try {
      const { insns, poisoned } = linkAgainstKernel(spec, object, registry, world);
      col.programs.set(spec.name, new Program(spec.name, type, insns, spec, {
        kernel, resolve: pseudoResolver(created, insns, ksymResolver(registry, world)), maps: created, opts: { ...opts, kfuncs: registry },
        sleepable: spec.sleepable || (opts.sleepable ?? false), poisoned, load: progInfoOf(spec, { registry, license: object.license, ...(opts.extTarget !== undefined && { extTarget: extTargetOf(opts.extTarget) }) }), mapDefs: (fd) => defs[fd],
        ...(object.btf !== undefined ? { btf: object.btf, funcInfo: spec.funcInfo } : {}),
      }));
    } catch (e) {
      if (e instanceof LoadError) e.locate({ section: spec.section, symbol: spec.name });
      throw e;
    }
  }
  return col;
}

/** Loading raw instructions (no ELF object): LoadOptions plus attach type, maps, kfunc names and EXT target. */
export interface RawLoadOptions extends LoadOptions {
  /**
   * The convention of `../shared/oracle` manifests: a kfunc call whose imm is i calls the kfunc named at
   * position i of this list.
   */
  kfuncNames?: readonly string[];
  /**
   * Maps already created in `kernel`: an lddw with a map pseudo source (MAP_FD / MAP_VALUE …) names
   * `maps[imm]`, as the index of an object's maps does.
   */
  maps?: readonly BpfMap[];
  /**
   * The expected attach type the verifier checks context access against (`CGROUP_INET4_CONNECT`…); by
   * default the one a section-style type name implies (`cgroup/getsockopt` → `CGROUP_GETSOCKOPT`).
   */
  expectedAttachType?: string;
  /**
   * TRACING and LSM programs: the kernel function, hook, tracepoint or iterator they attach to (their
   * attach_btf_id by name, as libbpf finds it); by default the part after a section-style name's `/`
   * (`fentry/do_unlinkat`, `lsm/file_open`, `tp_btf/sched_switch`, `iter/task`).
   */
  attachTo?: string;
  /**
   * EXT (freplace): the type of the program extended (any name parseProgType accepts, e.g. `xdp`,
   * `cgroup/getsockopt`); also given as `freplace/<type>`. Its context rules, helpers and context apply.
   */
  extTarget?: string;
  /** Program BTF and its func_info records (needed for callbacks and global functions), as BPF_PROG_LOAD takes them. */
  btf?: Btf;
  funcInfo?: readonly { insn: number; typeId: number }[];
}

/** The expected attach type a section-style name implies (`cgroup/post_bind4` → CGROUP_INET4_POST_BIND). */
function sectionAttachType(name: string): string | undefined {
  const m = matchSection(name.trim().toLowerCase());
  return m.attachType?.name.replace(/^BPF_/, '');
}

/** ProgInfo.extTarget from a type name. */
export function extTargetOf(name: string): NonNullable<ProgInfo['extTarget']> {
  const type = parseProgType(name).name as ProgTypeName;
  const att = sectionAttachType(name);
  return att === undefined ? { type } : { type, expectedAttachType: att };
}

/**
 * The load attributes of a raw program of type `progType` (any name parseProgType accepts): its expected
 * attach type (given, or implied by a section-style name), sleepable when a section-style name says so
 * (`syscall`, `fentry.s`), and for an extension its target.
 */
export function rawProgInfo(progType: string, opts: { expectedAttachType?: string; extTarget?: string; attachTo?: string; registry?: KfuncRegistry } = {}): ProgInfo {
  const row = parseProgType(progType);
  const load: ProgInfo = { type: row.name as ProgTypeName };
  const att = opts.expectedAttachType ?? sectionAttachType(progType);
  if (att !== undefined) load.expectedAttachType = att;
  // libbpf loads the programs of a sleepable section (`syscall`, `fentry.s/…`) sleepable
  if (matchSection(progType.trim().toLowerCase()).sleepable) load.sleepable = true;
  if (row.name === 'TRACING' || row.name === 'LSM') {
    const rest = /^[^/]*\/(.+)$/.exec(progType.trim())?.[1];
    const to = opts.attachTo ?? rest;
    if (to !== undefined) load.attachTo = to;
  }
  if (row.name === 'EXT') {
    const rest = progType.trim().replace(/^[^/]*\/?/, '');
    const target = opts.extTarget ?? (rest === '' ? undefined : rest);
    if (target !== undefined) load.extTarget = extTargetOf(target);
  }
  if (row.name === 'STRUCT_OPS') {
    // `struct_ops/<struct>/<member>` (a member name or index) names what the program implements.
    const m = /^[^/]*\/(\w+)\/(\w+)$/.exec(progType.trim());
    if (m !== null) load.structOps = structOpsTarget(opts.registry ?? defaultRegistry(), m[1]!, m[2]!);
  }
  return load;
}

/** attach_btf_id and member index of `<struct>/<member>`; an index is taken as given (so invalid ones can be asked). */
function structOpsTarget(registry: KfuncRegistry, struct: string, member: string): NonNullable<ProgInfo['structOps']> {
  const at = structOpsAttach(registry, struct, member);
  return /^\d+$/.test(member) ? { btfId: at.btfId, memberIdx: Number(member) } : at;
}

/** A raw program (instructions without an object) of a given type, run in its own kernel. */
export function loadProgram(insns: readonly Insn[], progType: string, opts: RawLoadOptions = {}): Program {
  if (typeof progType !== 'string') throw new UsageError('loadProgram: the program type must be a string (xdp, socket, kprobe…)');
  checkLoadOptions(opts);
  checkInsns(insns, false);
  const kernel = opts.kernel ?? new Kernel(opts);
  const row = parseProgType(progType);
  const registry = registryOf(opts);
  let linked = insns;
  if (opts.kfuncNames !== undefined) {
    const names = opts.kfuncNames;
    linked = insns.map((x, i) => {
      if (x.code !== Op.CALL_KFUNC || x.src !== CallSrc.KFUNC) return x;
      const name = names[x.imm];
      if (name === undefined) throw new LoadError(`kfunc call with imm ${x.imm}, but --kfuncs names only ${names.length}`, { insn: i });
      const id = registry.idOf(name);
      if (id === undefined) throw new LoadError(`kfunc "${name}" is not in the kernel's BTF`, { insn: i });
      return { ...x, imm: id };
    });
  }
  const maps = opts.maps ?? [];
  const load = rawProgInfo(progType, { ...opts, ...(opts.kfuncs !== undefined && { registry: opts.kfuncs }) });
  return new Program('prog', row.name as ProgTypeName, linked, undefined, {
    kernel, resolve: pseudoResolver(maps, linked, ksymResolver(registry, () => kernel.world(registry.types))), maps: maps.filter((m) => m !== undefined),
    opts: { ...opts, kfuncs: registry }, sleepable: opts.sleepable ?? load.sleepable ?? false,
    load,
    mapDefs: (fd) => maps[fd]?.verifierView(),
    ...(opts.btf !== undefined ? { btf: opts.btf, funcInfo: opts.funcInfo ?? [] } : {}),
  });
}

/**
 * The kernel model of a kernel (for the kfunc registry's types: Linux 6.1's by default), to build before
 * loading objects into it with `loadObject(bytes, { kernel })`.
 */
export function kernelModelOf(kernel: Kernel, registry: KfuncRegistry = defaultRegistry()): KernelModel {
  return kernel.model(registry.types);
}

export { TestRunError };
export type { TriggerOptions, TriggerResult };
