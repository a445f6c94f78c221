import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import {
  Add, Call, CallLocal, Exit, JEq, JLT, Ja, Label, LoadImm64, LoadMem, Mov, Mul, R0, R1, R2, R10, StoreMem, program,
} from '../src/asm/dsl.js';
import { PERM_R, PERM_RW } from '../vm/address-space.js';
import { Image, Interpreter, MAX_STEPS, Machine, codeAddress, type HelperFn } from '../vm/interpreter.js';

const run = (text: string, opts: ConstructorParameters<typeof Interpreter>[1] = {}, mem?: Uint8Array) =>
  new Interpreter(assemble(text), opts).run({ mem });

describe('interpreter semantics (RFC 9669)', () => {
  // Each case: program text → expected r0 (unsigned 64-bit).
  const cases: Array<[string, string, bigint]> = [
    ['div by zero is 0', 'r0 = 7\nr1 = 0\nr0 /= r1\nexit', 0n],
    ['mod by zero keeps dst', 'r0 = 7\nr1 = 0\nr0 %= r1\nexit', 7n],
    ['32-bit mod by zero zero-extends', 'r0 = -1\nr1 = 0\nw0 %= w1\nexit', 0xffffffffn],
    ['sdiv INT64_MIN / -1', 'r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit', 0x8000000000000000n],
    ['smod INT64_MIN % -1', 'r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s%= r1\nexit', 0n],
    ['sdiv32 INT32_MIN / -1', 'w0 = 0x80000000\nw1 = -1\nw0 s/= w1\nexit', 0x80000000n],
    ['smod sign follows the dividend', 'r0 = -7\nr1 = 2\nr0 s%= r1\nexit', BigInt.asUintN(64, -1n)],
    ['shift amounts are masked (64)', 'r0 = 1\nr1 = 65\nr0 <<= r1\nexit', 2n],
    ['shift amounts are masked (32)', 'w0 = 1\nw1 = 33\nw0 <<= w1\nexit', 2n],
    ['arsh64 by 40', 'r0 = 0x8000000000000000 ll\nr0 s>>= 40\nexit', 0xffffffffff800000n],
    ['32-bit ops zero-extend', 'r0 = -1\nw0 += 1\nexit', 0n],
    ['mov32 of -1 zero-extends', 'w0 = -1\nexit', 0xffffffffn],
    ['mov64 sign-extends its immediate', 'r0 = -2\nexit', 0xfffffffffffffffen],
    ['mul64 wraps', 'r0 = 0xffffffffffffffff ll\nr1 = 0xffffffffffffffff ll\nr0 *= r1\nexit', 1n],
    ['mul64 high words', 'r0 = 0x100000003 ll\nr1 = 0x200000005 ll\nr0 *= r1\nexit', BigInt.asUintN(64, 0x100000003n * 0x200000005n)],
    ['neg64', 'r0 = 5\nr0 = -r0\nexit', BigInt.asUintN(64, -5n)],
    ['movsx8', 'r1 = 0x80\nr0 = (s8)r1\nexit', 0xffffffffffffff80n],
    ['movsx32 (32-bit form) zero-extends the result', 'r1 = 0x8000\nw0 = (s16)w1\nexit', 0xffff8000n],
    ['be16 truncates', 'r0 = 0x11223344 ll\nr0 = be16 r0\nexit', 0x4433n],
    ['bswap64', 'r0 = 0x0102030405060708 ll\nr0 = bswap64 r0\nexit', 0x0807060504030201n],
    ['signed jump', 'r0 = 0\nr1 = -1\nif r1 s< 0 goto +1\nexit\nr0 = 1\nexit', 1n],
    ['unsigned jump on the high word', 'r0 = 0\nr1 = 0x100000000 ll\nif r1 > 0x7fffffff goto +1\nexit\nr0 = 1\nexit', 1n],
    ['jmp32 looks at the low word only', 'r0 = 0\nr1 = 0x100000000 ll\nif w1 == 0 goto +1\nexit\nr0 = 1\nexit', 1n],
  ];
  for (const [name, text, want] of cases) {
    it(name, () => {
      const r = run(text);
      expect(r.violations).toEqual([]);
      expect(r.r0).toBe(want);
    });
  }

  it('matches BigInt arithmetic for random 64-bit operands (property)', () => {
    const ops: Array<[string, (a: bigint, b: bigint) => bigint]> = [
      ['+=', (a, b) => a + b], ['-=', (a, b) => a - b], ['*=', (a, b) => a * b], ['|=', (a, b) => a | b],
      ['&=', (a, b) => a & b], ['^=', (a, b) => a ^ b], ['/=', (a, b) => (b === 0n ? 0n : a / b)],
      ['%=', (a, b) => (b === 0n ? a : a % b)], ['<<=', (a, b) => a << (b & 63n)], ['>>=', (a, b) => a >> (b & 63n)],
      ['s>>=', (a, b) => BigInt.asIntN(64, a) >> (b & 63n)],
    ];
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: ops.length - 1 }), (a, b, k) => {
      const [op, f] = ops[k]!;
      const r = new Interpreter(assemble(`r0 = r1\nr0 ${op} r2\nexit`)).run({ args: [a, b] });
      expect(r.violations).toEqual([]);
      expect(r.r0).toBe(BigInt.asUintN(64, f(a, b)));
    }), { numRuns: 500 });
  });
  it('immediate forms and 64-bit compares match BigInt for random operands (property)', () => {
    const u = (x: bigint) => BigInt.asUintN(64, x), sx = (x: bigint) => BigInt.asIntN(64, x);
    const alu: Array<[string, (a: bigint, k: bigint) => bigint]> = [
      ['+=', (a, k) => a + k], ['-=', (a, k) => a - k], ['*=', (a, k) => a * k], ['|=', (a, k) => a | k],
      ['&=', (a, k) => a & k], ['^=', (a, k) => a ^ k],
    ];
    const cmp: Array<[string, (a: bigint, b: bigint) => boolean]> = [
      ['==', (a, b) => a === b], ['!=', (a, b) => a !== b], ['>', (a, b) => a > b], ['>=', (a, b) => a >= b],
      ['<', (a, b) => a < b], ['<=', (a, b) => a <= b], ['s>', (a, b) => sx(a) > sx(b)], ['s>=', (a, b) => sx(a) >= sx(b)],
      ['s<', (a, b) => sx(a) < sx(b)], ['s<=', (a, b) => sx(a) <= sx(b)], ['&', (a, b) => (a & b) !== 0n],
    ];
    const word = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, 1n, 0xffffffffn, 0x100000000n, (1n << 64n) - 1n, 1n << 63n));
    fc.assert(fc.property(word, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), word, fc.integer({ min: 0, max: 100 }), (a, imm, b, k) => {
      const K = u(BigInt(imm));
      if (k < alu.length) {
        const [op, f] = alu[k]!;
        const r = new Interpreter(assemble(`r0 = r1\nr0 ${op} ${imm}\nexit`)).run({ args: [a] });
        expect(r.r0).toBe(u(f(a, K)));
        return;
      }
      const [op, f] = cmp[k % cmp.length]!;
      const viaImm = new Interpreter(assemble(`r0 = 1\nif r1 ${op} ${imm} goto +1\nr0 = 0\nexit`)).run({ args: [a] });
      expect(viaImm.r0).toBe(f(a, K) ? 1n : 0n);
      const viaReg = new Interpreter(assemble(`r0 = 1\nif r1 ${op} r2 goto +1\nr0 = 0\nexit`)).run({ args: [a, b] });
      expect(viaReg.r0).toBe(f(a, b) ? 1n : 0n);
    }), { numRuns: 1000 });
  });
});

