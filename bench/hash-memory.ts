/**
 * What a hash map element costs: 10^6 updates of distinct u32 keys with u64 values, in a fresh Node
 * process, against the raw bytes they hold (key + value). Reported as bytes per element and as the ratio of
 * the heap (JS heap + array buffers) and resident memory the elements add to those raw bytes.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface HashMemoryCost {
  elements: number;
  /** key_size + value_size of each element. */
  rawBytesPerElement: number;
  heapBytesPerElement: number;
  rssBytesPerElement: number;
  heapRatio: number;
  rssRatio: number;
}

const SCRIPT = `
const root = process.argv[1];
const n = Number(process.argv[2]);
const { Kernel } = await import(root + '/dist/kernel-sim/kernel.js');
const { createMap } = await import(root + '/dist/kernel-sim/maps/index.js');
const k = new Kernel({ memoryLimit: 2 ** 40 });
const m = createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: n });
const key = new Uint8Array(4), value = new Uint8Array(8);
const kv = new DataView(key.buffer);
globalThis.gc();
const m0 = process.memoryUsage();
for (let i = 0; i < n; i++) {
  kv.setUint32(0, i, true);
  value[0] = i & 0xff;
  if (m.updateElem(key, value, 0) !== 0) throw new Error('update failed at ' + i);
}
globalThis.gc();
const m1 = process.memoryUsage();
if (m.size !== n) throw new Error('size ' + m.size);
console.log(JSON.stringify({ heap: (m1.heapUsed + m1.arrayBuffers) - (m0.heapUsed + m0.arrayBuffers), rss: m1.rss - m0.rss }));
`;

export function measureHashMemory(elements = 1_000_000): HashMemoryCost {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', '--input-type=module', '-e', SCRIPT, root, String(elements)], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { heap: number; rss: number };
  const raw = 4 + 8;
  return {
    elements, rawBytesPerElement: raw,
    heapBytesPerElement: r.heap / elements, rssBytesPerElement: r.rss / elements,
    heapRatio: r.heap / (elements * raw), rssRatio: r.rss / (elements * raw),
  };
}
