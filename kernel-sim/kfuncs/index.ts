/** The simulated kernel's kfuncs: registration, the 6.1 catalogue, and the run-time enforcement. */
import { defaultRegistry } from './catalogue/index.js';
import type { KfuncInfo, KfuncRegistry } from './registry.js';

export { KfuncRegistry, KfuncDefinitionError, MAX_KFUNC_ARGS, type KfuncInfo } from './registry.js';
export { defineKfunc, kfuncSet } from './define.js';
export { idFlags, type KfuncArg, type KfuncCall, type KfuncDef, type KfuncImpl, type KfuncResult, type KfuncSet, type KfuncSetEntry, type MemoryResult } from './types.js';
export { createKfuncRuntime, type KfuncRuntime, type KfuncRuntimeOptions } from './runtime.js';
export { ExecContext } from './exec-context.js';
export { parseNullInject, type NullInjectMode } from './null-inject.js';
export { checkLivePointer } from './args.js';
export { BPF_FUNC_kptr_xchg } from './kptr-xchg.js';
export { HOOK_OF_PROG_TYPE, type KfuncHook } from './hooks.js';
export { defaultRegistry, linux61Registry, registerLinux61, registryForKernel } from './catalogue/index.js';

/** Every registered kfunc: name, BTF id, flags, program types (and its C prototype). */
export function listKfuncs(registry: KfuncRegistry = defaultRegistry()): KfuncInfo[] {
  return registry.list();
}