describe('memory is checked', () => {
  it('reads and writes the input memory', () => {
    const mem = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const r = run('r0 = *(u32 *)(r1 + 4)\n*(u8 *)(r1 + 0) = 9\nexit', {}, mem);
    expect(r.r0).toBe(0x08070605n);
    expect(mem[0]).toBe(9);
  });

  it('an access past the end is out-of-bounds, naming instruction, address and size', () => {
    const r = run('r0 = 1\nr0 = *(u32 *)(r1 + 6)\nexit', {}, new Uint8Array(8));
    expect(r.r0).toBeNull();
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v.kind).toBe('out-of-bounds');
    expect(v.insn).toBe(1);
    expect(v.message).toMatch(/instruction 1: read of 4 bytes at 0x[0-9a-f]+ is outside input memory/);
  });

  it('a negative offset below the region faults', () => {
    const r = run('r0 = *(u8 *)(r1 - 1)\nexit', {}, new Uint8Array(8));
    expect(r.violations[0]?.kind).toBe('out-of-bounds');
  });

  it('the stack is 512 bytes: r10 - 512 is fine, r10 - 513 faults, r10 + 0 faults', () => {
    expect(run('*(u8 *)(r10 - 512) = 1\nr0 = 0\nexit').violations).toEqual([]);
    expect(run('*(u8 *)(r10 - 513) = 1\nexit').violations[0]?.kind).toBe('out-of-bounds');
    expect(run('r0 = *(u8 *)(r10 + 0)\nexit').violations[0]?.kind).toBe('out-of-bounds');
  });

  it('NULL is never mapped', () => {
    const r = run('r1 = 0\nr0 = *(u64 *)(r1 + 0)\nexit');
    expect(r.violations[0]).toMatchObject({ kind: 'null-dereference', insn: 1 });
  });

  it('an arbitrary host-like address is out-of-bounds', () => {
    const r = run('r1 = 0x7fff12345678 ll\nr0 = *(u64 *)(r1 + 0)\nexit');
    expect(r.violations[0]).toMatchObject({ kind: 'out-of-bounds', insn: 2 });
  });

  it('a store to read-only memory is a permission violation', () => {
    const m = new Machine();
    const ro = m.space.map('rodata', new Uint8Array(8), PERM_R, 'read-only data');
    const img = new Image(assemble('*(u32 *)(r1 + 0) = 1\nexit'));
    const r = m.run(img, { args: [ro.base] });
    expect(r.violations[0]).toMatchObject({ kind: 'permission', insn: 0 });
  });

  it('a killed region reports the kind it was killed with', () => {
    const m = new Machine();
    const reg = m.space.map('map-value', new Uint8Array(8), PERM_RW, 'hash element');
    m.space.kill(reg, 'use-after-free', 'was deleted');
    const r = m.run(new Image(assemble('r0 = *(u64 *)(r1 + 0)\nexit')), { args: [reg.base] });
    expect(r.violations[0]).toMatchObject({ kind: 'use-after-free', insn: 0 });
    expect(r.violations[0]!.message).toContain('was deleted');
  });

  it('a region a helper retires faults on the next access, right after a fast one', () => {
    const m = new Machine();
    const reg = m.space.map('map-value', new Uint8Array(8), PERM_RW, 'hash element');
    m.setHelper(1, () => {
      m.space.kill(reg, 'use-after-free', 'was deleted');
      return 0n;
    });
    const prog = 'r6 = r1\nr7 = *(u64 *)(r6 + 0)\n*(u64 *)(r6 + 0) = r7\ncall 1\nr0 = *(u8 *)(r6 + 1)\nexit';
    const r = m.run(new Image(assemble(prog)), { args: [reg.base] });
    expect(r.violations[0]).toMatchObject({ kind: 'use-after-free', insn: 4 });
  });

  it('a helper that makes a region read-only: the next store is a permission violation', () => {
    const m = new Machine();
    const reg = m.space.map('map-value', new Uint8Array(8), PERM_RW, 'array element');
    m.setHelper(1, () => {
      reg.perms = PERM_R;
      return 0n;
    });
    const prog = 'r6 = r1\n*(u32 *)(r6 + 0) = 1\ncall 1\nr0 = *(u32 *)(r6 + 0)\n*(u32 *)(r6 + 4) = 2\nexit';
    const r = m.run(new Image(assemble(prog)), { args: [reg.base] });
    expect(r.violations[0]).toMatchObject({ kind: 'permission', insn: 4 });
  });

  it('a step hook that retires a region is seen by the next access', () => {
    const m = new Machine();
    const reg = m.space.map('kernel-object', new Uint8Array(8), PERM_RW, 'object');
    const prog = 'r0 = *(u8 *)(r1 + 0)\nr0 = *(u8 *)(r1 + 1)\nr0 = *(u8 *)(r1 + 2)\nexit';
    const hook = (pc: number) => {
      if (pc === 2) m.space.kill(reg, 'use-after-release', 'was released');
    };
    const r = m.run(new Image(assemble(prog)), { args: [reg.base], hook });
    expect(r.violations[0]).toMatchObject({ kind: 'use-after-release', insn: 2 });
  });

  it('an offset that carries into the upper address word reaches the next window, not the cached one', () => {
    const m = new Machine();
    const a = m.space.map('mem', new Uint8Array([1, 2, 3, 4]), PERM_RW, 'a');
    const b = m.space.map('mem', new Uint8Array([9, 8, 7, 6]), PERM_RW, 'b');
    expect(b.index).toBe(a.index + 1);
    // r1 = a, r2 = a + 0xffffffff: one byte further is b's first byte; one byte before a is unmapped.
    const prog = 'r0 = *(u8 *)(r1 + 0)\nr3 = *(u8 *)(r2 + 1)\nr0 <<= 8\nr0 |= r3\nr3 = *(u8 *)(r2 - 0)\nexit';
    const r = m.run(new Image(assemble(prog)), { args: [a.base, a.base + 0xffffffffn] });
    expect(r.violations[0]).toMatchObject({ kind: 'out-of-bounds', insn: 4 });
    const ok = m.run(new Image(assemble(prog.replace('r3 = *(u8 *)(r2 - 0)\n', ''))), { args: [a.base, a.base + 0xffffffffn] });
    expect(ok.r0).toBe(0x109n);
    const under = m.run(new Image(assemble('r0 = *(u8 *)(r1 + 0)\nr0 = *(u8 *)(r2 - 1)\nexit')), { args: [b.base, b.base] });
    expect(under.violations[0]).toMatchObject({ kind: 'out-of-bounds', insn: 1 });
  });

  it('loads and stores of every size through the cached region match a DataView (property)', () => {
    const sizes = [['u8', 1], ['u16', 2], ['u32', 4], ['u64', 8]] as const;
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 8 }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (bytes, k, off, v) => {
        const [ty, n] = sizes[k]!;
        const mem = Uint8Array.from(bytes);
        const want = Uint8Array.from(bytes);
        const dv = new DataView(want.buffer);
        const old = n === 1 ? BigInt(dv.getUint8(off)) : n === 2 ? BigInt(dv.getUint16(off, true))
          : n === 4 ? BigInt(dv.getUint32(off, true)) : dv.getBigUint64(off, true);
        const val = BigInt.asUintN(n * 8, v);
        if (n === 1) dv.setUint8(off, Number(val)); else if (n === 2) dv.setUint16(off, Number(val), true);
        else if (n === 4) dv.setUint32(off, Number(val), true); else dv.setBigUint64(off, val, true);
        const prog = `r0 = *(${ty} *)(r1 + ${off})\nr3 = ${v} ll\n*(${ty} *)(r1 + ${off}) = r3\nexit`;
        const r = new Interpreter(assemble(prog)).run({ mem });
        expect(r.violations).toEqual([]);
        expect(r.r0).toBe(old);
        expect([...mem]).toEqual([...want]);
      }), { numRuns: 300 });
  });

  it('virtual regions serve loads and stores themselves', () => {
    const m = new Machine();
    const reg = m.space.map('ctx', new Uint8Array(16), PERM_RW, 'context');
    const stored: Array<[number, number, bigint]> = [];
    reg.setVirtual({ load: (off) => 0x1122334455667788n + BigInt(off), store: (off, size, v) => void stored.push([off, size, v]) });
    const r = m.run(new Image(assemble('r0 = *(u32 *)(r1 + 4)\n*(u16 *)(r1 + 2) = 0x1234\nexit')), { args: [reg.base] });
    expect(r.r0).toBe(0x112233445566778cn); // a 32-bit field may stand for a 64-bit value (skb->data)
    expect(stored).toEqual([[2, 2, 0x1234n]]);
  });

  it('atomics work on the stack', () => {
    const r = run(`
      r1 = 5
      *(u64 *)(r10 - 8) = r1
      r2 = 3
      lock *(u64 *)(r10 - 8) += r2
      r0 = 8
      r3 = 99
      r0 = cmpxchg_64(r10 - 8, r0, r3)
      r4 = *(u64 *)(r10 - 8)
      r0 += r4
      exit`);
    expect(r.r0).toBe(8n + 99n);
  });
});

