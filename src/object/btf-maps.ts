import type { Btf } from '../btf/index.js';
import { LoadError } from '../errors.js';
import { mapType } from './bpf-enums.js';
import type { MapSpec } from './types.js';

const SECTION = '.maps';

/** Integer attributes declared as `__uint(name, N)`, i.e. `int (*name)[N]`, by member name. */
const UINT_FIELDS = {
  type: 'type', max_entries: 'maxEntries', map_flags: 'flags', numa_node: 'numaNode', key_size: 'keySize',
  value_size: 'valueSize', pinning: 'pinning', map_extra: 'mapExtra',
} as const;

/** The page size of the x86-64 kernels bpfvm models (libbpf asks sysconf(_SC_PAGE_SIZE)). */
const PAGE_SIZE = 4096;
const RINGBUFS = new Set(['BPF_MAP_TYPE_RINGBUF', 'BPF_MAP_TYPE_USER_RINGBUF']);

/**
 * libbpf's adjust_ringbuf_sz: a ring buffer's size rounded up to a power-of-2 multiple of the page size,
 * as the kernel requires (0 stays 0, so a size user space forgot is still refused).
 */
export function adjustRingbufSize(sz: number): number {
  if (sz === 0) return 0;
  if (sz % PAGE_SIZE === 0 && isPow2(sz / PAGE_SIZE)) return sz;
  for (let mul = 1; mul <= Math.floor(0xffffffff / PAGE_SIZE); mul *= 2) if (mul * PAGE_SIZE > sz) return mul * PAGE_SIZE;
  return sz;
}

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** A BTF-defined map: the struct of a `.maps` variable, as libbpf's parse_btf_map_def reads it. */
export function btfMapDef(btf: Btf, structId: number, name: string, depth = 0): MapSpec {
  function fail(detail: string): never {
    throw new LoadError(`map "${name}": ${detail}`, { section: SECTION, symbol: name });
  }
  const t = btf.type(btf.resolve(structId));
  if (t.kind !== 'STRUCT') fail(`definition is a ${t.kind}, not a struct`);
  const def: Partial<Record<(typeof UINT_FIELDS)[keyof typeof UINT_FIELDS], number>> = {};
  let key: number | undefined, value: number | undefined, inner: MapSpec | undefined, hasValues = false;
  function pointee(id: number, field: string): number {
    const p = btf.type(btf.resolve(id));
    if (p.kind !== 'PTR') fail(`field "${field}" is not a pointer`);
    return p.type;
  }
  for (const m of t.members) {
    if (m.name in UINT_FIELDS) {
      const arr = btf.type(btf.resolve(pointee(m.type, m.name)));
      if (arr.kind !== 'ARRAY') fail(`field "${m.name}" is not __uint(${m.name}, N)`);
      def[UINT_FIELDS[m.name as keyof typeof UINT_FIELDS]] = arr.nelems;
    } else if (m.name === 'key') {
      key = pointee(m.type, 'key');
    } else if (m.name === 'value') {
      value = pointee(m.type, 'value');
    } else if (m.name === 'values') {
      hasValues = true;
      const arr = btf.type(btf.resolve(m.type));
      if (arr.kind !== 'ARRAY') fail('field "values" is not an array');
      const target = btf.resolve(pointee(arr.type, 'values'));
      if (btf.type(target).kind === 'STRUCT') {
        if (depth > 0) fail('nested map-in-map definitions are not supported');
        inner = btfMapDef(btf, target, `${name}.inner`, depth + 1);
      }
    } else {
      fail(`unknown field "${m.name}"`);
    }
  }
  const sized = (typeId: number | undefined, declared: number | undefined, what: string): number => {
    if (typeId === undefined) return declared ?? 0;
    const size = btf.sizeOf(typeId);
    if (declared !== undefined && declared !== size) fail(`conflicting ${what} size ${declared} != ${size}`);
    return size;
  };
  const type = mapType(def.type ?? 0);
  return {
    name,
    section: SECTION,
    type,
    keySize: sized(key, def.keySize, 'key'),
    valueSize: hasValues && value === undefined && def.valueSize === undefined ? 4 : sized(value, def.valueSize, 'value'),
    maxEntries: RINGBUFS.has(type.name) ? adjustRingbufSize(def.maxEntries ?? 0) : def.maxEntries ?? 0,
    flags: def.flags ?? 0,
    ...(def.numaNode !== undefined && { numaNode: def.numaNode }),
    ...(def.pinning !== undefined && { pinning: def.pinning }),
    ...(def.mapExtra !== undefined && { mapExtra: BigInt(def.mapExtra) }),
    ...(key !== undefined && { btfKeyType: key }),
    ...(value !== undefined && { btfValueType: value }),
    ...(inner !== undefined && { inner }),
  };
}
