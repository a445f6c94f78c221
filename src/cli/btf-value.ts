/**
 * Bytes shown as the C value their BTF type describes, for `run --dump-maps` and `--decode`: structs as
 * objects, arrays as lists (char arrays as strings), enums by name, integers as numbers (64-bit ones past
 * 2^53 as decimal strings), pointers as hex. Little-endian, as the simulated kernel is.
 */
import type { Btf } from '../btf/index.js';
import { UsageError } from '../errors.js';

export type CValue = number | string | boolean | null | CValue[] | { [field: string]: CValue };

const MAX_DEPTH = 16;

function readUint(bytes: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i] ?? 0);
  return v;
}

const out64 = (v: bigint): number | string => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

/** The value of type `id` at `off` of `bytes` (bit fields: `bitOff`/`bits` within it). */
export function decodeValue(btf: Btf, id: number, bytes: Uint8Array, off = 0, depth = 0): CValue {
  if (depth > MAX_DEPTH) return null;
  const t = btf.type(btf.resolve(id));
  switch (t.kind) {
    case 'INT': {
      let v = readUint(bytes, off, t.size);
      if (t.bits < t.size * 8) v &= (1n << BigInt(t.bits)) - 1n;
      if ((t.encoding & 4) !== 0) return v !== 0n;
      if ((t.encoding & 1) !== 0) v = BigInt.asIntN(t.bits, v);
      return out64(v);
    }
    case 'ENUM': case 'ENUM64': {
      const raw = readUint(bytes, off, t.size);
      const v = t.signed ? BigInt.asIntN(t.size * 8, raw) : raw;
      const named = t.values.find((e) => BigInt(e.value) === v || BigInt.asUintN(t.size * 8, BigInt(e.value)) === raw);
      return named !== undefined ? named.name : out64(v);
    }
    case 'PTR':
      return '0x' + readUint(bytes, off, 8).toString(16);
    case 'FLOAT': {
      const dv = new DataView(bytes.buffer, bytes.byteOffset + off, t.size);
      return t.size === 4 ? dv.getFloat32(0, true) : t.size === 8 ? dv.getFloat64(0, true) : hexOf(bytes, off, t.size);
    }
    case 'ARRAY': {
      const elem = btf.type(btf.resolve(t.type));
      const size = btf.sizeOf(t.type);
      if (elem.kind === 'INT' && elem.size === 1 && (elem.encoding & 2) !== 0 || (elem.kind === 'INT' && elem.size === 1 && elem.name === 'char')) {
        const s = bytes.subarray(off, off + t.nelems);
        const end = s.indexOf(0);
        return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
      }
      return Array.from({ length: t.nelems }, (_, i) => decodeValue(btf, t.type, bytes, off + i * size, depth + 1));
    }
    case 'STRUCT': case 'UNION': {
      const o: Record<string, CValue> = {};
      t.members.forEach((m, i) => {
        const name = m.name === '' ? `(anon ${i})` : m.name;
        if (m.bitSize > 0) {
          const raw = readUint(bytes, off, t.size) >> BigInt(m.bitOffset);
          const mt = btf.type(btf.resolve(m.type));
          let v = raw & ((1n << BigInt(m.bitSize)) - 1n);
          if (mt.kind === 'INT' && (mt.encoding & 1) !== 0) v = BigInt.asIntN(m.bitSize, v);
          o[name] = out64(v);
          return;
        }
        const inner = decodeValue(btf, m.type, bytes, off + m.bitOffset / 8, depth + 1);
        if (m.name === '' && inner !== null && typeof inner === 'object' && !Array.isArray(inner)) Object.assign(o, inner);
        else o[name] = inner;
      });
      return o;
    }
    default:
      return hexOf(bytes, off, bytes.length - off);
  }
}

function hexOf(bytes: Uint8Array, off: number, n: number): string {
  return Buffer.from(bytes.subarray(off, off + n)).toString('hex');
}

/** The BTF type `--decode` names: `struct event`, `union u`, `enum e` or a typedef / base type name. */
export function typeByName(btf: Btf | undefined, spec: string): number {
  if (btf === undefined) throw new UsageError(`--decode: the object has no BTF to find '${spec}' in`);
  const m = /^\s*(struct|union|enum)\s+(\w+)\s*$/.exec(spec);
  const kind = m === null ? undefined : m[1] === 'struct' ? 'STRUCT' : m[1] === 'union' ? 'UNION' : 'ENUM';
  const name = m === null ? spec.trim() : m[2]!;
  const id = kind !== undefined ? btf.idByName(name, kind) ?? (kind === 'ENUM' ? btf.idByName(name, 'ENUM64') : undefined) : btf.idByName(name);
  if (id === undefined) throw new UsageError(`--decode: the object's BTF has no type '${spec.trim()}'`);
  return id;
}
