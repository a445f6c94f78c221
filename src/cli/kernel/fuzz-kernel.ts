/**
 * `bpfvm fuzz --kernel qemu:6.1`: the campaign's programs (accepted and rejected alike) sent to the real
 * kernel in batches (one VM per batch); a program bpfvm and the kernel give different verdicts is a
 * `verdict-mismatch` finding, saved as `.s` + `.input.json` (so `bpfvm kernel-diff DIR` re-checks it) +
 * `.json` (both answers). A program the kernel cannot load as such (a kfunc of a module the VM does not
 * load: the conntrack kfuncs live in nf_conntrack.ko) is counted as not comparable.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../asm/index.js';
import { programOf, campaignIndex, type Slice } from '../../fuzz/campaign.js';
import { KFUNCS, LOAD_TYPE, VALUE_SIZE, type FuzzProgType } from '../../fuzz/generate.js';
import { programSeed } from '../../fuzz/rng.js';
import { ASSEMBLE_NAMES } from '../names.js';
import { diffPrograms } from '../commands/kernel-diff.js';
import type { KernelRunner } from './runner.js';
import { rawProgram, type DiffProgram, type Side } from './programs.js';

export interface KernelTally {
  /** Programs sent to the kernel. */
  programs: number;
  /** Loaded by both (the kernel gave accepted or rejected). */
  comparable: number;
  agree: number;
  mismatches: number;
  /** Programs the kernel could not load as such, by its verdict (kfunc_not_found…). */
  notComparable: Record<string, number>;
  /** Disagreements by class: `bpfvm-accepts` / `bpfvm-rejects` and the kernel's message. */
  byClass: Record<string, number>;
  kernelSeconds: number;
  release?: string;
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

const MAPS = {
  'map_fd(0)': { type: 'array', keySize: 4, valueSize: VALUE_SIZE, maxEntries: 4 },
  'map_fd(1)': { type: 'hash', keySize: 4, valueSize: VALUE_SIZE, maxEntries: 8 },
};

/** The kernel's half of a campaign: the shard's first `count` programs (of `slice.seed`). */
export function kernelCampaign(runner: KernelRunner, s: Omit<Slice, 'worker' | 'workers'>, types: readonly FuzzProgType[], count: number,
  batch: number, out: string, onFinding: (stem: string, bpfvm: Side, kernel: Side) => void, onBatch?: (done: number) => void): KernelTally {
  const t: KernelTally = { programs: 0, comparable: 0, agree: 0, mismatches: 0, notComparable: {}, byClass: {}, kernelSeconds: 0 };
  const progs: (DiffProgram & { type: FuzzProgType; seed: number; text: string })[] = [];
  for (let j = 0; j < count; j++) {
    const seed = programSeed(s.seed, campaignIndex({ ...s, worker: 0, workers: 1 }, j));
    const { type, program } = programOf(types, seed);
    let insns;
    try {
      insns = assemble(program, ASSEMBLE_NAMES);
    } catch {
      continue; // the generator's text always assembles; bpfvm's own fuzz reports it otherwise
    }
    const p = rawProgram(`${LOAD_TYPE[type]}-${hex8(seed)}`, insns, { progType: LOAD_TYPE[type], kfuncs: [...KFUNCS[type]], maps: MAPS });
    progs.push({ ...p, type, seed, text: program });
  }
  const byId = new Map(progs.map((p) => [p.id, p]));
  const { kernelMs, release } = diffPrograms(runner, progs, batch, (l) => {
    t.programs++;
    const k = l.kernel.verdict;
    if (k !== 'accepted' && k !== 'rejected') {
      t.notComparable[k] = (t.notComparable[k] ?? 0) + 1;
      return;
    }
    t.comparable++;
    if (l.agree.verdict) { t.agree++; return; }
    t.mismatches++;
    const cls = l.bpfvm.verdict === 'accepted' ? `bpfvm accepts, kernel: ${l.kernel.message}` : `bpfvm rejects (${l.bpfvm.message}), kernel accepts`;
    t.byClass[cls] = (t.byClass[cls] ?? 0) + 1;
    const p = byId.get(l.id)!;
    mkdirSync(out, { recursive: true });
    const stem = join(out, `verdict-mismatch-${p.type}-${hex8(p.seed)}`);
    writeFileSync(`${stem}.s`, p.text);
    writeFileSync(`${stem}.input.json`, JSON.stringify({ progType: LOAD_TYPE[p.type], kfuncs: KFUNCS[p.type], maps: MAPS }, null, 1) + '\n');
    writeFileSync(`${stem}.json`, JSON.stringify({ kind: 'verdict-mismatch', progType: LOAD_TYPE[p.type], seed: p.seed, campaign: { seed: s.seed }, bpfvm: l.bpfvm, kernel: l.kernel }, null, 1) + '\n');
    onFinding(stem, l.bpfvm, l.kernel);
  }, onBatch);
  t.kernelSeconds = Math.round(kernelMs) / 1000;
  if (release !== undefined) t.release = release;
  return t;
}
