/**
 * BPF_PROG_TEST_RUN as Linux 6.1 answers it, per program type (net/bpf/test_run.c). bpfvm also runs the
 * types 6.1 refuses (kprobe, tracepoint, perf_event, LSM, sk_skb, the cgroup and socket types…): their
 * result carries the errno the kernel would have given (`kernelErrno`), and the context is ctx_in or
 * zeros, with the pointers and conversions of cgroup-runs.ts, socket-runs.ts and tracing-runs.ts.
 */
import type { Violation } from '../../src/violations.js';
import type { Image } from '../../vm/image.js';
import type { Machine, RunResult, RunWarning } from '../../vm/machine.js';
import type { Kernel, KernelRun } from '../kernel.js';
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import { ACCESS_MODELS } from './access-rules.js';
import { cgroupSockContext, plainContext, sockoptContext, sysctlContext } from './cgroup-runs.js';
import type { CgroupRunInput } from './ctx-runs-common.js';
import { skReuseportContext, sockOpsContext } from './socket-runs.js';
import { dummyOpsContext, rawTpWritableContext } from './tracing-runs.js';
import { accessModel, loadAttachType } from './ctx-access.js';
import { TEST_RUN_ERRNO, TestRunError } from './errors.js';
import { hex } from '../../src/errors.js';
import { bytesOption, intOption } from '../../src/options.js';
import { SK_BUFF } from './layouts.js';
import { parseProgType } from './names.js';
import { bytesContext, flowDissectorContext, skLookupContext, type CtxRun } from './other-runs.js';
import { setupSkb } from './skb.js';
import type { ProgTypeRow } from './table.js';
import { setupXdp } from './xdp.js';

export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
export const BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2;

/** expected_attach_type of a tracing program. */
export type TracingAttach = 'TRACE_FENTRY' | 'TRACE_FEXIT' | 'MODIFY_RETURN' | 'TRACE_RAW_TP' | 'TRACE_ITER';

export interface TestRunOptions {
  data?: Uint8Array;
  ctx?: Uint8Array;
  /** 0 or absent: once (raw_tp and syscall refuse any other value, as 6.1 does). */
  repeat?: number;
  flags?: number;
  /** Instruction budget of each repeat (the machine's by default). */
  budget?: number;
  /** Tracing programs: fentry by default, or what a section name (`fexit`, `fmod_ret`) says. */
  attach?: TracingAttach;
  /** The program's expected attach type (name without `BPF_`), for contexts whose rules depend on it. */
  attachType?: string;
  /** EXT: the program type (and attach type) of the program it extends; its context is that program's. */
  extTarget?: { type: ProgTypeName; expectedAttachType?: string };
  /** STRUCT_OPS: the struct_ops type and the number of arguments of the member implemented. */
  structOps?: { struct: string; nargs: number };
}

/**
 * What BPF_PROG_TEST_RUN reports of a run (its last repetition): the kernel's part of the API's
 * ProgramRunResult (src/api/collection.ts), which extends it with the tier, the trace output and state
 * escapes. One shape: the fields mean the same on both.
 */
export interface TestRunResult {
  /** retval as BPF_PROG_TEST_RUN reports it (u32; 6.1's own rule per program type); null when a violation stopped the program. */
  retval: number | null;
  /** r0 of the last repetition (null after a violation). */
  r0: bigint | null;
  /** data_out: the packet after the run (empty for types without one). */
  dataOut: Uint8Array;
  /** ctx_out: the context after the run, where the program type copies one out. */
  ctxOut?: Uint8Array;
  /** Simulated nanoseconds per repetition (one per instruction, averaged over the repetitions); 0 where 6.1 reports none. */
  duration: number;
  /** Instructions of the last repetition (all frames, callbacks and tail calls included). */
  insns: number;
  /** What stopped the run (at most one), or references a normal exit still held. */
  violations: Violation[];
  /**
   * Loads through kernel pointers (BPF_PROBE_MEM) of the last repetition that met NULL or memory the
   * simulation does not hold: they read 0, as the kernel's exception table makes them.
   */
  warnings?: RunWarning[];
  /**
   * Set when 6.1 refuses this BPF_PROG_TEST_RUN (ENOTSUPP 524 for types without a test run; EFAULT 14 for
   * tracing programs other than fentry/fexit/fmod_ret; EINVAL 22 or EOPNOTSUPP 95 for struct_ops): bpfvm
   * ran the program anyway.
   */
  kernelErrno?: number;
}

