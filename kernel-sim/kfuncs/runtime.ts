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
import type { KernelWorld } from '../objects/world.js';
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

/** The kfuncs by BTF id, made on the first lookup (which reads the kernel's BTF). */
class LazyKfuncs extends Map<number, HelperFn> {
  private made = false;
  constructor(private readonly make: () => Iterable<[number, HelperFn]>) {
    super();
  }
  private fill(): void {
    if (this.made) return;
    this.made = true;
    for (const [id, fn] of this.make()) super.set(id, fn);
  }
  override get(id: number): HelperFn | undefined {
    this.fill();
    return super.get(id);
  }
  override has(id: number): boolean {
    this.fill();
    return super.has(id);
  }
  override get size(): number {
    this.fill();
    return super.size;
  }
  override entries(): MapIterator<[number, HelperFn]> {
    this.fill();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[number, HelperFn]> {
    return this.entries();
  }
}

export function createKfuncRuntime(kernel: Kernel, opts: KfuncRuntimeOptions): KfuncRuntime {
  const registry = opts.registry ?? defaultRegistry();
  // bpf_get_current_task of this kernel makes the world of this registry's types when none exists yet
  kernel.taskTypes = () => registry.types;
  // The world (and so the kernel's BTF) is made when a kfunc, a kptr or a kernel object is first used:
  // a program that touches none never reads the BTF.
  let world: KernelWorld | undefined;
  let refs: RefTracker | undefined;
  const s: RunState = {
    kernel, registry, progType: opts.progType,
    get world() { return (world ??= kernel.world(registry.types)); },
    get refs() { return (refs ??= new RefTracker(s.world.heap)); },
    exec: new ExecContext(opts.sleepable ?? false, kernel.caps),
    injector: new NullInjector(opts.nullInject ?? 'off'),
    constants: new Map(),
    transient: [],
  };
  const kfuncs = new LazyKfuncs(() => {
    const btf = registry.btf;
    const out: [number, HelperFn][] = [];
    for (const k of registry.list()) out.push([k.btfId, makeKfunc(registry.byId(k.btfId)!.def, planKfunc(btf.btf, k.btfId), s)]);
    return out;
  });
  return {
    kfuncs,
    helpers: new Map([[BPF_FUNC_kptr_xchg, kptrXchg(s)]]),
    registry, get world() { return s.world; }, exec: s.exec, get refs() { return s.refs; },
    argument(obj, type) {
      const w = s.world.heap.window(obj, 'argument', { type });
      s.transient.push(w);
      return w.region.base;
    },
    finish(exitInsn) {
      if (refs === undefined && s.transient.length === 0) return []; // nothing was ever acquired
      const leaks = exitInsn === null ? [] : s.refs.leaks(exitInsn);
      s.refs.dropAll();
      for (const w of s.transient.splice(0)) {
        if (w.object.windows.has(w)) s.world.heap.retire(w, 'use-after-free', 'belonged to a run that ended');
      }
      return leaks;
    },
  };
}
