/**
 * A realworld program as the truth file holds it (the object, the program, the real 6.1 kernel's answer),
 * bpfvm's answer on it and how the two compare. Read by the realworld runner and the cause classifier.
 */
import type { LoadStep } from '../api/verify-object.js';

/** One line of truth-6.1.jsonl: a program and the real kernel's answer. */
export interface RealworldCase {
  corpus: string;
  /** The object, relative to the truth file's folder. */
  object: string;
  program: string;
  section: string;
  prog_type: string | null;
  kernel_verdict: 'accepted' | 'rejected';
  errno: number;
  /** The last non-statistics line of the verifier log; empty when accepted. */
  kernel_message: string;
  insn_cnt: number | null;
  processed: number | null;
  log_level: number;
  /** `verifier`: the verifier judged it; `env`: the load failed before or outside the verifier. */
  category: 'verifier' | 'env';
  env_class?: string;
  env_reason?: string;
  core_poisoned?: boolean;
  libbpf_message?: string;
}

/** Where bpfvm refused a load before its verifier ran (BPF_PROG_LOAD's own checks: `prog_load`). */
export type RefusalStep = LoadStep | 'prog_load';

export interface BpfvmAnswer {
  /** `refused`: the load stopped before the verifier; `error`: bpfvm failed internally. */
  verdict: 'accepted' | 'rejected' | 'refused' | 'error';
  errno: number;
  message: string;
  processed: number;
  step?: RefusalStep;
  /** Instructions CO-RE poisoned in this program (relocations the simulated BTF could not resolve). */
  coreUnresolved?: number;
  /** Maps of types the simulated kernel cannot create, verified from their declarations. */
  notSimulated?: string[];
}

export interface KernelAnswer {
  verdict: 'accepted' | 'rejected' | 'env';
  errno: number;
  message: string;
  processed: number | null;
  /** env lines: the class of refusal, as bpfvm's steps name it. */
  step?: RefusalStep;
  reason?: string;
}

export type Difference = 'verdict' | 'errno' | 'message' | 'processed' | 'step';

export interface RealworldResult {
  id: string;
  prog_type: string;
  category: 'verifier' | 'env';
  bpfvm: BpfvmAnswer;
  kernel: KernelAnswer;
  agree: boolean;
  differs: Difference[];
  /** Why bpfvm's verdict or last line differs (realworld-causes.ts); absent when they agree. */
  cause?: string;
}
