import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { encode } from '../src/isa/insn.js';
import { announceMissing, sharedPath } from './shared.js';

const DIR = sharedPath('conformance');
const files = DIR === undefined ? [] : readdirSync(DIR).filter((f) => f.endsWith('.data')).sort();

function section(text: string, name: string): string | undefined {
  return new RegExp(`^-- ${name}\\n([\\s\\S]*?)(?=^-- |(?![\\s\\S]))`, 'm').exec(text)?.[1];
}

describe('conformance suite assembly', () => {
  if (DIR === undefined) {
    it('did not run', () => announceMissing('conformance suite assembly'));
    return;
  }
  it('finds all 313 programs', () => {
    expect(files.length).toBe(313);
  });

  it.each(files)('%s assembles', (f) => {
    const asm = section(readFileSync(`${DIR}/${f}`, 'utf8'), 'asm');
    expect(asm).toBeDefined();
    expect(assemble(asm!).length).toBeGreaterThan(0);
  });

  it('lddw.data assembles to its -- raw section', () => {
    const text = readFileSync(`${DIR}/lddw.data`, 'utf8');
    const raw = section(text, 'raw')!.trim().split('\n').map((l) => BigInt(l.trim()));
    const bytes = encode(assemble(section(text, 'asm')!));
    const dv = new DataView(bytes.buffer);
    const words = raw.map((_, i) => dv.getBigUint64(i * 8, true));
    expect(bytes.length).toBe(raw.length * 8);
    expect(words).toEqual(raw);
  });
});
