import { basename } from 'node:path';
import { Interpreter } from '../../../vm/interpreter.js';
import { engineFor, type TierName } from '../../../vm/wasm/select.js';
import { loadObject, loadProgram, TestRunError, type Program, type ProgramRunResult } from '../../api/collection.js';
import { runResultJson } from '../../api/run-result.js';
import { parseHexBytes } from '../../conformance/data-file.js';
import { CONFORMANCE_HELPERS } from '../../conformance/runner.js';
import { BpfError, LoadError, UsageError } from '../../errors.js';
import type { Violation } from '../../violations.js';
import { VerifierError } from '../../verifier/verifier.js';
import { parseNullInject, type NullInjectMode } from '../../../kernel-sim/kfuncs/index.js';
import { readInput, readProgram } from '../input.js';
import { EXIT, hex64, type Io } from '../io.js';
import { attachTypeOf, capsOption, progTypeOption } from '../options.js';
import { consumeRingbufs, drainPerfArrays, mapContents } from '../../api/trigger.js';
import type { BpfMap } from '../../../kernel-sim/maps/index.js';
import type { Btf } from '../../btf/index.js';
import type { MapSpec } from '../../object/index.js';
import { decodeValue, typeByName, type CValue } from '../btf-value.js';
import { Tracer } from '../trace.js';
import { selectProgram } from './disasm.js';
import { readKernelBtf } from './inspect.js';
import { eventLoadOptions, fillEventMaps, openPerfBuffers, printTrigger, readEventFiles } from './run-event.js';

export interface RunOptions {
  /** --kernel-btf: another kernel's vmlinux BTF file. */
  kernelBtf?: string;
  mem?: string;
  trace?: boolean;
  json?: boolean;
  budget: number;
  timeLimit: number;
  memoryLimit: number;
  outputLimit: number;
  program?: string;
  progType?: string;
  expectedAttachType?: string;
  targetProgType?: string;
  data?: string;
  dataFile?: string;
  ctx?: string;
  ctxFile?: string;
  repeat?: number;
  caps: string;
  sleepable?: boolean;
  nullInject: string;
  kfuncs?: string;
  /** commander's --no-verify: false when given. */
  verify: boolean;
  /** A tracing event to trigger the program with (JSON file), and the kernel model (JSON file). */
  event?: string;
  kernelModel?: string;
  /** --check-states: state containment against the verifier's recorded states; --strict: escapes are violations. */
  checkStates?: boolean;
  strict?: boolean;
  /** --dump-maps: every map after the run; --decode TYPE: ring-buffer and perf records as a BTF type. */
  dumpMaps?: boolean;
  decode?: string;
  /** --tier: interp, wasm or auto (the default). */
  tier?: TierName;
}

