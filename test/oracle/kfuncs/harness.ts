/**
 * Runs a program on the interpreter with a kfunc runtime: kfunc names in the text (`call kfunc NAME`)
 * become their BTF ids; the result carries r0, the run's violations (a stop, or the leaks at exit) and
 * the runtime for inspection.
 */
import { assemble } from '../../../src/asm/index.js';
import type { Insn } from '../../../src/isa/insn.js';
import { Op } from '../../../src/isa/opcodes.js';
import type { ProgTypeName } from '../../../src/object/bpf-enums.js';
import type { Capability } from '../../../src/platform/caps.js';
import type { Violation } from '../../../src/violations.js';
import { PERM_RW } from '../../../vm/address-space.js';
import { Kernel } from '../../../kernel-sim/kernel.js';
import { createKfuncRuntime, defaultRegistry, type KfuncRegistry, type KfuncRuntime, type NullInjectMode } from '../../../kernel-sim/kfuncs/index.js';
import { Image } from '../../../vm/image.js';
import { Machine } from '../../../vm/machine.js';

export interface RunOptions {
  progType?: ProgTypeName;
  sleepable?: boolean;
  nullInject?: NullInjectMode;
  caps?: Capability[];
  registry?: KfuncRegistry;
  kernel?: Kernel;
  /** Bytes of the program context (r1 points to it, a 'ctx' region); none by default. */
  ctx?: Uint8Array;
  /** r1..r5 computed once the runtime exists (after ctx, which sets r1). */
  args?: (rt: KfuncRuntime, kernel: Kernel) => bigint[];
  /** Before the run (ExecContext changes, objects…). */
  setup?: (rt: KfuncRuntime, kernel: Kernel) => void;
}

export interface Outcome {
  r0: bigint | null;
  violations: Violation[];
  rt: KfuncRuntime;
  kernel: Kernel;
}

/** Assemble pseudo-C text, replacing `call kfunc NAME` by the kfunc's BTF id. */
export function asm(text: string, registry: KfuncRegistry = defaultRegistry()): Insn[] {
  return assemble(text.replace(/call kfunc ([A-Za-z_]\w*)/g, (_, name: string) => {
    const id = registry.idOf(name);
    if (id === undefined) throw new Error(`no kfunc ${name}`);
    return `call kfunc ${id}`;
  }));
}

/** Raw programs of the oracle manifests: kfunc call i gets the id of names[i]. */
export function fixKfuncs(insns: readonly Insn[], names: readonly string[], registry: KfuncRegistry = defaultRegistry()): Insn[] {
  return insns.map((x) => {
    if (x.code !== Op.CALL_KFUNC) return x;
    const id = registry.idOf(names[x.imm]!);
    if (id === undefined) throw new Error(`no kfunc ${names[x.imm]}`);
    return { ...x, imm: id };
  });
}

export function run(program: string | readonly Insn[], opts: RunOptions = {}): Outcome {
  const registry = opts.registry ?? defaultRegistry();
  const insns = typeof program === 'string' ? asm(program, registry) : program;
  const kernel = opts.kernel ?? new Kernel(opts.caps === undefined ? {} : { caps: opts.caps });
  const rt = createKfuncRuntime(kernel, {
    progType: opts.progType ?? 'SCHED_CLS', sleepable: opts.sleepable, nullInject: opts.nullInject, registry,
  });
  const m = new Machine({ space: kernel.space, kfuncs: rt.kfuncs, helpers: rt.helpers });
  const args: bigint[] = [];
  if (opts.ctx !== undefined) args.push(kernel.space.map('ctx', opts.ctx, PERM_RW, 'context').base);
  opts.setup?.(rt, kernel);
  if (opts.args !== undefined) args.splice(0, args.length, ...opts.args(rt, kernel));
  const res = m.run(new Image(insns), { args });
  // After an exit the machine's pc is that exit instruction.
  const leaks = rt.finish(res.r0 === null ? null : m.pc);
  return { r0: res.r0, violations: [...res.violations, ...leaks], rt, kernel };
}
