import { LoadError } from '../errors.js';
import { Cursor } from '../elf/cursor.js';
import { Btf } from './btf.js';
import { referencedIds } from './refs.js';
import {
  BTF_HEADER_SIZE, BTF_KINDS, BTF_MAGIC, BTF_VERSION, VOID, type BtfKindName, type BtfType,
} from './types.js';

const KIND_NAMES = Object.fromEntries(Object.entries(BTF_KINDS).map(([k, v]) => [v, k])) as Record<number, BtfKindName>;

/** Where the bytes came from, for error locations: the ELF section and its file offset. */
export interface BtfSource {
  section?: string;
  offset?: number;
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
  const types: BtfType[] = [VOID];
  for (let at = 0; at < typeBytes.length;) {
    const [type, next] = readType(cur, strings, at, types.length);
    types.push(type);
    at = next;
  }
  types.forEach((t, id) => {
    for (const ref of referencedIds(t)) {
      if (ref >= types.length) throw new LoadError(`type [${id}] ${t.kind} refers to missing type ${ref}`, { section });
    }
  });
  return new Btf(types, hdr.littleEndian, strBytes);
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
