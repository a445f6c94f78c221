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
import { cliFiles, cliSuite, readCorpus } from '../bench/fuzz/suites.js';
import { main } from '../src/cli/main.js';
import { bufferIo } from '../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfvm-fuzz-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli fuzz', () => {
  it('every command line exits 0, 1 or 2 with a one-line error', () => {
    const objects = readCorpus([join(import.meta.dirname, 'fixtures')], 1 << 16).slice(0, 4);
    const suite = cliSuite(cliFiles(dir, objects), (argv) => {
      const io = bufferIo();
      const code = main(argv, io);
      return { code, stdout: io.stdout, stderr: io.stderr };
    });
    const o = checkSlice(suite, 400);
    expect(o.get('exit:2')).toBeGreaterThan(0);
    expect((o.get('exit:0') ?? 0) + (o.get('exit:1') ?? 0)).toBeGreaterThan(0);
  });
});
