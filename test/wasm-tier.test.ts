import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { UsageError } from '../src/errors.js';
import { parseDataFile } from '../src/conformance/data-file.js';
import { CONFORMANCE_HELPERS } from '../src/conformance/runner.js';
import { decode, makeInsn, type Insn } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';
import { Image } from '../vm/image.js';
import { Interpreter } from '../vm/interpreter.js';
import { Machine } from '../vm/machine.js';
import { WasmEngine } from '../vm/wasm/tier.js';
import { rawProgram } from '../bench/fuzz/insns.js';
import { PROGRAMS } from '../bench/suite.js';
import { runTyped, typedPacket, typedProgram, typedXdp } from '../bench/typed.js';
import { diffProgram, runBoth, runDiff } from '../bench/wasm-diff.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap } from '../kernel-sim/maps/index.js';
import { announceMissing, sharedPath } from './shared.js';
import { loadCorpus, loadFixups } from '../src/corpus/load.js';
import { runCorpus } from '../src/corpus/runner.js';
import { runCase } from '../src/corpus/run.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

const structured = new WasmEngine();
const dispatch = new WasmEngine();
dispatch.forceDispatch = true;

/** Runs a case in the interpreter and in the given engine (bench/wasm-diff.ts: the differential run's own comparison). */
const both = runBoth;

describe('wasm tier: the benchmark programs', () => {
  it('computes what the plain-JavaScript baselines compute, with the interpreter\'s instruction counts', () => {
    for (const p of PROGRAMS) {
      const insns = assemble(p.source);
      const image = new Image(insns);
      const m = new Machine({ budget: 1e9, timeLimit: 120_000 });
      m.engine = structured;
      const r = m.run(image, { mem: p.input() });
      expect(m.lastTier).toBe('wasm');
      expect(r.violations).toEqual([]);
      expect(r.r0).toBe(p.baseline(p.input()));
      expect(structured.compiled(image)!.info.structured).toBe(true);
    }
  });

  it('stops at the budget on the same instruction with the same count as the interpreter', () => {
    const insns = assemble(PROGRAMS[3]!.source);
    for (const budget of [0, 1, 2, 7, 1000, 12345, 99999]) {
      const r = both({ insns, mem: new Uint8Array(8000), budget }, structured);
      expect(r.tier).toBe('wasm');
      expect(r.wasm).toEqual(r.interp);
    }
  });
});

