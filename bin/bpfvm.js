#!/usr/bin/env node
// The bpfvm command. The TypeScript sources are compiled to dist/ by `npm install` / `npm ci` (the
// package's prepare script, scripts/build.mjs: it compiles only when a source changed) or `npm run build`;
// the build also bundles the command line into one file, dist/bpfvm.cjs, which this file prefers when it is
// there and not older than the compiled modules (one file and V8's code cache of it load in a fraction of the
// time some 300 modules take). Without it (no esbuild, a bare `tsc` build) the modules of dist/ run as they are.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundleFile = join(root, 'dist', 'bpfvm.cjs');
const cacheDir = join(root, 'dist', '.compile-cache');

const noThrow = { throwIfNoEntry: false };
/** A file's modification time, 0 when it is not there. */
function mtime(p) {
  return statSync(p, noThrow)?.mtimeMs ?? 0;
}

/**
 * A source newer than the last build (the time of dist/src/index.js or dist/.build-stamp, as
 * scripts/build.mjs's distIsStale reads it), found from the list of sources that build wrote
 * (dist/.build-sources: `d folder` and `f file` lines): each listed file's time, and each listed folder's,
 * which changes when an entry is added, removed or renamed; such a folder is read again, and a .ts file in it
 * (or in a new folder in it) that the list does not have is a change too (a new file, or one renamed since).
 * One stat a file and no readdir, instead of a walk of the folders. undefined when there is no list (an older
 * build).
 */
function sourcesNewerThanBuild(built) {
  let text;
  try {
    text = readFileSync(join(root, 'dist', '.build-sources'), 'latin1');
  } catch {
    return undefined;
  }
  const listed = new Set();
  const dirs = [];
  for (const line of text.split('\n')) {
    if (line.length < 3) continue;
    listed.add(line.slice(2));
    if (line[0] === 'd') dirs.push(line.slice(2));
    else if (mtime(`${root}/${line.slice(2)}`) > built) return true; // not path.join: a few hundred of these
  }
  const unlisted = (dir) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory() ? e.name !== 'node_modules' && e.name !== 'dist' && !listed.has(p) && unlisted(p) : e.name.endsWith('.ts') && !listed.has(p)) return true;
    }
    return false;
  };
  for (const d of dirs) {
    const t = mtime(`${root}/${d}`);
    if (t === 0 || (t > built && unlisted(d))) return true;
  }
  return false;
}

// In a checkout (the sources beside dist/), say so when dist/ is older than the sources rather than run
// stale code silently; an installed package has no sources and skips this. The bundle is used unless it is
// missing or older than the compiled modules it is made of.
let bundleStale = false;
if (existsSync(join(root, 'tsconfig.json')) && existsSync(join(root, 'scripts', 'build.mjs'))) {
  const dist = join(root, 'dist');
  const built = Math.max(mtime(join(dist, 'src', 'index.js')), mtime(join(dist, '.build-stamp')));
  let stale = built === 0 || !existsSync(join(dist, 'src', 'cli', 'main.js')) || sourcesNewerThanBuild(built);
  if (stale === undefined) stale = (await import('../scripts/build.mjs')).distIsStale();
  if (stale) process.stderr.write('bpfvm: note: dist/ is older than the TypeScript sources: run `npm run build` to use your changes\n');
  bundleStale = mtime(bundleFile) < built;
} else if (existsSync(bundleFile)) {
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  bundleStale = existsSync(main) && statSync(bundleFile).mtimeMs < statSync(main).mtimeMs;
}

/**
 * zlib's crc32 without loading node:zlib (which loads the streams: a few ms of every start): the binding
 * node:zlib's crc32 calls (Node 20.15+), unless process.binding would warn (--pending-deprecation); else
 * node:zlib's, else (Node < 20.15) a JavaScript FNV hash of the words.
 */
function checksummer(require) {
  const warns = process.execArgv.some((a) => a.includes('deprecation')) || /deprecation/.test(process.env.NODE_OPTIONS ?? '') || process.env.NODE_PENDING_DEPRECATION === '1';
  try {
    const crc32 = warns ? undefined : process.binding('zlib').crc32;
    if (typeof crc32 === 'function') return (bytes) => crc32(bytes, 0);
  } catch { /* not there: node:zlib's */ }
  const zlib = require('node:zlib');
  if (typeof zlib.crc32 === 'function') return (bytes) => zlib.crc32(bytes);
  return (bytes) => {
    if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes); // a copy, aligned
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    let h = 0x811c9dc5 ^ bytes.byteLength;
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
    for (let i = words.length << 2; i < bytes.byteLength; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    return h >>> 0;
  };
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
  const checksum = checksummer(require);
  const fd = openSync(bundleFile, 'r');
  const st = fstatSync(fd);
  let key = `${process.version}|${process.arch}|${process.execArgv.join(' ')}|${st.size}|${Math.floor(st.mtimeMs)}|`;
  key = key.padEnd(Math.ceil(Buffer.byteLength(key) / 4) * 4, ' '); // the data after it stays 4-byte aligned
  const cacheFile = join(cacheDir, `bpfvm-${checksum(Buffer.from(key))}.bin`);
  let cacheFd = -1;
  let cacheSize = 0;
  try {
    cacheFd = openSync(cacheFile, 'r');
    cacheSize = fstatSync(cacheFd).size;
  } catch { /* none yet, or unreadable */ }
  // one buffer for the source and then the cache: the source is copied into a string before the cache is
  // read, and memory touched for the first time is what a start pays most for here
  const buf = Buffer.allocUnsafeSlow(Math.max(st.size, cacheSize));
  let n = 0;
  try {
    while (n < st.size) {
      const r = readSync(fd, buf, n, st.size - n, n);
      if (r === 0) break;
      n += r;
    }
  } finally {
    closeSync(fd);
  }
  const source = buf.latin1Slice(0, n); // ASCII (the build makes it so): the fast decode
  let cachedData;
  if (cacheFd >= 0) {
    try {
      const b = buf.subarray(0, readSync(cacheFd, buf, 0, cacheSize, 0));
      const head = b.readUInt32LE(0);
      const keyLen = b.readUInt32LE(4);
      const data = b.subarray(8 + keyLen);
      if (b.toString('utf8', 8, 8 + keyLen) === key && head === checksum(data)) cachedData = data;
    } catch { /* short or unreadable */ }
    closeSync(cacheFd);
  }
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
        head.writeUInt32LE(checksum(data), 0);
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
