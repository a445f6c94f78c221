/**
 * The programs `bpfvm kernel-diff` compares, from its input: every program of an ELF object (`obj.o`), an
 * assembler file (`prog.s`, with `prog.input.json` beside it when `bpfvm fuzz` saved it), a folder of those
 * (a fuzz `--out` folder is one), or a test_verifier corpus (`corpus.jsonl`, privileged mode, as
 * test_verifier loads it). Each program is one loader job for the real kernel and one bpfvm answer.
 *
 * Both sides load the same way: all capabilities, maps created empty (the loader cannot prefill them),
 * the same packet for the test run; the corpus as test_verifier's privileged mode (CAP_SYS_ADMIN dropped).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { assemble } from '../../asm/index.js';
import { loadObject, loadProgram } from '../../api/collection.js';
import { loadObjectProgram, prepareObject } from '../../api/verify-object.js';
import { BpfError, LoadError } from '../../errors.js';
import { encode, type Insn } from '../../isa/insn.js';
import { parseObject } from '../../object/object.js';
import { parseCaps } from '../../platform/caps.js';
import { Kernel } from '../../../kernel-sim/kernel.js';
import { createMap, type BpfMap, type SimulatedMapType } from '../../../kernel-sim/maps/index.js';
import { verifyCase, type CorpusCase, type FixupSpec } from '../../corpus/runner.js';
import { runCase } from '../../corpus/run.js';
import { readCorpus } from '../commands/corpus.js';
import { ASSEMBLE_NAMES } from '../names.js';
import { parseProgType } from '../../../kernel-sim/progtypes/names.js';
import type { KernelJob } from './runner.js';

/** One side's answer: the load's verdict, errno and last log line, the test run's return value. */
export interface Side {
  /** `accepted`, `rejected`, or a refusal before the verifier (the loader's `libbpf_error`, `kfunc_not_found`… or bpfvm's `load_error`). */
  verdict: string;
  errno: number;
  message: string;
  /** The test run's return value (u32); null when not run or the run failed. */
  retval: number | null;
}

export interface DiffProgram {
  /** `obj.o:prog`, `prog.s`, a corpus case's id. */
  id: string;
  job: KernelJob;
  /** bpfvm's answer (computed when asked). */
  bpfvm(): Side;
}

export interface ProgramSourceOptions {
  /** Raw programs without an .input.json: their type (socket_filter by default, as the loader's). */
  progType?: string;
  /** Test-run packet (hex) for programs that have no input of their own. */
  data?: string;
}

const ALL = parseCaps('all');

/** The maps a saved fuzz input describes (`map_fd(N)` → definition), in fd order. */
interface MapDecl { type: string; keySize: number; valueSize: number; maxEntries: number }

interface RawInput {
  progType?: string;
  kfuncs?: string[];
  maps?: Record<string, MapDecl>;
  data?: string;
}

const hasKfuncCall = (insns: readonly Insn[]) => insns.some((x) => x.opcode === 0x85 && x.src === 2);
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

function errorSide(e: unknown): Side {
  if (e instanceof BpfError) return { verdict: 'load_error', errno: 0, message: e.detail, retval: null };
  throw e;
}

/** A test run's return value as BPF_PROG_TEST_RUN would report it: none when 6.1 refuses the run (bpfvm runs it anyway). */
function runRetval(run: () => { retval: number | null; violations: readonly unknown[]; kernelErrno?: number }): number | null {
  try {
    const r = run();
    return r.violations.length > 0 || r.retval === null || r.kernelErrno !== undefined ? null : r.retval >>> 0;
  } catch (e) {
    if (e instanceof BpfError) return null;
    throw e;
  }
}

