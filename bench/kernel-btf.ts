/**
 * What the reference kernel's BTF costs (issue: the first program that needs it pays at most 150 ms and
 * 100 MB; a small program that needs none pays nothing). Each measurement runs in a fresh Node process,
 * so nothing is cached: the baseline loads bpfvm and runs a small socket filter; the measured case then
 * loads and verifies a CO-RE fentry program against vmlinux's types, which reads the BTF for the first
 * time. Time and memory are reported as the difference, and as a ratio to the baseline of the same run.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface KernelBtfCost {
  /** The small program's load + verify + run (ms), and whether it read the BTF (it must not). */
  smallProgramMs: number;
  smallProgramReadBtf: boolean;
  /** The first BTF-typed program's load + verify (ms): what the BTF adds over a second such program. */
  firstUseMs: number;
  /** The same for the next program (the BTF already parsed). */
  secondUseMs: number;
  /** Heap and resident memory the first use added (MB). */
  heapMB: number;
  rssMB: number;
}

const SCRIPT = `
const root = process.argv[1];
const t0 = performance.now();
const api = await import(root + '/dist/src/index.js');
const btfMod = await import(root + '/dist/kernel-sim/btf/kernel-btf.js');
const { readFileSync } = await import('node:fs');
const small = api.loadProgram(api.assemble('r0 = *(u32 *)(r1 + 0)\\nexit'), 'socket');
small.run({ data: new Uint8Array(64) });
const t1 = performance.now();
const readBtf = btfMod.kernelBtfLoaded();
globalThis.gc?.();
const m0 = process.memoryUsage();
const obj = readFileSync(root + '/test/fixtures/libbpf/fentry.bpf.o');
const t2 = performance.now();
api.loadObject(obj).program('do_unlinkat').verify();
const t3 = performance.now();
api.loadObject(obj).program('do_unlinkat').verify();
const t4 = performance.now();
const m1 = process.memoryUsage();
console.log(JSON.stringify({ smallProgramMs: t1 - t0, smallProgramReadBtf: readBtf, firstUseMs: (t3 - t2) - (t4 - t3),
  secondUseMs: t4 - t3, heapMB: (m1.heapUsed - m0.heapUsed) / 1e6, rssMB: (m1.rss - m0.rss) / 1e6 }));
`;

/** Run the measurement `runs` times in fresh processes; the median of each figure. */
export function measureKernelBtf(runs = 5): KernelBtfCost {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const all: KernelBtfCost[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT, root], { encoding: 'utf8' });
    all.push(JSON.parse(out.trim().split('\n').pop()!) as KernelBtfCost);
  }
  const median = (k: keyof KernelBtfCost): number => {
    const xs = all.map((r) => Number(r[k])).sort((a, b) => a - b);
    return xs[Math.floor(xs.length / 2)]!;
  };
  return {
    smallProgramMs: median('smallProgramMs'), smallProgramReadBtf: all.some((r) => r.smallProgramReadBtf),
    firstUseMs: median('firstUseMs'), secondUseMs: median('secondUseMs'), heapMB: median('heapMB'), rssMB: median('rssMB'),
  };
}
