#!/usr/bin/env node
// The wasm tier's differential run: `node scripts/wasm-diff.mjs [N=1000000] [seed=1] [from=0]` runs N random programs in
// the interpreter and the wasm tier (bench/wasm-diff.ts, compiled to dist/ by scripts/build.mjs) and prints a
// JSON progress line every 10,000 programs, then any differences; the exit code is 1 when there are some.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
process.argv[1] = join(root, 'dist/bench/wasm-diff.js');
await import(join(root, 'dist/bench/wasm-diff.js'));
