/**
 * The system facilities a simulated kernel is built from: its deterministic clock, its random numbers and
 * the task programs run in. Kept apart from kernel.ts so the parts the Kernel owns (its worlds) can name
 * them without importing the Kernel.
 */

export interface TaskInfo {
  pid: number;
  tgid: number;
  uid: number;
  gid: number;
  /** Up to 15 bytes, as TASK_COMM_LEN allows. */
  comm: string;
}

/** A deterministic clock: each reading advances it by a fixed step. */
export class SimClock {
  constructor(private ns: bigint, private readonly step: bigint) {}
  /** CLOCK_MONOTONIC. */
  now(): bigint {
    const t = this.ns;
    this.ns += this.step;
    return t;
  }
  /** CLOCK_BOOTTIME: monotonic plus a fixed suspended time. */
  boot(): bigint {
    return this.now() + 1_000_000_000n;
  }
}

/** xorshift32: bpf_get_prandom_u32's stand-in, seeded for repeatable runs. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  nextU32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
}
