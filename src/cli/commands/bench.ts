import { measureKernelBtf } from '../../../bench/kernel-btf.js';
import { measureHashMemory } from '../../../bench/hash-memory.js';
import { measureRecordStates } from '../../../bench/record-states.js';
import { measureStartup } from '../../../bench/startup.js';
import { NativeRunner, nativeUnavailable } from '../../../bench/native.js';
import { geomean, INTERP_TIER, measureWasmCosts, PROGRAMS, runSuite, WASM_TIER, WORKLOAD_NAMES, type BenchResult } from '../../../bench/suite.js';
import { UsageError } from '../../errors.js';
import { EXIT, type Io } from '../io.js';
import { progress } from '../progress.js';

export function benchCommand(io: Io, opts: { json?: boolean; only?: string; maxTime: number; tier?: 'interp' | 'wasm' | 'auto' }): number {
  const only = opts.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!(opts.maxTime > 0)) throw new UsageError('--max-time must be a positive number of seconds');
  if (only === undefined || only.includes('kernel-btf')) {
    // the reference kernel's BTF: what its first use costs, in fresh processes (medians of 5)
    const k = measureKernelBtf();
    const line = { name: 'kernel-btf', tier: 'load', firstUseMs: round(k.firstUseMs), secondUseMs: round(k.secondUseMs),
      heapMB: round(k.heapMB), rssMB: round(k.rssMB), smallProgramMs: round(k.smallProgramMs), smallProgramReadsBtf: k.smallProgramReadBtf,
      firstUseRatio: round(k.firstUseMs / k.secondUseMs) };
    if (opts.json) io.out(JSON.stringify(line) + '\n');
    else {
      io.out(`kernel BTF (Linux 6.1 vmlinux, first use): ${k.firstUseMs.toFixed(1)} ms and ${k.heapMB.toFixed(1)} MB heap (${k.rssMB.toFixed(1)} MB RSS) ` +
        `over the next such program (${k.secondUseMs.toFixed(1)} ms, ${(k.firstUseMs / k.secondUseMs).toFixed(1)}×); a small socket filter ` +
        `${k.smallProgramReadBtf ? 'READ IT' : 'never reads it'} (${k.smallProgramMs.toFixed(1)} ms including bpfvm's own start-up)\n`);
    }
    if (only !== undefined && only.length === 1) return EXIT.OK;
  }
  if (only?.includes('hash-memory')) {
    // a hash map element's memory: 10^6 updates in a fresh process, against the key + value bytes
    const h = measureHashMemory();
    const line = { name: 'hash-memory', tier: 'maps', elements: h.elements, rawBytesPerElement: h.rawBytesPerElement,
      heapBytesPerElement: round(h.heapBytesPerElement), rssBytesPerElement: round(h.rssBytesPerElement), heapRatio: round(h.heapRatio), rssRatio: round(h.rssRatio) };
    if (opts.json) io.out(JSON.stringify(line) + '\n');
    else {
      io.out(`hash map element (${h.elements} updates, ${h.rawBytesPerElement}-byte key + value): ${h.heapBytesPerElement.toFixed(0)} B heap, ` +
        `${h.rssBytesPerElement.toFixed(0)} B RSS per element (${h.heapRatio.toFixed(1)}× / ${h.rssRatio.toFixed(1)}× the raw bytes)\n`);
    }
    if (only.length === 1) return EXIT.OK;
  }
  if (only?.includes('record-states')) {
    // what --check-states' state recording costs the verifier: the same programs verified plainly and recording
    // (3 rounds; one with --max-time under 1 s)
    const c = measureRecordStates({ rounds: opts.maxTime < 1 ? 1 : 3 });
    const line = { name: 'record-states', tier: 'verifier', set: c.set, programs: c.programs, rounds: c.rounds,
      plainMs: round(c.plainMs), recordMs: round(c.recordMs), ratio: round(c.ratio) };
    if (opts.json) io.out(JSON.stringify(line) + '\n');
    else {
      io.out(`state recording (${c.programs} ${c.set === 'corpus' ? 'accepted test_verifier cases' : 'bench programs'}, median of ${c.rounds} rounds): ` +
        `${c.plainMs.toFixed(0)} ms plain, ${c.recordMs.toFixed(0)} ms recording (${c.ratio.toFixed(2)}×)\n`);
    }
    if (only.length === 1) return EXIT.OK;
  }
  if (only?.includes('startup')) {
    // `bpfvm run` of the README's example against `node -e 0`: medians of 15 alternating child runs (issue 11: ≤ 2×)
    const s = measureStartup(15);
    if (opts.json) io.out(JSON.stringify({ name: 'startup', tier: 'cli', medianMs: round(s.medianMs), nodeMs: round(s.nodeMs), ratio: round(s.ratio), runs: s.runs }) + '\n');
    else io.out(`start-up: \`bpfvm run examples/xdp_count.bpf.o\` ${s.medianMs.toFixed(1)} ms wall, \`node -e 0\` ${s.nodeMs.toFixed(1)} ms: ${s.ratio.toFixed(2)}× (medians of ${s.runs} alternating runs)\n`);
    if (only.length === 1) return EXIT.OK;
  }
  if ((only === undefined || only.includes('wasm-costs')) && (opts.tier ?? 'auto') !== 'interp') {
    // the wasm tier's other costs, in this run: compiling a 4,096-instruction program against interpreting
    // 10^6 instructions, and a helper call from compiled code against an interpreted instruction
    const c = measureWasmCosts();
    const line = { name: 'wasm-costs', tier: 'wasm', compileInsns: c.compileInsns, compileMs: round(c.compileMs), moduleBytes: c.moduleBytes,
      interpMsPer1e6: round(c.interpMsPer1e6), compileRatio: round(c.compileMs / c.interpMsPer1e6),
      helperCallNs: round(c.wasmHelperCallNs), helperCallInsns: round(c.wasmHelperCallNs / c.interpNsPerInsn) };
    if (opts.json) io.out(JSON.stringify(line) + '\n');
    else {
      io.out(`wasm tier: compiling ${c.compileInsns} instructions takes ${c.compileMs.toFixed(2)} ms (${c.moduleBytes} bytes of module), ` +
        `${line.compileRatio}× the interpreter's ${c.interpMsPer1e6.toFixed(2)} ms for 10^6 instructions; a helper call costs ${c.wasmHelperCallNs.toFixed(0)} ns ` +
        `(${line.helperCallInsns} interpreted instructions)\n`);
    }
    if (only !== undefined && only.length === 1) return EXIT.OK;
  }
  if (!opts.json) io.out(`${'program'.padEnd(16)}${'tier'.padEnd(8)}${'insns'.padStart(12)}${'ns/insn'.padStart(10)}${'M insn/s'.padStart(10)}  ±%\n`);
  const tier = opts.tier ?? 'auto';
  const tierCount = tier === 'auto' ? 2 : 1;
  const selected = WORKLOAD_NAMES.filter((n) => only === undefined || only.includes(n));
  // the C programs of bench/native/, compiled with gcc -O2, when gcc is there
  const noNative = selected.length > 0 ? nativeUnavailable() : undefined;
  const native = selected.length > 0 && noNative === undefined ? new NativeRunner() : undefined;
  if (noNative !== undefined) io.out(opts.json ? JSON.stringify({ name: 'native', tier: 'native', note: noNative }) + '\n' : `${noNative}\n`);
  // one measurement per program on each tier measured, one of its plain-JavaScript baseline (the four
  // bytecode programs) and one native (those with a C program)
  const machinePrograms = selected.filter((n) => PROGRAMS.some((p) => p.name === n)).length;
  const total = tierCount * selected.length + machinePrograms + (native !== undefined ? selected.filter((n) => native.has(n)).length : 0);
  const bar = progress(io, { total, label: 'bench', suffix: '{current}', json: opts.json });
  let measured = 0;
  let results: BenchResult[];
  try {
    results = runSuite({
      only,
      tiers: tier === 'interp' ? [INTERP_TIER] : tier === 'wasm' ? [WASM_TIER] : [INTERP_TIER, WASM_TIER],
      maxTime: opts.maxTime,
      native,
      onResult: (r: BenchResult) => {
        bar.update(++measured, { current: `${r.name}/${r.tier}` });
        if (opts.json) {
          io.out(JSON.stringify({ name: r.name, tier: r.tier, insns: r.insns, nsPerInsn: round(r.nsPerInsn), ...(r.result !== undefined && { result: r.result.toString() }) }) + '\n');
        } else {
          io.out(`${r.name.padEnd(16)}${r.tier.padEnd(8)}${String(r.insns).padStart(12)}${r.nsPerInsn.toFixed(2).padStart(10)}${r.mips.toFixed(1).padStart(10)}  ${r.tier === 'native' ? `(${r.samples} runs)` : r.rme.toFixed(1)}\n`);
        }
      },
    });
  } finally {
    native?.dispose();
  }
  bar.stop();
  if (!opts.json) {
    // the geometric means are over the four bytecode programs (those with a plain-JavaScript baseline), so
    // they compare like with like across tiers and runs; typed-xdp is named on its own
    const bytecode = (r: BenchResult): boolean => PROGRAMS.some((p) => p.name === r.name);
    const base = results.filter((r) => r.tier === 'js');
    for (const tier of [...new Set(results.map((r) => r.tier))]) {
      const xs = results.filter((r) => r.tier === tier && bytecode(r));
      if (xs.length === 0) continue;
      const g = geomean(xs.map((r) => r.nsPerInsn));
      io.out(`geometric mean ${tier}: ${g.toFixed(2)} ns/insn`);
      if (tier !== 'js' && base.length > 0 && base.length === xs.length) io.out(` (${(g / geomean(base.map((r) => r.nsPerInsn))).toFixed(1)}× the plain-JavaScript baseline)`);
      io.out('\n');
    }
    // the wasm tier against the interpreter, program by program, in this run
    const interp = results.filter((r) => r.tier === 'interp'), wasm = results.filter((r) => r.tier === 'wasm');
    if (interp.length > 0 && interp.length === wasm.length) {
      const ratios = wasm.map((w, i) => interp[i]!.nsPerInsn / w.nsPerInsn);
      const four = ratios.filter((_, i) => bytecode(wasm[i]!));
      const typed = wasm.map((w, i) => ({ w, x: ratios[i]! })).filter(({ w }) => !bytecode(w));
      io.out(`wasm tier speed-up over the interpreter: ${wasm.filter(bytecode).map((w, i) => `${w.name} ${four[i]!.toFixed(1)}×`).join(', ')}` +
        `${four.length > 0 ? `; geomean ${geomean(four).toFixed(1)}×` : ''}${typed.map(({ w, x }) => `; ${w.name} ${x.toFixed(1)}×`).join('')}\n`);
    }
    // the wasm tier against the C programs compiled with gcc -O2, program by program
    const nat = results.filter((r) => r.tier === 'native');
    const wn = nat.map((n) => ({ n, w: wasm.find((w) => w.name === n.name) })).filter((x) => x.w !== undefined);
    if (wn.length > 0) {
      const ratios = wn.map(({ n, w }) => w!.nsPerInsn / n.nsPerInsn);
      io.out(`wasm tier against native (gcc -O2): ${wn.map(({ n }, i) => `${n.name} ${ratios[i]!.toFixed(1)}×`).join(', ')}; geomean ${geomean(ratios).toFixed(1)}× the native time\n`);
    }
  }
  return EXIT.OK;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
