import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfError, LoadError } from '../src/errors.js';
import { parseObject } from '../src/object/index.js';
import { objectFiles } from './fixtures/paths.js';
import { announceMissing, sharedPath } from './shared.js';

const samples = sharedPath('ebpf-samples');

/** Objects in `invalid/` are broken on purpose; every other sample must load. */
const isInvalid = (rel: string) => rel.startsWith('invalid/');

describe('real-world objects (../shared/ebpf-samples)', () => {
  if (samples === undefined) {
    it('DID NOT RUN: shared samples missing', () => {
      announceMissing('object-samples');
    });
    return;
  }
  const files = objectFiles(samples);

  it('finds the samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(156);
  });

  it('loads every valid object and rejects every invalid one with a located LoadError', () => {
    const loaded: string[] = [];
    const failures: string[] = [];
    let programs = 0, maps = 0;
    for (const rel of files) {
      const bytes = new Uint8Array(readFileSync(join(samples, rel)));
      try {
        const o = parseObject(bytes);
        loaded.push(rel);
        programs += o.programs.length;
        maps += o.maps.length;
        if (isInvalid(rel)) failures.push(`${rel}: loaded, but is in invalid/`);
      } catch (e) {
        if (!(e instanceof LoadError)) {
          failures.push(`${rel}: ${e instanceof BpfError ? e.kind : 'non-LoadError'}: ${String(e)}`);
        } else if (!isInvalid(rel)) {
          failures.push(`${rel}: ${e.message}`);
        } else {
          const w = e.where;
          expect(w.section ?? w.symbol ?? w.offset, `${rel} error has a location`).toBeDefined();
          process.stdout.write(`  invalid/ as expected: ${rel}: ${e.message}\n`);
        }
      }
    }
    process.stdout.write(`ebpf-samples: ${loaded.length} of ${files.length} objects load fully ` +
      `(${programs} programs, ${maps} maps); ${files.filter(isInvalid).length} invalid ones rejected\n`);
    expect(failures).toEqual([]);
  });
});
