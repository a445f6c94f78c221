/**
 * Global variables set before load, as a libbpf skeleton sets `skel->rodata->target_pid = 7` between
 * open and load: the variable is found by name in the object's DATASECs (.rodata, .data, .bss…) and its
 * bytes in the map's initial contents are replaced. The verifier then sees the new `.rodata` values.
 */
import { LoadError } from '../errors.js';
import type { ObjectFile } from '../object/index.js';
import { parseElf } from '../elf/index.js';

export type GlobalValue = number | bigint | boolean | Uint8Array;

/**
 * Where each global of a data section lies: the ELF symbol's value in that section, as libbpf's
 * btf_fixup_datasec finds it (clang leaves a DATASEC's offsets 0 for libbpf to fill in).
 */
export function symbolOffsets(bytes: Uint8Array): Map<string, number> {
  const elf = parseElf(bytes);
  const out = new Map<string, number>();
  for (const sym of elf.symbols) {
    const sec = elf.sections[sym.shndx];
    if (sec !== undefined && sym.name !== '') out.set(`${sec.name}/${sym.name}`, sym.value);
  }
  return out;
}

/** The object with its global data maps' initial contents updated from `globals`. */
export function withGlobals(object: ObjectFile, globals: Readonly<Record<string, GlobalValue>>, symbols?: ReadonlyMap<string, number>): ObjectFile {
  const btf = object.btf;
  const left = new Map(Object.entries(globals));
  if (left.size === 0) return object;
  if (btf === undefined) throw new LoadError('the object has no BTF to find its global variables in');
  const maps = object.maps.map((spec) => {
    const sec = btf.idsByName(spec.section).map((id) => btf.type(id)).find((t) => t.kind === 'DATASEC');
    if (sec === undefined || sec.kind !== 'DATASEC') return spec;
    let data: Uint8Array | undefined;
    for (const v of sec.vars) {
      const vt = btf.type(v.type);
      if (vt.kind !== 'VAR' || !left.has(vt.name)) continue;
      data ??= (spec.initialData ?? new Uint8Array(spec.valueSize)).slice();
      writeValue(data, symbols?.get(`${spec.section}/${vt.name}`) ?? v.offset, v.size, left.get(vt.name)!, vt.name);
      left.delete(vt.name);
    }
    return data === undefined ? spec : { ...spec, initialData: data };
  });
  if (left.size > 0) throw new LoadError(`no global variable ${[...left.keys()].map((n) => `'${n}'`).join(', ')} in the object`);
  return { ...object, maps };
}

function writeValue(data: Uint8Array, off: number, size: number, v: GlobalValue, name: string): void {
  if (v instanceof Uint8Array) {
    if (v.length > size) throw new LoadError(`global '${name}' is ${size} bytes; ${v.length} given`);
    data.set(v, off);
    return;
  }
  if (![1, 2, 4, 8].includes(size)) throw new LoadError(`global '${name}' is ${size} bytes, not an integer: give its bytes`);
  let x = BigInt.asUintN(size * 8, typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v));
  for (let i = 0; i < size; i++, x >>= 8n) data[off + i] = Number(x & 0xffn);
}
