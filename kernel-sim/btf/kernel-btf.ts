/**
 * The reference kernel's BTF: Linux 6.1's own vmlinux BTF (kernel-sim/data/vmlinux-6.1.btf.gz, Debian's
 * linux-image-6.1.0-50-amd64; see PROVENANCE.json there), read the first time a program needs a kernel
 * type and kept. A program that needs none never pays for it. Any other vmlinux BTF (raw or gzip, e.g.
 * /sys/kernel/btf/vmlinux) can stand in for it (`kernelBtf` of loadObject, `--kernel-btf` of the CLI).
 *
 * The core imports nothing Node-specific: the packaged file is read through Node's built-in modules when
 * they are there (`process.getBuiltinModule`); elsewhere (a browser) the bytes must be handed in with
 * `setDefaultKernelBtf`.
 */
import { parseBtf, type Btf } from '../../src/btf/index.js';
import { LoadError, type ErrorLocation } from '../../src/errors.js';

/** The packaged data file, relative to this module in the sources and in dist/. */
const DATA_FILE = 'vmlinux-6.1.btf.gz';
const CANDIDATE_DIRS = ['../data/', '../../../kernel-sim/data/'];

const BTF_MAGIC_LE = [0x9f, 0xeb];
const BTF_MAGIC_BE = [0xeb, 0x9f];

let defaultBtf: Btf | null = null;

interface NodeModules {
  readFileSync(path: URL | string): Uint8Array;
  existsSync(path: URL | string): boolean;
  gunzipSync(bytes: Uint8Array, options?: { chunkSize?: number }): Uint8Array;
}

function nodeModules(): NodeModules | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const get = proc?.getBuiltinModule;
  if (get === undefined) return undefined;
  const fs = get('node:fs') as { readFileSync(p: URL | string): Uint8Array; existsSync(p: URL | string): boolean } | undefined;
  const zlib = get('node:zlib') as { gunzipSync(b: Uint8Array, o?: { chunkSize?: number }): Uint8Array } | undefined;
  if (fs === undefined || zlib === undefined) return undefined;
  return { readFileSync: fs.readFileSync, existsSync: fs.existsSync, gunzipSync: zlib.gunzipSync };
}

/**
 * One output chunk the size the gzip trailer announces (ISIZE), so zlib need not join chunks (a quarter of
 * the cost for a 4 MB vmlinux BTF). Only a hint: bounded, and zlib grows past it if the trailer lies.
 */
function gunzipChunk(gz: Uint8Array): number {
  const n = gz.length;
  const isize = n >= 4 ? (gz[n - 4]! | (gz[n - 3]! << 8) | (gz[n - 2]! << 16) | (gz[n - 1]! << 24)) >>> 0 : 0;
  return Math.min(Math.max(isize + 1, 64 * 1024), 64 * 1024 * 1024);
}

const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const hasMagic = (b: Uint8Array, m: readonly number[]): boolean => b.length >= 2 && b[0] === m[0] && b[1] === m[1];

/**
 * A vmlinux BTF from its bytes (raw .BTF, or gzip-compressed). `where` names the source in errors (a file,
 * or a section). The types are decoded lazily; bytes that are not BTF are a LoadError at once.
 */
export function loadKernelBtf(bytes: Uint8Array, where: ErrorLocation | string = { section: 'kernel BTF' }): Btf {
  const loc: ErrorLocation = typeof where === 'string' ? { section: where } : where;
  let raw = bytes;
  if (isGzip(bytes)) {
    const node = nodeModules();
    if (node === undefined) throw new LoadError('gzip-compressed BTF needs Node\'s zlib here; pass the uncompressed bytes', loc);
    try {
      raw = node.gunzipSync(bytes, { chunkSize: gunzipChunk(bytes) });
    } catch {
      throw new LoadError('not a BTF file: a gzip stream that does not decompress', loc);
    }
  }
  if (!hasMagic(raw, BTF_MAGIC_LE) && !hasMagic(raw, BTF_MAGIC_BE)) {
    const head = [...raw.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new LoadError(`not a BTF file: it starts with ${head === '' ? 'nothing' : head}, not the BTF magic 9f eb`, loc);
  }
  try {
    return parseBtf(raw, { section: loc.section ?? '.BTF', lazy: true });
  } catch (e) {
    if (e instanceof LoadError && loc.file !== undefined) e.locate({ file: loc.file });
    throw e;
  }
}

/** Use these bytes (raw or gzip BTF) as the default kernel BTF from now on (a browser has no packaged file). */
export function setDefaultKernelBtf(bytes: Uint8Array | Btf): void {
  defaultBtf = bytes instanceof Uint8Array ? loadKernelBtf(bytes, 'kernel BTF') : bytes;
}

/** The reference kernel's vmlinux BTF (Linux 6.1), loaded on first use. */
export function defaultKernelBtf(): Btf {
  if (defaultBtf !== null) return defaultBtf;
  const node = nodeModules();
  if (node === undefined) {
    throw new LoadError('the packaged Linux 6.1 BTF can only be read under Node; call setDefaultKernelBtf(bytes) first', { section: DATA_FILE });
  }
  for (const dir of CANDIDATE_DIRS) {
    const url = new URL(dir + DATA_FILE, import.meta.url);
    if (node.existsSync(url)) {
      defaultBtf = loadKernelBtf(node.readFileSync(url), { file: `kernel-sim/data/${DATA_FILE}` });
      return defaultBtf;
    }
  }
  throw new LoadError(`the packaged kernel BTF (kernel-sim/data/${DATA_FILE}) is missing from this installation`, { section: DATA_FILE });
}

/** Whether the default kernel BTF has been loaded already (for measurements: a small program pays nothing). */
export function kernelBtfLoaded(): boolean {
  return defaultBtf !== null;
}