describe('control flow', () => {
  it('the budget stops an infinite loop with a budget violation', () => {
    const r = new Interpreter(assemble('l: goto l'), { budget: 1000 }).run();
    expect(r.violations[0]).toMatchObject({ kind: 'budget', insn: 0 });
    expect(r.insns).toBe(1000);
  });

  // A program that mixes what the interpreter runs inline with what it hands to its slow path: loads and
  // stores alternating between two regions (the stack and the input), a helper call, a local call.
  const MIXED = `
      r6 = r1
      r7 = 0
    loop:
      *(u64 *)(r10 - 8) = r7
      r2 = *(u8 *)(r6 + 0)
      r3 = *(u64 *)(r10 - 8)
      r7 += r2
      r7 += r3
      call 1
      call f
      r7 += r0
      r6 += 1
      if r6 < r5 goto loop
      r0 = r7
      exit
    f:
      r0 = 1
      exit`;
  const mixed = (budget: number, hook?: (pc: number) => void) => {
    const m = new Machine({ budget, helpers: new Map([[1, () => 2n]]) });
    const mem = new Uint8Array([5, 6, 7, 8]);
    const img = new Image(assemble(MIXED));
    const region = m.space.map('mem', mem, PERM_RW, 'input');
    return m.run(img, { args: [region.base, 0n, 0n, 0n, region.base + 4n], hook });
  };

  it('instruction counts are exact, and the step hook sees each instruction once, in order', () => {
    const pcs: number[] = [];
    const plain = mixed(1e6);
    const hooked = mixed(1e6, (pc) => void pcs.push(pc));
    expect(plain.violations).toEqual([]);
    expect(hooked.r0).toBe(plain.r0);
    // 2 + 4 × (10 in the loop + 2 in f) + 2
    expect(plain.insns).toBe(52);
    expect(hooked.insns).toBe(52);
    const loop = [2, 3, 4, 5, 6, 7, 8, 14, 15, 9, 10, 11];
    expect(pcs).toEqual([0, 1, ...loop, ...loop, ...loop, ...loop, 12, 13]);
  });

  it('every budget stops at exactly that many instructions, naming the next one, with or without a hook', () => {
    const pcs: number[] = [];
    mixed(1e6, (pc) => void pcs.push(pc));
    for (let budget = 0; budget < 52; budget += 3) {
      for (const hook of [undefined, () => {}]) {
        const r = mixed(budget, hook);
        expect(r.violations[0]).toMatchObject({ kind: 'budget', insn: pcs[budget] });
        expect(r.insns).toBe(budget);
      }
    }
  });

  it('a run longer than one pass of the fast loop goes on; a fractional budget is refused, naming the option', () => {
    const n = MAX_STEPS + 1000;
    // 3 instructions per round: 2 + 3 × rounds + 1 in all
    const rounds = Math.ceil(n / 3);
    const r = new Interpreter(assemble(`r0 = 0\nr1 = 0\nl: r0 += 2\nr1 += 1\nif r1 < ${rounds} goto l\nexit`), { budget: 1e9 }).run();
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(BigInt(2 * rounds));
    expect(r.insns).toBe(3 + 3 * rounds);
    expect(() => new Interpreter(assemble('l: goto l'), { budget: 2.5 })).toThrow(/option budget: expected an integer/);
  });

  it('falling off the end is a bad jump', () => {
    const r = run('r0 = 0');
    expect(r.violations[0]).toMatchObject({ kind: 'bad-jump', insn: 0 });
  });

  it('jumping into the second half of an lddw is an invalid instruction', () => {
    const insns = program(Ja(1), LoadImm64(R0, 5n), Exit());
    const r = new Interpreter(insns).run();
    expect(r.violations[0]).toMatchObject({ kind: 'invalid-insn', insn: 2 });
  });

  it('bpf-to-bpf calls preserve r6-r9 and give each frame its own stack', () => {
    const r = run(`
      r6 = 6
      *(u64 *)(r10 - 8) = r6
      call f
      r1 = *(u64 *)(r10 - 8)
      r0 += r1
      r0 += r6
      exit
    f:
      r6 = 100
      *(u64 *)(r10 - 8) = r6
      r0 = *(u64 *)(r10 - 8)
      exit`);
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(100n + 6n + 6n);
  });

  it('more than 8 frames is a call-depth violation', () => {
    const r = run('call f\nexit\nf: call f\nexit');
    expect(r.violations[0]).toMatchObject({ kind: 'call-depth', insn: 2 });
  });

  it('an unknown helper is a violation naming the instruction', () => {
    const r = run('r0 = 0\ncall 9999\nexit');
    expect(r.violations[0]).toMatchObject({ kind: 'unknown-helper', insn: 1 });
  });

  it('helpers receive r1-r5 and set r0; a faulting helper names the call', () => {
    const add: HelperFn = (_c, a, b) => a + b;
    const bad: HelperFn = (ctx) => ctx.space.read(0x10n, 8);
    const helpers = new Map([[1, add], [2, bad]]);
    expect(run('r1 = 2\nr2 = 40\ncall 1\nexit', { helpers }).r0).toBe(42n);
    expect(run('r0 = 0\ncall 2\nexit', { helpers }).violations[0]).toMatchObject({ kind: 'null-dereference', insn: 1 });
  });

  it('callbacks run in a new frame and return their r0', () => {
    // A bpf_loop-like helper: calls the callback r2 times with (i, r3), sums the results.
    const loop: HelperFn = (ctx, fn, n, arg) => {
      let s = 0n;
      for (let i = 0n; i < n; i++) s += ctx.callback(fn, [i, arg]);
      return s;
    };
    const insns = program(
      LoadImm64(R1, codeAddress(8)), Mov.imm(R2, 4), Mov.imm(R0, 0), Call(7), Exit(),
      Mov.imm(R0, 0), Mov.imm(R0, 0), Mov.imm(R0, 0),
      // callback at 8: r0 = i * 10
      Mov.reg(R0, R1), Mul.imm(R0, 10), Exit(),
    );
    const r = new Interpreter(insns, { helpers: new Map([[7, loop]]) }).run();
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(0n + 10n + 20n + 30n);
  });

  it('tail calls continue in the target and stop after 33', () => {
    const m = new Machine();
    // The target increments a counter on the stack of frame 0 and tail-calls itself again.
    const counter = m.space.map('mem', new Uint8Array(8), PERM_RW, 'counter');
    // assigned below: the helper that tail-calls it is created first
    // eslint-disable-next-line prefer-const
    let target!: Image;
    m.setHelper(12, (ctx) => (ctx.tailCall(target) ? 0n : BigInt.asUintN(64, -2n)));
    target = new Image(program(
      LoadMem(R2, R1, 0, 'DW'), Add.imm(R2, 1), StoreMem(R1, 0, R2, 'DW'),
      Call(12), Exit(),
    ));
    const r = m.run(new Image(program(Call(12), Exit())), { args: [counter.base] });
    expect(r.violations).toEqual([]);
    expect(new DataView(counter.bytes.buffer).getBigUint64(0, true)).toBe(33n);
    expect(r.r0).toBe(BigInt.asUintN(64, -2n));
  });

  it('the step hook sees every instruction with its frame', () => {
    const seen: Array<[number, number]> = [];
    new Interpreter(assemble('call f\nexit\nf: r0 = 1\nexit')).run({ hook: (pc, _r, frame) => void seen.push([pc, frame]) });
    expect(seen).toEqual([[0, 0], [2, 1], [3, 1], [1, 0]]);
  });

  it('a loop built with the DSL runs', () => {
    const insns = program(Mov.imm(R0, 0), Mov.imm(R1, 0), Label('l'), Add.reg(R0, R1), Add.imm(R1, 1), JLT.imm(R1, 10, 'l'),
      JEq.imm(R0, 45, 'ok'), Mov.imm(R0, -1), Label('ok'), Exit());
    expect(new Interpreter(insns).run().r0).toBe(45n);
    expect(CallLocal('x')).toBeDefined();
    expect(R2 + R10).toBe(12);
  });
});
