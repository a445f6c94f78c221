/**
 * bpfvm's library API. The core imports nothing Node-specific: it runs in a browser too. File access
 * lives in the CLI (`src/cli/`).
 */
export * from './errors.js';
export type { Violation, ViolationKind } from './violations.js';
export { VIOLATION_KINDS } from './violations.js';
export * from './isa/index.js';
export * from './asm/index.js';
/** The instruction builder DSL: `dsl.program(dsl.Mov.imm(dsl.R0, 0), dsl.Exit())`. */
export * as dsl from './asm/dsl.js';
export { parseDataFile, parseHexBytes, type DataFile } from './conformance/data-file.js';
export { runConformance, CONFORMANCE_HELPERS, type ConformanceOutcome } from './conformance/runner.js';
export {
  Interpreter, Machine, Image, codeAddress, HelperFault, MAX_CALL_FRAMES, MAX_TAIL_CALLS, STACK_SIZE, DEFAULT_BUDGET,
  type HelperFn, type HelperContext, type RunInput, type RunResult, type StepHook, type MachineOptions,
} from '../vm/interpreter.js';
export { AddressSpace, Region, MemoryFault, PERM_R, PERM_W, PERM_RW } from '../vm/address-space.js';
export { parseCaps, ALL_CAPS, type Capability } from './platform/caps.js';
export { TestRunError, ProgTypeError, CtxRulesMissingError } from '../kernel-sim/progtypes/errors.js';
export { MapError } from '../kernel-sim/maps/error.js';
export { loadObject, loadProgram, kernelModelOf, Collection, Program, type LoadOptions, type RawLoadOptions, type RunOptions, type ProgramRunResult, type TypedMap } from './api/collection.js';
export type { HostScalar } from '../kernel-sim/maps/index.js';
export type { TriggerOptions, TriggerResult } from './api/trigger.js';
export { KernelModel, type ModelValue, type ModelRef } from '../kernel-sim/model/model.js';
export { applyModelSpec, type KernelModelSpec, type ModelObjectSpec } from '../kernel-sim/model/model-spec.js';
export type { EventValue, InlineObject, TriggerEvent } from '../kernel-sim/model/event-context.js';
export { ModelError } from '../kernel-sim/model/errors.js';
export { UserMemory } from '../kernel-sim/model/user-memory.js';
export { Kernel, type KernelOptions } from '../kernel-sim/kernel.js';
export { KfuncRegistry, defineKfunc, kfuncSet, idFlags, defaultRegistry, listKfuncs } from '../kernel-sim/kfuncs/index.js';
export type { BpfMap } from '../kernel-sim/maps/index.js';
// Program BTF for loadProgram's btf / funcInfo (callbacks and global functions need func_info).
export { Btf, BtfBuilder, btfFromSections, parseBtf } from './btf/index.js';
