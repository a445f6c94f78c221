import { LoadError } from '../errors.js';
import { REL_SIZE, RELA_SIZE, ShType } from './constants.js';
import { Cursor } from './cursor.js';
import type { ElfSection, ElfSymbol, Relocation } from './types.js';

/** Read a REL or RELA section; symbol indexes are checked against the symbol table. */
export function readRelocations(sec: ElfSection, symbols: readonly ElfSymbol[], littleEndian: boolean): Relocation[] {
  const rela = sec.type === ShType.RELA;
  const entsize = rela ? RELA_SIZE : REL_SIZE;
  if (sec.size % entsize !== 0) {
    throw new LoadError(`relocation section size ${sec.size} is not a multiple of ${entsize}`, {
      section: sec.name, offset: sec.offset,
    });
  }
  const cur = new Cursor(sec.data, littleEndian, { section: sec.name }, sec.offset);
  const out: Relocation[] = [];
  for (let index = 0; index < sec.size / entsize; index++) {
    const at = index * entsize;
    const info = cur.u64(at + 8, 'r_info');
    const symIndex = Number(info >> 32n);
    const symbol = symbols[symIndex];
    if (symbol === undefined) cur.fail(`relocation #${index} refers to missing symbol ${symIndex}`, at + 8);
    out.push({
      offset: cur.size64(at, 'r_offset'),
      type: Number(info & 0xffffffffn),
      symbol,
      addend: rela ? BigInt.asIntN(64, cur.u64(at + 16, 'r_addend')) : 0n,
      from: { section: sec.name, index },
    });
  }
  return out;
}