const SECTION_ATTACH: Readonly<Record<string, TracingAttach>> = {
  fentry: 'TRACE_FENTRY', 'fentry.s': 'TRACE_FENTRY', fexit: 'TRACE_FEXIT', 'fexit.s': 'TRACE_FEXIT',
  fmod_ret: 'MODIFY_RETURN', 'fmod_ret.s': 'MODIFY_RETURN', tp_btf: 'TRACE_RAW_TP', iter: 'TRACE_ITER', 'iter.s': 'TRACE_ITER',
};

/**
 * Run `image` as a program of type `progType` (any name parseProgType accepts), in the run `kernelRun` of
 * its kernel (`kernel.beginRun()`; the caller ends it). Throws TestRunError.
 */
export function testRun(kernelRun: KernelRun, machine: Machine, image: Image, progType: string, opts: TestRunOptions = {}): TestRunResult {
  const kernel = kernelRun.kernel;
  if (!kernelRun.active || kernel.run !== kernelRun) throw new TestRunError('unsupported', 'the test run needs the kernel run in progress (kernel.beginRun())');
  if (machine.space !== kernel.space) throw new TestRunError('unsupported', "the machine must run in the kernel's address space");
  const row = parseProgType(progType);
  if (row.name === 'EXT' && opts.extTarget !== undefined) {
    // An extension runs in its target's place, on the target's context; 6.1 test-runs no extension.
    const { type, expectedAttachType } = opts.extTarget;
    const { extTarget: _, ...rest } = opts;
    const r = testRun(kernelRun, machine, image, type, { ...rest, ...(expectedAttachType === undefined ? {} : { attachType: expectedAttachType }) });
    return { ...r, kernelErrno: TEST_RUN_ERRNO.ENOTSUPP };
  }
  const attach = opts.attach ?? SECTION_ATTACH[progType.trim().toLowerCase().split('/')[0]!] ?? 'TRACE_FENTRY';
  const space = kernel.space;
  const capBpf = kernel.caps.has('CAP_BPF') || kernel.caps.has('CAP_SYS_ADMIN');
  // BPF_PROG_TEST_RUN's repeat and flags are u32s
  const flags = intOption('flags', opts.flags, 0, 0xffffffff) ?? 0;
  const repeat = intOption('repeat', opts.repeat, 0, 0xffffffff) ?? 0;
  bytesOption('data', opts.data);
  bytesOption('ctx', opts.ctx);

  let run: CtxRun;
  let retvalOf = (r0: bigint): number => Number(BigInt.asUintN(32, r0));
  let reportsDuration = true;
  let kernelErrno: number | undefined;
  switch (row.testRun) {
    case 'skb': {
      if ((flags & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE) !== 0) throw new TestRunError('EINVAL', `flags ${hex(flags)}`);
      if (flags !== 0) throw new TestRunError('unsupported', 'BPF_F_TEST_SKB_CHECKSUM_COMPLETE is not modelled');
      run = skbRun(row, opts, capBpf, space);
      break;
    }
    case 'xdp': {
      if ((flags & ~BPF_F_TEST_XDP_LIVE_FRAMES) !== 0) throw new TestRunError('EINVAL', `flags ${hex(flags)}`);
      if (flags !== 0) throw new TestRunError('unsupported', 'BPF_F_TEST_XDP_LIVE_FRAMES is not modelled');
      const x = setupXdp(space, ACCESS_MODELS.xdp, opts.data ?? new Uint8Array(0), opts.ctx);
      run = { r1: x.ctx.base, packet: x.packet, finish: x.finish, release: x.release };
      break;
    }
    case 'flow_dissector':
      if (flags !== 0) throw new TestRunError('EINVAL', 'flow dissector test runs take no flags');
      run = flowDissectorContext(space, opts.data ?? new Uint8Array(0), opts.ctx);
      break;
    case 'sk_lookup':
      if (flags !== 0) throw new TestRunError('EINVAL', 'sk_lookup test runs take no flags');
      if (opts.data !== undefined) throw new TestRunError('EINVAL', 'sk_lookup test runs take no data_in');
      run = skLookupContext(space, opts.ctx);
      // BPF_PROG_SK_LOOKUP_RUN_ARRAY: SK_PASS unless the program dropped (no socket can be selected here).
      retvalOf = (r0) => (BigInt.asUintN(32, r0) === 0n ? 0 : 1);
      break;
    case 'raw_tp':
      if (opts.data !== undefined || repeat !== 0) throw new TestRunError('EINVAL', 'raw_tp test runs take neither data_in nor repeat');
      if ((opts.ctx?.length ?? 0) > 96) throw new TestRunError('EINVAL', 'raw_tp ctx_in is larger than 12 u64 arguments');
      run = bytesContext(space, 'raw_tp', opts.ctx?.slice(), 'raw_tp args', false);
      reportsDuration = false;
      break;
    case 'syscall':
      if (opts.data !== undefined || repeat !== 0 || flags !== 0) throw new TestRunError('EINVAL', 'syscall test runs take no data_in, repeat or flags');
      if ((opts.ctx?.length ?? 0) > 0xffff) throw new TestRunError('EINVAL', 'syscall ctx_in is larger than 65535 bytes');
      run = bytesContext(space, 'syscall', opts.ctx?.slice(), 'syscall ctx', true);
      reportsDuration = false;
      break;
    case 'tracing': {
      if (flags !== 0) throw new TestRunError('EINVAL', 'tracing test runs take no flags');
      // bpf_prog_test_run_tracing calls the kernel's test functions; its retval does not come from the
      // program: 0 for fentry/fexit, (side_effect << 16) | ret of bpf_modify_return_test for fmod_ret.
      const fixed = attach === 'TRACE_FENTRY' || attach === 'TRACE_FEXIT' ? 0 : attach === 'MODIFY_RETURN' ? 0x10004 : undefined;
      // other attach types (tp_btf, iterators): 6.1's bpf_prog_test_run_tracing answers EFAULT; bpfvm runs them
      if (fixed === undefined) kernelErrno = TEST_RUN_ERRNO.EFAULT;
      else retvalOf = () => fixed;
      // the u64 argument array of the attach target (MAX_BPF_FUNC_ARGS 12): ctx_in fills its start
      run = bytesContext(space, 'btf_args', atLeast(opts.ctx, 96), 'tracing args', false);
      reportsDuration = false;
      break;
    }
    case 'struct_ops':
      // bpf_struct_ops_test_run: a bpf_dummy_ops member called through its trampoline; retval is its int result.
      // Only bpf_dummy_ops members (6.1: EOPNOTSUPP for others), with ctx_in of 8 bytes per argument (EINVAL).
      if (opts.structOps !== undefined && opts.structOps.struct !== 'bpf_dummy_ops') {
        run = bytesContext(space, 'btf_args', zeroOr(opts.ctx, 96), `${opts.structOps.struct} args`, false);
        kernelErrno = TEST_RUN_ERRNO.EOPNOTSUPP;
      } else {
        run = dummyOpsContext(space, cgroupInput(row, opts, capBpf));
        const want = opts.structOps === undefined ? undefined : 8 * opts.structOps.nargs;
        if (opts.ctx === undefined || (want !== undefined && opts.ctx.length !== want)) kernelErrno = TEST_RUN_ERRNO.EINVAL;
      }
      reportsDuration = false;
      break;
    case null:
      kernelErrno = TEST_RUN_ERRNO.ENOTSUPP;
      run = untestableRun(row, opts, capBpf, space);
      reportsDuration = false;
      break;
  }
  kernelRun.cgroupRetval = run.cgroupRetval;
  return execute(machine, image, run, Math.max(1, repeat), retvalOf, reportsDuration, kernelErrno, intOption('budget', opts.budget, 0, Number.MAX_SAFE_INTEGER));
}

