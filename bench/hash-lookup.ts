/**
 * What a hash map lookup costs in the interpreter, against an array map lookup in the same run (the
 * array's code path is the baseline): a socket filter runs LOOKUPS lookups of keys 0..1023 (each found,
 * its u64 value incremented through the returned pointer), in runs of one program each, so every run
 * also pays the map's end-of-run work. Reported as ns per lookup of each and their ratio.
 *
 * `node dist/bench/hash-lookup.js [seconds]` prints one JSON line.
 */
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap, type BpfMap } from '../kernel-sim/maps/index.js';

const KEYS = 1024;
const LOOKUPS = 4096;

/** r6 counts down; key = r6 & 1023 on the stack; lookup; *value += 1. */
const SOURCE = `
  r6 = ${LOOKUPS}
loop:
  r1 = r6
  r1 &= ${KEYS - 1}
  *(u32 *)(r10 - 4) = r1
  r2 = r10
  r2 += -4
  r1 = map_fd(0) ll
  call 1
  if r0 == 0 goto next
  r1 = *(u64 *)(r0 + 0)
  r1 += 1
  *(u64 *)(r0 + 0) = r1
next:
  r6 -= 1
  if r6 != 0 goto loop
  r0 = 0
  exit
`;

export interface HashLookupCost {
  hashNsPerLookup: number;
  arrayNsPerLookup: number;
  /** hash / array, in the same run. */
  ratio: number;
}

function timer(type: 'hash' | 'array'): () => number {
  const kernel = new Kernel({ memoryLimit: 2 ** 32 });
  const m = createMap(kernel.maps, { type, name: type, keySize: 4, valueSize: 8, maxEntries: KEYS }) as BpfMap;
  const key = new Uint8Array(4);
  for (let i = 0; i < KEYS; i++) {
    new DataView(key.buffer).setUint32(0, i, true);
    m.updateSys(key, new Uint8Array(8));
  }
  const p = loadProgram(assemble(SOURCE), 'socket', { kernel, maps: [m], verify: false, budget: 1 << 24 });
  const data = new Uint8Array(64);
  return () => {
    const t0 = process.hrtime.bigint();
    const r = p.run({ data });
    const t = Number(process.hrtime.bigint() - t0);
    if (r.violations.length > 0) throw new Error(r.violations[0]!.message);
    return t;
  };
}

/** Alternating runs of the two for `seconds`; the medians of their times per lookup. */
export function measureHashLookup(seconds = 4): HashLookupCost {
  const hash = timer('hash'), array = timer('array');
  for (let i = 0; i < 20; i++) {
    hash();
    array();
  }
  const hs: number[] = [], as: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    hs.push(hash());
    as.push(array());
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  const h = median(hs) / LOOKUPS, a = median(as) / LOOKUPS;
  return { hashNsPerLookup: h, arrayNsPerLookup: a, ratio: h / a };
}

if (process.argv[1]?.endsWith('hash-lookup.js')) {
  console.log(JSON.stringify(measureHashLookup(Number(process.argv[2] ?? '4'))));
}