/** A raw program (assembled instructions) with its type, kfunc names, maps and packet. */
export function rawProgram(id: string, insns: readonly Insn[], input: RawInput): DiffProgram {
  const type = input.progType ?? 'socket_filter';
  // the loader takes uapi names; bpfvm's spellings (socket, tc, sections) are resolved first
  const uapi = `BPF_PROG_TYPE_${parseProgType(type).name}`;
  const maps = Object.entries(input.maps ?? {})
    .map(([k, v]) => ({ fd: Number(/^map_fd\((\d+)\)$/.exec(k)?.[1] ?? Number.NaN), v }))
    .filter((m) => Number.isInteger(m.fd)).sort((a, b) => a.fd - b.fd);
  const kfuncs = hasKfuncCall(insns) ? input.kfuncs ?? [] : [];
  const keys = [`type=${uapi}`, `insns=${hexOf(encode(insns))}`, 'log=4'];
  if (maps.length > 0) keys.push(`maps=${maps.map((m) => `${m.v.type}:${m.v.keySize}:${m.v.valueSize}:${m.v.maxEntries}`).join(',')}`);
  if (kfuncs.length > 0) keys.push(`kfuncs=${kfuncs.join(',')}`);
  if (input.data !== undefined) keys.push(`pkthex=${input.data}`);
  return {
    id,
    job: { keys },
    bpfvm(): Side {
      try {
        const kernel = new Kernel();
        const made: BpfMap[] = [];
        for (const m of maps) made[m.fd] = createMap(kernel.maps, { type: m.v.type as SimulatedMapType, name: `map${m.fd}`, keySize: m.v.keySize, valueSize: m.v.valueSize, maxEntries: m.v.maxEntries });
        const p = loadProgram(insns, type, { kernel, maps: made, ...(kfuncs.length > 0 && { kfuncNames: kfuncs }) });
        const v = p.verify({ logLevel: 0 });
        const retval = v.verdict === 'accepted' && input.data !== undefined ? runRetval(() => p.run({ data: new Uint8Array(Buffer.from(input.data!, 'hex')) })) : null;
        return { verdict: v.verdict, errno: v.errno, message: v.message, retval };
      } catch (e) {
        return errorSide(e);
      }
    },
  };
}

/** An assembler file, with the `.input.json` `bpfvm fuzz` saves beside it (type, kfuncs, maps, packet). */
function asmFile(file: string, opts: ProgramSourceOptions): DiffProgram {
  let insns: Insn[];
  try {
    insns = assemble(readFileSync(file, 'utf8'), ASSEMBLE_NAMES);
  } catch (e) {
    if (e instanceof BpfError) e.locate({ file: basename(file) });
    throw e;
  }
  const side = file.replace(/\.(s|asm)$/i, '.input.json');
  let input: RawInput = {};
  if (side !== file && existsSync(side)) {
    try {
      input = JSON.parse(readFileSync(side, 'utf8')) as RawInput;
    } catch (e) {
      throw new LoadError(`not JSON: ${(e as Error).message}`, { file: basename(side) });
    }
  }
  const progType = input.progType ?? opts.progType;
  const data = input.data ?? opts.data;
  return rawProgram(basename(file), insns, { ...input, ...(progType !== undefined && { progType }), ...(data !== undefined && { data }) });
}

/** Every program of an ELF object, loaded alone (libbpf's autoload off for the others) as the loader does. */
function objectFile(file: string, opts: ProgramSourceOptions): DiffProgram[] {
  const bytes = new Uint8Array(readFileSync(file));
  let obj;
  try {
    obj = parseObject(bytes);
  } catch (e) {
    if (e instanceof BpfError) e.locate({ file: basename(file) });
    throw e;
  }
  const name = basename(file);
  return obj.programs.filter((p) => p.type.name !== 'BPF_PROG_TYPE_UNSPEC').map((spec) => ({
    id: `${name}:${spec.name}`,
    job: { keys: [`elf=@FILE@/${name}`, `prog=${spec.name}`, 'log=4', ...(opts.data !== undefined ? [`pkthex=${opts.data}`] : [])], files: [{ name, bytes }] },
    bpfvm(): Side {
      try {
        const out = loadObjectProgram(prepareObject(parseObject(bytes)), spec.name, { caps: ALL, logLevel: 1 });
        if (out.stage === 'refused') return { verdict: 'load_error', errno: 0, message: out.refusal.error.detail, retval: null };
        const v = out.result;
        let retval: number | null = null;
        if (v.verdict === 'accepted' && opts.data !== undefined) {
          retval = runRetval(() => loadObject(bytes).program(spec.name).run({ data: new Uint8Array(Buffer.from(opts.data!, 'hex')) }));
        }
        return { verdict: v.verdict, errno: v.errno, message: v.message, retval };
      } catch (e) {
        return errorSide(e);
      }
    },
  }));
}

/** The test_verifier flag names the loader takes. */
const FLAG_KEYS: Record<string, string> = { BPF_F_STRICT_ALIGNMENT: 'strict_alignment', BPF_F_ANY_ALIGNMENT: 'any_alignment', BPF_F_TEST_RND_HI32: 'test_rnd_hi32' };

