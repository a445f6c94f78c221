import { LoadError } from '../errors.js';
import { Cursor } from '../elf/cursor.js';
import { Btf, type TypeSource } from './btf.js';
import { referencedIds } from './refs.js';
import {
  BTF_HEADER_SIZE, BTF_KINDS, BTF_MAGIC, BTF_VERSION, type BtfKindName, type BtfType,
} from './types.js';

const KIND_NAMES = Object.fromEntries(Object.entries(BTF_KINDS).map(([k, v]) => [v, k])) as Record<number, BtfKindName>;

/** Where the bytes came from, for error locations: the ELF section and its file offset. */
export interface BtfSource {
  section?: string;
  offset?: number;
  /**
   * Decode types only when asked for (a vmlinux BTF of 100k types): the parse indexes where each type
   * starts and checks the record lengths; a type's references are checked when it is decoded.
   */
  lazy?: boolean;
}

/** Parse a .BTF blob. The byte order is taken from the magic. */
export function parseBtf(bytes: Uint8Array, source: BtfSource = {}): Btf {
  const section = source.section ?? '.BTF';
  const base = source.offset ?? 0;
  const hdr = new Cursor(bytes, detectEndian(bytes, section, base), { section }, base);
  const version = hdr.u8(2, 'BTF version');
  if (version !== BTF_VERSION) hdr.fail(`unsupported BTF version ${version}`, 2);
  const hdrLen = hdr.u32(4, 'BTF header length');
  if (hdrLen < BTF_HEADER_SIZE) hdr.fail(`BTF header length ${hdrLen} is less than ${BTF_HEADER_SIZE}`, 4);
  const typeOff = hdr.u32(8), typeLen = hdr.u32(12), strOff = hdr.u32(16), strLen = hdr.u32(20);
  const typeBytes = hdr.slice(hdrLen + typeOff, typeLen, 'BTF type section');
  const strBytes = hdr.slice(hdrLen + strOff, strLen, 'BTF string section');
  if (strLen === 0 || strBytes[0] !== 0) hdr.fail('BTF string section must start with an empty string', hdrLen + strOff);
  const strings = new Cursor(strBytes, hdr.littleEndian, { section }, base + hdrLen + strOff);
  const cur = new Cursor(typeBytes, hdr.littleEndian, { section }, base + hdrLen + typeOff);
  const { offsets, names } = indexTypes(cur);
  const count = offsets.length;
  const src: TypeSource = {
    count,
    decode: (id) => {
      const [t] = readType(cur, strings, offsets[id]!, id);
      for (const ref of referencedIds(t)) {
        if (ref >= count) throw new LoadError(`type [${id}] ${t.kind} refers to missing type ${ref}`, { section });
      }
      return t;
    },
    nameOffset: (id) => names[id]!,
    kindOf: (id) => KIND_NAMES[(cur.u32(offsets[id]! + 4) >>> 24) & 0x1f]!,
  };
  const btf = new Btf(src, hdr.littleEndian, strBytes);
  // eager: decode (and check) every type now, as a loader of untrusted objects must
  if (!source.lazy) for (let id = 1; id < count; id++) btf.type(id);
  return btf;
}

/** Record size of each kind past the 12-byte common header, given vlen. */
function tail(kind: BtfKindName | undefined, vlen: number): number {
  switch (kind) {
    case 'INT': case 'VAR': case 'DECL_TAG': return 4;
    case 'ARRAY': return 12;
    case 'STRUCT': case 'UNION': case 'DATASEC': case 'ENUM64': return 12 * vlen;
    case 'ENUM': case 'FUNC_PROTO': return 8 * vlen;
    default: return 0;
  }
}

/**
 * Where each type's record starts in the type section, and its name offset: entry `id` for types 1..n
 * (entry 0 unused). One pass over the records with no allocation per type (a vmlinux has 100k).
 */
function indexTypes(cur: Cursor): { offsets: Uint32Array; names: Uint32Array } {
  const view = new DataView(cur.bytes.buffer, cur.bytes.byteOffset, cur.bytes.byteLength);
  const le = cur.littleEndian, len = cur.length;
  let offsets = new Uint32Array(1024), names = new Uint32Array(1024);
  let n = 1;
  for (let at = 0; at < len;) {
    if (at + 12 > len) cur.fail(`truncated: type [${n}] needs 12 bytes, only ${len - at} available`, at);
    const info = view.getUint32(at + 4, le);
    const kind = KIND_NAMES[(info >>> 24) & 0x1f];
    if (kind === undefined || kind === 'VOID') cur.fail(`type [${n}] has unknown kind ${(info >>> 24) & 0x1f}`, at + 4);
    const next = at + 12 + tail(kind, info & 0xffff);
    if (next > len) cur.fail(`truncated: type [${n}] ${kind} needs ${next - at} bytes, only ${len - at} available`, at);
    if (n === offsets.length) {
      const o = new Uint32Array(offsets.length * 2), m = new Uint32Array(offsets.length * 2);
      o.set(offsets);
      m.set(names);
      offsets = o;
      names = m;
    }
    names[n] = view.getUint32(at, le);
    offsets[n++] = at;
    at = next;
  }
  return { offsets: offsets.subarray(0, n), names: names.subarray(0, n) };
}

