/**
 * bpf_redirect_map (XDP) over device, CPU and AF_XDP socket maps, as 6.1's __bpf_xdp_redirect_map answers:
 * XDP_ABORTED for flags outside the action bits and the map type's own flags; the action bits of the
 * flags when the slot is empty (unless a device map broadcasts); XDP_REDIRECT otherwise.
 */
import type { HelperFn } from '../../vm/machine.js';
import { CpuMap } from '../maps/cpumap.js';
import { DevMap, DevMapHash } from '../maps/devmap.js';
import { XskMap } from '../maps/xsk-map.js';
import { mapArg } from './args.js';
import { HelperFault } from '../../vm/machine.js';

const XDP_ABORTED = 0n, XDP_REDIRECT = 4n;
/** XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX: what a failed lookup may return. */
const ACTION_MASK = 3n;
const BPF_F_BROADCAST = 1n << 3n, BPF_F_EXCLUDE_INGRESS = 1n << 4n;

export const redirectMap: HelperFn = (ctx, map, key, flags) => {
  const m = mapArg(ctx, 'bpf_redirect_map', 1, map);
  const devices = m instanceof DevMap || m instanceof DevMapHash;
  if (!devices && !(m instanceof CpuMap) && !(m instanceof XskMap)) {
    throw new HelperFault('helper-error', `bpf_redirect_map: map "${m.name}" (${m.typeName}) is not a devmap, cpumap or xskmap`);
  }
  const own = devices ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS : 0n;
  if (flags & ~(ACTION_MASK | own)) return XDP_ABORTED;
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, Number(key & 0xffffffffn), true);
  if (m.lookupElem(k) === null && !(flags & BPF_F_BROADCAST)) return flags & ACTION_MASK;
  return XDP_REDIRECT;
};