function skbRun(row: ProgTypeRow, opts: TestRunOptions, capBpf: boolean, space: Kernel['space']): CtxRun {
  const s = setupSkb(space, row.name, accessModel(row.name), opts.data ?? new Uint8Array(0), opts.ctx, capBpf);
  return { r1: s.ctx.base, packet: s.packet, finish: s.finish, release: s.release };
}

function cgroupInput(row: ProgTypeRow, opts: TestRunOptions, capBpf: boolean): CgroupRunInput {
  return {
    attachType: loadAttachType(row.name, opts.attachType), capBpf,
    ...(opts.data === undefined ? {} : { data: opts.data }), ...(opts.ctx === undefined ? {} : { ctx: opts.ctx }),
  };
}

/**
 * A type 6.1 cannot test-run: an skb for __sk_buff types, the modelled context of the socket, cgroup,
 * lirc, reuseport and writable-tracepoint types (cgroup-runs.ts), else ctx_in or a zero-filled context.
 */
function untestableRun(row: ProgTypeRow, opts: TestRunOptions, capBpf: boolean, space: Kernel['space']): CtxRun {
  if (row.access === null) throw new TestRunError('unsupported', `the context of BPF_PROG_TYPE_${row.name} is not modelled`);
  if (row.ctx.struct === SK_BUFF.struct) return skbRun(row, opts, capBpf, space);
  const input = cgroupInput(row, opts, capBpf);
  switch (row.access) {
    case 'cgroup_sock': return cgroupSockContext(space, input);
    case 'sock_ops': return sockOpsContext(space, input);
    case 'cgroup_device': case 'lirc_mode2': return plainContext(space, row.access, input);
    case 'cgroup_sysctl': return sysctlContext(space, input);
    case 'sk_reuseport': return skReuseportContext(space, input);
    case 'cgroup_sockopt': return sockoptContext(space, input);
    case 'raw_tp_writable': return rawTpWritableContext(space, input);
    default: break;
  }
  const model = ACCESS_MODELS[row.access];
  const size = row.ctx.size ?? (model.kind === 'raw' ? model.size : model.layout.size);
  return bytesContext(space, row.access, zeroOr(opts.ctx, size), row.ctx.struct, false);
}

