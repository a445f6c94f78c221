#!/usr/bin/env node
// The package's build: compiles the TypeScript to dist/ when a source is newer than the last build, and
// says so; otherwise it returns at once. `npm install` / `npm ci` and `npx bpfvm` in a checkout run it
// (as the prepare script), so an up-to-date checkout does not recompile (tsc takes ~30 s here).
// `--force` always compiles.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const stamp = join(root, 'dist', '.build-stamp');

/** The newest modification time of the build's inputs. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['src', 'vm', 'kernel-sim', 'bench']) if (existsSync(join(root, d))) walk(join(root, d));
  for (const f of ['tsconfig.json', 'package.json']) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

/** dist/ is older than a source (tsc rewrites every output, so its first output's time is the build's). */
export function distIsStale() {
  const first = join(root, 'dist', 'src', 'index.js');
  if (!existsSync(first) || !existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) return true;
  const built = Math.max(statSync(first).mtimeMs, existsSync(stamp) ? statSync(stamp).mtimeMs : 0);
  return newestSource() > built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(join(root, 'tsconfig.json'))) process.exit(0); // an installed package: nothing to build
  if (!process.argv.includes('--force') && !distIsStale()) process.exit(0);
  process.stderr.write('bpfvm: compiling the TypeScript sources to dist/ (tsc, about 30 s)…\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = Date.now();
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`bpfvm: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
