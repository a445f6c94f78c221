import type { Insn } from '../isa/insn.js';
import { printInsn } from '../asm/index.js';
import { hex64 } from './io.js';
import { KERNEL_NAMES } from './names.js';

/**
 * `--trace`: prints each executed instruction (kernel syntax) with the registers it changed, from the
 * interpreter's step hook. The hook runs before an instruction, so a line is printed when the next
 * instruction starts (or the run finishes) and the changes are known.
 */
export class Tracer {
  private prevPc = -1;
  private prevFrame = 0;
  private readonly before = new BigUint64Array(11);
  readonly hook: (pc: number, regs: BigUint64Array, frame: number) => void;

  constructor(private readonly insns: readonly Insn[], private readonly write: (line: string) => void) {
    this.hook = (pc, regs, frame) => {
      this.flush(regs);
      this.prevPc = pc;
      this.prevFrame = frame;
      this.before.set(regs);
    };
  }

  /** Print the last instruction; `regs` is undefined when the run stopped on a violation. */
  finish(regs: BigUint64Array | undefined): void {
    if (regs !== undefined) this.flush(regs);
    else if (this.prevPc >= 0) this.write(this.line(''));
  }

  private flush(regs: BigUint64Array): void {
    if (this.prevPc < 0) return;
    const changed: string[] = [];
    for (let r = 0; r <= 10; r++) if (regs[r] !== this.before[r]) changed.push(`r${r}=${hex64(regs[r]!)}`);
    this.write(this.line(changed.length > 0 ? `; ${changed.join(' ')}` : ''));
    this.prevPc = -1;
  }

  private line(suffix: string): string {
    const insn = this.insns[this.prevPc]!;
    const text = `${String(this.prevPc).padStart(4)}: (${insn.opcode.toString(16).padStart(2, '0')}) ${printInsn(insn, { style: 'kernel', ...KERNEL_NAMES }, this.insns[this.prevPc + 1])}`;
    const indent = '  '.repeat(this.prevFrame);
    return suffix === '' ? indent + text : `${indent}${text.padEnd(44)}${suffix}`;
  }
}
