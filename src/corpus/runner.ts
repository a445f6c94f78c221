/**
 * The test_verifier corpus runner: applies a case's fixups (maps as fd-numbered definitions, kfunc
 * ids), verifies it with the corpus capabilities, and compares verdicts and messages with what
 * Linux 6.1 answered. Node-free: loading the files is load.ts's job.
 */
import type { ProgTypeName } from '../object/bpf-enums.js';
import type { Capability } from '../platform/caps.js';
import type { MapDef, Platform, ProgInfo } from '../platform/platform.js';
import { decode, type Insn } from '../isa/insn.js';
import { btfFromSections, type Btf } from '../btf/index.js';
import { verify, type VerifierResult } from '../verifier/verifier.js';
import { findInsnSubseqs } from '../verifier/xlated.js';
import { kernelPlatform } from '../../kernel-sim/platform.js';
import { defaultRegistry } from '../../kernel-sim/kfuncs/index.js';
import { runCase } from './run.js';
import type { TierName } from '../../vm/wasm/select.js';
import { kptrIsRef, kptrPointee, type CorpusCase, type FixupSpec, type Mode } from './case.js';

export type { CorpusCase, CorpusExpect, CorpusKernel, FixupSpec, Mode } from './case.js';
export { kptrIsRef, kptrPointee };

export interface Failure {
  id: string;
  what: 'verdict' | 'message' | 'lastLine' | 'errno' | 'retval' | 'xlated';
  detail?: string;
}

export interface CorpusSummary {
  mode: Mode;
  total: number;
  verdictAgree: number;
  rejected: number;
  messageAgree: number;
  lastLineAgree: number;
  /** Rejections where bpfvm also rejects with the kernel's errno. */
  errnoAgree: number;
  retvalChecked: number;
  retvalAgree: number;
  /** Accepted cases with expected_xlated/unexpected_xlated patterns, and those whose rewritten program matches. */
  xlatedChecked: number;
  xlatedAgree: number;
  failures: Failure[];
}

/** Runs an accepted case's `runs`; returns whether every expected return value matched. */
export type RetvalHook = (c: CorpusCase, mode: Mode, insns: ReturnType<typeof decode>, result: VerifierResult,
  fdKinds: ReadonlyMap<number, string>) => boolean | { ok: boolean; detail?: string };

export interface RunCorpusOptions {
  mode: Mode;
  fixups: FixupSpec;
  /** Builds the platform of one case (maps by fd); defaults to the simulated kernel's (kernelPlatform). */
  platform?: (maps: Map<number, MapDef>, kfuncs: Map<number, string>) => Platform;
  retval?: RetvalHook;
  /** Called with every verified case (e.g. to compare processed instruction counts with the kernel's). */
  onVerified?: (c: CorpusCase, mode: Mode, result: VerifierResult) => void;
  /** Keep the abstract states per instruction (for state-containment runs). */
  recordStates?: boolean;
  /** The tier of the test runs (the default hook's): interp, wasm or auto. */
  tier?: TierName;
  /** Called with the tier that ran each test run (the default hook's). */
  onRun?: (tier: string) => void;
}

export const PRIV_CAPS: ReadonlySet<Capability> = new Set(['CAP_NET_ADMIN', 'CAP_PERFMON', 'CAP_BPF', 'CAP_SYS_BOOT']);
export const UNPRIV_CAPS: ReadonlySet<Capability> = new Set(['CAP_SYS_BOOT']);

const NEEDS_BPF = new Set(['map_spin_lock', 'map_timer', 'map_kptr', 'sk_storage_map', 'map_stacktrace', 'map_reuseport_array']);
const NEEDS_NET_ADMIN = new Set(['map_sockmap', 'map_sockhash', 'map_xskmap']);

const FLAG_NAMES: Record<string, number> = { BPF_F_STRICT_ALIGNMENT: 1, BPF_F_ANY_ALIGNMENT: 2, BPF_F_TEST_RND_HI32: 4 };

function hexToBytes(slots: string[]): Uint8Array {
  const out = new Uint8Array(slots.length * 8);
  slots.forEach((h, i) => {
    for (let j = 0; j < 8; j++) out[i * 8 + j] = parseInt(h.slice(j * 2, j * 2 + 2), 16);
  });
  return out;
}

