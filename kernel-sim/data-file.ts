/** Files handed in by `providePackagedData` (a browser fetches them), decompressed. */
const provided = new Map<string, Uint8Array>();

/**
 * Hand in a packaged data file's decompressed bytes (`config-6.1.gz`, `kallsyms-6.1.gz`) where Node's modules
 * are not there: a browser page fetches the file and decompresses it before its first load. Provided bytes
 * win over the packaged file; give them before the first program that reads the file.
 */
export function providePackagedData(file: string, bytes: Uint8Array): void {
  provided.set(file, bytes);
}

/**
 * The kernel data packaged in kernel-sim/data (gzip files): the bytes handed in with `providePackagedData`, or
 * else read through Node's built-in modules when they are there (`process.getBuiltinModule`): beside this module
 * in the sources, or the sources' data folder from dist/. Undefined under a browser that provided none, when the
 * file is missing, or when it does not decompress.
 */
export function readPackagedData(file: string): Uint8Array | undefined {
  const given = provided.get(file);
  if (given !== undefined) return given;
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (get === undefined) return undefined;
  const fs = get('node:fs') as typeof import('node:fs') | undefined;
  const zlib = get('node:zlib') as typeof import('node:zlib') | undefined;
  if (fs === undefined || zlib === undefined) return undefined;
  for (const rel of [`./data/${file}`, `../../kernel-sim/data/${file}`]) {
    const url = new URL(rel, import.meta.url);
    try {
      if (fs.existsSync(url)) return zlib.gunzipSync(fs.readFileSync(url));
    } catch {
      return undefined;
    }
  }
  return undefined;
}
