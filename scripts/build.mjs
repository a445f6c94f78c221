#!/usr/bin/env node
// The package's build: compiles the TypeScript to dist/ when a source is newer than the last build, and
// says so; otherwise it returns at once. `npm install` / `npm ci` and `npx bpfvm` in a checkout run it
// (as the prepare script), so an up-to-date checkout does not recompile (tsc takes ~30 s here).
// `--force` always compiles. After tsc it bundles the command line (dist/src/cli/main.js and what it imports,
// commander included) into one file, dist/bpfvm.cjs, with esbuild: bin/bpfvm.js loads that one file (and
// V8's code cache of it) instead of some 300 modules, which is most of a short command's start-up.
// bin/bpfvm.js does not import this file on a run: it reads the list of sources this build writes
// (dist/.build-sources, see writeSources) and checks their times itself; it imports distIsStale from here
// only when that list is missing (a dist/ built before the list existed). Keep the top light (node:fs and
// node:path only; the rest is imported when a build runs).
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const stamp = join(root, 'dist', '.build-stamp');
/** The build's inputs as the last build saw them (written by writeSources, read by bin/bpfvm.js). */
export const SOURCES = join(root, 'dist', '.build-sources');
/** The folders whose .ts files are the build's inputs, and its other inputs. */
const SOURCE_DIRS = ['src', 'vm', 'kernel-sim', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'package.json'];

/** The build's inputs: the folders walked and the .ts files in them, relative to the root. */
function listSources() {
  const dirs = [];
  const files = [];
  const walk = (dir) => {
    dirs.push(dir);
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(p);
      } else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(d);
  return { dirs, files: [...files, ...SOURCE_FILES] };
}

