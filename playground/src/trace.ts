/**
 * The debugger's recording: one run of the program with the interpreter's step hook (Machine.traceHook)
 * attached, keeping at each instruction the registers, the frame's stack and the region each register
 * points into. Stepping, running to an instruction and breakpoints then move over the recorded steps
 * (backwards too), so the page never has to pause the interpreter.
 */
import type { Program, ProgramRunResult, RunOptions } from '../../src/api/collection.js';

export interface Step {
  pc: number;
  frame: number;
  /** r0..r10 before the instruction runs. */
  regs: bigint[];
  /** The frame's 512-byte stack before the instruction runs. */
  stack: Uint8Array;
  /** Per register, the region it points into (`packet +14`), when it points into one. */
  regions: (string | undefined)[];
}

export interface Recording {
  steps: Step[];
  /** Steps past MAX_STEPS were run but not kept. */
  truncated: boolean;
  result?: ProgramRunResult;
  error?: unknown;
}

export const MAX_STEPS = 20_000;

export function record(program: Program, opts: RunOptions): Recording {
  const steps: Step[] = [];
  let truncated = false;
  const machine = program.machine;
  const space = machine.space;
  const outer = machine.traceHook;
  machine.traceHook = (pc, regs, frame) => {
    if (steps.length >= MAX_STEPS) {
      truncated = true;
      return;
    }
    const r = [...regs];
    const regions = r.map((v) => {
      const region = v === 0n ? undefined : space.regionAt(v);
      if (region === undefined) return undefined;
      const off = Number(v - region.base);
      const past = off > region.bytes.length ? ' (past its end)' : '';
      if (region.kind === 'stack') return `${region.name}: fp${off - region.bytes.length === 0 ? '' : off - region.bytes.length}${past}`;
      return `${region.name} +${off}${past}`;
    });
    steps.push({ pc, frame, regs: r, stack: machine.stacks[frame]!.bytes.slice(), regions });
  };
  try {
    return { steps, truncated, result: program.run(opts) };
  } catch (error) {
    return { steps, truncated, error };
  } finally {
    machine.traceHook = outer;
  }
}
