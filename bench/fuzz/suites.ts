/**
 * The fuzz suites: each feeds generated input to one public entry point and names the outcome. Shared
 * by the CI slices (test/fuzz-*.test.ts) and the long mode (bench/fuzz/main.ts).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError } from '../../src/errors.js';
import { decode, encode, type Insn } from '../../src/isa/insn.js';
import { assemble } from '../../src/asm/assemble.js';
import { disassemble, type Style } from '../../src/asm/disassemble.js';
import { loadObject, loadProgram } from '../../src/api/collection.js';
import { CONFORMANCE_HELPERS } from '../../src/conformance/runner.js';
import { Interpreter } from '../../vm/interpreter.js';
import { AddressSpace, type Region } from '../../vm/address-space.js';
import { VIOLATION_KINDS } from '../../src/violations.js';
import { errorClass, FuzzFailure, outcomeOf, type Suite } from './harness.js';
import { mutate, mutationArb, type Mutation } from './elf-mutate.js';
import { anyInsn, rawProgram } from './insns.js';
import type { Io } from '../../src/cli/io.js';

export interface Sample { name: string; bytes: Uint8Array }

/** Every `.o` under `dirs` (recursively), smallest first, up to `maxBytes` each. */
export function readCorpus(dirs: readonly string[], maxBytes = 1 << 20): Sample[] {
  const out: Sample[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e.endsWith('.o') && st.size <= maxBytes) out.push({ name: p, bytes: new Uint8Array(readFileSync(p)) });
    }
  };
  for (const d of dirs) walk(d);
  return out.sort((a, b) => a.bytes.length - b.bytes.length || a.name.localeCompare(b.name));
}

export interface LoaderInput { sample: number; muts: Mutation[]; prog: number; packet: Uint8Array }

/** The ELF/BTF/BTF.ext loader: structure-aware mutants of real objects through loadObject, then one program verified and run. */
export function loaderSuite(corpus: readonly Sample[], opts: { runProgram?: boolean; maxInsns?: number } = {}): Suite<LoaderInput> {
  return {
    name: 'loader',
    ...(corpus.length === 0 && { missing: 'no sample objects' }),
    arbitrary: fc.record({
      sample: fc.nat(), muts: fc.array(mutationArb, { minLength: 1, maxLength: 4 }), prog: fc.nat(), packet: fc.uint8Array({ minLength: 14, maxLength: 128 }),
    }),
    step(input) {
      const s = corpus[input.sample % corpus.length]!;
      const bytes = mutate(s.bytes, input.muts);
      return outcomeOf(() => {
        const col = loadObject(bytes, { budget: 20_000 });
        const progs = [...col.programs.values()];
        if (opts.runProgram === false || progs.length === 0) return 'loaded';
        const p = progs[input.prog % progs.length]!;
        if (p.insns.length > (opts.maxInsns ?? 300)) return 'loaded';
        const v = p.verify({ logLevel: 0 });
        if (v.verdict !== 'accepted') return 'loaded:rejected';
        const r = p.run({ data: input.packet });
        return r.violations.length === 0 ? 'loaded:ran' : `loaded:ran:violation:${r.violations[0]!.kind}`;
      });
    },
    show: (i) => `${corpus[i.sample % corpus.length]!.name} mutations ${JSON.stringify(i.muts, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`,
  };
}

/** The decoder: raw bytes in both byte orders, strict and lenient; a decoded stream re-encodes to its bytes. */
export function decoderSuite(): Suite<{ bytes: Uint8Array; be: boolean; strict: boolean }> {
  return {
    name: 'decoder',
    arbitrary: fc.record({
      bytes: fc.oneof(fc.uint8Array({ maxLength: 96 }), rawProgram(12)), be: fc.boolean(), strict: fc.boolean(),
    }),
    step({ bytes, be, strict }) {
      return outcomeOf(() => {
        const insns = decode(bytes, { endian: be ? 'be' : 'le', strict });
        if (strict) {
          const back = encode(insns, { endian: be ? 'be' : 'le' });
          if (Buffer.compare(Buffer.from(back), Buffer.from(bytes)) !== 0) throw new FuzzFailure('reencode', 'a strictly decoded stream does not re-encode to its bytes');
        }
        return strict ? 'decoded' : 'decoded:lenient';
      });
    },
  };
}

