import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundsSync, scalarAlu, type ScalarOp } from '../src/verifier/bounds.js';
import { newReg, T } from '../src/verifier/reg-state.js';
import {
  tnumAdd, tnumAnd, tnumContains, tnumMul, tnumOr, tnumRange, tnumSub, tnumXor, type Tnum, U64,
} from '../src/verifier/tnum.js';

const u64 = fc.bigInt({ min: 0n, max: U64 });
/** A tnum together with one of its members. */
const member = fc.tuple(u64, u64).map(([x, mask]) => ({ t: { value: x & ~mask & U64, mask } as Tnum, x: (x & ~mask) | (mask & x) }));

describe('tnum', () => {
  const ops: [string, (a: Tnum, b: Tnum) => Tnum, (a: bigint, b: bigint) => bigint][] = [
    ['add', tnumAdd, (a, b) => (a + b) & U64],
    ['sub', tnumSub, (a, b) => (a - b) & U64],
    ['and', tnumAnd, (a, b) => a & b],
    ['or', tnumOr, (a, b) => a | b],
    ['xor', tnumXor, (a, b) => a ^ b],
    ['mul', tnumMul, (a, b) => (a * b) & U64],
  ];
  for (const [name, op, concrete] of ops) {
    it(`${name} contains every concrete result`, () => {
      fc.assert(fc.property(member, member, (a, b) => tnumContains(op(a.t, b.t), concrete(a.x, b.x))));
    });
  }
  it('range contains its bounds', () => {
    fc.assert(fc.property(u64, u64, (a, b) => {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const t = tnumRange(lo, hi);
      return tnumContains(t, lo) && tnumContains(t, hi);
    }));
  });
  it('prints like tnum_strn', () => {
    expect(tnumRange(0n, 255n)).toEqual({ value: 0n, mask: 255n });
  });
});

describe('scalar bounds', () => {
  const known = (v: bigint) => {
    const r = newReg();
    r.type = T.SCALAR_VALUE;
    r.varOff = { value: v & U64, mask: 0n };
    r.umin = r.umax = v & U64;
    r.smin = r.smax = BigInt.asIntN(64, v);
    r.u32min = r.u32max = Number(v & 0xffffffffn);
    r.s32min = r.s32max = Number(BigInt.asIntN(32, v));
    return r;
  };
  const range = (lo: bigint, hi: bigint) => {
    const r = newReg();
    r.type = T.SCALAR_VALUE;
    r.umin = lo; r.umax = hi;
    boundsSync(r);
    return r;
  };
  const ops: [ScalarOp, (a: bigint, b: bigint) => bigint][] = [
    ['add', (a, b) => a + b], ['sub', (a, b) => a - b], ['and', (a, b) => a & b], ['or', (a, b) => a | b],
    ['xor', (a, b) => a ^ b], ['mul', (a, b) => a * b], ['lsh', (a, b) => a << b], ['rsh', (a, b) => a >> b],
  ];
  for (const [op, f] of ops) {
    it(`${op}: 64-bit bounds contain every concrete result`, () => {
      fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 63n }),
        (lo, span, k) => {
          const d = range(lo, lo + span);
          const s = known(op === 'lsh' || op === 'rsh' ? k : k + 1n);
          const x = lo + span / 2n;
          scalarAlu(op, false, d, s, false);
          const v = f(x, s.varOff.value) & U64;
          return d.umin <= v && v <= d.umax && tnumContains(d.varOff, v) &&
            d.smin <= BigInt.asIntN(64, v) && BigInt.asIntN(64, v) <= d.smax;
        }));
    });
  }
});
