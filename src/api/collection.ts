/**
 * The library API for real programs, shaped like cilium/ebpf and libbpf: `loadObject(bytes)` creates an
 * object's maps in a simulated kernel, links its programs against them, and returns a Collection whose
 * programs run as BPF_PROG_TEST_RUN would run them. Node-free: file access lives in `src/node.ts`.
 */
import { LoadError } from '../errors.js';
import { Pseudo } from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import { parseObject, type MapSpec, type ObjectFile, type ProgramSpec } from '../object/index.js';
import type { ProgTypeName } from '../object/bpf-enums.js';
import type { Violation } from '../violations.js';
import { Kernel, type KernelOptions } from '../../kernel-sim/kernel.js';
import { createMap, MapError, type BpfMap, type SimulatedMapType } from '../../kernel-sim/maps/index.js';
import { helperTable } from '../../kernel-sim/helpers/index.js';
import { parseProgType, testRun, TestRunError } from '../../kernel-sim/progtypes/index.js';
import { Image, codeAddress } from '../../vm/image.js';
import { Machine } from '../../vm/machine.js';

export interface LoadOptions extends KernelOptions {
  /** Load into this kernel (shared maps, address space) instead of a new one. */
  kernel?: Kernel;
  /** Instruction budget of each run (1,000,000 by default). */
  budget?: number;
}

export interface RunOptions {
  /** The packet, for packet program types. */
  data?: Uint8Array;
  /** The context input (ctx_in). */
  ctx?: Uint8Array;
  /** Runs (BPF_PROG_TEST_RUN's repeat); results are those of the last. */
  repeat?: number;
  flags?: number;
  budget?: number;
}

export interface ProgramRunResult {
  /** As BPF_PROG_TEST_RUN reports it (u32), or null when a violation stopped the run. */
  retval: number | null;
  r0: bigint | null;
  dataOut: Uint8Array;
  ctxOut?: Uint8Array;
  /** Simulated nanoseconds per run. */
  duration: number;
  /** Instructions executed by the last run. */
  insns: number;
  /** trace_printk output of the run. */
  output: string[];
  violations: Violation[];
}

/** A program ready to run: its instructions linked against the collection's maps. */
export class Program {
  readonly image: Image;
  readonly machine: Machine;

  constructor(
    readonly kernel: Kernel,
    readonly name: string,
    readonly type: ProgTypeName,
    readonly insns: readonly Insn[],
    readonly spec: ProgramSpec | undefined,
    resolve: (insn: Insn, index: number) => bigint,
    budget: number | undefined,
    /** Maps whose freed values are reclaimed after each run (the end of the RCU grace period). */
    private readonly maps: readonly BpfMap[] = [],
  ) {
    this.image = new Image(insns, { name, resolvePseudo: resolve });
    this.machine = new Machine({ space: kernel.space, helpers: helperTable(kernel, type), budget });
  }

  /** The section-style type name test runs use to pick attach semantics (`fexit/…` → fexit). */
  private get runType(): string {
    return this.spec?.section ?? this.type;
  }

  run(opts: RunOptions = {}): ProgramRunResult {
    const before = this.kernel.trace.length;
    const r = testRun(this.kernel, this.machine, this.image, this.runType, {
      data: opts.data, ctx: opts.ctx, repeat: opts.repeat, flags: opts.flags,
    });
    for (const m of this.maps) m.reclaim();
    return {
      retval: r.retval, r0: r.r0, dataOut: r.dataOut ?? new Uint8Array(0), ctxOut: r.ctxOut, duration: r.duration,
      insns: r.insns, output: this.kernel.trace.slice(before), violations: r.violations,
    };
  }
}

export class Collection {
  readonly maps = new Map<string, BpfMap>();
  readonly programs = new Map<string, Program>();

  constructor(readonly kernel: Kernel, readonly object: ObjectFile) {}

  program(name: string): Program {
    const p = this.programs.get(name) ?? [...this.programs.values()].find((x) => x.spec?.section === name);
    if (p === undefined) throw new LoadError(`no program '${name}' (programs: ${[...this.programs.keys()].join(', ')})`);
    return p;
  }

