#!/usr/bin/env node
// The bpfvm command. The TypeScript sources are compiled to dist/ by `npm install` / `npm ci` (the
// package's prepare script, scripts/build.mjs: it compiles only when a source changed) or `npm run build`;
// the build also bundles the command line into one file, dist/bpfvm.cjs, which this file prefers when it is
// there and not older than the compiled modules (one file and V8's code cache of it load in a fraction of the
// time some 300 modules take). Without it (no esbuild, a bare `tsc` build) the modules of dist/ run as they are.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundleFile = join(root, 'dist', 'bpfvm.cjs');
const cacheDir = join(root, 'dist', '.compile-cache');

// In a checkout (the sources beside dist/), say so when dist/ is older than the sources rather than run
// stale code silently; an installed package has no sources and skips this.
let bundleStale = false;
if (existsSync(join(root, 'tsconfig.json')) && existsSync(join(root, 'scripts', 'build.mjs'))) {
  const { distIsStale, bundleIsStale } = await import('../scripts/build.mjs');
  if (distIsStale()) process.stderr.write('bpfvm: note: dist/ is older than the TypeScript sources: run `npm run build` to use your changes\n');
  bundleStale = bundleIsStale();
} else if (existsSync(bundleFile)) {
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  bundleStale = existsSync(main) && statSync(bundleFile).mtimeMs < statSync(main).mtimeMs;
}

/** A 32-bit checksum of a code cache (V8 checks its own header, not the bytes of a release build's cache). */
function checksum(bytes, zlib) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(bytes); // Node 20.15+
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes); // a copy, aligned
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  let h = 0x811c9dc5 ^ bytes.byteLength;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  for (let i = words.length << 2; i < bytes.byteLength; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * The bundle's exports, compiled with V8's code cache: Node 22+'s module.enableCompileCache, else (Node 20) a
 * vm.Script given the cached data of an earlier run from dist/.compile-cache/ (one file per bundle, Node
 * version and V8 flags; written atomically after the first run; a stale, rejected or damaged file is ignored
 * and replaced). A cache that cannot be written (a read-only installation) only costs the time it would save.
 */
function loadBundle() {
  const require = createRequire(bundleFile);
  const mod = /** @type {{ enableCompileCache?: (dir: string) => unknown }} */ (require('node:module'));
  if (typeof mod.enableCompileCache === 'function') {
    try { mod.enableCompileCache(cacheDir); } catch { /* no cache: compile as usual */ }
    return require(bundleFile);
  }
  const vm = require('node:vm');
  const source = readFileSync(bundleFile, 'latin1'); // ASCII (the build makes it so): the fast read
  const st = statSync(bundleFile);
  let key = `${process.version}|${process.arch}|${process.execArgv.join(' ')}|${st.size}|${Math.floor(st.mtimeMs)}|`;
  key = key.padEnd(Math.ceil(Buffer.byteLength(key) / 4) * 4, ' '); // the data after it stays 4-byte aligned
  const cacheFile = join(cacheDir, `bpfvm-${checksum(Buffer.from(key), {})}.bin`);
  let cachedData;
  try {
    const b = readFileSync(cacheFile);
    const head = b.readUInt32LE(0);
    const keyLen = b.readUInt32LE(4);
    const data = b.subarray(8 + keyLen);
    if (b.toString('utf8', 8, 8 + keyLen) === key && head === checksum(data, require('node:zlib'))) cachedData = data;
  } catch { /* none yet, or unreadable */ }
  const script = new vm.Script(require('node:module').wrap(source), {
    filename: bundleFile, cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    // after the command ran, so the functions it compiled lazily are in the cache too
    process.once('exit', () => {
      try {
        const data = script.createCachedData();
        const k = Buffer.from(key);
        const head = Buffer.alloc(8);
        head.writeUInt32LE(checksum(data, require('node:zlib')), 0);
        head.writeUInt32LE(k.length, 4);
        mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([head, k, data]));
        renameSync(tmp, cacheFile);
      } catch { /* a read-only installation: no cache */ }
    });
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, bundleFile, dirname(bundleFile));
  return module.exports;
}

let cli;
let io;
if (!bundleStale && existsSync(bundleFile)) {
  cli = loadBundle();
  io = cli.processIo;
} else {
  try {
    cli = await import('../dist/src/cli/main.js');
  } catch (e) {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/src/cli/main.js')) {
      process.stderr.write('bpfvm: not built yet: run `npm install` (or `npm run build`) in the bpfvm folder\n');
      process.exit(2);
    }
    throw e;
  }
  io = (await import('../dist/src/cli/io.js')).processIo;
}
// A closed pipe (`bpfvm run --trace … | head`) ends the command quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = cli.main(process.argv.slice(2), io());
