import { basename } from 'node:path';
import { parseObject, type ObjectFile } from '../../object/index.js';
import { LoadError } from '../../errors.js';
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

export function inspectCommand(io: Io, file: string, opts: { json?: boolean }): number {
  const obj = readObject(file);
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
    io.out(`  ${m.name.padEnd(28)} ${m.type.padEnd(28)} key ${m.keySize} value ${m.valueSize} max_entries ${m.maxEntries}${m.flags ? ` flags 0x${m.flags.toString(16)}` : ''}\n`);
  }
  io.out(btf === null ? 'BTF: none\n'
    : `BTF: ${btf.types} types (${Object.entries(btf.kinds).map(([k, n]) => `${n} ${k}`).join(', ')})\n`);
  return EXIT.OK;
}
