/**
 * bpfvm's start-up (issue 11: `bpfvm run` of the README's example takes at most 2× the wall time of
 * `node -e 0`). Both run as child processes of this one, alternately, so a change of the machine's load
 * falls on both: `node -e 0`, then `node bin/bpfvm.js run examples/xdp_count.bpf.o --data <the README's
 * packet>`, `runs` times each after one unmeasured run of each (which writes V8's code cache of the bundle,
 * as a user's first run does). Reported: the median wall time of each and the ratio of the medians.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError } from '../src/errors.js';
import { median, packageRoot } from './paths.js';

/** The packet of the README's first command: an ICMP packet, which the example drops. */
export const README_PACKET = '00112233445566778899aabb0800450000280000000040010000c0a80001c0a80002000000000000000000000000';

export interface StartupCost {
  /** The median wall time of `bpfvm run` of the example (ms). */
  medianMs: number;
  /** The median wall time of `node -e 0` in the same run (ms). */
  nodeMs: number;
  /** medianMs / nodeMs. */
  ratio: number;
  /** Measured runs of each (not counting the first, unmeasured one). */
  runs: number;
}

/** The wall time (ms) of one child `node args…` run in `cwd`; a failed run is an error naming the command. */
function timed(args: string[], cwd: string, check?: (stdout: string) => boolean): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error !== undefined || r.status !== 0 || (check !== undefined && !check(r.stdout))) {
    const why = r.error?.message ?? (r.status !== 0 ? `exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}` : 'unexpected output');
    throw new BpfError('run', `startup bench: \`node ${args.slice(0, 3).join(' ')} …\` failed (${why})`);
  }
  return ms;
}

/** Measure the start-up ratio: `runs` alternating runs of each command (at least 1). */
export function measureStartup(runs = 15): StartupCost {
  const root = packageRoot();
  const bin = join(root, 'bin', 'bpfvm.js');
  const example = join('examples', 'xdp_count.bpf.o');
  if (!existsSync(join(root, example))) {
    throw new BpfError('input', 'the start-up bench runs the README\'s example, which is not here (it is in a checkout, not in the package)', { file: join(root, example) });
  }
  const bpfvm = [bin, 'run', example, '--data', README_PACKET];
  const dropped = (out: string): boolean => out.includes('retval = 1 (XDP_DROP)');
  const node = ['-e', '0'];
  timed(node, root);
  timed(bpfvm, root, dropped);
  const n = Math.max(1, Math.floor(runs));
  const nodeMs: number[] = [];
  const bpfvmMs: number[] = [];
  for (let i = 0; i < n; i++) {
    nodeMs.push(timed(node, root));
    bpfvmMs.push(timed(bpfvm, root, dropped));
  }
  const medianMs = median(bpfvmMs);
  const nodeMedian = median(nodeMs);
  return { medianMs, nodeMs: nodeMedian, ratio: medianMs / nodeMedian, runs: n };
}
