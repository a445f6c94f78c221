/** Node side of the corpus runner: reads linux-6.1.jsonl, the big gzip streams and the fixup spec. */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LoadError } from '../errors.js';
import type { CorpusCase, FixupSpec } from './case.js';
import type { RealworldCase } from './realworld.js';

export function loadCorpus(file: string): CorpusCase[] {
  const dir = dirname(file);
  const out: CorpusCase[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    let c: CorpusCase & { insns_file?: string | null };
    try {
      c = JSON.parse(l) as CorpusCase & { insns_file?: string | null };
    } catch {
      throw new LoadError(`line ${i + 1}: not JSON`, { file });
    }
    const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!isObject(c) || !isObject(c.expect) || !isObject(c.kernel) || (!Array.isArray(c.insns) && typeof c.insns_file !== 'string')) {
      throw new LoadError(`line ${i + 1}: not a test_verifier case (needs "expect", "kernel" and "insns" or "insns_file")`, { file });
    }
    if (c.insns_file) c.bytes = new Uint8Array(gunzipSync(readFileSync(resolve(dir, c.insns_file))));
    out.push(c);
  });
  return out;
}

export function loadFixups(file: string): FixupSpec {
  return JSON.parse(readFileSync(file, 'utf8')) as FixupSpec;
}

export function findFixups(corpusFile: string): string | undefined {
  const p = resolve(dirname(corpusFile), 'fixup-maps-6.1.json');
  return existsSync(p) ? p : undefined;
}

/** The first non-empty line of a JSON-lines file, parsed (to tell the corpus formats apart). */
export function firstLine(file: string): unknown {
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.trim() !== '');
  return line === undefined ? undefined : JSON.parse(line);
}

/** truth-6.1.jsonl of ../shared/realworld: its cases, and a reader of the objects they name (relative to the file). */
export function loadRealworld(file: string): { cases: RealworldCase[]; bytesOf: (object: string) => Uint8Array } {
  const dir = dirname(file);
  const cases = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as RealworldCase);
  const bytesOf = (object: string): Uint8Array => new Uint8Array(readFileSync(resolve(dir, object)));
  return { cases, bytesOf };
}