const PROG_TYPES = ['socket', 'xdp', 'tc', 'kprobe', 'tracepoint', 'cgroup_skb', 'raw_tracepoint', 'perf_event', 'lwt_in', 'flow_dissector', 'sk_msg', 'cgroup/sock'];

/** The verifier: raw instruction streams (registers to r15, half lddws, unknown opcodes) of several program types. */
export function verifierSuite(): Suite<{ bytes: Uint8Array; type: number }> {
  return {
    name: 'verifier',
    arbitrary: fc.record({ bytes: rawProgram(40), type: fc.nat(PROG_TYPES.length - 1) }),
    step({ bytes, type }) {
      return outcomeOf(() => {
        const insns = decode(bytes, { strict: false });
        const v = loadProgram(insns, PROG_TYPES[type]!, { verify: true }).verify({ logLevel: 1 });
        if (v.verdict === 'rejected' && (v.errno <= 0 || v.message === '')) throw new FuzzFailure('verdict', `a rejection without errno or message: ${v.errno} ${JSON.stringify(v.message)}`);
        return v.verdict;
      });
    },
  };
}

const GUARD = 64;
const CANARY = 0xa5;

/** A buffer of `n` bytes inside a larger one whose guard bytes on each side hold a canary. */
export function guarded(content: Uint8Array): { view: Uint8Array; intact(): boolean } {
  const backing = new Uint8Array(content.length + 2 * GUARD).fill(CANARY);
  const view = backing.subarray(GUARD, GUARD + content.length);
  view.set(content);
  return {
    view,
    intact: () => backing.subarray(0, GUARD).every((b) => b === CANARY) && backing.subarray(GUARD + content.length).every((b) => b === CANARY),
  };
}

/**
 * Every region the address space maps during `fn` is checked afterwards: its size is its bytes' length,
 * and its bytes are the buffer given (no region silently widened over a neighbour).
 */
function watchRegions<T>(fn: () => T): { result: T; regions: { r: Region; bytes: Uint8Array }[] } {
  const regions: { r: Region; bytes: Uint8Array }[] = [];
  const orig = AddressSpace.prototype.map;
  AddressSpace.prototype.map = function (this: AddressSpace, ...args: Parameters<typeof orig>) {
    const r = orig.apply(this, args);
    regions.push({ r, bytes: args[1] });
    return r;
  };
  try {
    return { result: fn(), regions };
  } finally {
    AddressSpace.prototype.map = orig;
  }
}

function checkRegions(regions: { r: Region; bytes: Uint8Array }[]): void {
  for (const { r, bytes } of regions) {
    if (r.virt !== null) continue;
    if (r.size > r.bytes.byteLength || (r.bytes === bytes && r.size !== bytes.byteLength)) {
      throw new FuzzFailure('region', `region ${r.name} is ${r.size} bytes over a buffer of ${r.bytes.byteLength}`);
    }
  }
}

function wellFormed(r: { r0: bigint | null; violations: { kind: string; insn: number; message: string }[]; insns: number }, budget: number): string {
  if (r.insns > budget + 1) throw new FuzzFailure('budget', `ran ${r.insns} instructions on a budget of ${budget}`);
  if (r.r0 === null && r.violations.length !== 1) throw new FuzzFailure('result', `no r0 and ${r.violations.length} violations`);
  for (const v of r.violations) {
    if (!(v.kind in VIOLATION_KINDS)) throw new FuzzFailure('violation-kind', `unknown violation kind ${v.kind}`);
    if (!/^instruction \d+: /.test(v.message)) throw new FuzzFailure('violation-message', `violation without its instruction: ${v.message}`);
  }
  return r.violations.length === 0 ? 'r0' : `violation:${r.violations[0]!.kind}`;
}

/**
 * The raw interpreter, without a verifier: random valid programs on guarded input memory. Outcomes: r0
 * or one violation of a known kind, within the budget; the guard bytes around the memory never change.
 */
export function interpreterSuite(): Suite<{ insns: Insn[]; mem: Uint8Array }> {
  const budget = 5000;
  return {
    name: 'interpreter',
    arbitrary: fc.record({
      insns: fc.array(anyInsn, { minLength: 1, maxLength: 40 }).map((xs) => {
        const insns: Insn[] = xs.flat().map((x) => (x.imm64 !== undefined && x.src !== 0 ? { ...x, src: 0 } : x));
        insns.push(decode(new Uint8Array([0x95, 0, 0, 0, 0, 0, 0, 0]))[0]!);
        return insns;
      }),
      mem: fc.uint8Array({ maxLength: 64 }),
    }),
    step({ insns, mem }) {
      const g = guarded(mem);
      const { result, regions } = watchRegions(() => outcomeOf(() => wellFormed(new Interpreter(insns, { helpers: CONFORMANCE_HELPERS, budget }).run({ mem: g.view }), budget)));
      if (!g.intact()) throw new FuzzFailure('guard', 'a store reached the guard bytes around the input memory');
      checkRegions(regions);
      return result;
    },
  };
}