function hexOption(flag: string, text: string): Uint8Array {
  try {
    return parseHexBytes(text);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

/** Bytes from `--x HEX` or `--x-file F` (not both). */
function bytesOption(name: string, hex: string | undefined, file: string | undefined): Uint8Array | undefined {
  if (hex !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
  if (hex !== undefined) return hexOption(`--${name}`, hex);
  if (file !== undefined) return new Uint8Array(readInput(file));
  return undefined;
}

function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function runCommand(io: Io, file: string, opts: RunOptions): number {
  const isObject = file.toLowerCase().endsWith('.o');
  if (isObject || opts.progType !== undefined) return runTyped(io, file, isObject, opts);
  if (opts.program !== undefined) throw new UsageError('--program selects a program of an ELF object (.o)');
  return runInstructionSet(io, file, opts);
}

/** A run without a program type: the instruction set alone, conformance conventions. */
function runInstructionSet(io: Io, file: string, opts: RunOptions): number {
  if (opts.checkStates) throw new UsageError('--check-states checks a verified program: give --prog-type');
  if (opts.kfuncs !== undefined || opts.sleepable || opts.nullInject !== 'off') {
    throw new UsageError('--kfuncs, --sleepable and --null-inject need a program type: give --prog-type');
  }
  // Instruction-set runs (no program type) are never verified: --no-verify changes nothing here.
  for (const [flag, v] of [['--data', opts.data], ['--data-file', opts.dataFile], ['--ctx', opts.ctx], ['--ctx-file', opts.ctxFile]] as const) {
    if (v !== undefined) throw new UsageError(`${flag} needs a program type: give --prog-type (or run an ELF object)`);
  }
  const prog = readProgram(file);
  const mem = opts.mem !== undefined ? hexOption('--mem', opts.mem) : prog.mem;
  const vm = new Interpreter(prog.insns, { helpers: CONFORMANCE_HELPERS, budget: opts.budget, timeLimit: opts.timeLimit });
  if (opts.dumpMaps || opts.decode !== undefined) throw new UsageError('--dump-maps and --decode show the maps of a typed run: give --prog-type (or run an ELF object)');
  const tracer = opts.trace ? new Tracer(prog.insns, traceWriter(io, opts)) : undefined;
  vm.machine.engine = engineFor(opts.tier, opts.repeat ?? 1); // a --trace run (a step hook) stays in the interpreter
  const deadline = performance.now() + opts.timeLimit;
  let last = vm.run({ mem, hook: tracer?.hook, deadline });
  tracer?.finish(last.r0 === null ? undefined : vm.regs);
  const repeat = opts.repeat ?? 1;
  for (let k = 1; k < repeat && last.violations.length === 0; k++) {
    if (performance.now() > deadline) {
      const message = `instruction 0: wall-clock limit of ${opts.timeLimit} ms reached after ${k} of ${repeat} repeats`;
      last = { r0: null, insns: 0, violations: [{ kind: 'budget', insn: 0, message }] };
      break;
    }
    last = vm.run({ mem, deadline });
  }
  if (opts.json) {
    io.out(JSON.stringify({ r0: last.r0 === null ? null : hex64(last.r0), insns: last.insns, tier: vm.machine.lastTier, violations: last.violations }) + '\n');
  } else {
    if (last.r0 !== null) io.out(`r0 = ${hex64(last.r0)} (${BigInt.asIntN(64, last.r0)})\n`);
    io.out(`${last.insns} instructions executed\n`);
    printViolations(io, last.violations);
  }
  return last.violations.length > 0 ? EXIT.REJECTED : EXIT.OK;
}

/** A run with a program type: an ELF program, or raw instructions given --prog-type. */
function runTyped(io: Io, file: string, isObject: boolean, opts: RunOptions): number {
  if (opts.mem !== undefined) throw new UsageError('--mem is for instruction-set runs; typed programs take --data and --ctx');
  const data = bytesOption('data', opts.data, opts.dataFile);
  const ctx = bytesOption('ctx', opts.ctx, opts.ctxFile);
  let nullInject: NullInjectMode;
  try {
    nullInject = parseNullInject(opts.nullInject);
  } catch (e) {
    const m = (e as Error).message;
    throw new UsageError(m.startsWith('--null-inject') ? m : `--null-inject: ${m}`);
  }
  if (opts.strict && !opts.checkStates) throw new UsageError('--strict makes state escapes violations: give --check-states');
  if (opts.checkStates && !opts.verify) throw new UsageError('--check-states checks the verifier\'s states: it cannot run with --no-verify');
  if (opts.checkStates && opts.event !== undefined) throw new UsageError('--check-states checks test runs (--data, --ctx), not --event');
  if (opts.kernelModel !== undefined && opts.event === undefined) throw new UsageError('--kernel-model is the state an --event runs against: give --event too');
  if (opts.event !== undefined && (data !== undefined || ctx !== undefined || opts.repeat !== undefined)) {
    throw new UsageError('--event builds the context itself: it takes no --data, --ctx or --repeat');
  }
  const files = opts.event === undefined ? undefined : readEventFiles(opts.event, opts.kernelModel);
  const load = {
    budget: opts.budget, timeLimit: opts.timeLimit, memoryLimit: opts.memoryLimit, outputLimit: opts.outputLimit, caps: capsOption(opts.caps), sleepable: opts.sleepable, nullInject, verify: opts.verify,
    ...(progTypeOption('--target-prog-type', opts.targetProgType) !== undefined && { extTarget: opts.targetProgType }),
    ...(opts.kernelBtf !== undefined && { kernelBtf: readKernelBtf(opts.kernelBtf) }),
    ...(files !== undefined && eventLoadOptions(files)),
  };
  let prog: Program;
  let mapsOf: { maps: readonly BpfMap[]; btf?: Btf; specs: readonly MapSpec[] } = { maps: [], specs: [] };
  if (opts.decode !== undefined && !isObject) throw new UsageError('--decode needs the BTF of an ELF object (.o)');
  if (isObject) {
    if (opts.progType !== undefined) throw new UsageError('--prog-type is for raw programs; an ELF program has its section\'s type');
    const bytes = readInput(file);
    try {
      if (opts.kfuncs !== undefined) throw new UsageError('--kfuncs is for raw programs; an ELF object names its kfuncs');
      if (opts.expectedAttachType !== undefined) throw new UsageError('--expected-attach-type is for raw programs; an ELF program has its section\'s');
      const col = loadObject(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), load);
      const spec = selectProgram(col.object, opts.program);
      prog = col.program(spec.name);
      mapsOf = { maps: [...col.maps.values()], ...(col.object.btf !== undefined && { btf: col.object.btf }), specs: [...col.maps].flatMap(([n, bm]) => col.object.maps.filter((x) => x.name === n).map((x) => ({ ...x, name: bm.name }))) };
      if (opts.decode !== undefined) typeByName(col.object.btf, opts.decode);
      if (files !== undefined) {
        fillEventMaps(files, (name) => col.map(name));
        openPerfBuffers(col.maps.values());
      } else if (opts.dumpMaps || opts.decode !== undefined) {
        // perf buffers opened as libbpf's perf_buffer__new opens them, so the records can be shown
        openPerfBuffers(col.maps.values());
      }
    } catch (e) {
      if (e instanceof LoadError) e.locate({ file: basename(file) });
      throw e;
    }
  } else {
    if (opts.program !== undefined) throw new UsageError('--program selects a program of an ELF object (.o)');
    const kfuncNames = opts.kfuncs?.split(',').map((n) => n.trim()).filter((n) => n !== '');
    const attach = attachTypeOf(opts.expectedAttachType);
    prog = loadProgram(readProgram(file).insns, opts.progType!, { ...load, kfuncNames, ...(attach !== undefined && { expectedAttachType: attach }) });
  }
  const tracer = opts.trace ? new Tracer(prog.insns, traceWriter(io, opts)) : undefined;
  prog.machine.traceHook = tracer?.hook ?? null;
  let result: ProgramRunResult;
  try {
    if (files !== undefined) return printTrigger(io, prog.trigger(files.event), opts.json ?? false);
    result = prog.run({ data, ctx, repeat: opts.repeat, checkStates: opts.checkStates, tier: opts.tier });
    tracer?.finish(result.r0 === null ? undefined : prog.machine.regs);
  } catch (e) {
    if (e instanceof TestRunError) throw new BpfError('run', `the test run was refused: ${e.message}`);
    if (e instanceof VerifierError) {
      // Rejected at load, as BPF_PROG_LOAD would: the log's summary on stderr, the verdict in JSON.
      io.err(`bpfvm: the verifier rejected the program (errno ${e.result.errno}): ${e.result.message}\n`);
      if (opts.json) io.out(JSON.stringify({ error: { kind: 'verifier', errno: e.result.errno, message: e.result.message } }) + '\n');
      return EXIT.REJECTED;
    }
    throw e;
  }
  const escapes = result.escapes ?? [];
  if (opts.strict && escapes.length > 0 && result.violations.length === 0) {
    const e = escapes[0]!;
    result = { ...result, violations: [{ kind: 'verifier-unsound', insn: e.insn, message: `instruction ${e.insn}: ${e.register} = ${e.value} is outside the verifier's state ${e.state}` }] };
  }
  const after = afterRun(mapsOf, opts);
  // the run result as it is (its documented field order), then what the maps hold after it
  const json = { ...runResultJson(result), ...after.json };
  if (opts.json) {
    io.out(JSON.stringify(json) + '\n');
  } else {
    for (const line of result.output) io.out(`trace_printk: ${line}\n`);
    if (result.outputDropped !== undefined) io.out(`trace_printk: ${result.outputDropped} more lines dropped (--output-limit)\n`);
    const name = result.retvalName;
    if (result.retval !== null) io.out(`retval = ${result.retval}${name !== undefined ? ` (${name})` : ''}, r0 = ${hex64(result.r0!)}\n`);
    if (result.dataOut.length > 0) io.out(`data out: ${toHex(result.dataOut)}\n`);
    for (const line of after.text) io.out(line + '\n');
    io.out(`${result.insns} instructions executed, duration ${result.duration} ns (simulated${(opts.repeat ?? 1) > 1 ? ', per run' : ''})\n`);
    if (opts.checkStates) {
      io.out(`state check: ${escapes.length} escape${escapes.length === 1 ? '' : 's'}\n`);
      for (const e of escapes) io.err(`escape [verifier-unsound]: insn ${e.insn}: ${e.register} = ${e.value} outside ${e.state}\n`);
    }
    printViolations(io, result.violations);
  }
  return result.violations.length > 0 ? EXIT.REJECTED : EXIT.OK;
}

function printViolations(io: Io, vs: readonly Violation[]): void {
  for (const v of vs) io.err(`violation [${v.kind}]: ${v.message}\n`);
}

/** `--trace` lines: on stdout, or on stderr when stdout carries the one JSON line. */
function traceWriter(io: Io, opts: RunOptions): (line: string) => void {
  return opts.json ? (line) => io.err(line + '\n') : (line) => io.out(line + '\n');
}

/**
 * What a run left behind: ring-buffer and perf records (decoded with --decode), and with --dump-maps
 * every map's entries (decoded by the map's BTF key and value types where the object has them).
 */
function afterRun(m: { maps: readonly BpfMap[]; btf?: Btf; specs: readonly MapSpec[] }, opts: RunOptions): { json: Record<string, unknown>; text: string[] } {
  const json: Record<string, unknown> = {};
  const text: string[] = [];
  const decodeId = opts.decode !== undefined ? typeByName(m.btf, opts.decode) : undefined;
  const record = (b: Uint8Array): CValue => (decodeId !== undefined && m.btf !== undefined ? decodeValue(m.btf, decodeId, b) : toHex(b));
  const show = (v: CValue): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const ringbuf = Object.fromEntries(Object.entries(consumeRingbufs(m.maps)).filter(([, r]) => r.length > 0).map(([n, r]) => [n, r.map(record)]));
  if (Object.keys(ringbuf).length > 0) {
    json.ringbuf = ringbuf;
    for (const [n, recs] of Object.entries(ringbuf)) for (const r of recs) text.push(`ringbuf ${n}: ${show(r)}`);
  }
  const perf = Object.fromEntries(Object.entries(drainPerfArrays(m.maps)).filter(([, r]) => r.length > 0)
    .map(([n, r]) => [n, r.map((x) => ({ cpu: x.cpu, data: record(x.data) }))]));
  if (Object.keys(perf).length > 0) {
    json.perf = perf;
    for (const [n, recs] of Object.entries(perf)) for (const r of recs) text.push(`perf ${n} cpu ${r.cpu}: ${show(r.data)}`);
  }
  if (opts.dumpMaps) {
    const maps: Record<string, { key: CValue; value: CValue }[]> = {};
    for (const [name, entries] of Object.entries(mapContents(m.maps))) {
      const spec = m.specs.find((s) => s.name === name);
      const as = (id: number | undefined, b: Uint8Array): CValue => (id !== undefined && id !== 0 && m.btf !== undefined ? decodeValue(m.btf, id, b) : toHex(b));
      maps[name] = entries.map((e) => ({ key: as(spec?.btfKeyType, e.key), value: as(spec?.btfValueType, e.value) }));
      text.push(`map ${name}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
      for (const e of maps[name]!) text.push(`  ${show(e.key)} => ${show(e.value)}`);
    }
    json.maps = maps;
  }
  return { json, text };
}
