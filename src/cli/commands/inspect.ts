import { loadKernelBtf } from '../../../kernel-sim/btf/kernel-btf.js';
import { basename } from 'node:path';
import type { Btf } from '../../btf/index.js';
import { applyCoreRelos, type CoreReloResult } from '../../object/core.js';
import { parseObject, type ObjectFile } from '../../object/index.js';
import { hex, LoadError } from '../../errors.js';
import { readInput } from '../input.js';
import { defaultRegistry } from '../../../kernel-sim/kfuncs/index.js';
import { EXIT, type Io } from '../io.js';

/** Load an ELF object (the caller's file), naming the file in every error. */
export function readObject(file: string): ObjectFile {
  const bytes = readInput(file);
  try {
    return parseObject(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof LoadError) e.locate({ file: basename(file) });
    throw e;
  }
}

/** A BTF summary: type counts by kind. */
function btfSummary(obj: ObjectFile): { types: number; kinds: Record<string, number> } | null {
  if (obj.btf === undefined) return null;
  const kinds: Record<string, number> = {};
  for (const t of obj.btf.types.slice(1)) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
  return { types: obj.btf.types.length - 1, kinds };
}

/**
 * Calls of functions that exist nowhere: an extern function the source declared (it has a BTF FUNC, so
 * the author meant a kernel function) that the simulated kernel does not have. libbpf fails such an
 * object when it resolves externs. Calls the compiler emitted itself (memset/memcpy builtins, no BTF
 * declaration) are left for the loader to report.
 */
function checkDeclaredExterns(obj: ObjectFile, file: string): void {
  const registry = defaultRegistry();
  for (const p of obj.programs) {
    for (const e of p.externs) {
      if (e.kind !== 'kfunc' || obj.btf?.idByName(e.name, 'FUNC') === undefined) continue;
      if (registry.idOf(e.name) === undefined) {
        throw new LoadError(`calls "${e.name}", which exists nowhere: not a function of the object, nor a helper or kfunc of the kernel`,
          { file: basename(file), section: p.section, symbol: p.name, insn: e.insn });
      }
    }
  }
}

/**
 * A vmlinux BTF file (raw, as /sys/kernel/btf/vmlinux, or gzipped, as kernel-sim/data carries it). A file
 * that is neither is a LoadError naming it.
 */
export function readKernelBtf(file: string): Btf {
  return loadKernelBtf(readInput(file), { file: basename(file) });
}

