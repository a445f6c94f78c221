import { LoadError } from '../errors.js';
import { Cursor } from '../elf/cursor.js';
import type { Btf } from './btf.js';
import { BTF_MAGIC } from './types.js';

/** CO-RE relocation kinds (enum bpf_core_relo_kind), by number. */
export const CORE_RELO_KINDS = [
  'FIELD_BYTE_OFFSET', 'FIELD_BYTE_SIZE', 'FIELD_EXISTS', 'FIELD_SIGNED', 'FIELD_LSHIFT_U64',
  'FIELD_RSHIFT_U64', 'TYPE_ID_LOCAL', 'TYPE_ID_TARGET', 'TYPE_EXISTS', 'TYPE_SIZE', 'ENUMVAL_EXISTS',
  'ENUMVAL_VALUE', 'TYPE_MATCHES',
] as const;
export type CoreReloKind = (typeof CORE_RELO_KINDS)[number];

/** `insnOff` is a byte offset in the ELF section the records are keyed by. */
export interface FuncInfo { insnOff: number; typeId: number }
export interface LineInfo { insnOff: number; fileName: string; /** The source line's text. */ source: string; line: number; column: number }
export interface CoreRelo { insnOff: number; typeId: number; /** e.g. "0:1:2" */ access: string; kind: CoreReloKind }

/** .BTF.ext: per-section records, keyed by ELF section name. */
export interface BtfExt {
  funcInfo: Map<string, FuncInfo[]>;
  lineInfo: Map<string, LineInfo[]>;
  coreRelos: Map<string, CoreRelo[]>;
}

const SECTION = '.BTF.ext';

/** Parse .BTF.ext; strings come from the object's .BTF. */
export function parseBtfExt(bytes: Uint8Array, btf: Btf, fileOffset = 0): BtfExt {
  if (bytes.length < 8) throw new LoadError(`truncated header: ${bytes.length} bytes`, { section: SECTION, offset: fileOffset });
  const cur = new Cursor(bytes, btf.littleEndian, { section: SECTION }, fileOffset);
  if (cur.u16(0) !== BTF_MAGIC) cur.fail(`bad magic 0x${cur.u16(0).toString(16)}`, 0);
  const hdrLen = cur.u32(4, 'header length');
  const part = (field: number) => (hdrLen >= field + 8 ? { off: hdrLen + cur.u32(field), len: cur.u32(field + 4) } : undefined);
  const read = <T>(p: { off: number; len: number } | undefined, minRec: number, rec: (at: number, sec: string) => T) => {
    const out = new Map<string, T[]>();
    if (p === undefined || p.len === 0) return out;
    cur.slice(p.off, p.len, 'info section');
    const recSize = cur.u32(p.off, 'record size');
    if (recSize < minRec) cur.fail(`record size ${recSize} is less than ${minRec}`, p.off);
    const end = p.off + p.len;
    for (let at = p.off + 4; at < end;) {
      const sec = btf.stringAt(cur.u32(at, 'section name'), 'section name');
      const n = cur.u32(at + 4, 'record count');
      at += 8;
      if (at + n * recSize > end) cur.fail(`${n} records of ${recSize} bytes for "${sec}" run past the info section`, at);
      const list = out.get(sec) ?? [];
      for (let i = 0; i < n; i++, at += recSize) list.push(rec(at, sec));
      out.set(sec, list);
    }
    return out;
  };
  const funcInfo = read(part(8), 8, (at) => ({ insnOff: cur.u32(at), typeId: cur.u32(at + 4) }));
  const lineInfo = read(part(16), 16, (at) => {
    const col = cur.u32(at + 12);
    return {
      insnOff: cur.u32(at), fileName: btf.stringAt(cur.u32(at + 4), 'file name'),
      source: btf.stringAt(cur.u32(at + 8), 'source line'), line: col >>> 10, column: col & 0x3ff,
    };
  });
  const coreRelos = read(part(24), 16, (at) => {
    const kind = CORE_RELO_KINDS[cur.u32(at + 12)];
    if (kind === undefined) cur.fail(`unknown CO-RE relocation kind ${cur.u32(at + 12)}`, at + 12);
    const typeId = cur.u32(at + 4);
    btf.type(typeId);
    return { insnOff: cur.u32(at), typeId, access: btf.stringAt(cur.u32(at + 8), 'access string'), kind };
  });
  return { funcInfo, lineInfo, coreRelos };
}
