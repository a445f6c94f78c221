/**
 * bpfvm's CO-RE resolution compared with libbpf's, relocation by relocation. libbpf's side is
 * expected-6.1.jsonl.gz (run.sh: libbpf 1.1.2 itself, each program loaded alone against Linux 6.1's
 * vmlinux BTF); bpfvm's is applyCoreRelos on the program as parseObject links it. A relocation of libbpf's
 * log (its function and instruction in that function) is found in bpfvm's linked program through the
 * program's BTF func info (where each function was placed), so the comparison does not depend on how
 * bpfvm numbers its relocations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseBtf, type Btf } from '../../src/btf/index.js';
import { BpfError } from '../../src/errors.js';
import { applyCoreRelos, type CoreReloResult } from '../../src/object/core.js';
import { parseObject, type ObjectFile, type ProgramSpec } from '../../src/object/index.js';

const here = import.meta.dirname;

/** [section, index in the section, function, insn in the function, local spec, target spec, outcome]. */
export type LibbpfRelo = [string, number, string, number | null, string | null, string | null, string | null];
export interface LibbpfObject {
  object: string;
  relos: LibbpfRelo[];
  /** program → [bpf_object__load's result, indexes into relos]. */
  loads: Record<string, [number | 'open', number[]]>;
  /** The fixtures only: libbpf's CO-RE log lines, by program. */
  log?: Record<string, string[]>;
}

export function libbpfExpected(): LibbpfObject[] {
  const text = gunzipSync(readFileSync(join(here, 'expected-6.1.jsonl.gz'))).toString('utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LibbpfObject);
}

/** Linux 6.1's vmlinux BTF, as kernel-sim/data carries it. */
export function vmlinux61(): Btf {
  const raw = gunzipSync(readFileSync(join(here, '..', '..', 'kernel-sim', 'data', 'vmlinux-6.1.btf.gz')));
  return parseBtf(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), { lazy: true });
}

export interface Disagreement { object: string; program: string; relo: LibbpfRelo; bpfvm: string }
export interface Agreement {
  /** Relocations (distinct records of an object) libbpf resolved. */
  total: number;
  agree: number;
  disagreements: Disagreement[];
  /** Records bpfvm never met: in subprograms no program of the object calls (libbpf resolves those too). */
  unreached: { object: string; relo: LibbpfRelo }[];
}

/** Where each function of a linked program starts (its func info). */
function functionStarts(obj: ObjectFile, spec: ProgramSpec): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of spec.funcInfo) out.set(obj.btf!.type(f.typeId).name, f.insn);
  if (!out.has(spec.name)) out.set(spec.name, 0);
  return out;
}

interface Applied { insns: ProgramSpec['insns']; poisoned: Map<number, string>; relos?: CoreReloResult[] }

const MEM_BYTES: Record<number, number> = { 0x10: 1, 0x08: 2, 0x00: 4, 0x18: 8 };

/** What an instruction bpfvm relocated holds, in libbpf's outcome words (`want` says which field). */
function insnOutcome(applied: Applied, slot: number, want: string): string {
  if (applied.poisoned.has(slot)) return 'poison';
  const insn = applied.insns[slot]!;
  const [what, from] = want.split(' ');
  switch (what) {
    case 'imm': return `imm ${from} ${BigInt.asUintN(64, BigInt(insn.imm))}`;
    case 'off': {
      const sz = /memsz (\d+) (\d+)/.exec(want);
      return `off ${from} ${insn.off}${sz ? ` memsz ${sz[1]} ${MEM_BYTES[insn.opcode & 0x18]}` : ''}`;
    }
    case 'imm64': return `imm64 ${from} ${BigInt.asUintN(64, insn.imm64 ?? BigInt(insn.imm))}`;
    default: return `patched (imm ${insn.imm}, off ${insn.off})`;
  }
}

/** [local spec, target spec, outcome] of one libbpf relocation as bpfvm resolved it, or undefined when bpfvm did not meet it. */
function bpfvmView(relo: LibbpfRelo, applied: Applied, starts: Map<string, number>, spec: ProgramSpec): [string | null, string | null, string] | undefined {
  const want = relo[6] ?? '';
  const r = applied.relos?.find((x) => x.func === relo[2] && x.index === relo[1] && x.section === relo[0]);
  if (applied.relos !== undefined) {
    if (r === undefined) return undefined;
    const outcome = r.outcome.kind === 'error' ? `error: ${r.outcome.message}` : insnOutcome(applied, r.insn, want);
    return [r.local, r.target?.spec ?? null, outcome];
  }
  // an implementation without per-relocation results: find the instruction through the func info
  const start = starts.get(relo[2]);
  if (start === undefined || relo[3] === null) return undefined;
  const slot = start + relo[3];
  if (!spec.coreRelos.some((x) => x.insn === slot)) return undefined;
  return [relo[4], relo[5], insnOutcome(applied, slot, want)];
}

/** Compare every relocation libbpf resolved with what bpfvm resolves against `target`. */
export function compareWithLibbpf(objects: LibbpfObject[], target: Btf, root: { shared: string; project: string }): Agreement {
  const res: Agreement = { total: 0, agree: 0, disagreements: [], unreached: [] };
  for (const e of objects) {
    if (e.relos.length === 0) continue;
    const file = e.object.startsWith('realworld/') ? join(root.shared, e.object) : join(root.project, e.object);
    let obj: ObjectFile | undefined;
    try {
      obj = parseObject(new Uint8Array(readFileSync(file)));
    } catch (err) {
      if (!(err instanceof BpfError)) throw err;
    }
    const verdicts = new Map<number, { ok: boolean; program: string; bpfvm: string } | undefined>();
    for (const [program, [result, list]] of Object.entries(e.loads)) {
      const spec = obj?.programs.find((p) => p.name === program);
      let applied: Applied | undefined;
      let loadError: string | undefined;
      if (obj !== undefined && spec !== undefined) {
        applied = applyCoreRelos(spec.name, spec.insns, spec.coreRelos, obj.btf!, target, { keepGoing: true });
        try {
          applyCoreRelos(spec.name, spec.insns, spec.coreRelos, obj.btf!, target);
        } catch (err) {
          if (!(err instanceof BpfError)) throw err;
          loadError = err.detail;
        }
      }
      for (const i of list) {
        const relo = e.relos[i]!;
        const got = applied === undefined || spec === undefined ? undefined : bpfvmView(relo, applied, functionStarts(obj!, spec), spec);
        if (got === undefined) {
          if (!verdicts.has(i)) verdicts.set(i, undefined);
          continue;
        }
        const want = [relo[4], relo[5], relo[6] ?? ''];
        let ok = got.every((x, k) => x === want[k]);
        // a refused relocation also fails bpfvm's load, in the same words
        const failed = want[2]!.startsWith('error: ');
        if (failed && loadError !== want[2]!.slice('error: '.length)) ok = false;
        if (!failed && result === 0 && loadError !== undefined) ok = false;
        const shown = `${got.join(' | ')}${loadError !== undefined ? ` (load: ${loadError})` : ''}`;
        const prev = verdicts.get(i);
        if (prev === undefined || (prev.ok && !ok)) verdicts.set(i, { ok, program, bpfvm: shown });
      }
    }
    for (const [i, v] of verdicts) {
      res.total++;
      if (v === undefined) res.unreached.push({ object: e.object, relo: e.relos[i]! });
      else if (v.ok) res.agree++;
      else res.disagreements.push({ object: e.object, program: v.program, relo: e.relos[i]!, bpfvm: v.bpfvm });
    }
  }
  return res;
}
