import { Interpreter } from '../../../vm/interpreter.js';
import { parseHexBytes } from '../../conformance/data-file.js';
import { CONFORMANCE_HELPERS } from '../../conformance/runner.js';
import { UsageError } from '../../errors.js';
import { readProgram } from '../input.js';
import { EXIT, hex64, type Io } from '../io.js';
import { Tracer } from '../trace.js';

export interface RunOptions {
  mem?: string;
  trace?: boolean;
  json?: boolean;
  budget: number;
}

export function runCommand(io: Io, file: string, opts: RunOptions): number {
  const prog = readProgram(file);
  let mem = prog.mem;
  if (opts.mem !== undefined) {
    try {
      mem = parseHexBytes(opts.mem);
    } catch (e) {
      throw new UsageError(`--mem: ${(e as Error).message}`);
    }
  }
  // Instruction-set runs (no program type) get the conformance environment's helpers.
  const vm = new Interpreter(prog.insns, { helpers: CONFORMANCE_HELPERS, budget: opts.budget });
  const tracer = opts.trace ? new Tracer(prog.insns, (line) => io.out(line + '\n')) : undefined;
  const result = vm.run({ mem, hook: tracer?.hook });
  tracer?.finish(result.r0 === null ? undefined : vm.regs);
  const json = {
    r0: result.r0 === null ? null : hex64(result.r0),
    insns: result.insns,
    violations: result.violations,
  };
  if (opts.json) {
    io.out(JSON.stringify(json) + '\n');
  } else {
    if (result.r0 !== null) io.out(`r0 = ${json.r0} (${BigInt.asIntN(64, result.r0)})\n`);
    io.out(`${result.insns} instructions executed\n`);
    for (const v of result.violations) io.err(`violation [${v.kind}]: ${v.message}\n`);
  }
  return result.violations.length > 0 ? EXIT.REJECTED : EXIT.OK;
}