/** A test_verifier case in privileged mode, as Linux 6.1's test_verifier loads it (and tv-corpus.mjs writes it). */
function corpusCase(c: CorpusCase, fixups: FixupSpec): DiffProgram {
  const keys = ['caps=nosysadmin', `type=${c.prog_type}`];
  if (c.expected_attach_type) keys.push(`attach=${c.expected_attach_type}`);
  if (c.attach_to && /TRACING|LSM/.test(c.prog_type)) keys.push(`attach_btf=${c.attach_to}`);
  keys.push(`flags=${['test_rnd_hi32', ...c.prog_flags.map((f) => (typeof f === 'number' ? String(f) : FLAG_KEYS[f] ?? f))].join(',')}`, 'log=4');
  const maps: string[] = [];
  const mapfix: string[] = [];
  const kfuncfix: string[] = [];
  for (const f of c.fixups ?? []) {
    if (f.kind === 'kfunc') kfuncfix.push(`${f.insn}:${f.name}`);
    else {
      let i = maps.indexOf(f.map!);
      if (i < 0) i = maps.push(f.map!) - 1;
      mapfix.push(`${f.insn}:${i}`);
    }
  }
  if (maps.length > 0) keys.push(`maps=${maps.join(',')}`, `mapfix=${mapfix.join(',')}`);
  if (kfuncfix.length > 0) keys.push(`kfuncfix=${kfuncfix.join(',')}`);
  if (c.btf_types) {
    // load_btf_for_test(): the types up to the 0xdeadbeef sentinel and a 256-byte string section
    const end = c.btf_types.indexOf(0xdeadbeef);
    const types = end < 0 ? c.btf_types : c.btf_types.slice(0, end);
    const tb = Buffer.alloc(types.length * 4);
    types.forEach((v, i) => tb.writeUInt32LE(v >>> 0, i * 4));
    const sb = Buffer.alloc(256);
    Buffer.from(c.btf_strings_hex ?? '', 'hex').copy(sb);
    const hdr = Buffer.alloc(24);
    hdr.writeUInt16LE(0xeb9f, 0); hdr.writeUInt8(1, 2); hdr.writeUInt32LE(24, 4);
    hdr.writeUInt32LE(tb.length, 12); hdr.writeUInt32LE(tb.length, 16); hdr.writeUInt32LE(256, 20);
    keys.push(`btfhex=${Buffer.concat([hdr, tb, sb]).toString('hex')}`);
  }
  if (c.func_info) keys.push(`func_info=${c.func_info.map(([o, t]) => `${o}:${t}`).join(',')}`);
  const run = c.expect.priv.runs[0];
  const data = run === undefined ? undefined : (() => { const b = Buffer.alloc(64); Buffer.from(run.data_hex ?? '', 'hex').copy(b); return b.toString('hex'); })();
  if (data !== undefined) keys.push(`pkthex=${data}`);
  const code = c.bytes !== undefined ? Buffer.from(c.bytes) : Buffer.from((c.insns ?? []).join(''), 'hex');
  const files = code.length / 8 > 20000 ? [{ name: 'case.bin', bytes: new Uint8Array(code) }] : undefined;
  keys.push(files !== undefined ? 'raw=@FILE@/case.bin' : `insns=${code.toString('hex')}`);
  return {
    id: c.id,
    job: { keys, ...(files !== undefined && { files }) },
    bpfvm(): Side {
      try {
        const { result, insns, fdKinds } = verifyCase(c, 'priv', { mode: 'priv', fixups });
        let retval: number | null = null;
        // types without BPF_PROG_TEST_RUN in 6.1 (tracepoint, sk_msg, cgroup…): bpfvm runs them, the kernel answers ENOTSUPP
        if (result.verdict === 'accepted' && data !== undefined && parseProgType(c.prog_type).testRun !== null) {
          const out = runCase(c, 'priv', insns, fdKinds, fixups, [], result.probeMem);
          retval = out.retvals[0] ?? null;
          if (retval !== null) retval >>>= 0;
        }
        return { verdict: result.verdict, errno: result.errno, message: result.message, retval };
      } catch (e) {
        return errorSide(e);
      }
    },
  };
}

function corpusFile(file: string): DiffProgram[] {
  const { cases, fixups } = readCorpus(file);
  return cases.map((c) => corpusCase(c, fixups));
}

/** The programs of an input path (see the module comment). */
export function programsOf(path: string, opts: ProgramSourceOptions = {}): DiffProgram[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new LoadError('no such file or directory', { file: path });
  }
  if (st.isDirectory()) {
    const names = readdirSync(path).filter((n) => /\.(o|s|asm)$/i.test(n)).sort();
    if (names.length === 0) throw new LoadError('the folder holds no .o or .s files', { file: path });
    return names.flatMap((n) => programsOf(join(path, n), opts));
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.o') return objectFile(path, opts);
  if (ext === '.s' || ext === '.asm') return [asmFile(path, opts)];
  if (ext === '.jsonl') return corpusFile(path);
  throw new LoadError(`unknown input '${ext || '(none)'}': expected an ELF object (.o), assembler (.s), a folder of them or a test_verifier corpus (.jsonl)`, { file: basename(path) });
}
