import { StringTable } from './strings.js';
import { BTF_HEADER_SIZE, BTF_KINDS, BTF_MAGIC, BTF_VERSION, type BtfType, type BtfTypeInput } from './types.js';

/**
 * Builds BTF programmatically: `add` returns the new type's id (ids start at 1; 0 is void), `build`
 * serializes to the .BTF binary format that `parseBtf` reads.
 */
export class BtfBuilder {
  private readonly list: BtfTypeInput[] = [];

  /** Adds a type; returns its id. */
  add(t: BtfTypeInput): number {
    this.list.push(t);
    return this.list.length;
  }

  /** The types added so far, as `Btf.types` would hold them (index 0 is void). */
  get types(): readonly BtfType[] {
    return [{ kind: 'VOID', name: '' }, ...this.list];
  }

  /** The .BTF section bytes (header, types, strings). */
  build(opts: { littleEndian?: boolean } = {}): Uint8Array {
    return encodeBtf(this.list, opts.littleEndian ?? true);
  }
}

/** Serialize types (ids 1..n in order) to a .BTF blob. */
export function encodeBtf(types: readonly BtfTypeInput[], littleEndian = true): Uint8Array {
  const strings = new StringTable();
  const words: number[] = [];
  const head = (t: BtfTypeInput, vlen: number, kindFlag: boolean, sizeOrType: number) => {
    words.push(strings.add(t.name), ((kindFlag ? 1 : 0) << 31) | (BTF_KINDS[t.kind] << 24) | vlen, sizeOrType);
  };
  for (const t of types) {
    switch (t.kind) {
      case 'INT':
        head(t, 0, false, t.size);
        words.push((t.encoding << 24) | (t.bitOffset << 16) | t.bits);
        break;
      case 'PTR': case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG':
        head(t, 0, false, t.type);
        break;
      case 'ARRAY':
        head(t, 0, false, 0);
        words.push(t.type, t.indexType, t.nelems);
        break;
      case 'STRUCT': case 'UNION':
        head(t, t.members.length, t.kindFlag, t.size);
        for (const m of t.members) {
          words.push(strings.add(m.name), m.type, t.kindFlag ? (m.bitSize << 24) | m.bitOffset : m.bitOffset);
        }
        break;
      case 'ENUM':
        head(t, t.values.length, t.signed, t.size);
        for (const v of t.values) words.push(strings.add(v.name), v.value);
        break;
      case 'ENUM64':
        head(t, t.values.length, t.signed, t.size);
        for (const v of t.values) {
          const u = BigInt.asUintN(64, v.value);
          words.push(strings.add(v.name), Number(u & 0xffffffffn), Number(u >> 32n));
        }
        break;
      case 'FWD':
        head(t, 0, t.union, 0);
        break;
      case 'FUNC':
        head(t, t.linkage, false, t.type);
        break;
      case 'FUNC_PROTO':
        head(t, t.params.length, false, t.returnType);
        for (const p of t.params) words.push(strings.add(p.name), p.type);
        break;
      case 'VAR':
        head(t, 0, false, t.type);
        words.push(t.linkage);
        break;
      case 'DATASEC':
        head(t, t.vars.length, false, t.size);
        for (const v of t.vars) words.push(v.type, v.offset, v.size);
        break;
      case 'FLOAT':
        head(t, 0, false, t.size);
        break;
      case 'DECL_TAG':
        head(t, 0, false, t.type);
        words.push(t.componentIdx);
        break;
    }
  }
  const str = strings.bytes();
  const typeLen = words.length * 4;
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + str.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, BTF_MAGIC, littleEndian);
  dv.setUint8(2, BTF_VERSION);
  dv.setUint32(4, BTF_HEADER_SIZE, littleEndian);
  dv.setUint32(8, 0, littleEndian);
  dv.setUint32(12, typeLen, littleEndian);
  dv.setUint32(16, typeLen, littleEndian);
  dv.setUint32(20, str.length, littleEndian);
  words.forEach((w, i) => dv.setUint32(BTF_HEADER_SIZE + i * 4, w >>> 0, littleEndian));
  out.set(str, BTF_HEADER_SIZE + typeLen);
  return out;
}