/**
 * Programs through loadProgram, without and with the verifier, on guarded packets: unverified runs end in
 * r0 or a violation; a program the verifier accepts runs without any violation (soundness on random code).
 */
export function programRunSuite(): Suite<{ bytes: Uint8Array; type: number; verify: boolean; data: Uint8Array }> {
  const types = ['socket', 'xdp', 'tc', 'kprobe', 'cgroup_skb'];
  const budget = 5000;
  return {
    name: 'program-run',
    arbitrary: fc.record({
      bytes: rawProgram(30), type: fc.nat(types.length - 1), verify: fc.boolean(), data: fc.uint8Array({ minLength: 14, maxLength: 96 }),
    }),
    step({ bytes, type, verify, data }) {
      const g = guarded(data);
      const t = types[type]!;
      const insns = decode(bytes, { strict: false });
      const { result, regions } = watchRegions(() => outcomeOf(() => {
        const p = loadProgram(insns, t, { verify, budget });
        const r = p.run(t === 'kprobe' ? {} : { data: g.view });
        const c = wellFormed(r, budget);
        if (verify && r.violations.length > 0 && r.violations[0]!.kind !== 'budget') {
          throw new FuzzFailure('unsound', `the verifier accepted a program that then hit ${r.violations[0]!.message}`);
        }
        return (verify ? 'verified:' : 'unverified:') + c;
      }));
      if (!g.intact()) throw new FuzzFailure('guard', 'a store reached the guard bytes around the packet');
      checkRegions(regions);
      return result;
    },
  };
}

const STYLES: Style[] = ['kernel', 'llvm', 'mnemonic'];

/** Text edits for the assembler's parser: a character, a token or a number replaced. */
const textEdit = fc.record({ at: fc.nat(), kind: fc.nat(5), text: fc.constantFrom('', ' ', '(', ')', '*', '-', '0x', '+', 'r11', 'r99', '=', ':', 'l:', '99999999999999999999', '-2147483649', 'u64', 's8', '\t', '\u00e9', '// c', 'goto', 'call', '[', ']', ';', 'lock', '0b', 'exit') });

function applyEdit(text: string, e: { at: number; kind: number; text: string }): string {
  if (text.length === 0) return e.text;
  const at = e.at % text.length;
  switch (e.kind) {
    case 0: return text.slice(0, at) + e.text + text.slice(at); // insert
    case 1: return text.slice(0, at) + text.slice(at + 1); // delete one character
    case 2: return text.slice(0, at) + e.text + text.slice(at + 1); // replace one character
    case 3: { // replace a number
      const m = /-?(0x)?[0-9a-f]+/gi;
      const all = [...text.matchAll(m)];
      if (all.length === 0) return text + e.text;
      const x = all[at % all.length]!;
      return text.slice(0, x.index) + e.text + text.slice(x.index + x[0].length);
    }
    case 4: return text.split('\n').reverse().join('\n'); // reorder lines
    default: return text.slice(0, at); // truncate
  }
}

/**
 * The assembler and disassembler: every valid program printed in each style reassembles to the same
 * instructions; edited text assembles or fails with a located AssembleError.
 */
export function asmSuite(): Suite<{ insns: Insn[]; style: number; edits: { at: number; kind: number; text: string }[] }> {
  return {
    name: 'asm',
    arbitrary: fc.record({
      insns: fc.array(anyInsn, { minLength: 1, maxLength: 12 }).map((xs) => xs.flat()),
      style: fc.nat(STYLES.length - 1),
      edits: fc.array(textEdit, { maxLength: 3 }),
    }),
    step({ insns, style, edits }) {
      const st = STYLES[style]!;
      return outcomeOf(() => {
        const text = disassemble(insns, { style: st });
        if (edits.length === 0) {
          const back = assemble(text, st === 'mnemonic' ? { syntax: 'mnemonic' } : {});
          const a = Buffer.from(encode(insns)), b = Buffer.from(encode(back));
          if (a.compare(b) !== 0) {
            throw new FuzzFailure(`roundtrip:${st}`, `${st} text does not reassemble to its program:\n${text}`);
          }
          return `roundtrip:${st}`;
        }
        const edited = edits.reduce(applyEdit, text);
        try {
          assemble(edited);
          return 'edited:assembled';
        } catch (e) {
          if (e instanceof BpfError && e.kind === 'assemble' && e.where.line === undefined) throw new FuzzFailure('asm-unlocated', `AssembleError without a line: ${e.message}`);
          throw e;
        }
      });
    },
  };
}

