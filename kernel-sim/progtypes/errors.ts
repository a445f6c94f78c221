/** Typed errors of the program-type layer. */
import { ERRNO } from '../maps/errno.js';

/** An unknown program type name; `valid` lists every accepted spelling. */
export class ProgTypeError extends Error {
  constructor(readonly input: string, readonly valid: readonly string[]) {
    super(`unknown program type '${input}'; valid names: ${valid.join(', ')}`);
  }
}

/** The program type has no modelled context-access rules (the table says so; nothing is guessed). */
export class CtxRulesMissingError extends Error {
  constructor(readonly progType: string) {
    super(`context access rules of BPF_PROG_TYPE_${progType} are not modelled`);
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
export class TestRunError extends Error {
  readonly errno: number;
  constructor(readonly code: TestRunErrno | 'unsupported', message: string) {
    super(`${code}: ${message}`);
    this.errno = code === 'unsupported' ? 0 : TEST_RUN_ERRNO[code];
  }
}
