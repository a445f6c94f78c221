/**
 * One registered kfunc as a HelperFn that enforces the kfunc document at run time, in the order the
 * verifier checks: registered for the program type, KF_DESTRUCTIVE's capability, KF_SLEEPABLE's
 * context, the arguments (with KF_TRUSTED_ARGS and KF_RELEASE), then KF_RET_NULL's null injection, the
 * implementation, and KF_ACQUIRE's new reference.
 */
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { KfuncFlag } from '../../src/platform/types.js';
import { HelperFault, type HelperContext, type HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { KernelObject, type ObjectWindow } from '../objects/heap.js';
import type { RefTracker, Reference } from '../objects/refs.js';
import type { KernelWorld } from '../objects/world.js';
import { checkArgs } from './args.js';
import type { ExecContext } from './exec-context.js';
import type { NullInjector } from './null-inject.js';
import type { KfuncPlan } from './plan.js';
import type { KfuncRegistry } from './registry.js';
import type { KfuncArg, KfuncCall, KfuncDef, KfuncResult } from './types.js';

/** What every kfunc of one run shares. */
export interface RunState {
  kernel: Kernel;
  world: KernelWorld;
  registry: KfuncRegistry;
  progType: ProgTypeName;
  exec: ExecContext;
  refs: RefTracker;
  injector: NullInjector;
  constants: Map<string, bigint>;
  /** Windows made for this run only (returned memory, callback arguments): retired at its end. */
  transient: ObjectWindow[];
}

export function makeKfunc(def: KfuncDef, plan: KfuncPlan, s: RunState): HelperFn {
  const registered = s.registry.flagsFor(def.name, s.progType);
  return (ctx, r1, r2, r3, r4, r5) => {
    if (registered === undefined) {
      throw new HelperFault('kfunc-not-allowed', `calling kernel function ${def.name} is not allowed: it is not registered for ${s.progType} programs`);
    }
    const f = new Set<KfuncFlag>(registered);
    if (f.has('KF_DESTRUCTIVE') && !s.exec.caps.has('CAP_SYS_BOOT')) {
      throw new HelperFault('missing-capability', `destructive kfunc calls require CAP_SYS_BOOT capability (${def.name})`);
    }
    if (f.has('KF_SLEEPABLE')) {
      const why = s.exec.whyAtomic();
      if (why !== null) throw new HelperFault('sleep-in-atomic', `${def.name} may sleep, but ${why}`);
    }
    const release = f.has('KF_RELEASE');
    const args = checkArgs({
      name: def.name, plan, btf: s.registry.btf.btf, heap: s.world.heap, kptrs: s.world.kptrs, kptrGet: f.has('KF_KPTR_GET'),
      release, strict: f.has('KF_TRUSTED_ARGS') || release, pc: ctx.pc, constants: s.constants,
    }, [r1, r2, r3, r4, r5]);
    const released = release ? releasedRef(def.name, args, s) : null;
    if (f.has('KF_TRUSTED_ARGS')) checkTrusted(def.name, args, s.refs);
    const call = makeCall(def.name, s, ctx, args);
    if (f.has('KF_RET_NULL') && s.injector.inject()) {
      if (released !== null) {
        s.refs.end(released, `was released by ${def.name} (which then failed: NULL injected)`);
        def.onInjectedNull!(call);
      }
      return 0n;
    }
    const result = def.impl(call);
    if (released !== null) s.refs.end(released, `was released by ${def.name}`);
    return toR0(def.name, result, f.has('KF_ACQUIRE'), plan, s, ctx.pc);
  };
}

/** The one referenced argument a KF_RELEASE kfunc releases. */
function releasedRef(name: string, args: readonly KfuncArg[], s: RunState): Reference {
  const pointers = args.filter((a) => a.kind !== 'scalar');
  for (const a of pointers) {
    const w = a.kind === 'object' ? a.window : s.world.heap.windowAt(a.value)?.window;
    const ref = w === undefined ? undefined : s.refs.lookup(w);
    if (ref === undefined) continue;
    const offset = Number(a.value & 0xffffffffn);
    if (offset !== 0) throw new HelperFault('release-unacquired', `${name}: the reference must have zero offset when passed to a release function (offset ${offset})`);
    return ref;
  }
  const first = pointers[0];
  const what = first === undefined ? 'no pointer' : describe(first);
  throw new HelperFault('release-unacquired', `${name} releases a reference, but it was passed ${what}, which was never acquired`);
}

/** KF_TRUSTED_ARGS, as the kfunc document defines valid pointers. */
function checkTrusted(name: string, args: readonly KfuncArg[], refs: RefTracker): void {
  args.forEach((a, i) => {
    if (a.kind !== 'object') return;
    const R = `R${i + 1}`;
    if (a.offset !== 0) {
      throw new HelperFault('untrusted-argument', `${name} takes trusted arguments: ${R} points ${a.offset} bytes into struct ${a.window.type}, not to its start`);
    }
    const w = a.window;
    if (w.role === 'argument' || (w.role === 'reference' && refs.lookup(w) !== undefined)) return;
    throw new HelperFault('untrusted-argument',
      `${name} takes trusted arguments: ${R} (struct ${w.type}) was obtained by walking a pointer or loading it from a map, not from a KF_ACQUIRE / KF_KPTR_GET kfunc or as a callback argument`);
  });
}

function describe(a: KfuncArg): string {
  switch (a.kind) {
    case 'object': return `a ${a.window.role} pointer to struct ${a.window.type}`;
    case 'mem': return 'a pointer to memory';
    case 'ctx': return 'the program context';
    case 'kptr': return 'a kptr slot';
    default: return 'a scalar';
  }
}

function makeCall(name: string, s: RunState, ctx: HelperContext, args: readonly KfuncArg[]): KfuncCall {
  const pick = <K extends KfuncArg['kind']>(i: number, kind: K): Extract<KfuncArg, { kind: K }> => {
    const a = args[i];
    if (a?.kind !== kind) throw new Error(`kfunc ${name}: argument ${i} is ${a?.kind ?? 'missing'}, not ${kind}`);
    return a as Extract<KfuncArg, { kind: K }>;
  };
  return {
    name, kernel: s.kernel, world: s.world, exec: s.exec, ctx, args,
    scalar: (i) => pick(i, 'scalar').value,
    object: (i) => pick(i, 'object').window.object,
    mem: (i) => pick(i, 'mem').bytes,
  };
}

function toR0(name: string, r: KfuncResult, acquire: boolean, plan: KfuncPlan, s: RunState, pc: number): bigint {
  if (r === undefined || r === null) return 0n;
  if (typeof r === 'bigint' || typeof r === 'number') {
    // x86-64 returns a 32-bit result in eax: r0's upper half is zero.
    return BigInt.asUintN(plan.ret.kind === 'scalar' && plan.ret.size <= 4 ? 32 : 64, BigInt(r));
  }
  const heap = s.world.heap;
  let w: ObjectWindow;
  if (r instanceof KernelObject || 'object' in r) {
    const obj = r instanceof KernelObject ? r : r.object;
    const type = r instanceof KernelObject ? plan.ret.kind === 'pointer' ? plan.ret.struct ?? obj.type : obj.type : r.type;
    if (!acquire) return obj.home.region.base;
    w = heap.window(obj, 'reference', { type });
  } else {
    w = heap.window(r.memory, 'memory', { size: r.size, readonly: r.readonly });
    if (!acquire) s.transient.push(w);
  }
  if (acquire) s.refs.acquire(w, pc, name);
  return w.region.base;
}
