#!/usr/bin/env node
// The bpfvm command. The TypeScript sources are compiled to dist/ by `npm install` / `npm ci` (the
// package's prepare script, scripts/build.mjs: it compiles only when a source changed) or `npm run build`.
import { existsSync } from 'node:fs';
// In a checkout (the sources beside dist/), say so when dist/ is older than the sources rather than run
// stale code silently; an installed package has no sources and skips this.
if (existsSync(new URL('../tsconfig.json', import.meta.url)) && existsSync(new URL('../scripts/build.mjs', import.meta.url))) {
  const { distIsStale } = await import('../scripts/build.mjs');
  if (distIsStale()) process.stderr.write('bpfvm: note: dist/ is older than the TypeScript sources: run `npm run build` to use your changes\n');
}
let cli;
try {
  cli = await import('../dist/src/cli/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('bpfvm: not built yet: run `npm install` (or `npm run build`) in the bpfvm folder\n');
    process.exit(2);
  }
  throw e;
}
// A closed pipe (`bpfvm run --trace … | head`) ends the command quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { processIo } = await import('../dist/src/cli/io.js');
process.exitCode = cli.main(process.argv.slice(2), processIo());
