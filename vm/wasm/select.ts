/**
 * Tier selection: `interp`, `wasm` or `auto` (the default). `auto` works like a tiered JIT: an image runs
 * in the interpreter until the instructions interpreted on it (over all its runs) reach what compiling it
 * costs, measured in interpreted instructions (`bpfvm bench`, "wasm-costs"), and in the wasm tier from
 * then on, so no program pays more than about twice what the better tier alone would cost it. A step hook
 * (--trace, state checks) always means the interpreter (Machine.run enforces it whatever the tier).
 * BPFVM_TIER in the environment sets the tier of runs that name none (for running test suites in a tier).
 */
import type { Image } from '../image.js';
import type { Machine, TierEngine } from '../machine.js';
import type { Region } from '../address-space.js';
import { wasmEngine } from './tier.js';

export const TIERS = ['interp', 'wasm', 'auto'] as const;
export type TierName = (typeof TIERS)[number];

/**
 * What compiling and instantiating an image of `n` instructions costs, in interpreted instructions:
 * measured (Node 20, x86-64) at about 2 x 10^5 for 64 instructions and 1.5 x 10^6 for 4,096.
 */
export const COMPILE_COST_BASE = 200_000;
export const COMPILE_COST_PER_INSN = 320;

/** `auto`: the interpreter until an image is hot, then the wasm tier. */
class AutoEngine implements TierEngine {
  readonly name = 'wasm';
  private readonly heat = new WeakMap<Image, number>();
  accepts(image: Image): boolean {
    const h = this.heat.get(image) ?? 0;
    if (h < COMPILE_COST_BASE + COMPILE_COST_PER_INSN * image.length) return false;
    return wasmEngine!.accepts(image);
  }
  run(machine: Machine, image: Image, mem: Region | undefined): bigint {
    return wasmEngine!.run(machine, image, mem);
  }
  observe(image: Image, insns: number): void {
    this.heat.set(image, (this.heat.get(image) ?? 0) + insns);
  }
}
const autoEngine: TierEngine | null = wasmEngine !== null ? new AutoEngine() : null;

function envTier(): TierName | undefined {
  const t = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BPFVM_TIER;
  return t === 'interp' || t === 'wasm' || t === 'auto' ? t : undefined;
}

/** The engine a run uses: null for the interpreter. (`repeat` is kept for callers; auto counts runs itself.) */
export function engineFor(tier: TierName | undefined, _repeat = 1): TierEngine | null {
  const t = tier ?? envTier() ?? 'auto';
  if (t === 'interp' || wasmEngine === null) return null;
  if (t === 'wasm') return wasmEngine;
  return autoEngine;
}
