/**
 * A typed workload for the bench: an XDP program run through Program.run (BPF_PROG_TEST_RUN) on a
 * 1,500-byte packet, reading the packet through its context's data/data_end, counting into an array map's
 * value and rewriting the packet, so its loads and stores reach the packet and map-value regions.
 */
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import type { Program } from '../src/api/collection.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap } from '../kernel-sim/maps/index.js';
import type { TierName } from '../vm/wasm/select.js';
import { XDP_ACTION } from '../src/uapi/retcodes.js';

export const typedXdp = `
// 16 passes over the packet, 8 bytes at a time: hash them, add each word to a counter in map value 0,
// write the running hash back into the packet; r0 = XDP_PASS
    r6 = r1
    *(u32 *)(r10 - 4) = 0
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call 1
    if r0 == 0 goto drop
    r9 = r0
    r8 = 16
pass:
    r1 = *(u32 *)(r6 + 0)
    r3 = *(u32 *)(r6 + 4)
    r2 = *(u64 *)(r9 + 8)
word:
    r4 = r1
    r4 += 8
    if r4 > r3 goto next
    r5 = *(u64 *)(r1 + 0)
    r2 ^= r5
    r2 *= 16777619
    r7 = *(u64 *)(r9 + 0)
    r7 += r5
    *(u64 *)(r9 + 0) = r7
    *(u32 *)(r1 + 4) = r2
    r1 = r4
    goto word
next:
    *(u64 *)(r9 + 8) = r2
    r8 += -1
    if r8 != 0 goto pass
    r0 = 2
    exit
drop:
    r0 = 1
    exit
`;

export const TYPED_PACKET_BYTES = 1500;

/** The packet: deterministic bytes. */
export function typedPacket(): Uint8Array {
  const b = new Uint8Array(TYPED_PACKET_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A fresh program with its map (the map's value starts at zero). */
export function typedProgram(): Program {
  const k = new Kernel();
  const m = createMap(k.maps, { type: 'array', name: 'counts', keySize: 4, valueSize: 16, maxEntries: 1 });
  return loadProgram(assemble(typedXdp), 'xdp', { kernel: k, maps: [m], verify: false });
}

/** One run in `tier`: retval, r0, instructions and the packet out. */
export function runTyped(p: Program, tier: TierName, data: Uint8Array): { retval: number | null; r0: bigint | null; insns: number; tier: string; dataOut: Uint8Array } {
  const r = p.run({ data, tier });
  if (r.violations.length > 0) throw new Error(`typed-xdp (${tier}): ${r.violations[0]!.message}`);
  return { retval: r.retval, r0: r.r0, insns: r.insns, tier: r.tier, dataOut: r.dataOut };
}

/** The typed-xdp program as a bench workload: the r0 every tier must give, and a runner per tier (no plain-JavaScript baseline). */
export const TYPED_WORKLOAD = {
  name: 'typed-xdp',
  /** The map lookup finds value 0: the program passes the packet. */
  expected: BigInt(XDP_ACTION.XDP_PASS),
  prepare(tier: 'interp' | 'wasm'): () => { r0: bigint | null; insns: number } {
    const p = typedProgram();
    const data = typedPacket();
    return () => {
      const r = runTyped(p, tier, data);
      if (r.tier !== tier) throw new Error(`typed-xdp: the ${tier} tier did not run it (${r.tier} did)`);
      return { r0: r.r0, insns: r.insns };
    };
  },
};