/** The verifier's view of one of the harness's maps (a fixup kind). */
export function mapDef(spec: FixupSpec['maps'][string]): MapDef {
  const sf = spec.special_fields ?? [];
  const kptrs = sf.filter((f) => f.kind.startsWith('kptr'));
  const def: MapDef = {
    type: spec.map_type.value, keySize: spec.key_size, valueSize: spec.value_size, maxEntries: spec.max_entries,
    flags: typeof spec.map_flags === 'number' ? spec.map_flags : spec.map_flags.value, spinLockOff: sf.find((f) => f.kind === 'bpf_spin_lock')?.offset ?? -1,
    timerOff: sf.find((f) => f.kind === 'bpf_timer')?.offset ?? -1, hasBtf: spec.btf !== null,
  };
  if (spec.map_name) def.name = spec.map_name;
  if (kptrs.length) def.kptrs = kptrs.map((k) => ({ off: k.offset, ref: kptrIsRef(k), btfName: kptrPointee(k) }));
  if (spec.inner_map) {
    const im = spec.inner_map;
    def.inner = { type: im.map_type.value, keySize: im.key_size, valueSize: im.value_size, maxEntries: im.max_entries, flags: 0, spinLockOff: -1, timerOff: -1 };
  }
  return def;
}

const PROG_ARRAY: MapDef = { type: 3, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, spinLockOff: -1, timerOff: -1 };

/** Patch a case for one mode: the instruction slots and the map table its fds refer to. */
export function prepareCase(c: CorpusCase, mode: Mode, fixups: FixupSpec):
  { bytes: Uint8Array; maps: Map<number, MapDef>; kfuncs: Map<number, string>; fdKinds: Map<number, string> } {
  const bytes = (c.bytes ?? hexToBytes(c.insns ?? [])).slice();
  const dv = new DataView(bytes.buffer);
  const maps = new Map<number, MapDef>();
  const kfuncs = new Map<number, string>();
  const fdOf = new Map<string, number>();
  let nextFd = 3;
  for (const f of c.fixups ?? []) {
    let imm: number;
    if (f.kind === 'kfunc') {
      // The BTF id of the FUNC in the simulated vmlinux BTF; 0 when the kernel has none (as the harness does).
      const name = f.name!;
      imm = defaultRegistry().idOf(name) ?? 0;
      if (imm) kfuncs.set(imm, name);
    } else {
      const kind = f.map!;
      const unavailable = mode === 'unpriv' && (NEEDS_BPF.has(kind) || NEEDS_NET_ADMIN.has(kind));
      if (unavailable) imm = -1;
      else {
        let fd = fdOf.get(kind);
        if (fd === undefined) {
          fd = nextFd++;
          fdOf.set(kind, fd);
          const spec = fixups.maps[kind];
          maps.set(fd, spec ? mapDef(spec) : { ...PROG_ARRAY, maxEntries: kind === 'prog2' ? 8 : 4 });
        }
        imm = fd;
      }
    }
    dv.setInt32(f.insn * 8 + 4, imm, true);
  }
  const fdKinds = new Map([...fdOf].map(([kind, fd]) => [fd, kind]));
  return { bytes, maps, kfuncs, fdKinds };
}

export function progInfo(c: CorpusCase): ProgInfo {
  const type = c.prog_type.replace(/^BPF_PROG_TYPE_/, '') as ProgTypeName;
  const info: ProgInfo = { type };
  if (c.expected_attach_type) info.expectedAttachType = c.expected_attach_type.replace(/^BPF_/, '');
  if (c.attach_to) info.attachTo = c.attach_to;
  if (c.prog_flags.some((f) => f === 16)) info.sleepable = true;
  return info;
}

export function progFlags(c: CorpusCase): number {
  let f = 4;
  for (const x of c.prog_flags) f |= typeof x === 'number' ? x : FLAG_NAMES[x] ?? 0;
  return f;
}

