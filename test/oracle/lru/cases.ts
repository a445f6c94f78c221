/**
 * LRU hash map scripts for the Linux 6.1 oracle (../shared/oracle). Each case runs one program of
 * lru.bpf.o (one per map: lru2..lru200 common LRU, pcpu* LRU per-CPU hashes, nc* BPF_F_NO_COMMON_LRU)
 * on a packet holding a script of map operations; the kernel writes each operation's result in place,
 * then the element count and a bitmap of the keys present (see lru.bpf.c). test/maps-lru.test.ts holds
 * bpfvm's LRU model to the answers (results.jsonl), quoted there by case id.
 *
 *   npx vite-node test/oracle/lru/gen-manifest.ts     # writes manifest
 *   sh test/oracle/lru/run.sh                         # builds nothing; runs lru.bpf.o, writes results.jsonl
 */

export const NOPS = 400;
export const MAXKEY = 512;
export const COUNT_OFF = 16 + 4 * NOPS;
export const BITMAP_OFF = COUNT_OFF + 4;
export const PKT_SIZE = BITMAP_OFF + MAXKEY / 8;

export const OP = { ANY: 1, NOEXIST: 2, EXIST: 3, LOOKUP: 4, DELETE: 5, FOREACH: 6 } as const;
export type OpName = keyof typeof OP;
export type Op = readonly [OpName, number];

export interface LruCase {
  id: string;
  /** The program (map) of lru.bpf.o: run_<map>. */
  map: string;
  ops: readonly Op[];
}

/** The map definitions of lru.bpf.c. */
export const MAPS: Record<string, { type: 'lru_hash' | 'lru_percpu_hash'; maxEntries: number; noCommonLru: boolean }> = {
  lru2: { type: 'lru_hash', maxEntries: 2, noCommonLru: false },
  lru3: { type: 'lru_hash', maxEntries: 3, noCommonLru: false },
  lru4: { type: 'lru_hash', maxEntries: 4, noCommonLru: false },
  lru8: { type: 'lru_hash', maxEntries: 8, noCommonLru: false },
  lru200: { type: 'lru_hash', maxEntries: 200, noCommonLru: false },
  pcpu4: { type: 'lru_percpu_hash', maxEntries: 4, noCommonLru: false },
  pcpu200: { type: 'lru_percpu_hash', maxEntries: 200, noCommonLru: false },
  nc4: { type: 'lru_hash', maxEntries: 4, noCommonLru: true },
  nc8: { type: 'lru_hash', maxEntries: 8, noCommonLru: true },
  nc200: { type: 'lru_hash', maxEntries: 200, noCommonLru: true },
  ncpcpu8: { type: 'lru_percpu_hash', maxEntries: 8, noCommonLru: true },
};

const any = (...keys: number[]): Op[] => keys.map((k) => ['ANY', k] as const);
const noexist = (...keys: number[]): Op[] => keys.map((k) => ['NOEXIST', k] as const);
const exist = (...keys: number[]): Op[] => keys.map((k) => ['EXIST', k] as const);
const look = (...keys: number[]): Op[] => keys.map((k) => ['LOOKUP', k] as const);
const del = (...keys: number[]): Op[] => keys.map((k) => ['DELETE', k] as const);
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** A deterministic mix of operations (LCG), keys 1..nkeys. */
export function randomOps(seed: number, n: number, nkeys: number): Op[] {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    const r = next() % 100;
    const key = 1 + (next() % nkeys);
    const op: OpName = r < 40 ? 'ANY' : r < 50 ? 'NOEXIST' : r < 60 ? 'EXIST' : r < 90 ? 'LOOKUP' : 'DELETE';
    ops.push([op, key]);
  }
  return ops;
}

