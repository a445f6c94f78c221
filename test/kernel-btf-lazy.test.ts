import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadObject, loadProgram } from '../src/api/collection.js';
import { kernelBtfLoaded } from '../kernel-sim/btf/kernel-btf.js';

// This file runs in a worker of its own: nothing here may read the kernel's BTF before the last test.
describe('the kernel BTF is read only when a program needs a kernel type', () => {
  it('a socket filter and the bundled XDP object load, verify and run without it', () => {
    const p = loadProgram(assemble('r0 = *(u32 *)(r1 + 0)\nexit'), 'socket');
    expect(p.run({ data: new Uint8Array(64) }).violations).toEqual([]);
    const col = loadObject(readFileSync(new URL('../examples/xdp_count.bpf.o', import.meta.url)));
    const prog = [...col.programs.values()][0]!;
    expect(prog.run({ data: new Uint8Array(64) }).violations).toEqual([]);
    expect(kernelBtfLoaded()).toBe(false);
  });

  it('a BTF-typed program loads it', () => {
    loadProgram(assemble('r1 = *(u64 *)(r1 + 8)\nr0 = 0\nexit'), 'tp_btf/sched_switch').verify();
    expect(kernelBtfLoaded()).toBe(true);
  });
});
