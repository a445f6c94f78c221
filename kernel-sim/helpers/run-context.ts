/**
 * What the helpers of one run share with the rest of that run's simulated kernel (the kfunc runtime's
 * execution context), found through the machine running it: the HelperContext a helper receives is the
 * Machine, so a loader binds the run's state to its machine once and helpers look it up. Nothing here is
 * visible to the verifier.
 */
import type { HelperContext } from '../../vm/machine.js';

/** The atomic sections a helper enters and leaves (kfuncs' ExecContext implements it). */
export interface AtomicSections {
  spinLock(): void;
  spinUnlock(): void;
}

export interface RunBindings {
  exec?: AtomicSections;
  /** The cgroup run context's retval (bpf_get_retval / bpf_set_retval) of a cgroup program's run. */
  cgroupRetval?: { get(): number; set(v: number): void };
}

const bindings = new WeakMap<object, RunBindings>();

/** Bind a run's state to the machine (HelperContext) that runs it. */
export function bindRun(machine: HelperContext, b: RunBindings): void {
  bindings.set(machine, { ...bindings.get(machine), ...b });
}

/** The run state bound to this helper context, if a loader bound any. */
export function runBindings(ctx: HelperContext): RunBindings | undefined {
  return bindings.get(ctx);
}
