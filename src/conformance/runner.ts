import { Interpreter, type HelperFn, type RunResult } from '../../vm/interpreter.js';
import { engineFor, type TierName } from '../../vm/wasm/select.js';
import { assemble } from '../asm/index.js';
import { BpfError } from '../errors.js';
import { parseDataFile, type DataFile } from './data-file.js';

/**
 * The conformance suite's environment: one helper, number 5 ("unwind"), which returns its r1 and, when
 * that is 0, ends the program at once with r0 = 0. `call %rN` (callx) reaches the same table.
 */
export const CONFORMANCE_HELPERS: ReadonlyMap<number, HelperFn> = new Map([
  [5, (ctx, r1) => {
    if (r1 === 0n) ctx.stop(0n);
    return r1;
  }],
]);

/** The result of one conformance test: passed, the expected r0, the run or the error. */
export interface ConformanceOutcome {
  name: string;
  passed: boolean;
  expected?: bigint;
  run?: RunResult;
  /** Why the file could not be assembled or run. */
  error?: BpfError;
  /** The tier that ran it: 'interp' or 'wasm'. */
  tier?: string;
}

/** Assemble and run one conformance test. Never verified: the suite tests the instruction set alone. */
export function runConformance(name: string, text: string, budget?: number, tier?: TierName): ConformanceOutcome {
  let df: DataFile;
  try {
    df = parseDataFile(text, name);
    const insns = assemble(df.asm, { firstLine: df.asmLine });
    const vm = new Interpreter(insns, { helpers: CONFORMANCE_HELPERS, budget });
    vm.machine.engine = engineFor(tier);
    const run = vm.run({ mem: df.mem !== undefined ? df.mem.slice() : undefined });
    const expected = df.result;
    const passed = run.violations.length === 0 && expected !== undefined && run.r0 === expected;
    return { name, passed, expected, run, tier: vm.machine.lastTier };
  } catch (e) {
    if (e instanceof BpfError) return { name, passed: false, error: e };
    throw e;
  }
}