describe('wasm tier: the conformance suite in both tiers', () => {
  const dir = sharedPath('conformance');
  if (dir === undefined) {
    it('is not available here', () => announceMissing('conformance'));
    return;
  }
  const names = readdirSync(dir).filter((n) => n.endsWith('.data')).sort();
  for (const [label, engine] of [['structured', structured], ['dispatch loop', dispatch]] as const) {
    it(`gives identical results (${label})`, () => {
      let accepted = 0;
      const diffs: string[] = [];
      for (const name of names) {
        const df = parseDataFile(readFileSync(join(dir, name), 'utf8'), name);
        let insns: Insn[];
        try {
          insns = assemble(df.asm, { firstLine: df.asmLine });
        } catch {
          continue; // the interpreter cannot run it either
        }
        const r = both({ insns, mem: df.mem, helpers: CONFORMANCE_HELPERS, budget: 1_000_000 }, engine);
        if (r.tier === 'wasm') accepted++;
        try {
          expect(r.wasm).toEqual(r.interp);
        } catch {
          diffs.push(`${name}: interp ${JSON.stringify(r.interp, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))} wasm ${JSON.stringify(r.wasm, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        }
      }
      process.stdout.write(`wasm tier (${label}): ${accepted} of ${names.length} conformance programs compiled, ${engine.stats.deopts} handed to the interpreter part-way, ${diffs.length} differences\n`);
      expect(diffs).toEqual([]);
      expect(accepted).toBeGreaterThanOrEqual(Math.floor(names.length * 0.95));
    });
  }
});

describe('wasm tier: differential test against the interpreter', () => {
  for (const [label, engine] of [['structured', structured], ['dispatch loop', dispatch]] as const) {
    it(`random programs agree (${label}; fixed seed)`, () => {
      fc.assert(fc.property(diffProgram, fc.uint8Array({ minLength: 0, maxLength: 64 }), (insns, mem) => {
        const r = both({ insns, mem: mem.length > 0 ? mem : undefined, budget: 3000 }, engine);
        expect(r.wasm).toEqual(r.interp);
      }), { seed: 0x5eed, numRuns: 1500 });
      process.stdout.write(`differential (${label}): ${engine.stats.runs} wasm runs, ${engine.stats.deopts} deopts\n`);
    });
  }

  it('raw instruction streams agree (fixed seed)', () => {
    fc.assert(fc.property(rawProgram(40), (bytes) => {
      let insns: Insn[];
      try {
        insns = decode(bytes);
      } catch {
        return;
      }
      const r = both({ insns, mem: new Uint8Array(32), budget: 2000 }, structured);
      expect(r.wasm).toEqual(r.interp);
    }), { seed: 0xbeef, numRuns: 1500 });
  });
});

describe('wasm tier: control flow', () => {
  it('runs an irreducible graph (a loop entered at two places) through the dispatch loop, as the interpreter does', () => {
    const insns = [
      makeInsn(Op.JGT_K, { dst: 3, imm: 4, off: 3 }), // 0: to B (4) or A (1)
      makeInsn(Op.ADD64_K, { dst: 0, imm: 1 }), // 1: A
      makeInsn(Op.JGT_K, { dst: 0, imm: 50, off: 4 }), // 2: to the exit (7)
      makeInsn(Op.JA, { off: 0 }), // 3
      makeInsn(Op.ADD64_K, { dst: 0, imm: 2 }), // 4: B
      makeInsn(Op.JA, { off: -5 }), // 5: to A
      makeInsn(Op.MOV64_K, { dst: 0, imm: 99 }), // 6: never reached
      makeInsn(Op.EXIT), // 7
    ];
    const r = both({ insns }, structured);
    expect(r.tier).toBe('wasm');
    expect(structured.compiled(new Image(insns))).not.toBeNull();
    const img = new Image(insns);
    const m = new Machine();
    m.engine = structured;
    m.run(img);
    expect(structured.compiled(img)!.info.structured).toBe(false);
    expect(r.wasm).toEqual(r.interp);
    expect((r.wasm as { r0: bigint }).r0).toBe(52n);
  });
});

describe('wasm tier: the library option', () => {
  const PKT = `
r6 = r1
r2 = *(u32 *)(r6 + 76)
r3 = *(u32 *)(r6 + 80)
r4 = r2
r4 += 16
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 12)
r5 = *(u16 *)(r2 + 2)
r0 += r5
*(u8 *)(r2 + 0) = r0
*(u64 *)(r10 - 8) = r0
call 8
r1 = *(u64 *)(r10 - 8)
r0 += r1
exit
out:
r0 = 0
exit
`;
  const data = Uint8Array.from({ length: 40 }, (_, i) => i * 7);

  it('Program.run takes tier and names the tier that ran; results are the interpreter\'s', () => {
    const prog = loadProgram(assemble(PKT), 'tc');
    const a = prog.run({ data, tier: 'interp', repeat: 3 });
    const b = prog.run({ data, tier: 'wasm', repeat: 3 });
    expect(a.tier).toBe('interp');
    expect(b.tier).toBe('wasm');
    expect({ ...b, tier: a.tier }).toEqual(a);
    expect(a.violations).toEqual([]);
    expect(prog.run({ data, tier: 'auto' }).tier).toBe('interp'); // auto, one run
    expect(prog.run({ data, tier: 'auto', repeat: 200 }).tier).toBe('interp'); // auto: not yet as many instructions as compiling costs
    const hot = prog.run({ data, tier: 'auto', repeat: 100_000 }); // auto: hot part-way through, the wasm tier from then on
    expect(hot.tier).toBe('wasm');
    expect({ ...hot, tier: a.tier, duration: a.duration }).toEqual({ ...a, duration: a.duration });
    expect(prog.run({ data, tier: 'wasm', checkStates: true }).tier).toBe('interp'); // a step hook: the interpreter
  });

  it('a short packet: the same violation-free early exit; a bad tier is a UsageError', () => {
    const prog = loadProgram(assemble(PKT), 'tc');
    const short = new Uint8Array(15);
    const a = prog.run({ data: short, tier: 'interp' });
    const b = prog.run({ data: short, tier: 'wasm' });
    expect({ ...b, tier: 'interp' }).toEqual(a);
    expect(() => prog.run({ data, tier: 'jit' as never })).toThrow(UsageError);
    expect(() => prog.run({ data, tier: 'jit' as never })).toThrow(/option tier: expected one of interp, wasm, auto/);
  });
});

describe('wasm tier: the Interpreter class', () => {
  it('takes tier: "wasm"', () => {
    const vm = new Interpreter(assemble('r0 = 6\nr0 *= 7\nexit'), { tier: 'wasm' });
    expect(vm.run()).toEqual({ r0: 42n, insns: 3, violations: [] });
    expect(vm.machine.lastTier).toBe('wasm');
    expect(() => new Interpreter(assemble('exit'), { tier: 'fast' as never })).toThrow(UsageError);
  });

  it('a compiled endless loop stops at the wall-clock limit as a budget violation', () => {
    const vm = new Interpreter(assemble('l: goto l'), { budget: Number.MAX_SAFE_INTEGER, timeLimit: 50, tier: 'wasm' });
    const r = vm.run();
    expect(vm.machine.lastTier).toBe('wasm');
    expect(r.r0).toBeNull();
    expect(r.violations[0]!.kind).toBe('budget');
    expect(r.violations[0]!.message).toMatch(/^instruction 0: wall-clock limit of 50 ms exceeded after \d+ instructions$/);
  });
});

describe('wasm tier: the test_verifier corpus runs in both tiers', () => {
  const corpus = sharedPath('verifier-corpus/linux-6.1.jsonl');
  const fixFile = sharedPath('verifier-corpus/fixup-maps-6.1.json');
  if (corpus === undefined || fixFile === undefined) {
    it('is not available here', () => announceMissing('verifier-corpus'));
    return;
  }
  it('gives the same return values and violations on every checked run (priv; each case verified once, run in each tier)', () => {
    const cases = loadCorpus(corpus).filter((c) => c.kernel.priv?.runs_checked);
    const fixups = loadFixups(fixFile);
    const diffs: string[] = [];
    let wasmRuns = 0, runs = 0;
    const s = runCorpus(cases, {
      mode: 'priv', fixups,
      retval: (c, m, insns, r, fdKinds) => {
        const a = runCase(c, m, insns, fdKinds, fixups, [], r.probeMem, undefined, 'interp');
        const b = runCase(c, m, insns, fdKinds, fixups, [], r.probeMem, undefined, 'wasm');
        runs += b.tiers.length;
        wasmRuns += b.tiers.filter((t) => t === 'wasm').length;
        const strip = (o: typeof a): unknown => ({ ok: o.ok, detail: o.detail, retvals: o.retvals, violations: o.violations });
        if (JSON.stringify(strip(a)) !== JSON.stringify(strip(b))) diffs.push(`${c.id}: interp ${JSON.stringify(strip(a))} wasm ${JSON.stringify(strip(b))}`);
        return a;
      },
    });
    process.stdout.write(`wasm tier: ${runs} corpus test runs, ${wasmRuns} compiled, ${diffs.length} differences\n`);
    expect(diffs).toEqual([]);
    expect(s.retvalAgree).toBe(s.retvalChecked);
    expect(wasmRuns).toBeGreaterThan(runs / 2);
  });
});

describe('wasm tier: --tier on conformance', () => {
  const dir = sharedPath('conformance');
  if (dir === undefined) {
    it('is not available here', () => announceMissing('conformance'));
    return;
  }
  it('runs the suite in the tier asked for and names it in the JSON', () => {
    for (const tier of ['interp', 'wasm'] as const) {
      const io = bufferIo();
      expect(main(['conformance', dir, '--tier', tier, '--json'], io)).toBe(0);
      const last = JSON.parse(io.stdout.trim().split('\n').pop()!) as { total: number; passed: number; tier: string };
      expect(last).toMatchObject({ passed: last.total, tier });
    }
  });
});

describe('wasm tier: typed programs\' regions in linear memory', () => {
  /** Runs `src` (xdp, one 16-byte array map) in both tiers on a fresh kernel each: results, map value, registers. */
  function bothTyped(src: string, data: Uint8Array, progType = 'xdp'): { interp: unknown; wasm: unknown; tier: string } {
    const out: unknown[] = [];
    let tier = '';
    for (const t of ['interp', 'wasm'] as const) {
      const k = new Kernel();
      const m = createMap(k.maps, { type: 'array', name: 'v', keySize: 4, valueSize: 16, maxEntries: 2 });
      const p = loadProgram(assemble(src), progType, { kernel: k, maps: [m], verify: false });
      const r = p.run({ data: data.slice(), tier: t, repeat: 2 });
      tier = r.tier;
      out.push({ ...r, tier: undefined, value: m.lookupSys(new Uint8Array(4)), regs: [...(p as unknown as { machine: Machine }).machine.regs] });
    }
    return { interp: out[0], wasm: out[1], tier };
  }

  it('the typed-xdp bench program: same verdict, packet, map value and count; its packet and map value stay in linear memory', () => {
    const r = bothTyped(typedXdp, typedPacket());
    expect(r.tier).toBe('wasm');
    expect(r.wasm).toEqual(r.interp);
    expect((r.interp as { retval: number }).retval).toBe(2);
    // the slow path is taken once per pass and region (the context's loads empty the cache), not per access
    const slow = { n: 0 };
    const P = Machine.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const orig = P.tierLoad!, origSt = P.tierStore!;
    P.tierLoad = function (this: Machine, ...a: unknown[]) { slow.n++; return orig.apply(this, a); };
    P.tierStore = function (this: Machine, ...a: unknown[]) { slow.n++; return origSt.apply(this, a); };
    try {
      const p = typedProgram();
      const x = runTyped(p, 'wasm', typedPacket());
      expect(x.tier).toBe('wasm');
      expect(slow.n).toBeLessThan(x.insns / 100);
    } finally {
      P.tierLoad = orig;
      P.tierStore = origSt;
    }
  });

  it('a helper changing a cached map value: the compiled code reads the new value (the copy went back and was dropped)', () => {
    const src = `
    *(u32 *)(r10 - 4) = 0
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call 1
    if r0 == 0 goto out
    r6 = r0
    r1 = 5
    *(u64 *)(r6 + 0) = r1
    r1 = 77
    *(u64 *)(r10 - 24) = r1
    *(u64 *)(r10 - 16) = r1
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -24
    r4 = 0
    call 2
    r0 = *(u64 *)(r6 + 0)
    r1 = *(u64 *)(r6 + 8)
    r0 += r1
    *(u64 *)(r6 + 8) = r0
    exit
out:
    r0 = 0
    exit`;
    const r = bothTyped(src, new Uint8Array(64));
    expect(r.tier).toBe('wasm');
    expect(r.wasm).toEqual(r.interp);
    expect((r.interp as { retval: number }).retval).toBe(154);
  });

  it('faults past a cached packet and map value: the interpreter\'s violation, instruction, count and registers', () => {
    for (const bad of ['r0 = *(u8 *)(r7 + 4000)', '*(u32 *)(r6 + 30) = r1', 'r0 = *(u64 *)(r6 + 32)', 'r0 = *(u64 *)(r6 - 1)']) {
      const src = `
    r7 = *(u32 *)(r1 + 0)
    *(u32 *)(r10 - 4) = 0
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call 1
    if r0 == 0 goto out
    r6 = r0
    r1 = *(u8 *)(r7 + 3)
    *(u64 *)(r6 + 0) = r1
    r1 = *(u32 *)(r6 + 0)
    *(u8 *)(r7 + 1) = r1
    ${bad}
out:
    r0 = 0
    exit`;
      const r = bothTyped(src, Uint8Array.from({ length: 64 }, (_, i) => i));
      expect(r.tier).toBe('wasm');
      expect(r.wasm).toEqual(r.interp);
      expect([bad, (r.interp as { violations: unknown[] }).violations.length]).toEqual([bad, 1]);
    }
  });
});

describe('wasm tier: a fixed-seed slice of the 10^6-program differential run (bench/wasm-diff.ts)', () => {
  it('no differences in r0, registers, counts, violations or memory (helper-made regions in the dynamic entries included)', () => {
    const s = runDiff({ seed: 1, count: 1200 });
    process.stdout.write(`wasm-diff slice: ${s.programs} programs, ${s.wasmRuns} wasm runs, ${s.deopts} deopts, ${s.differences.length} differences\n`);
    expect(s.differences).toEqual([]);
    expect(s.programs).toBe(1200);
    expect(s.wasmRuns).toBeGreaterThan(1200);
    // a later slice, as a split run starts it
    expect(runDiff({ seed: 1, count: 200, from: 500_000 }).differences).toEqual([]);
  });
});
