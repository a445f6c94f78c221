/**
 * What state recording costs (issue 12: `--check-states` needs `verify(…, { recordStates: true })`): the
 * same fixed set of programs verified plainly and with recording, in the same run, alternating rounds, as
 * `program.run({ checkStates: true })` verifies (log level 0). The set: every case of the 6.1 test_verifier
 * corpus the kernel accepts in privileged mode, when ../shared (or $BPFVM_SHARED) holds it; else the bench
 * programs. Reported as the ratio of the totals (the median round of each; each program is timed both ways back to back).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { assemble } from '../src/asm/assemble.js';
import { loadCorpus, loadFixups } from '../src/corpus/load.js';
import { prepareCase, PRIV_CAPS, progFlags, progInfo, programBtf } from '../src/corpus/runner.js';
import { decode, type Insn } from '../src/isa/insn.js';
import { verify, type VerifyOptions } from '../src/verifier/verifier.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { median, sharedDir } from './paths.js';
import { PROGRAMS } from './suite.js';

export interface RecordStatesCost {
  /** What was verified: `corpus` (accepted test_verifier cases) or `bench` (the bench programs). */
  set: 'corpus' | 'bench';
  programs: number;
  rounds: number;
  /** Median total of a round, plain and recording (ms). */
  plainMs: number;
  recordMs: number;
  ratio: number;
}

interface Job {
  insns: Insn[];
  opts: Omit<VerifyOptions, 'recordStates'>;
}

function corpusJobs(shared: string): Job[] | undefined {
  const file = resolve(shared, 'verifier-corpus', 'linux-6.1.jsonl');
  const fixFile = resolve(shared, 'verifier-corpus', 'fixup-maps-6.1.json');
  if (!existsSync(file) || !existsSync(fixFile)) return undefined;
  const fixups = loadFixups(fixFile);
  const jobs: Job[] = [];
  for (const c of loadCorpus(file)) {
    if (c.kernel.priv?.verdict !== 'accepted') continue;
    const { bytes, maps } = prepareCase(c, 'priv', fixups);
    const btf = programBtf(c);
    jobs.push({
      insns: decode(bytes, { strict: false, shareEqual: true }),
      opts: {
        prog: progInfo(c), platform: kernelPlatform({ maps: (fd) => maps.get(fd) }), caps: PRIV_CAPS, logLevel: 0, progFlags: progFlags(c),
        ...(btf !== undefined ? { btf, funcInfo: (c.func_info ?? []).map(([insn, typeId]) => ({ insn, typeId })) } : {}),
      },
    });
  }
  return jobs;
}

function benchJobs(): Job[] {
  return PROGRAMS.map((p) => ({
    insns: assemble(p.source),
    opts: { prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform({ maps: () => undefined }), caps: PRIV_CAPS, logLevel: 0 },
  }));
}

function once(j: Job, recordStates: boolean): number {
  const t0 = performance.now();
  verify(j.insns, { ...j.opts, recordStates });
  return performance.now() - t0;
}

/**
 * One round: each program verified both ways back to back, the order alternating from program to program
 * and round to round, so that the machine's load drifting falls on both sides alike.
 */
function round(jobs: readonly Job[], r: number): { plain: number; record: number } {
  let plain = 0;
  let record = 0;
  jobs.forEach((j, i) => {
    if ((i + r) % 2 === 0) {
      plain += once(j, false);
      record += once(j, true);
    } else {
      record += once(j, true);
      plain += once(j, false);
    }
  });
  return { plain, record };
}

export function measureRecordStates(opts: { rounds?: number; shared?: string | null } = {}): RecordStatesCost {
  const shared = opts.shared === null ? undefined : (opts.shared ?? sharedDir());
  const fromCorpus = shared !== undefined ? corpusJobs(shared) : undefined;
  const jobs = fromCorpus ?? benchJobs();
  const rounds = opts.rounds ?? 3;
  round(jobs, 1); // warm-up: both paths compiled before timing
  const plain: number[] = [];
  const record: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = round(jobs, r);
    plain.push(t.plain);
    record.push(t.record);
  }
  const plainMs = median(plain);
  const recordMs = median(record);
  return { set: fromCorpus !== undefined ? 'corpus' : 'bench', programs: jobs.length, rounds, plainMs, recordMs, ratio: recordMs / plainMs };
}
