/** Typed errors of the program-type layer: BpfErrors, as every error a public entry point throws. */
import { BpfError } from '../../src/errors.js';
import { ERRNO } from '../maps/errno.js';

/** A few common spellings the message names; the whole list is in `valid` (and `bpfvm run --help`). */
const COMMON_NAMES = ['socket', 'xdp', 'tc', 'sched_cls', 'kprobe', 'tracepoint', 'raw_tp', 'fentry', 'lsm', 'cgroup_skb', 'syscall'];

/**
 * An unknown program type name (kind `usage`); `valid` lists every accepted spelling. The message names
 * only a few of them (the whole list is long) and where to find the rest.
 */
export class ProgTypeError extends BpfError {
  readonly input: string;
  readonly valid: readonly string[];
  constructor(input: string, valid: readonly string[]) {
    const some = COMMON_NAMES.filter((n) => valid.includes(n));
    super('usage', `unknown program type '${input}'; valid names include ${some.join(', ')}, BPF_PROG_TYPE_* (${valid.length} in all: see \`bpfvm run --help\`)`);
    this.input = input;
    this.valid = valid;
  }
}

/** The program type has no modelled context-access rules (the table says so; nothing is guessed). */
export class CtxRulesMissingError extends BpfError {
  readonly progType: string;
  constructor(progType: string) {
    super('verifier', `context access rules of BPF_PROG_TYPE_${progType} are not modelled`);
    this.progType = progType;
  }
}

/** errno values BPF_PROG_TEST_RUN answers with in 6.1. */
export const TEST_RUN_ERRNO = {
  E2BIG: ERRNO.E2BIG,
  EFAULT: ERRNO.EFAULT,
  ENODEV: ERRNO.ENODEV,
  EINVAL: ERRNO.EINVAL,
  ERANGE: ERRNO.ERANGE,
  EAFNOSUPPORT: ERRNO.EAFNOSUPPORT,
  ENOTSUPP: ERRNO.ENOTSUPP,
  EOPNOTSUPP: ERRNO.EOPNOTSUPP,
} as const;
export type TestRunErrno = keyof typeof TEST_RUN_ERRNO;

/** BPF_PROG_TEST_RUN refused (the kernel's errno) or bpfvm cannot model the request (`unsupported`). */
export class TestRunError extends BpfError {
  readonly errno: number;
  readonly code: TestRunErrno | 'unsupported';
  constructor(code: TestRunErrno | 'unsupported', message: string) {
    super('run', `${code}: ${message}`);
    this.code = code;
    this.errno = code === 'unsupported' ? 0 : TEST_RUN_ERRNO[code];
  }
}
