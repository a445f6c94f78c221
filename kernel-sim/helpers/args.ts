/** What every helper implementation shares: errno returns and checked resolution of pointer arguments. */
import { BpfMap } from '../maps/base.js';
import { HelperFault, type HelperContext } from '../../vm/machine.js';

export { ERRNO } from '../maps/errno.js';

/** r0 for a result that is 0, a count, or a negative errno (`-22` → the u64 the program sees). */
export function ret(v: number | bigint): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/** r0 for errno `e` (a positive ERRNO constant): `-e`. */
export function errno(e: number): bigint {
  return ret(-e);
}

/** Resolve a map pointer argument (the map's `object` region address) to its map, or fault naming the helper. */
export function mapArg(ctx: HelperContext, helper: string, arg: number, addr: bigint): BpfMap {
  const r = ctx.space.regionAt(addr);
  if (r === undefined || !(r.owner instanceof BpfMap) || r !== r.owner.object || BigInt.asUintN(64, addr) !== r.base) {
    throw new HelperFault('helper-error', `${helper}: R${arg} is not a map pointer`);
  }
  return r.owner;
}

/** A map argument of a given class, or a fault naming the helper and the map type it needs. */
export function mapOfKind<M extends BpfMap>(ctx: HelperContext, helper: string, arg: number, addr: bigint,
  kind: abstract new (...a: never[]) => M, what: string): M {
  const m = mapArg(ctx, helper, arg, addr);
  if (!(m instanceof kind)) throw new HelperFault('helper-error', `${helper}: map "${m.name}" is not ${what}`);
  return m;
}

/** A flags argument the map code takes as a number: anything past 32 bits is simply invalid. */
export function flags32(v: bigint): number {
  return v > 0xffffffffn ? 0xffffffff : Number(v);
}