  map(name: string): BpfMap {
    const m = this.maps.get(name);
    if (m === undefined) throw new LoadError(`no map '${name}' (maps: ${[...this.maps.keys()].join(', ')})`);
    return m;
  }
}

/** The map name the kernel accepts (15 characters of [A-Za-z0-9_.]), as libbpf sanitises it. */
function kernelMapName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15);
}

function mapTypeName(spec: MapSpec): SimulatedMapType {
  return spec.type.name.replace(/^BPF_MAP_TYPE_/, '').toLowerCase() as SimulatedMapType;
}

function createFromSpec(kernel: Kernel, spec: MapSpec): BpfMap {
  try {
    const inner = spec.inner !== undefined ? createFromSpec(kernel, { ...spec.inner, name: `${spec.name}.inner` }) : undefined;
    const map = createMap(kernel.maps, {
      type: mapTypeName(spec), name: kernelMapName(spec.name), keySize: spec.keySize, valueSize: spec.valueSize,
      maxEntries: spec.maxEntries, flags: spec.flags, innerMap: inner,
      ...(spec.mapExtra !== undefined ? { mapExtra: Number(spec.mapExtra) } : {}),
    });
    if (spec.initialData !== undefined && spec.initialData.length > 0) {
      const err = map.updateSys(new Uint8Array(4), spec.initialData);
      if (err < 0) throw new LoadError(`cannot write the initial contents (errno ${-err})`, { section: spec.section, symbol: spec.name });
    }
    return map;
  } catch (e) {
    if (e instanceof MapError) throw new LoadError(e.message, { section: spec.section, symbol: spec.name });
    throw e;
  }
}

/**
 * The value of an lddw with a pseudo source, once maps exist: a map's object address (MAP_FD/MAP_IDX),
 * the address of its value plus an offset (MAP_VALUE/MAP_IDX_VALUE), a function's code address (FUNC).
 */
function pseudoResolver(maps: readonly BpfMap[], insns: readonly Insn[]): (insn: Insn, index: number) => bigint {
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
      default:
        throw new LoadError(`lddw pseudo source ${insn.src} (BTF id) needs the kernel-object support`, { insn: index });
    }
  };
}

/** Parse an ELF object, create its maps and prepare its programs. */
export function loadObject(bytes: Uint8Array, opts: LoadOptions = {}): Collection {
  const object = parseObject(bytes);
  const kernel = opts.kernel ?? new Kernel(opts);
  const col = new Collection(kernel, object);
  const created: BpfMap[] = [];
  for (const spec of object.maps) {
    const m = createFromSpec(kernel, spec);
    created.push(m);
    col.maps.set(spec.name, m);
  }
  for (const spec of object.programs) {
    if (spec.type.name === 'BPF_PROG_TYPE_UNSPEC') continue; // a section libbpf would not load
    const extern = spec.externs.find((e) => e.kind !== 'kconfig');
    if (extern !== undefined) {
      throw new LoadError(`extern ${extern.kind} "${extern.name}" cannot be resolved yet`, { section: spec.section, symbol: spec.name, insn: extern.insn });
    }
    const type = spec.type.name.replace(/^BPF_PROG_TYPE_/, '') as ProgTypeName;
    try {
      col.programs.set(spec.name, new Program(kernel, spec.name, type, spec.insns, spec, pseudoResolver(created, spec.insns), opts.budget, created));
    } catch (e) {
      if (e instanceof LoadError) e.locate({ section: spec.section, symbol: spec.name });
      throw e;
    }
  }
  return col;
}

/** A raw program (instructions without an object) of a given type, run in its own kernel. */
export function loadProgram(insns: readonly Insn[], progType: string, opts: LoadOptions = {}): Program {
  const kernel = opts.kernel ?? new Kernel(opts);
  const row = parseProgType(progType);
  return new Program(kernel, 'prog', row.name as ProgTypeName, insns, undefined, pseudoResolver([], insns), opts.budget);
}

export { TestRunError };
