/**
 * `bpfvm verify <file> [--program NAME] [--prog-type T] [--caps LIST] [--log-level 0|1|2] [--json]`:
 * BPF_PROG_LOAD's checks and the 6.1 verifier on an ELF program or a raw program given --prog-type.
 * Prints the verifier log; with --json the last line is
 * `{"verdict","errno","message","processed"}`. Exit 0 accepted, 1 rejected, 2 usage or input error.
 */
import { basename } from 'node:path';
import { LoadError, UsageError } from '../../errors.js';
import type { Insn } from '../../isa/insn.js';
import type { ObjectFile, ProgramSpec } from '../../object/index.js';
import type { ProgTypeName } from '../../object/bpf-enums.js';
import { parseCaps } from '../../platform/caps.js';
import type { MapDef, ProgInfo } from '../../platform/platform.js';
import { progLoad, type VerifierResult, type VerifyOptions } from '../../verifier/verifier.js';
import { kernelPlatform } from '../../../kernel-sim/platform.js';
import { defaultRegistry } from '../../../kernel-sim/kfuncs/index.js';
import { parseProgType } from '../../../kernel-sim/progtypes/index.js';
import { readProgram } from '../input.js';
import { linkAgainstKernel } from '../../api/core-link.js';
import { progInfoOf, valueFieldOffset } from '../../api/verify.js';
import { extTargetOf, rawProgInfo } from '../../api/collection.js';
import { Kernel } from '../../../kernel-sim/kernel.js';
import { kernelWorld } from '../../../kernel-sim/objects/world.js';
import { EXIT, type Io } from '../io.js';
import { selectProgram } from './disasm.js';
import { readObject } from './inspect.js';

export interface VerifyCliOptions {
  program?: string;
  progType?: string;
  /** Raw programs: the expected attach type (with or without `BPF_`). */
  expectedAttachType?: string;
  /** EXT programs: the type of the program extended. */
  targetProgType?: string;
  /** Capability list (parseCaps); all by default. */
  caps?: string;
  logLevel?: string | number;
  json?: boolean;
}

function logLevelOf(v: string | number | undefined): number {
  if (v === undefined) return 1;
  const n = typeof v === 'number' ? v : Number(v);
  if (n !== 0 && n !== 1 && n !== 2) throw new UsageError(`--log-level: expected 0, 1 or 2, got '${v}'`);
  return n;
}

function progTypeOf(name: string): ProgTypeName {
  try {
    return parseProgType(name).name as ProgTypeName;
  } catch (e) {
    throw new UsageError(`--prog-type: ${(e as Error).message}`);
  }
}

/** The verifier's view of an object's map (its index is the handle its lddw carries). */
export function mapDefOf(obj: ObjectFile, index: number): MapDef | undefined {
  const m = obj.maps[index];
  if (m === undefined) return undefined;
  const def: MapDef = {
    type: m.type.value, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags,
    spinLockOff: valueFieldOffset(obj.btf, m.btfValueType, 'bpf_spin_lock'), timerOff: valueFieldOffset(obj.btf, m.btfValueType, 'bpf_timer'),
    hasBtf: m.btfValueType !== undefined,
  };
  if (m.inner) {
    def.inner = { type: m.inner.type.value, keySize: m.inner.keySize, valueSize: m.inner.valueSize, maxEntries: m.inner.maxEntries, flags: m.inner.flags, spinLockOff: -1, timerOff: -1 };
  }
  return def;
}

/**
 * An ELF program linked as loadObject links it (CO-RE relocations, kfunc and __ksym externs against the
 * simulated kernel), so `verify` and a run's verification see the same instructions.
 */
function linked(obj: ObjectFile, spec: ProgramSpec, file: string): Insn[] {
  try {
    const registry = defaultRegistry();
    return linkAgainstKernel(spec, obj, registry, kernelWorld(new Kernel(), registry.types)).insns;
  } catch (e) {
    if (e instanceof LoadError) e.locate({ file: basename(file), section: spec.section, symbol: spec.name });
    throw e;
  }
}

export function verifyCommand(io: Io, file: string, opts: VerifyCliOptions): number {
  const logLevel = logLevelOf(opts.logLevel);
  const caps = parseCaps(opts.caps ?? 'all');
  const isObject = file.toLowerCase().endsWith('.o');
  let insns: readonly Insn[];
  let prog: ProgInfo;
  let maps: (fd: number) => MapDef | undefined = () => undefined;
  let lineInfo: ProgramSpec['lineInfo'] | undefined;
  let btfInfo: Pick<VerifyOptions, 'btf' | 'funcInfo'> = {};
  if (isObject) {
    if (opts.progType !== undefined) throw new UsageError('--prog-type is for raw programs; an ELF program has its section\'s type');
    const obj = readObject(file);
    let spec: ProgramSpec;
    try {
      spec = selectProgram(obj, opts.program);
    } catch (e) {
      if (e instanceof LoadError) e.locate({ file: basename(file) });
      throw e;
    }
    insns = linked(obj, spec, file);
    if (opts.expectedAttachType !== undefined) throw new UsageError('--expected-attach-type is for raw programs; an ELF program has its section\'s');
    prog = progInfoOf(spec, opts.targetProgType === undefined ? {} : { extTarget: extTargetOf(opts.targetProgType) });
    maps = (fd) => mapDefOf(obj, fd);
    lineInfo = spec.lineInfo;
    if (obj.btf !== undefined) btfInfo = { btf: obj.btf, funcInfo: spec.funcInfo };
  } else {
    if (opts.program !== undefined) throw new UsageError('--program selects a program of an ELF object (.o)');
    if (opts.progType === undefined) throw new UsageError('a raw program needs --prog-type (the verifier checks typed programs only)');
    progTypeOf(opts.progType);
    const attach = opts.expectedAttachType?.replace(/^BPF_/, '');
    prog = rawProgInfo(opts.progType, {
      ...(attach !== undefined && { expectedAttachType: attach }),
      ...(opts.targetProgType !== undefined && { extTarget: opts.targetProgType }),
    });
    insns = readProgram(file).insns;
  }
  const r: VerifierResult = progLoad(insns, { prog, platform: kernelPlatform({ maps }), caps, logLevel, lineInfo, ...btfInfo });
  if (logLevel > 0) io.out(r.log);
  if (opts.json) {
    io.out(JSON.stringify({ verdict: r.verdict, errno: r.errno, message: r.message, processed: r.processed }) + '\n');
  } else {
    io.out(r.verdict === 'accepted' ? 'accepted\n' : `rejected (errno ${r.errno})${r.message ? `: ${r.message}` : ''}\n`);
  }
  return r.verdict === 'accepted' ? EXIT.OK : EXIT.REJECTED;
}
