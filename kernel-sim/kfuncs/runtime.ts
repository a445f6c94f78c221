/**
 * A run's kfunc runtime: every registered kfunc as a HelperFn by BTF id (those not registered for the
 * program type fault as `kfunc-not-allowed` when called), bpf_kptr_xchg, the execution context, the
 * references held, and `finish` to report leaks at exit and drop what the run still holds.
 */
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { Violation } from '../../src/violations.js';
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import type { KernelObject } from '../objects/heap.js';
import { RefTracker } from '../objects/refs.js';
import { kernelWorld, type KernelWorld } from '../objects/world.js';
import { defaultRegistry } from './catalogue/index.js';
import { makeKfunc, type RunState } from './dispatch.js';
import { ExecContext } from './exec-context.js';
import { kptrXchg, BPF_FUNC_kptr_xchg } from './kptr-xchg.js';
import { NullInjector, type NullInjectMode } from './null-inject.js';
import { planKfunc } from './plan.js';
import type { KfuncRegistry } from './registry.js';

export interface KfuncRuntimeOptions {
  progType: ProgTypeName;
  /** Loaded with BPF_F_SLEEPABLE (false by default). */
  sleepable?: boolean;
  nullInject?: NullInjectMode;
  /** The registry (the shared Linux 6.1 catalogue by default). */
  registry?: KfuncRegistry;
}

export interface KfuncRuntime {
  /** For MachineOptions.kfuncs. */
  readonly kfuncs: Map<number, HelperFn>;
  /** Helpers this runtime implements (bpf_kptr_xchg), by helper id. */
  readonly helpers: Map<number, HelperFn>;
  readonly registry: KfuncRegistry;
  readonly world: KernelWorld;
  readonly exec: ExecContext;
  readonly refs: RefTracker;
  /** A trusted callback argument (tracepoint / struct_ops): its address, valid for this run. */
  argument(obj: KernelObject, type?: string): bigint;
  /**
   * End of the run. At an exit (its instruction index) every reference still held is a
   * `reference-leak`; after a stop (null) nothing is reported. Either way the references and the run's
   * windows are dropped.
   */
  finish(exitInsn: number | null): Violation[];
}

export function createKfuncRuntime(kernel: Kernel, opts: KfuncRuntimeOptions): KfuncRuntime {
  const registry = opts.registry ?? defaultRegistry();
  const world = kernelWorld(kernel, registry.types);
  const s: RunState = {
    kernel, world, registry, progType: opts.progType,
    exec: new ExecContext(opts.sleepable ?? false, kernel.caps),
    refs: new RefTracker(world.heap),
    injector: new NullInjector(opts.nullInject ?? 'off'),
    constants: new Map(),
    transient: [],
  };
  const btf = registry.btf;
  const kfuncs = new Map<number, HelperFn>();
  for (const k of registry.list()) {
    const def = registry.byId(k.btfId)!.def;
    kfuncs.set(k.btfId, makeKfunc(def, planKfunc(btf.btf, k.btfId), s));
  }
  return {
    kfuncs,
    helpers: new Map([[BPF_FUNC_kptr_xchg, kptrXchg(s)]]),
    registry, world, exec: s.exec, refs: s.refs,
    argument(obj, type) {
      const w = world.heap.window(obj, 'argument', { type });
      s.transient.push(w);
      return w.region.base;
    },
    finish(exitInsn) {
      const leaks = exitInsn === null ? [] : s.refs.leaks(exitInsn);
      s.refs.dropAll();
      for (const w of s.transient.splice(0)) {
        if (w.object.windows.has(w)) world.heap.retire(w, 'use-after-free', 'belonged to a run that ended');
      }
      return leaks;
    },
  };
}