export const CASES: LruCase[] = [
  // The fixture maps.bpf.c lru_run, as a script.
  { id: 'lru4_fixture', map: 'lru4', ops: [...noexist(1, 2, 3, 4), ...noexist(1), ...exist(9), ...look(1, 2, 3, 4, 5, 6), ...any(5, 6)] },
  { id: 'lru4_fill_add', map: 'lru4', ops: [...any(1, 2, 3, 4, 5), ...look(1, 2, 3, 4, 5), ...any(6, 7, 8, 9)] },
  { id: 'lru4_ref', map: 'lru4', ops: [...any(1, 2, 3, 4), ...look(2, 3), ...any(5, 6, 7, 8, 9)] },
  { id: 'lru4_update_existing', map: 'lru4', ops: [...any(1, 2, 3, 4), ...any(2), ...look(1, 2, 3, 4)] },
  { id: 'lru4_noexist_existing', map: 'lru4', ops: [...any(1, 2, 3, 4), ...noexist(3), ...look(1, 2, 3, 4)] },
  { id: 'lru4_delete', map: 'lru4', ops: [...any(1, 2, 3, 4), ...del(2), ...any(5), ...look(1, 3, 4, 5), ...any(6), ...del(6, 6), ...any(7, 8)] },
  { id: 'lru3_lookup_then_add', map: 'lru3', ops: [...any(1, 2, 3), ...look(1), ...any(4), ...look(3), ...any(5)] },
  { id: 'lru2_add3', map: 'lru2', ops: [...any(1, 2, 3)] },
  { id: 'lru2_lookup_protects', map: 'lru2', ops: [...any(1, 2), ...look(1), ...any(3)] },
  { id: 'lru3_all_ref', map: 'lru3', ops: [...any(1, 2, 3), ...look(1, 2, 3), ...any(4)] },
  { id: 'lru2_noexist_full', map: 'lru2', ops: [...any(1, 2), ...noexist(2), ...look(1, 2)] },
  { id: 'lru8_active', map: 'lru8', ops: [...any(...range(1, 8)), ...look(1, 2, 3, 4, 5), ...any(9), ...look(1, 9), ...any(10, 11, 12, 13), ...look(2), ...any(14, 15, 16, 17, 18)] },
  { id: 'lru200_fill', map: 'lru200', ops: [...any(...range(1, 300))] },
  { id: 'lru200_ref', map: 'lru200', ops: [...any(...range(1, 128)), ...look(...range(1, 64)), ...any(...range(129, 330))] },
  // bpf_for_each_map_elem sets no ref bits: 57..128, left on the inactive list by the shrink at 129, stay unreferenced.
  { id: 'lru200_foreach', map: 'lru200', ops: [...any(...range(1, 200)), ['FOREACH', 0], ...any(...range(201, 330))] },
  { id: 'pcpu4_fixture', map: 'pcpu4', ops: [...noexist(1, 2, 3, 4), ...noexist(1), ...exist(9), ...look(1, 2, 3, 4, 5, 6), ...any(5, 6)] },
  { id: 'pcpu4_exist_full', map: 'pcpu4', ops: [...any(1, 2, 3, 4), ...exist(2, 3), ...look(1, 2, 3, 4), ...any(5), ...look(1, 2, 3, 4, 5)] },
  { id: 'pcpu4_any_existing', map: 'pcpu4', ops: [...any(1, 2, 3, 4), ...any(3), ...look(1, 2, 3, 4)] },
  { id: 'pcpu200_fill', map: 'pcpu200', ops: [...any(...range(1, 250)), ...exist(60, 61), ...any(...range(251, 300))] },
  { id: 'nc4_fill', map: 'nc4', ops: [...any(1, 2, 3, 4, 5), ...look(1, 2, 3, 4, 5), ...any(6, 7)] },
  { id: 'nc4_ref', map: 'nc4', ops: [...any(1, 2, 3, 4), ...look(1), ...any(5, 6, 7), ...look(1, 2, 3, 4, 5, 6, 7)] },
  { id: 'nc8_update_existing', map: 'nc8', ops: [...any(...range(1, 8)), ...any(4), ...look(2), ...any(9, 10, 11)] },
  { id: 'nc200_fill', map: 'nc200', ops: [...any(...range(1, 210)), ...look(...range(10, 20)), ...any(...range(211, 240))] },
  { id: 'ncpcpu8_mix', map: 'ncpcpu8', ops: [...any(...range(1, 8)), ...exist(1), ...any(9), ...look(3), ...any(10, 11), ...del(3), ...any(12)] },
];

const RANDOM: [string, number, number][] = [
  ['lru4', 1, 10], ['lru4', 2, 6], ['lru8', 3, 16], ['lru8', 4, 30], ['lru200', 5, 300], ['lru200', 6, 260],
  ['pcpu4', 7, 10], ['pcpu200', 8, 300], ['nc4', 9, 10], ['nc8', 10, 16], ['nc200', 11, 300], ['ncpcpu8', 12, 20],
  ['lru3', 13, 7], ['lru2', 14, 5],
];
for (const [map, seed, nkeys] of RANDOM) CASES.push({ id: `${map}_random${seed}`, map, ops: randomOps(seed, NOPS, nkeys) });

/** The script as the program's packet (hex): 16 header bytes, the op slots, room for the count and bitmap. */
export function packet(ops: readonly Op[]): string {
  if (ops.length > NOPS) throw new Error(`at most ${NOPS} operations`);
  const b = new Uint8Array(PKT_SIZE);
  b.set([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, 0x45, 0x00]);
  const dv = new DataView(b.buffer);
  ops.forEach(([op, key], i) => dv.setUint32(16 + 4 * i, (OP[op] << 24) | key, true));
  return Buffer.from(b).toString('hex');
}

/** What the program leaves in the packet: each operation's result, the count, the keys present. */
export interface LruAnswer {
  results: number[];
  count: number;
  present: number[];
}

export function decode(dataOutHex: string, nops: number): LruAnswer {
  const b = Buffer.from(dataOutHex, 'hex');
  const results = Array.from({ length: nops }, (_, i) => b.readUInt32LE(16 + 4 * i));
  const present: number[] = [];
  for (let k = 0; k < MAXKEY; k++) if (b[BITMAP_OFF + (k >> 3)]! & (1 << (k & 7))) present.push(k);
  return { results, count: b.readUInt32LE(COUNT_OFF), present };
}