/** Files the CLI suite's command lines name, written once to a temp folder. */
export function cliFiles(dir: string, objects: readonly Sample[]): Record<string, string> {
  const files: Record<string, string> = {
    's': 'r0 = 2\nexit\n',
    'loop.s': 'l: r0 += 1\ngoto l\n',
    'bad.s': 'r0 = \nexit\n',
    'prog.bin': Buffer.from([0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]).toString('latin1'),
    'half.bin': Buffer.from([0x18, 0, 0, 0, 2, 0, 0, 0]).toString('latin1'),
    'data.bin': 'abcdefghijklmnopqrstuvwxyz0123456789',
    'event.json': '{"args": [1, "x", null], "ret": {}}',
    'model.json': '{"objects": 5}',
    'corpus.jsonl': '{"name": 1}\nnot json\n',
    'test.data': '-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n',
    'empty.o': '',
  };
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name === 's' ? 'prog.s' : name);
    writeFileSync(p, Buffer.from(text, 'latin1'));
    paths[name === 's' ? 'prog.s' : name] = p;
  }
  objects.slice(0, 4).forEach((o, i) => {
    const p = join(dir, `obj${i}.o`);
    writeFileSync(p, o.bytes);
    paths[`obj${i}.o`] = p;
  });
  paths['missing.s'] = join(dir, 'missing.s');
  paths['dir'] = dir;
  return paths;
}

const CLI_VALUES = ['', '0', '1', '-1', '2', '1.5', 'NaN', 'Infinity', '1e3', '0x10', 'abc', '4294967296', '9007199254740993', 'all', 'none', 'bpf,perfmon', 'bogus',
  'xdp', 'socket', 'tc', 'kprobe', 'BPF_PROG_TYPE_XDP', 'cgroup/getsockopt', 'fentry/x', 'off', 'always', 'random:7', 'random:', 'kernel', 'llvm', 'mnemonic', 'le', 'be',
  'CGROUP_GETSOCKOPT', '00112233', 'zz', 'a,b', '--json', '-o', '—', '\u0000'];

const CLI_OPTIONS: Record<string, string[]> = {
  run: ['--program', '--prog-type', '--expected-attach-type', '--target-prog-type', '--data', '--data-file', '--ctx', '--ctx-file', '--repeat', '--mem', '--caps', '--sleepable', '--null-inject', '--kfuncs', '--no-verify', '--event', '--kernel-model', '--trace', '--json', '--budget', '--kernel-btf'],
  disasm: ['--style', '--program'],
  verify: ['--program', '--prog-type', '--expected-attach-type', '--target-prog-type', '--caps', '--log-level', '--json', '--kernel-btf'],
  inspect: ['--json', '--core', '--kernel-btf'],
  asm: ['-o', '--output', '--endian'],
  kfuncs: ['--json'],
  corpus: ['--mode', '--json', '--causes'],
  conformance: ['--json'],
};
const FLAGS = new Set(['--sleepable', '--no-verify', '--trace', '--json', '--core', '--causes']);

/**
 * An in-process CLI runner for the suite whose captured output is bounded: each stream keeps its first and
 * last `limit / 2` characters and counts the rest (a run with `--trace` prints a line per instruction, up to
 * the budget: hundreds of MB if kept whole). The checks read the first stderr line and the final error lines.
 */
export function cliRunner(main: (argv: string[], io: Io) => number, limit = 1 << 20): (argv: string[]) => { code: number; stdout: string; stderr: string; dropped: number } {
  return (argv) => {
    const out = new CappedText(limit), err = new CappedText(limit);
    const io: Io = { out: (t) => out.add(t), err: (t) => err.add(t), code: 0 };
    const code = main(argv, io);
    return { code, stdout: out.text(), stderr: err.text(), dropped: out.dropped + err.dropped };
  };
}

