#!/usr/bin/env node
// The bpfvm command. The TypeScript sources are compiled to dist/ by `npm install` / `npm ci` (the
// package's prepare script) or `npm run build`.
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
