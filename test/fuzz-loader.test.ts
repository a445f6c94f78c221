/**
 * Fuzzing the ELF/BTF/BTF.ext loader (a fixed-seed slice; `npm run fuzz -- --suite loader --seconds N`
 * for the long mode): structure-aware mutants of the project's fixtures and of ../shared/ebpf-samples —
 * section headers, symbols, relocations, legacy map definitions, BTF header, type records and string
 * offsets, BTF.ext records — through loadObject, then one program verified and run. Only BpfErrors with a
 * location come out.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSlice } from '../bench/fuzz/harness.js';
import { layoutOf, mutate } from '../bench/fuzz/elf-mutate.js';
import { loaderSuite, readCorpus } from '../bench/fuzz/suites.js';
import { fixture } from './fixtures/paths.js';
import { announceMissing, sharedPath } from './shared.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('loader fuzz', () => {
  it('walks an object into fields of every structure', () => {
    const names = layoutOf(fixture('core.bpf.o')).fields.map((f) => f.name);
    for (const p of [/^e_shoff$/, /^shdr\[\d+\]\.sh_size$/, /^sym\[\d+\]\.st_shndx$/, /\.rel.*\.r_info\.sym$/, /^btf\.hdr\.str_len$/, /^btf\.type\[\d+\]\.info$/, /^btf\.type\[\d+\]\.m\[\d+\]/, /^btf\.ext\.func_info\.sec\[0\]\.rec\[0\]/, /^btf\.ext\.core_relo\.sec\[0\]\.rec\[0\]\.u32\[3\]$/]) {
      expect(names.some((n) => p.test(n)), String(p)).toBe(true);
    }
  });

  it('mutates a copy, field by field', () => {
    const orig = fixture('xdp.bpf.o');
    const copy = orig.slice();
    const m = mutate(orig, [{ op: 'field', field: 3, value: 1, raw: 0n }]);
    expect(orig).toEqual(copy);
    expect(m.length).toBe(orig.length);
    expect(Buffer.compare(Buffer.from(m), Buffer.from(orig))).not.toBe(0);
  });

  it('mutants of the project fixtures load or fail with a located BpfError', () => {
    const outcomes = checkSlice(loaderSuite(readCorpus([FIXTURES], 1 << 18)), 300);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(300);
    expect(outcomes.get('LoadError')).toBeGreaterThan(0);
  });

  const samples = sharedPath('ebpf-samples');
  it('mutants of the shared sample objects load or fail with a located BpfError', () => {
    if (samples === undefined) {
      announceMissing('loader fuzz over ebpf-samples');
      return;
    }
    const outcomes = checkSlice(loaderSuite(readCorpus([samples], 1 << 17), { maxInsns: 150 }), 200, 7);
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(200);
  });
});