/** `#123` BTF ids are masked before comparing last lines. */
export function maskIds(s: string): string {
  return s.replace(/#\d+/g, '#N');
}

export function msgsInOrder(log: string, msgs: readonly string[]): boolean {
  let pos = 0;
  for (const m of msgs) {
    const i = log.indexOf(m, pos);
    if (i < 0) return false;
    pos = i + m.length;
  }
  return true;
}

/** The case's program BTF, as the harness passes it (the type section without its 0xdeadbeef sentinel). */
export function programBtf(c: CorpusCase): Btf | undefined {
  if (!c.btf_types || !c.func_info) return undefined;
  const words = c.btf_types[c.btf_types.length - 1] === 0xdeadbeef ? c.btf_types.slice(0, -1) : c.btf_types;
  const hex = c.btf_strings_hex ?? '';
  const strings = Uint8Array.from((hex.match(/../g) ?? []).map((b) => parseInt(b, 16)));
  return btfFromSections(words, strings);
}

function hasXlatedChecks(c: CorpusCase): boolean {
  return (c.expected_xlated?.length ?? 0) > 0 || (c.unexpected_xlated?.length ?? 0) > 0;
}

/** A pattern slot as test_verifier writes it: code, dst/src nibbles, off, imm, little-endian. */
function patternInsns(slots: readonly string[]): Insn[] {
  return decode(Uint8Array.from(slots.join('').match(/../g)!.map((b) => parseInt(b, 16))), { strict: false });
}

/** check_xlated_program: why the rewritten program fails the case's patterns, if it does. */
function xlatedProblem(c: CorpusCase, xlated: readonly Insn[]): string | undefined {
  if (c.expected_xlated?.length && !findInsnSubseqs(xlated, patternInsns(c.expected_xlated))) return "can't find expected subsequence of instructions";
  if (c.unexpected_xlated?.length && findInsnSubseqs(xlated, patternInsns(c.unexpected_xlated))) return 'found unexpected subsequence of instructions';
  return undefined;
}

export function verifyCase(c: CorpusCase, mode: Mode, opts: RunCorpusOptions):
  { result: VerifierResult; insns: ReturnType<typeof decode>; fdKinds: Map<number, string> } {
  const { bytes, maps, kfuncs, fdKinds } = prepareCase(c, mode, opts.fixups);
  const platform = opts.platform ? opts.platform(maps, kfuncs) : kernelPlatform({ maps: (fd) => maps.get(fd) });
  const insns = decode(bytes, { strict: false, shareEqual: true });
  const btf = programBtf(c);
  const result = verify(insns, {
    prog: progInfo(c), platform, caps: mode === 'priv' ? PRIV_CAPS : UNPRIV_CAPS, logLevel: 4, progFlags: progFlags(c), recordStates: opts.recordStates,
    xlated: hasXlatedChecks(c),
    ...(btf !== undefined ? { btf, funcInfo: (c.func_info ?? []).map(([insn, typeId]) => ({ insn, typeId })) } : {}),
  });
  return { result, insns, fdKinds };
}

export function runCorpus(cases: readonly CorpusCase[], opts: RunCorpusOptions): CorpusSummary {
  const s: CorpusSummary = {
    mode: opts.mode, total: 0, verdictAgree: 0, rejected: 0, messageAgree: 0, lastLineAgree: 0, errnoAgree: 0, retvalChecked: 0, retvalAgree: 0, xlatedChecked: 0, xlatedAgree: 0, failures: [],
  };
  for (const c of cases) {
    const expect = c.expect[opts.mode];
    const kernel = c.kernel[opts.mode];
    if (!expect || !kernel) continue;
    s.total++;
    let out: ReturnType<typeof verifyCase>;
    try {
      out = verifyCase(c, opts.mode, opts);
    } catch (e) {
      s.failures.push({ id: c.id, what: 'verdict', detail: `crash: ${(e as Error).message}` });
      continue;
    }
    const r = out.result;
    opts.onVerified?.(c, opts.mode, r);
    const ok = r.verdict === kernel.verdict;
    if (ok) s.verdictAgree++;
    else s.failures.push({ id: c.id, what: 'verdict', detail: `${r.verdict}: ${r.message}` });
    if (kernel.verdict === 'rejected') {
      s.rejected++;
      if (r.verdict === 'rejected' && msgsInOrder(r.log, expect.msgs)) s.messageAgree++;
      else s.failures.push({ id: c.id, what: 'message', detail: r.message });
      if (r.verdict === 'rejected' && maskIds(r.message) === maskIds(kernel.message)) s.lastLineAgree++;
      else s.failures.push({ id: c.id, what: 'lastLine', detail: `${r.message} | kernel: ${kernel.message}` });
      if (r.verdict === 'rejected' && r.errno === kernel.errno) s.errnoAgree++;
      else s.failures.push({ id: c.id, what: 'errno', detail: `${r.errno} | kernel: ${kernel.errno}: ${r.message}` });
    } else if (kernel.runs_checked) {
      s.retvalChecked++;
      if (r.verdict !== 'accepted') {
        s.failures.push({ id: c.id, what: 'retval', detail: 'rejected' });
      } else {
        const hook = opts.retval ?? ((cc, m, insns, _r, fdKinds) => {
          const o = runCase(cc, m, insns, fdKinds, opts.fixups, [], _r.probeMem, undefined, opts.tier);
          for (const t of o.tiers) opts.onRun?.(t);
          return o;
        });
        const res = hook(c, opts.mode, out.insns, r, out.fdKinds);
        const ok = typeof res === 'boolean' ? res : res.ok;
        if (ok) s.retvalAgree++;
        else s.failures.push({ id: c.id, what: 'retval', detail: typeof res === 'boolean' ? undefined : res.detail });
      }
    }
    if (kernel.verdict === 'accepted' && hasXlatedChecks(c)) {
      s.xlatedChecked++;
      const problem = r.xlated === undefined ? 'rejected' : xlatedProblem(c, r.xlated);
      if (problem === undefined) s.xlatedAgree++;
      else s.failures.push({ id: c.id, what: 'xlated', detail: problem });
    }
  }
  return s;
}
