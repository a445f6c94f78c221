import type { Btf } from '../btf/index.js';
import { LoadError } from '../errors.js';
import { ARRAY_MAP, BPF_F_MMAPABLE, BPF_F_RDONLY_PROG } from './bpf-enums.js';
import type { MapSpec } from './types.js';

/** The `.kconfig` map libbpf makes for `extern ... __kconfig` variables, and each one's offset. */
export interface KconfigLayout {
  spec: MapSpec;
  offsets: Map<string, number>;
}

/**
 * Lay out the `.kconfig` externs as libbpf does: by alignment, largest first, then by name, each at
 * its natural alignment; the map's value is the whole block rounded up to 8 bytes.
 */
export function kconfigLayout(btf: Btf | undefined): KconfigLayout | undefined {
  const id = btf?.idByName('.kconfig', 'DATASEC');
  if (btf === undefined || id === undefined) return undefined;
  const ds = btf.type(id);
  if (ds.kind !== 'DATASEC' || ds.vars.length === 0) return undefined;
  const vars = ds.vars.map((v) => {
    const variable = btf.type(v.type);
    if (variable.kind !== 'VAR') throw new LoadError(`entry [${v.type}] is a ${variable.kind}, not a variable`, { section: '.kconfig' });
    return { name: variable.name, size: btf.sizeOf(variable.type), align: alignOf(btf, variable.type) };
  }).sort((a, b) => b.align - a.align || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const offsets = new Map<string, number>();
  let end = 0;
  for (const v of vars) {
    const off = Math.ceil(end / v.align) * v.align;
    offsets.set(v.name, off);
    end = off + v.size;
  }
  const spec: MapSpec = {
    name: '.kconfig', section: '.kconfig', type: ARRAY_MAP, keySize: 4, valueSize: Math.max(8, Math.ceil(end / 8) * 8),
    maxEntries: 1, flags: BPF_F_RDONLY_PROG | BPF_F_MMAPABLE, btfValueType: id,
  };
  return { spec, offsets };
}

/** Natural alignment of a type: its (element) size as a power of two, at most 8. */
function alignOf(btf: Btf, id: number): number {
  let t = btf.type(btf.resolve(id));
  for (let depth = 0; t.kind === 'ARRAY' && depth < 32; depth++) t = btf.type(btf.resolve(t.type));
  const size = 'size' in t ? t.size : 8;
  return Math.min(8, Math.max(1, size & -size));
}
