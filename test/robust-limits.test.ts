/**
 * Bounded by default: options validated with errors naming them, instruction budget and wall-clock limit
 * on every run (all repeats together), output capped with a count of what was dropped; bad instruction
 * objects are typed errors (registers r11-r15, a half lddw), in the interpreter and the verifier.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { BpfError, DecodeError, UsageError } from '../src/errors.js';
import { decode, LDDW_HI, type Insn } from '../src/isa/insn.js';
import { loadProgram } from '../src/api/collection.js';
import { Interpreter } from '../vm/interpreter.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const insn = (code: number, dst: number, src: number, off = 0, imm = 0): Insn => ({ code, opcode: code & 0xff, dst, src, off, imm });
const EXIT = insn(0x95, 0, 0);
const packet = () => new Uint8Array(64);

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('instruction objects the decoder would refuse', () => {
  it('registers r11-r15 are DecodeErrors in the raw interpreter, never read as 0', () => {
    for (const r of [11, 12, 13, 14, 15]) {
      const e = thrown(() => new Interpreter([insn(0xbf, 0, r), EXIT]).run());
      expect(e).toBeInstanceOf(DecodeError);
      expect((e as DecodeError).where.insn).toBe(0);
      expect(thrown(() => new Interpreter([insn(0xb7, r, 0, 0, 1), EXIT]).run())).toBeInstanceOf(DecodeError);
    }
  });

  it('a trailing half lddw is a located DecodeError', () => {
    const [lo] = decode(new Uint8Array([0x18, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    const e = thrown(() => new Interpreter([lo!]).run());
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as Error).message).toBe('instruction 0: lddw is missing its second half');
    expect(thrown(() => new Interpreter([EXIT, { ...insn(0, 0, 0), code: LDDW_HI }]))).toBeInstanceOf(DecodeError);
    expect(thrown(() => new Interpreter([insn(0xb7, 0, 0, 0, 2 ** 31), EXIT]))).toBeInstanceOf(DecodeError);
  });

  it('the verifier answers JMP/JMP32 register forms with dst >= r11 as the kernel does (R11 is invalid)', () => {
    for (const code of [0x1d, 0x1e, 0x2d, 0x5d, 0xad]) {
      for (const dst of [11, 12, 15]) {
        const p = loadProgram([insn(0xb7, 0, 0), insn(code, dst, 0, 1), EXIT, EXIT], 'socket');
        const v = p.verify();
        expect(v.verdict).toBe('rejected');
        expect(v.message).toBe(`R${dst} is invalid`);
      }
    }
    const unverified = loadProgram([insn(0xb7, 0, 0), insn(0x1d, 11, 0, 1), EXIT, EXIT], 'socket', { verify: false });
    expect(thrown(() => unverified.run({ data: packet() }))).toBeInstanceOf(DecodeError);
  });
});

describe('options are validated, naming the option', () => {
  const prog = () => loadProgram(assemble('r0 = 0\nexit'), 'socket');

  it('budget: NaN, Infinity, negative and fractional values are refused', () => {
    for (const budget of [Number.NaN, Infinity, -1, 2.5]) {
      expect(thrown(() => new Interpreter(assemble('l: goto l'), { budget }))).toBeInstanceOf(UsageError);
      expect(() => loadProgram(assemble('r0 = 0\nexit'), 'socket', { budget })).toThrow(/option budget/);
      expect(() => prog().run({ data: packet(), budget })).toThrow(/option budget/);
    }
  });

  it('repeat is a u32, as the kernel takes it', () => {
    for (const repeat of [Number.NaN, -1, 1.5, 2 ** 32]) {
      const e = thrown(() => prog().run({ data: packet(), repeat }));
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(/^option repeat: expected an integer from 0 to 4294967295/);
    }
    expect(prog().run({ data: packet(), repeat: 3 }).retval).toBe(0);
  });

  it('other options: types and ranges', () => {
    expect(() => prog().run({ data: 'ab' as unknown as Uint8Array })).toThrow(/option data/);
    expect(() => prog().run({ flags: -1 })).toThrow(/option flags/);
    expect(() => loadProgram(assemble('exit'), 'socket', { timeLimit: 0 })).toThrow(/option timeLimit/);
    expect(() => loadProgram(assemble('exit'), 'socket', { nrCpus: 1.5 })).toThrow(/option nrCpus/);
    expect(() => loadProgram(assemble('exit'), 'socket', { verify: 'yes' as unknown as boolean })).toThrow(/option verify/);
    expect(() => loadProgram(assemble('exit'), 'socket', { outputLimit: -1 })).toThrow(/option outputLimit/);
    expect(() => loadProgram(assemble('exit'), 7 as unknown as string)).toThrow(BpfError);
  });
});

describe('bounded by default', () => {
  it('a long run stops at the wall-clock limit as a budget violation', () => {
    const r = new Interpreter(assemble('l: goto l'), { budget: Number.MAX_SAFE_INTEGER, timeLimit: 50 }).run();
    expect(r.r0).toBeNull();
    expect(r.violations[0]!.kind).toBe('budget');
    expect(r.violations[0]!.message).toMatch(/^instruction 0: wall-clock limit of 50 ms exceeded/);
  });

  it('repeat 2^32 - 1 ends at the wall-clock limit, with a clear violation', () => {
    const p = loadProgram(assemble('r0 = 0\nexit'), 'socket', { timeLimit: 50 });
    const r = p.run({ data: packet(), repeat: 2 ** 32 - 1 });
    expect(r.retval).toBeNull();
    expect(r.violations[0]!.message).toMatch(/wall-clock limit of 50 ms reached after \d+ of 4294967295 repeats/);
  });

  it('trace_printk output is capped per run, all repeats together; the rest is counted', () => {
    // bpf_trace_printk("hi\n", 4) from the stack
    const src = 'r1 = 0x0a6968\n*(u32 *)(r10 - 4) = r1\nr1 = r10\nr1 += -4\nr2 = 4\ncall 6\nr0 = 0\nexit';
    const p = loadProgram(assemble(src), 'socket', { outputLimit: 5 });
    const r = p.run({ data: packet(), repeat: 100 });
    expect(r.output).toHaveLength(5);
    expect(r.outputDropped).toBe(95);
    const again = p.run({ data: packet() });
    expect(again.output).toEqual(['hi']);
    expect(again.outputDropped).toBeUndefined();
    expect(loadProgram(assemble(src), 'socket').run({ data: packet(), repeat: 20_000 }).outputDropped).toBe(10_000);
  });
});

describe('CLI limits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfvm-limits-'));
  const quick = join(dir, 'quick.s');
  writeFileSync(quick, 'r0 = 0\nexit\n');
  const cli = (...argv: string[]) => {
    const io = bufferIo();
    const code = main(argv, io);
    return { ...io, code };
  };

  it('--repeat must be a u32 written as digits: exit 2, one line, a JSON error', () => {
    for (const v of ['1e12', '4294967296', '-1', '1.5', 'NaN']) {
      const r = cli('run', quick, '--repeat', v, '--json');
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(r.stdout.trim()).error.kind).toBe('usage');
    }
  });

  it('--time-limit stops a huge repeat with a budget violation (exit 1)', () => {
    const r = cli('run', quick, '--prog-type', 'socket', '--data', '00'.repeat(20), '--repeat', '4294967295', '--time-limit', '50', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim()).violations[0].kind).toBe('budget');
    const raw = cli('run', quick, '--repeat', '4294967295', '--time-limit', '50', '--json');
    expect(raw.code).toBe(1);
  });

  it('--memory-limit answers ENOMEM for a map that does not fit', () => {
    expect(cli('run', quick, '--prog-type', 'socket', '--memory-limit', 'x').code).toBe(2);
    const obj = join(import.meta.dirname, 'fixtures', 'maps.bpf.o');
    const r = cli('run', obj, '--memory-limit', '1000', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bpfvm: .*ENOMEM\)\n$/);
    expect(JSON.parse(r.stdout.trim()).error.kind).toBe('load');
  });
});