class CappedText {
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  dropped = 0;
  constructor(private readonly limit: number) {}

  add(t: string): void {
    const half = this.limit >> 1;
    if (this.head.length < half) {
      const take = t.slice(0, half - this.head.length);
      this.head += take;
      t = t.slice(take.length);
    }
    if (t === '') return;
    this.tail.push(t);
    this.tailLength += t.length;
    if (this.tailLength > 2 * half) {
      const joined = this.tail.join('');
      const kept = joined.slice(-half);
      this.dropped += joined.length - kept.length;
      this.tail = [kept];
      this.tailLength = kept.length;
    }
  }

  text(): string {
    const joined = this.tail.join('');
    const kept = joined.slice(-(this.limit >> 1));
    this.dropped += joined.length - kept.length;
    this.tail = [kept];
    this.tailLength = kept.length;
    return this.dropped > 0 ? `${this.head}\n[${this.dropped} characters not kept]\n${kept}` : this.head + kept;
  }
}

export interface CliInput { cmd: number; file: number; opts: { opt: number; value: number; file: boolean }[]; extra: number }

/**
 * The CLI: random command lines of real commands, options and values (bad numbers, unknown names, files
 * that do not parse) through main(). Every outcome is an exit code 0, 1 or 2; an error is one line on
 * stderr without a stack trace, and with --json also an {"error":…} line.
 */
export function cliSuite(paths: Record<string, string>, run: (argv: string[]) => { code: number; stdout: string; stderr: string }): Suite<CliInput> {
  const cmds = Object.keys(CLI_OPTIONS);
  const fileNames = Object.keys(paths);
  const argvOf = (i: CliInput): string[] => {
    const cmd = cmds[i.cmd % cmds.length]!;
    const argv = [cmd];
    if (cmd !== 'kfuncs') argv.push(paths[fileNames[i.file % fileNames.length]!]!);
    const os = CLI_OPTIONS[cmd]!;
    for (const o of i.opts) {
      const opt = os[o.opt % os.length]!;
      argv.push(opt);
      if (FLAGS.has(opt)) continue;
      argv.push(o.file || opt.endsWith('-file') || opt === '--event' || opt === '--kernel-model' || opt === '--kernel-btf' || opt === '-o' || opt === '--output'
        ? opt === '-o' || opt === '--output' ? join(paths['dir']!, 'out.bin') : paths[fileNames[o.value % fileNames.length]!]!
        : CLI_VALUES[o.value % CLI_VALUES.length]!);
    }
    if (i.extra % 7 === 0) argv.push('--bogus-flag');
    if (i.extra % 11 === 0) argv.push('extra-arg');
    return argv;
  };
  return {
    name: 'cli',
    arbitrary: fc.record({
      cmd: fc.nat(), file: fc.nat(),
      opts: fc.array(fc.record({ opt: fc.nat(), value: fc.nat(), file: fc.boolean() }), { maxLength: 5 }), extra: fc.nat(),
    }),
    step(i) {
      const argv = argvOf(i);
      let r;
      try {
        r = run(argv);
      } catch (e) {
        errorClass(e); // a FuzzFailure unless a located BpfError
        throw new FuzzFailure('cli-throws', `main threw ${(e as Error).message}`);
      }
      const show = `bpfvm ${argv.map((a) => JSON.stringify(a)).join(' ')}`;
      if (![0, 1, 2].includes(r.code)) throw new FuzzFailure('cli-exit', `exit ${r.code}: ${show}`);
      if (/\n\s+at .*:\d+:\d+\)?\n/.test(r.stderr)) throw new FuzzFailure('cli-stack', `a stack trace on stderr: ${show}\n${r.stderr.slice(0, 400)}`);
      if (r.code === 2) {
        const lines = r.stderr.trimEnd().split('\n');
        if (argv.includes('--json') && !r.stdout.split('\n').some((l) => l.startsWith('{"error":'))) throw new FuzzFailure('cli-json', `exit 2 with --json but no error line: ${show}`);
        if (lines.length === 0 || lines[0] === '') throw new FuzzFailure('cli-silent', `exit 2 without a message: ${show}`);
      }
      return `exit:${r.code}`;
    },
    show: (i) => `bpfvm ${argvOf(i).map((x) => JSON.stringify(x)).join(' ')}`,
  };
}
