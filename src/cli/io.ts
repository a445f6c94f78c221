/** Where the CLI writes, so tests can run it in-process. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  /** Exit code set by the command that ran. */
  code: number;
}

export const EXIT = {
  OK: 0,
  /** The program was rejected, or a violation happened. */
  REJECTED: 1,
  /** Usage or input error. */
  INPUT: 2,
} as const;

export function processIo(): Io {
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    code: EXIT.OK,
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
