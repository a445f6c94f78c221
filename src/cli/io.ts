/** Where the CLI writes, so tests can run it in-process. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Exit code set by the command that ran. */
  code: number;
  /** Print the stack of an internal error (BPFVM_DEBUG=1). */
  debug?: boolean;
  /** Where progress bars are drawn: set only when a terminal watches stdout and stderr (see cli/progress.ts). */
  progress?: NodeJS.WritableStream;
}

export const EXIT = {
  OK: 0,
  /** The program was rejected, or a violation happened. */
  REJECTED: 1,
  /** Usage or input error. */
  INPUT: 2,
  /** An internal error: a bug in bpfvm itself (reported as one line; BPFVM_DEBUG=1 adds the stack). */
  INTERNAL: 3,
} as const;

export function processIo(): Io {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    code: EXIT.OK,
    debug: process.env.BPFVM_DEBUG === '1',
    ...(process.stdout.isTTY === true && process.stderr.isTTY === true && { progress: process.stderr }),
  };
}

export function bufferIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    code: EXIT.OK as number,
    out(s: string) {
      io.stdout += s;
    },
    err(s: string) {
      io.stderr += s;
    },
  };
  return io;
}

/** 64-bit value as minimal lowercase hex, e.g. `0x2a`. */
export function hex64(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16);
}
