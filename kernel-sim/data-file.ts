/**
 * The kernel data packaged in kernel-sim/data (gzip files), read through Node's built-in modules when they are
 * there (`process.getBuiltinModule`): beside this module in the sources, or the sources' data folder from dist/.
 * Undefined under a browser, when the file is missing, or when it does not decompress.
 */
export function readPackagedData(file: string): Uint8Array | undefined {
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
