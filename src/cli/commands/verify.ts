/**
 * `bpfvm verify <file> [--program NAME] [--prog-type T] [--caps LIST] [--log-level 0|1|2] [--json]`:
 * BPF_PROG_LOAD's checks and the 6.1 verifier on an ELF program or a raw program given --prog-type.
 * Prints the verifier log; with --json one line
 * `{"verdict","errno","message","processed","log"}`. `--xlated` adds the program after the verifier's
 * rewrites (bpftool's `prog dump xlated`): printed after the verdict, or an `"xlated"` array of lines in
 * the JSON. Exit 0 accepted, 1 rejected, 2 usage or input error.
 */
import { basename } from 'node:path';
import { disassembleLines } from '../../asm/disassemble.js';
import { LoadError, UsageError } from '../../errors.js';
import type { Insn } from '../../isa/insn.js';
import type { ProgramSpec } from '../../object/index.js';
import type { ProgTypeName } from '../../object/bpf-enums.js';
import { parseCaps } from '../../platform/caps.js';
import type { ProgInfo } from '../../platform/platform.js';
import { progLoad, type VerifierResult } from '../../verifier/verifier.js';
import { kernelPlatform } from '../../../kernel-sim/platform.js';
import { registryOf } from '../../api/collection.js';
import { readKernelBtf } from './inspect.js';
import { parseProgType } from '../../../kernel-sim/progtypes/index.js';
import { readProgram } from '../input.js';
import { extTargetOf, rawProgInfo } from '../../api/collection.js';
import { loadObjectProgram, prepareObject } from '../../api/verify-object.js';
import { EXIT, type Io } from '../io.js';
import { attachTypeOf, capsOption, progTypeOption } from '../options.js';
import { selectProgram } from './disasm.js';
import { readObject } from './inspect.js';

export interface VerifyCliOptions {
  /** --kernel-btf: another kernel's vmlinux BTF file. */
  kernelBtf?: string;
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
  /** Also show the program after the verifier's rewrites. */
  xlated?: boolean;
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

export function verifyCommand(io: Io, file: string, opts: VerifyCliOptions): number {
  const logLevel = logLevelOf(opts.logLevel);
  const caps = capsOption(opts.caps ?? 'all');
  progTypeOption('--target-prog-type', opts.targetProgType);
  if (file.toLowerCase().endsWith('.o')) return verifyObject(io, file, opts, caps, logLevel);
  if (opts.program !== undefined) throw new UsageError('--program selects a program of an ELF object (.o)');
  if (opts.progType === undefined) throw new UsageError('a raw program needs --prog-type (the verifier checks typed programs only)');
  progTypeOf(opts.progType);
  const attach = attachTypeOf(opts.expectedAttachType);
  const prog: ProgInfo = rawProgInfo(opts.progType, {
    ...(attach !== undefined && { expectedAttachType: attach }),
    ...(opts.targetProgType !== undefined && { extTarget: opts.targetProgType }),
  });
  const insns: readonly Insn[] = readProgram(file).insns;
  const kfuncRegistry = registryOf({ ...(opts.kernelBtf !== undefined && { kernelBtf: readKernelBtf(opts.kernelBtf) }) });
  return report(io, progLoad(insns, { prog, platform: kernelPlatform({ maps: () => undefined, kfuncRegistry }), caps, logLevel, xlated: opts.xlated }), logLevel, opts);
}

/**
 * An ELF program loaded as libbpf loads it alone (loadObjectProgram: externs, maps, CO-RE, load
 * attributes), so `verify` and the realworld yardstick see the same load; a refusal before the verifier
 * is an input error naming the step's reason.
 */
function verifyObject(io: Io, file: string, opts: VerifyCliOptions, caps: ReturnType<typeof parseCaps>, logLevel: number): number {
  if (opts.progType !== undefined) throw new UsageError('--prog-type is for raw programs; an ELF program has its section\'s type');
  if (opts.expectedAttachType !== undefined) throw new UsageError('--expected-attach-type is for raw programs; an ELF program has its section\'s');
  const obj = readObject(file);
  let spec: ProgramSpec;
  try {
    spec = selectProgram(obj, opts.program);
  } catch (e) {
    if (e instanceof LoadError) e.locate({ file: basename(file) });
    throw e;
  }
  const extTarget = opts.targetProgType === undefined ? undefined : extTargetOf(opts.targetProgType);
  const out = loadObjectProgram(prepareObject(obj, { kfuncs: registryOf({ ...(opts.kernelBtf !== undefined && { kernelBtf: readKernelBtf(opts.kernelBtf) }) }) }), spec.name, { caps, logLevel, xlated: opts.xlated, ...(extTarget !== undefined && { extTarget }) });
  if (out.stage === 'refused') throw out.refusal.error.locate({ file: basename(file) });
  return report(io, out.result, logLevel, opts);
}

function report(io: Io, r: VerifierResult, logLevel: number, opts: VerifyCliOptions): number {
  // bpftool's layout: the index, the opcode byte in parentheses, the instruction.
  const xlated = r.xlated === undefined ? undefined : disassembleLines(r.xlated, { style: 'kernel' });
  if (opts.json) {
    // One line: the log (at --log-level 1 or 2) goes inside it.
    io.out(JSON.stringify({
      verdict: r.verdict, errno: r.errno, message: r.message, processed: r.processed, ...(logLevel > 0 && { log: r.log }),
      ...(xlated !== undefined && { xlated }),
    }) + '\n');
  } else {
    if (logLevel > 0) io.out(r.log);
    io.out(r.verdict === 'accepted' ? 'accepted\n' : `rejected (errno ${r.errno})${r.message ? `: ${r.message}` : ''}\n`);
    if (xlated !== undefined) io.out(`xlated:\n${xlated.map((l) => `${l}\n`).join('')}`);
  }
  return r.verdict === 'accepted' ? EXIT.OK : EXIT.REJECTED;
}