function detectEndian(bytes: Uint8Array, section: string, base: number): boolean {
  if (bytes.length < BTF_HEADER_SIZE) {
    throw new LoadError(`truncated BTF header: ${bytes.length} bytes`, { section, offset: base });
  }
  const le = bytes[0]! | (bytes[1]! << 8);
  if (le === BTF_MAGIC) return true;
  if (((bytes[0]! << 8) | bytes[1]!) === BTF_MAGIC) return false;
  throw new LoadError(`bad BTF magic 0x${le.toString(16)}`, { section, offset: base });
}

/** Read the type at `at`; returns it and the offset of the next one. */
function readType(cur: Cursor, strings: Cursor, at: number, id: number): [BtfType, number] {
  const what = `type [${id}]`;
  const name = strings.cstring(cur.u32(at, what), `name of ${what}`);
  const info = cur.u32(at + 4, what);
  const sizeOrType = cur.u32(at + 8, what);
  const vlen = info & 0xffff;
  const kindFlag = (info >>> 31) === 1;
  const kind = KIND_NAMES[(info >>> 24) & 0x1f];
  const p = at + 12;
  const str = (off: number, field: string) => strings.cstring(off, `${field} of ${what}`);
  const list = <T>(recSize: number, read: (r: number) => T): [T[], number] => {
    const out: T[] = [];
    for (let i = 0; i < vlen; i++) out.push(read(p + i * recSize));
    return [out, p + vlen * recSize];
  };
  switch (kind) {
    case 'INT': {
      const e = cur.u32(p, what);
      return [{ kind, name, size: sizeOrType, encoding: (e >>> 24) & 0xf, bitOffset: (e >>> 16) & 0xff, bits: e & 0xff }, p + 4];
    }
    case 'PTR': case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG':
      return [{ kind, name, type: sizeOrType }, p];
    case 'ARRAY':
      return [{ kind, name: '', type: cur.u32(p, what), indexType: cur.u32(p + 4, what), nelems: cur.u32(p + 8, what) }, p + 12];
    case 'STRUCT': case 'UNION': {
      const [members, next] = list(12, (r) => {
        const off = cur.u32(r + 8, what);
        return {
          name: str(cur.u32(r, what), 'member name'), type: cur.u32(r + 4, what),
          bitOffset: kindFlag ? off & 0xffffff : off, bitSize: kindFlag ? off >>> 24 : 0,
        };
      });
      return [{ kind, name, size: sizeOrType, kindFlag, members }, next];
    }
    case 'ENUM': {
      const [values, next] = list(8, (r) => ({ name: str(cur.u32(r, what), 'enumerator'), value: kindFlag ? cur.i32(r + 4, what) : cur.u32(r + 4, what) }));
      return [{ kind, name, size: sizeOrType, signed: kindFlag, values }, next];
    }
    case 'ENUM64': {
      const [values, next] = list(12, (r) => {
        const v = (BigInt(cur.u32(r + 8, what)) << 32n) | BigInt(cur.u32(r + 4, what));
        return { name: str(cur.u32(r, what), 'enumerator'), value: kindFlag ? BigInt.asIntN(64, v) : v };
      });
      return [{ kind, name, size: sizeOrType, signed: kindFlag, values }, next];
    }
    case 'FWD':
      return [{ kind, name, union: kindFlag }, p];
    case 'FUNC':
      return [{ kind, name, type: sizeOrType, linkage: vlen }, p];
    case 'FUNC_PROTO': {
      const [params, next] = list(8, (r) => ({ name: str(cur.u32(r, what), 'parameter name'), type: cur.u32(r + 4, what) }));
      return [{ kind, name: '', returnType: sizeOrType, params }, next];
    }
    case 'VAR':
      return [{ kind, name, type: sizeOrType, linkage: cur.u32(p, what) }, p + 4];
    case 'DATASEC': {
      const [vars, next] = list(12, (r) => ({ type: cur.u32(r, what), offset: cur.u32(r + 4, what), size: cur.u32(r + 8, what) }));
      return [{ kind, name, size: sizeOrType, vars }, next];
    }
    case 'FLOAT':
      return [{ kind, name, size: sizeOrType }, p];
    case 'DECL_TAG':
      return [{ kind, name, type: sizeOrType, componentIdx: cur.i32(p, what) }, p + 4];
    default:
      return cur.fail(`${what} has unknown kind ${(info >>> 24) & 0x1f}`, at + 4);
  }
}

/**
 * A BTF blob from its two sections as BPF_PROG_LOAD-style callers hold them (raw type words, string
 * bytes): a header is put in front and the result parsed.
 */
export function btfFromSections(typeWords: readonly number[], strings: Uint8Array): Btf {
  const typeLen = typeWords.length * 4;
  const strBytes = strings.length > 0 && strings[strings.length - 1] === 0 ? strings : Uint8Array.from([...strings, 0]);
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + strBytes.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, true);
  out[2] = BTF_VERSION;
  dv.setUint32(4, BTF_HEADER_SIZE, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, typeLen, true);
  dv.setUint32(16, typeLen, true);
  dv.setUint32(20, strBytes.length, true);
  typeWords.forEach((w, i) => dv.setUint32(BTF_HEADER_SIZE + i * 4, w >>> 0, true));
  out.set(strBytes, BTF_HEADER_SIZE + typeLen);
  return parseBtf(out);
}