/** ctx_in over a zero-filled buffer of at least `size` bytes. */
function atLeast(ctx: Uint8Array | undefined, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(size, ctx?.length ?? 0));
  if (ctx !== undefined) out.set(ctx);
  return out;
}

function zeroOr(ctx: Uint8Array | undefined, size: number): Uint8Array {
  return ctx?.slice() ?? new Uint8Array(size);
}

function execute(
  machine: Machine, image: Image, run: CtxRun, repeat: number, retvalOf: (r0: bigint) => number,
  reportsDuration: boolean, kernelErrno: number | undefined, budget: number | undefined,
): TestRunResult {
  const pkt = run.packet;
  const packet = pkt === undefined ? undefined : {
    get bytes() { return pkt.bytes(); },
    get mac() { return pkt.from(pkt.macHeader); },
    get network() { return pkt.from(pkt.networkHeader); },
  };
  let last: RunResult = { r0: null, insns: 0, violations: [] };
  let insns = 0;
  // One wall-clock limit for all repeats: `repeat: 2**32 - 1` ends with a budget violation, not in a year.
  const deadline = performance.now() + machine.timeLimit;
  try {
    for (let i = 0; i < repeat; i++) {
      if (i > 0 && performance.now() > deadline) {
        const message = `instruction 0: wall-clock limit of ${machine.timeLimit} ms reached after ${i} of ${repeat} repeats`;
        last = { r0: null, insns: 0, violations: [{ kind: 'budget', insn: 0, message }] };
        break;
      }
      run.prepare?.();
      last = machine.run(image, { args: [run.r1], packet, deadline, ...(budget === undefined ? {} : { budget }) });
      insns += last.insns;
      if (last.r0 === null) break;
      run.after?.();
    }
    const out = run.finish();
    return {
      retval: last.r0 === null ? null : retvalOf(last.r0),
      r0: last.r0,
      dataOut: out.dataOut ?? new Uint8Array(0),
      ...(out.ctxOut !== undefined && { ctxOut: out.ctxOut }),
      duration: reportsDuration ? Math.round(insns / repeat) : 0,
      insns: last.insns,
      violations: last.violations,
      ...(last.warnings === undefined ? {} : { warnings: last.warnings }),
      ...(kernelErrno === undefined ? {} : { kernelErrno }),
    };
  } finally {
    run.release();
  }
}

/**
 * The errno Linux 6.1's BPF_PROG_TEST_RUN answers for a program of this type and attach type, or
 * undefined when it runs the program: kprobe, tracepoint, perf_event, LSM and writable raw tracepoint
 * programs have no test_run (ENOTSUPP); a TRACING program's bpf_prog_test_run_tracing calls the kernel's
 * test functions for fentry/fexit/fmod_ret and answers EFAULT for the other attach types (tp_btf,
 * iterators). (An fentry/fexit/fmod_ret test run succeeds, but runs the program only when it is attached
 * to bpf_fentry_test* / bpf_modify_return_test.) What an event-driven run (program.trigger) reports.
 */
export function testRunErrnoOf(progType: string, attach?: string): number | undefined {
  const row = parseProgType(progType);
  switch (row.testRun) {
    case null: return TEST_RUN_ERRNO.ENOTSUPP;
    case 'tracing':
      return attach === 'TRACE_FENTRY' || attach === 'TRACE_FEXIT' || attach === 'MODIFY_RETURN' ? undefined : TEST_RUN_ERRNO.EFAULT;
    default: return undefined;
  }
}
