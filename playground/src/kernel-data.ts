/**
 * The simulated kernel's packaged data (kernel-sim/data: Linux 6.1's vmlinux BTF, config and kallsyms), which
 * the core reads through Node's modules under Node. Here the page fetches the same gzip files, decompresses
 * them with the browser's DecompressionStream and hands them to the core's seams: `setDefaultKernelBtf` and
 * `providePackagedData`.
 */
import btfUrl from '../../kernel-sim/data/vmlinux-6.1.btf.gz?url';
import configUrl from '../../kernel-sim/data/config-6.1.gz?url';
import kallsymsUrl from '../../kernel-sim/data/kallsyms-6.1.gz?url';
import { setDefaultKernelBtf } from '../../kernel-sim/btf/kernel-btf.js';
import { providePackagedData } from '../../kernel-sim/data-file.js';

/** The bytes of a gzip file, decompressed (a server that already sent them decoded is fine too). */
async function fetchGunzipped(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let ready: Promise<void> | undefined;

/** Fetches and installs the kernel data once; later calls share the first. */
export function kernelData(): Promise<void> {
  ready ??= (async () => {
    const [btf, config, kallsyms] = await Promise.all([fetchGunzipped(btfUrl), fetchGunzipped(configUrl), fetchGunzipped(kallsymsUrl)]);
    setDefaultKernelBtf(btf);
    providePackagedData('config-6.1.gz', config);
    providePackagedData('kallsyms-6.1.gz', kallsyms);
  })();
  return ready;
}