const bigOut = (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

/** One relocation for --json. */
function reloJson(local: Btf, r: CoreReloResult) {
  const o = r.outcome;
  return {
    index: r.index, section: r.section ?? null, func: r.func, insn: r.insn, funcInsn: r.funcInsn, kind: r.kind,
    typeId: r.typeId, type: local.typeName(r.typeId), access: r.access, path: r.path, spec: r.local,
    candidates: r.candidates.length, target: r.target,
    result: o.kind === 'patched'
      ? { patched: o.field, from: bigOut(o.from), to: bigOut(o.to), ...(o.memSize && { memSize: o.memSize }) }
      : o.kind === 'poisoned' ? { poisoned: o.reason, message: o.why } : { error: o.message },
  };
}

/** One relocation as a line: where, what, and what it resolved to. */
function reloLine(local: Btf, r: CoreReloResult): string {
  const where = `insn ${r.insn}${r.func !== '' && r.funcInsn !== r.insn ? ` (${r.func} #${r.funcInsn})` : ''}`;
  const what = `${r.path ?? local.typeName(r.typeId)} (${r.access})`;
  const o = r.outcome;
  const to = r.target === null ? '' : `[${r.target.typeId}] ${r.target.name}${r.target.raw === '' ? '' : ` ${r.target.raw}`}: `;
  const res = o.kind === 'patched'
    ? `${to}${o.field} ${o.from} -> ${o.to}${o.memSize ? `, size ${o.memSize[0]} -> ${o.memSize[1]}` : ''}`
    : o.kind === 'poisoned' ? `${to}poisoned (${o.reason})` : `refused: ${o.message}`;
  return `  relo #${String(r.index).padEnd(4)} ${where.padEnd(12)} ${RELO_KIND[r.kind].padEnd(14)} ${what} => ${res}\n`;
}

const RELO_KIND: Record<CoreReloResult['kind'], string> = {
  FIELD_BYTE_OFFSET: 'byte_off', FIELD_BYTE_SIZE: 'byte_sz', FIELD_EXISTS: 'field_exists', FIELD_SIGNED: 'signed',
  FIELD_LSHIFT_U64: 'lshift_u64', FIELD_RSHIFT_U64: 'rshift_u64', TYPE_ID_LOCAL: 'local_type_id',
  TYPE_ID_TARGET: 'target_type_id', TYPE_EXISTS: 'type_exists', TYPE_SIZE: 'type_size', ENUMVAL_EXISTS: 'enumval_exists',
  ENUMVAL_VALUE: 'enumval_value', TYPE_MATCHES: 'type_matches',
};

/**
 * `inspect --core`: each program's CO-RE relocations resolved as libbpf resolves them against the kernel's
 * BTF (each program as if loaded alone), a refused relocation listed with libbpf's words rather than
 * ending the listing.
 */
function coreListing(io: Io, file: string, obj: ObjectFile, opts: { json?: boolean; kernelBtf?: string }): number {
  const target = opts.kernelBtf !== undefined ? readKernelBtf(opts.kernelBtf) : defaultRegistry().btf.btf;
  const source = opts.kernelBtf !== undefined ? basename(opts.kernelBtf) : "the simulated kernel's BTF";
  const programs = obj.programs.map((p) => ({
    name: p.name, section: p.section,
    relos: p.coreRelos.length === 0 || obj.btf === undefined ? []
      : applyCoreRelos(p.name, p.insns, p.coreRelos, obj.btf, target, { keepGoing: true }).relos,
  }));
  const all = programs.flatMap((p) => p.relos);
  const count = (k: string) => all.filter((r) => r.outcome.kind === k).length;
  const summary = { relocations: all.length, patched: count('patched'), poisoned: count('poisoned'), refused: count('error') };
  if (opts.json) {
    io.out(JSON.stringify({
      file: basename(file), kernelBtf: { source, types: target.count - 1 }, ...summary,
      programs: programs.map((p) => ({ name: p.name, section: p.section, relos: p.relos.map((r) => reloJson(obj.btf!, r)) })),
    }) + '\n');
    return EXIT.OK;
  }
  io.out(`${basename(file)}: ${summary.relocations} CO-RE relocations against ${source} (${target.count - 1} types): `
    + `${summary.patched} patched, ${summary.poisoned} poisoned, ${summary.refused} refused\n`);
  for (const p of programs) {
    if (p.relos.length === 0) continue;
    io.out(`${p.name} (${p.section}):\n`);
    for (const r of p.relos) io.out(reloLine(obj.btf!, r));
  }
  return EXIT.OK;
}

export function inspectCommand(io: Io, file: string, opts: { json?: boolean; core?: boolean; kernelBtf?: string }): number {
  const obj = readObject(file);
  if (opts.core) return coreListing(io, file, obj, opts);
  checkDeclaredExterns(obj, file);
  const programs = obj.programs.map((p) => ({
    name: p.name, section: p.section, type: p.type.name, ...(p.attachType ? { attachType: p.attachType.name } : {}),
    sleepable: p.sleepable, insns: p.insns.length, maps: [...new Set(p.mapRefs.map((r) => r.map))],
    externs: p.externs.map((e) => `${e.kind}:${e.name}`),
  }));
  const maps = obj.maps.map((m) => ({
    name: m.name, type: m.type.name, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags,
    ...(m.inner ? { inner: m.inner.type.name } : {}),
  }));
  const btf = btfSummary(obj);
  if (opts.json) {
    io.out(JSON.stringify({ file: basename(file), license: obj.license, programs, maps, btf }) + '\n');
    return EXIT.OK;
  }
  io.out(`${basename(file)}: license "${obj.license}"${obj.kernVersion !== undefined ? `, kernel version ${obj.kernVersion}` : ''}\n`);
  io.out(`programs (${programs.length}):\n`);
  for (const p of programs) {
    io.out(`  ${p.name.padEnd(28)} ${p.section.padEnd(32)} ${p.type.padEnd(28)} ${String(p.insns).padStart(6)} insns${p.sleepable ? ' sleepable' : ''}\n`);
  }
  io.out(`maps (${maps.length}):\n`);
  for (const m of maps) {
    io.out(`  ${m.name.padEnd(28)} ${m.type.padEnd(28)} key ${m.keySize} value ${m.valueSize} max_entries ${m.maxEntries}${m.flags ? ` flags ${hex(m.flags)}` : ''}\n`);
  }
  io.out(btf === null ? 'BTF: none\n'
    : `BTF: ${btf.types} types (${Object.entries(btf.kinds).map(([k, n]) => `${n} ${k}`).join(', ')})\n`);
  return EXIT.OK;
}
