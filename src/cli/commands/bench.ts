import { geomean, runSuite, type BenchResult } from '../../../bench/suite.js';
import { UsageError } from '../../errors.js';
import { EXIT, type Io } from '../io.js';

export function benchCommand(io: Io, opts: { json?: boolean; only?: string; maxTime: number }): number {
  const only = opts.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!(opts.maxTime > 0)) throw new UsageError('--max-time must be a positive number of seconds');
  if (!opts.json) io.out(`${'program'.padEnd(16)}${'tier'.padEnd(8)}${'insns'.padStart(12)}${'ns/insn'.padStart(10)}${'M insn/s'.padStart(10)}  ±%\n`);
  const results = runSuite({
    only,
    maxTime: opts.maxTime,
    onResult: (r: BenchResult) => {
      if (opts.json) {
        io.out(JSON.stringify({ name: r.name, tier: r.tier, insns: r.insns, nsPerInsn: round(r.nsPerInsn) }) + '\n');
      } else {
        io.out(`${r.name.padEnd(16)}${r.tier.padEnd(8)}${String(r.insns).padStart(12)}${r.nsPerInsn.toFixed(2).padStart(10)}${r.mips.toFixed(1).padStart(10)}  ${r.rme.toFixed(1)}\n`);
      }
    },
  });
  if (!opts.json) {
    for (const tier of [...new Set(results.map((r) => r.tier))]) {
      const xs = results.filter((r) => r.tier === tier);
      const g = geomean(xs.map((r) => r.nsPerInsn));
      io.out(`geometric mean ${tier}: ${g.toFixed(2)} ns/insn`);
      if (tier !== 'js') {
        const base = results.filter((r) => r.tier === 'js');
        if (base.length === xs.length) io.out(` (${(g / geomean(base.map((r) => r.nsPerInsn))).toFixed(1)}× the plain-JavaScript baseline)`);
      }
      io.out('\n');
    }
  }
  return EXIT.OK;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
