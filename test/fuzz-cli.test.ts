/**
 * Fuzzing the CLI's option parsing (a fixed-seed slice; `npm run fuzz -- --suite cli` for the long mode):
 * random command lines of real commands, options and bad values run in-process through main(). Exit codes
 * are 0, 1 or 2; errors are one line without a stack trace, with an {"error":…} line under --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSlice } from '../bench/fuzz/harness.js';
import { cliFiles, cliRunner, cliSuite, readCorpus } from '../bench/fuzz/suites.js';
import { main } from '../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfvm-fuzz-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli fuzz', () => {
  it('every command line exits 0, 1 or 2 with a one-line error', () => {
    const objects = readCorpus([join(import.meta.dirname, 'fixtures')], 1 << 16).slice(0, 4);
    const suite = cliSuite(cliFiles(dir, objects), cliRunner(main));
    const o = checkSlice(suite, 400);
    expect(o.get('exit:2')).toBeGreaterThan(0);
    expect((o.get('exit:0') ?? 0) + (o.get('exit:1') ?? 0)).toBeGreaterThan(0);
  });

  it('the runner keeps the head and tail of a long output only (a --trace of 10^4 instructions)', () => {
    const files = cliFiles(dir, []);
    // without --json the trace is on stdout (with --json it goes to stderr, keeping stdout one line)
    const r = cliRunner(main, 4000)(['run', files['loop.s']!, '--trace', '--budget', '10000']);
    expect(r.code).toBe(1);
    expect(r.dropped).toBeGreaterThan(100_000);
    expect(r.stdout.length).toBeLessThan(4200);
    expect(r.stdout.startsWith('   0: (07) r0 += 1                          ; r0=0x1\n')).toBe(true);
    expect(r.stdout).toMatch(/\n\[\d+ characters not kept\]\n/);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('10000 instructions executed');
  });
});
