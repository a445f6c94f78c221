/**
 * All real-world objects of ../shared/ebpf-samples through the CLI's `inspect` (in-process) and through
 * loadObject. inspect lists every program and map of each and exits 0, except the objects broken on
 * purpose, which fail with one typed line (exit 1 or 2; `{"error":{…}}` with --json) — never a stack
 * trace, an uncaught exception or a hang. loadObject either loads an object fully into the simulated
 * kernel or fails with a LoadError that names where; the count of full loads is printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../src/api/collection.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { LoadError } from '../src/errors.js';
import { parseObject } from '../src/object/index.js';
import { objectFiles } from './fixtures/paths.js';
import { announceMissing, sharedPath } from './shared.js';

const samples = sharedPath('ebpf-samples');

/** Broken on purpose: the `invalid/` files (malformed ELF). */
const isInvalid = (rel: string): boolean => rel.startsWith('invalid/');
/**
 * Broken on purpose but well-formed ELF: build/badrelo.o's only function calls `ebpf_map_update_elem`
 * and build/externalfunction.o's calls an extern `bpf_map_lookup_elem`: declared functions that are
 * neither in the object nor helpers or kfuncs of the kernel (they exist nowhere).
 */
const BROKEN_BUT_PARSED = ['build/badrelo.o', 'build/externalfunction.o'];

/** Slower than this in-process is a hang for our purposes. */
const HANG_MS = 5000;

function cli(...args: string[]): { code: number; stdout: string; stderr: string; ms: number } {
  const io = bufferIo();
  const t0 = performance.now();
  const code = main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr, ms: performance.now() - t0 };
}

/** A failure as the CLI promises it: exit 1 or 2, one line on stderr, no stack trace, JSON error with --json. */
function expectTypedFailure(path: string): void {
  const r = cli('inspect', path);
  expect(r.code === 1 || r.code === 2, `exit code ${r.code}`).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^bpfvm: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const j = cli('inspect', path, '--json');
  expect(j.code).toBe(r.code);
  const last = JSON.parse(j.stdout.trim().split('\n').at(-1)!) as { error: { kind: string; message: string } };
  expect(typeof last.error.kind).toBe('string');
  expect(last.error.message.length).toBeGreaterThan(0);
}

describe('bpfvm inspect and loadObject on ../shared/ebpf-samples', () => {
  if (samples === undefined) {
    it('DID NOT RUN: shared samples missing', () => {
      announceMissing('samples-cli');
    });
    return;
  }
  const files = objectFiles(samples);
  const broken = (rel: string): boolean => isInvalid(rel) || BROKEN_BUT_PARSED.includes(rel);

  it('finds all 156 samples', () => {
    expect(files.length).toBeGreaterThanOrEqual(156);
    for (const rel of BROKEN_BUT_PARSED) expect(files).toContain(rel);
  });

  it('inspect lists every program and map of each valid sample and exits 0, quickly', () => {
    const problems: string[] = [];
    let programs = 0, maps = 0;
    for (const rel of files.filter((f) => !broken(f))) {
      const path = join(samples, rel);
      const r = cli('inspect', path, '--json');
      if (r.code !== 0 || r.stderr !== '') {
        problems.push(`${rel}: exit ${r.code}: ${r.stderr.trim()}`);
        continue;
      }
      if (r.ms > HANG_MS) problems.push(`${rel}: inspect took ${Math.round(r.ms)} ms`);
      const shown = JSON.parse(r.stdout) as { programs: { name: string; section: string }[]; maps: { name: string }[] };
      const o = parseObject(new Uint8Array(readFileSync(path)));
      const want = { programs: o.programs.map((p) => `${p.section} ${p.name}`).sort(), maps: o.maps.map((m) => m.name).sort() };
      const got = { programs: shown.programs.map((p) => `${p.section} ${p.name}`).sort(), maps: shown.maps.map((m) => m.name).sort() };
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${rel}: listed ${JSON.stringify(got)}, object has ${JSON.stringify(want)}`);
      programs += got.programs.length;
      maps += got.maps.length;
      // The text form names them too.
      const text = cli('inspect', path);
      for (const name of [...o.programs.map((p) => p.name), ...o.maps.map((m) => m.name)]) {
        if (!text.stdout.includes(name)) problems.push(`${rel}: text inspect does not show ${name}`);
      }
    }
    process.stdout.write(`samples-cli: inspect listed ${programs} programs and ${maps} maps of ${files.filter((f) => !broken(f)).length} samples\n`);
    expect(problems).toEqual([]);
  });

  for (const rel of files.filter(isInvalid)) {
    it(`inspect ${rel} fails with one typed line`, () => {
      expectTypedFailure(join(samples, rel));
    });
  }

  for (const rel of BROKEN_BUT_PARSED) {
    it(`inspect ${rel} fails with one typed line`, () => {
      expectTypedFailure(join(samples, rel));
    });
  }

  it('loadObject loads each sample fully or fails with a located LoadError (no other exception)', () => {
    const full: string[] = [];
    const failed: string[] = [];
    const problems: string[] = [];
    for (const rel of files) {
      try {
        loadObject(new Uint8Array(readFileSync(join(samples, rel))));
        full.push(rel);
        if (isInvalid(rel)) problems.push(`${rel}: loaded, but is broken on purpose`);
      } catch (e) {
        if (!(e instanceof LoadError)) {
          problems.push(`${rel}: ${e instanceof Error ? e.constructor.name : typeof e}: ${String(e)}`);
          continue;
        }
        const w = e.where;
        if (w.section === undefined && w.symbol === undefined && w.offset === undefined) problems.push(`${rel}: LoadError without a location: ${e.message}`);
        failed.push(`${rel}: ${e.message}`);
      }
    }
    process.stdout.write(`samples-cli: loadObject loads ${full.length} of ${files.length} samples fully (maps created, programs linked); ` +
      `${failed.length} fail with a LoadError:\n${failed.map((f) => `    ${f}\n`).join('')}`);
    expect(problems).toEqual([]);
    expect(full.length).toBeGreaterThanOrEqual(143);
  });
});
