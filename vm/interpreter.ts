/**
 * The convenience pairing of one program and one machine: `new Interpreter(insns, opts).run(input)`.
 */
import type { Insn } from '../src/isa/insn.js';
import type { AddressSpace } from './address-space.js';
import { Image, type PseudoResolver } from './image.js';
import { Machine, type MachineOptions, type RunInput, type RunResult } from './machine.js';
import { engineFor } from './wasm/select.js';
import { choiceOption } from '../src/options.js';

export * from './machine.js';
export { Image, codeAddress, CODE_HI, type PseudoResolver } from './image.js';

export interface InterpreterOptions extends MachineOptions {
  resolvePseudo?: PseudoResolver;
  name?: string;
  /** 'wasm': run compiled to WebAssembly (vm/wasm), every check kept; 'interp' (the default) otherwise. */
  tier?: 'interp' | 'wasm';
}

/**
 * One program and the machine that runs it: `new Interpreter(insns, { helpers }).run({ mem })`. The machine
 * (registers, stacks, address space) is kept between runs; each run starts from fresh registers.
 */
export class Interpreter {
  readonly image: Image;
  readonly machine: Machine;

  constructor(insns: readonly Insn[], opts: InterpreterOptions = {}) {
    this.image = new Image(insns, { name: opts.name, resolvePseudo: opts.resolvePseudo });
    this.machine = new Machine(opts);
    if (choiceOption('tier', opts.tier, ['interp', 'wasm'] as const) === 'wasm') this.machine.engine = engineFor('wasm');
  }

  get regs(): BigUint64Array {
    return this.machine.regs;
  }

  get space(): AddressSpace {
    return this.machine.space;
  }

  /** Run the program once from instruction 0: r0 at exit, instructions counted and any violations. */
  run(input: RunInput = {}): RunResult {
    return this.machine.run(this.image, input);
  }
}
