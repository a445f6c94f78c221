/**
 * The fuzzer's seeded numbers: a 32-bit bijective mixer (so distinct campaign indices give distinct program
 * seeds) and a small xorshift generator per program.
 */

/** A bijection of the 32-bit integers (murmur3's finalizer): distinct inputs give distinct seeds. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of program `index` of a campaign seeded `seed`: one 32-bit value per index, never repeated below 2^32. */
export function programSeed(seed: number, index: number): number {
  return mix32((seed + index) >>> 0);
}

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = mix32(seed ^ 0x9e3779b9) || 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** 0 … n-1. */
  next(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next(xs.length)]!;
  }
  chance(oneIn: number): boolean {
    return this.next(oneIn) === 0;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}