/** The newest modification time of the build's inputs. */
function newestSource() {
  let newest = 0;
  for (const f of listSources().files) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

/**
 * dist/.build-sources: the folders and files listSources found, one a line (`d path` / `f path`).
 * bin/bpfvm.js compares their times with the build's instead of walking the folders (it then needs no
 * readdir: a folder newer than the build is read again, for a .ts file added since).
 */
function writeSources() {
  const { dirs, files } = listSources();
  const text = `${dirs.map((d) => `d ${d}`).join('\n')}\n${files.map((f) => `f ${f}`).join('\n')}\n`;
  const tmp = `${SOURCES}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, SOURCES);
}

/** dist/ is older than a source (tsc rewrites every output, so its first output's time is the build's). */
export function distIsStale() {
  const first = join(root, 'dist', 'src', 'index.js');
  if (!existsSync(first) || !existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) return true;
  const built = Math.max(statSync(first).mtimeMs, existsSync(stamp) ? statSync(stamp).mtimeMs : 0);
  return newestSource() > built;
}

/** The bundled command line (see bundle()). */
export const BUNDLE = join(root, 'dist', 'bpfvm.cjs');
/** V8's code cache of the bundle (bin/bpfvm.js writes it on first use; never in the package). */
export const COMPILE_CACHE = join(root, 'dist', '.compile-cache');

/** The time of the last tsc build (as distIsStale reads it). */
function builtAt() {
  const first = join(root, 'dist', 'src', 'index.js');
  return Math.max(existsSync(first) ? statSync(first).mtimeMs : 0, existsSync(stamp) ? statSync(stamp).mtimeMs : 0);
}

/** The bundle is missing or older than the compiled modules it is made of. */
export function bundleIsStale() {
  return !existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < builtAt();
}

/** Node's modules a short command never needs but the bundle names at its top (commander's child_process…). */
const LAZY_BUILTINS = ['child_process', 'crypto', 'readline', 'worker_threads', 'zlib'];

/**
 * Those modules as objects whose properties require the module on first read: the bundle's top then loads
 * none of them (child_process alone costs about as much as the rest of commander). The property names are
 * those of this Node's module, read at build time.
 */
function lazyBuiltins() {
  const names = new Set(LAZY_BUILTINS);
  const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter }, (a) => {
        const name = a.path.replace(/^node:/, '');
        if (a.namespace === 'lazy-builtin' || !names.has(name)) return { path: a.path, external: true };
        return { path: name, namespace: 'lazy-builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (a) => {
        const real = await import(`node:${a.path}`);
        const keys = Object.keys(real.default ?? real).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
        const id = JSON.stringify(`node:${a.path}`);
        const props = keys.map((k) => `  ${k}: { get: () => load().${k}, enumerable: true },`).join('\n');
        return { contents: `let m;\nconst load = () => (m ??= require(${id}));\nObject.defineProperties(module.exports, {\n${props}\n});\n`, loader: 'js' };
      });
    },
  };
}

/**
 * dist/bpfvm.cjs: dist/src/cli/main.js and dist/src/cli/io.js with everything they import, as one CommonJS
 * file (CommonJS: V8's code cache of one script is available on Node 20 through vm.Script). Each module's
 * `import.meta.url` becomes the URL its compiled module has under dist/, so files found beside a module
 * (the kernel's data, the fuzz worker, the package root) are found as from the modules themselves.
 * `benchmark` (used by `bpfvm bench` alone) stays a require of node_modules.
 */
async function bundle() {
  const esbuild = await import('esbuild');
  const out = BUNDLE;
  const base = "require('node:url').pathToFileURL(__filename)";
  await esbuild.build({
    stdin: { contents: "export { main } from './dist/src/cli/main.js';\nexport { processIo } from './dist/src/cli/io.js';\n", resolveDir: root, loader: 'js', sourcefile: 'bpfvm-cli.js' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning', charset: 'ascii',
    // without the indentation and comments the file is 1.07 MB instead of 1.49: every byte of it is read and
    // copied into a string on each start, and fresh memory costs more than the bytes suggest (page faults).
    // Names are kept (errors name themselves by their constructor's name).
    minifyWhitespace: true,
    external: ['benchmark'],
    plugins: [lazyBuiltins(), {
      name: 'import-meta-as-in-dist',
      setup(b) {
        b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (a) => {
          let src = readFileSync(a.path, 'utf8');
          if (src.includes('import.meta')) {
            const url = `new URL(${JSON.stringify('./' + relative(dirname(out), a.path).split('\\').join('/'))}, __bpfvmBundleUrl)`;
            src = src.replace(/\bimport\.meta\.url\b/g, `${url}.href`)
              .replace(/\bimport\.meta\.dirname\b/g, `require('node:path').dirname(require('node:url').fileURLToPath(${url}))`)
              .replace(/\bimport\.meta\.filename\b/g, `require('node:url').fileURLToPath(${url})`);
            if (/\bimport\.meta\b/.test(src)) throw new Error(`${a.path}: an import.meta use the bundle does not translate`);
          }
          return { contents: src, loader: 'js' };
        });
      },
    }],
    banner: { js: `'use strict';\nconst __bpfvmBundleUrl = ${base};` },
  });
  // charset ascii escapes every character outside ASCII but those of the comments it keeps: escape those too, so
  // the file is ASCII and Node reads it as a one-byte string (a UTF-8 decode of 1.5 MB with a few arrows in it
  // takes 10-30 ms, the rest of the load about as long)
  const text = readFileSync(out, 'utf8');
  writeFileSync(out, text.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`));
  // a code cache of the previous bundle is of no use
  rmSync(COMPILE_CACHE, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(join(root, 'tsconfig.json'))) process.exit(0); // an installed package: nothing to build
  const force = process.argv.includes('--force');
  if (force || distIsStale()) {
    const { execFileSync } = await import('node:child_process');
    const { createRequire } = await import('node:module');
    process.stderr.write('bpfvm: compiling the TypeScript sources to dist/ (tsc, about 30 s)…\n');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const started = Date.now();
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
    process.stderr.write(`bpfvm: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    writeSources();
  } else if (!existsSync(SOURCES)) writeSources(); // a dist/ built before the list existed (and up to date)
  if (force || bundleIsStale()) {
    try {
      await bundle();
    } catch (e) {
      // without esbuild (or when it fails) bin/bpfvm.js runs the modules of dist/ one by one, as before
      rmSync(BUNDLE, { force: true });
      process.stderr.write(`bpfvm: note: no bundled command line (dist/bpfvm.cjs): ${e && e.message ? e.message.split('\n')[0] : e}\n`);
    }
  }
}
