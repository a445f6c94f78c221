/**
 * Contexts of the test runs that take no packet: raw_tp and syscall (ctx_in bytes as they are),
 * sk_lookup (bpf_sk_lookup from ctx_in), flow_dissector (a frame and the bpf_flow_keys it fills), and
 * the u64 argument array of tracing programs.
 */
import { PERM_RW, type AddressSpace, type Region } from '../../vm/address-space.js';
import { ACCESS_MODELS } from './access-rules.js';
import { mapContext } from './context-region.js';
import { TestRunError } from './errors.js';
import { FLOW_KEYS, SK_LOOKUP, fieldByName } from './layouts.js';
import { PacketBuffer } from './packet.js';
import { ETH_HLEN } from './skb.js';

export interface CtxRun {
  /** r1: the context's address (0 when the kernel passes NULL). */
  r1: bigint;
  /** Before each repetition. */
  prepare?(): void;
  /** After each repetition. */
  after?(): void;
  finish(): { dataOut?: Uint8Array; ctxOut?: Uint8Array };
  /** The packet LD_ABS reads, when there is one. */
  packet?: PacketBuffer;
  /** A cgroup program's run-context retval (bpf_get_retval / bpf_set_retval). */
  cgroupRetval?: { get(): number; set(v: number): void };
  release(): void;
}

/** Bytes served under `model` (raw_tp, tracing, syscall, kprobe, …); NULL context when `bytes` is undefined. */
export function bytesContext(space: AddressSpace, model: keyof typeof ACCESS_MODELS, bytes: Uint8Array | undefined, name: string, copyBack: boolean): CtxRun {
  if (bytes === undefined) return { r1: 0n, finish: () => ({}), release: () => {} };
  const ctx = mapContext(space, { model: ACCESS_MODELS[model], bytes, name });
  return {
    r1: ctx.base,
    finish: () => (copyBack ? { ctxOut: bytes.slice() } : {}),
    release: () => space.unmap(ctx),
  };
}

const AF_INET = 2;
const AF_INET6 = 10;

/** bpf_prog_test_run_sk_lookup: ctx_in is required; the program sees no selected socket. */
export function skLookupContext(space: AddressSpace, ctxIn: Uint8Array | undefined): CtxRun {
  if (ctxIn === undefined) throw new TestRunError('EINVAL', 'sk_lookup needs ctx_in');
  if (ctxIn.subarray(SK_LOOKUP.size).some((b) => b !== 0)) throw new TestRunError('E2BIG', 'ctx_in has non-zero bytes past bpf_sk_lookup');
  const user = new Uint8Array(SK_LOOKUP.size);
  user.set(ctxIn.subarray(0, SK_LOOKUP.size));
  const dv = new DataView(user.buffer);
  const off = (name: string): number => fieldByName(SK_LOOKUP, name).off;
  if (dv.getBigUint64(0, true) !== 0n) throw new TestRunError('EINVAL', 'ctx_in: sk must be 0');
  if (user.subarray(off('local_port') + 4).some((b) => b !== 0)) throw new TestRunError('EINVAL', 'ctx_in: bytes after local_port must be 0');
  if (dv.getUint32(off('local_port'), true) > 0xffff) throw new TestRunError('ERANGE', 'ctx_in: local_port above 65535');
  const family = dv.getUint32(off('family'), true) & 0xffff;
  if (family !== AF_INET && family !== AF_INET6) throw new TestRunError('EAFNOSUPPORT', `ctx_in: family ${family}`);

  // What the program reads: the kernel's bpf_sk_lookup_kern holds u16 family/protocol/ports and only
  // the addresses of its own family.
  const seen = user.slice();
  const sdv = new DataView(seen.buffer);
  sdv.setUint32(off('family'), family, true);
  sdv.setUint32(off('protocol'), dv.getUint32(off('protocol'), true) & 0xffff, true);
  const clear = (names: string[]): void => names.forEach((n) => {
    const f = fieldByName(SK_LOOKUP, n);
    seen.fill(0, f.off, f.off + f.size * (f.count ?? 1));
  });
  clear(family === AF_INET ? ['remote_ip6', 'local_ip6'] : ['remote_ip4', 'local_ip4']);
  clear(['remote_port_pad']);
  const ctx = mapContext(space, { model: ACCESS_MODELS.sk_lookup, bytes: seen, name: 'bpf_sk_lookup' });
  return {
    r1: ctx.base,
    finish: () => ({ ctxOut: user }), // cookie stays 0: no socket can be selected
    release: () => space.unmap(ctx),
  };
}

/**
 * bpf_prog_test_run_flow_dissector: `data` points at the Ethernet header, the keys start zeroed with
 * nhoff = thoff = ETH_HLEN, n_proto the EtherType and flags from ctx_in; nhoff/thoff are clamped after
 * each run; data_out is the keys.
 */
export function flowDissectorContext(space: AddressSpace, data: Uint8Array, ctxIn: Uint8Array | undefined): CtxRun {
  if (data.length < ETH_HLEN) throw new TestRunError('EINVAL', 'data_in is shorter than an Ethernet header');
  let flags = 0;
  if (ctxIn !== undefined) {
    if (ctxIn.subarray(FLOW_KEYS.size).some((b) => b !== 0)) throw new TestRunError('E2BIG', 'ctx_in has non-zero bytes past bpf_flow_keys');
    const f = fieldByName(FLOW_KEYS, 'flags');
    if (ctxIn.subarray(0, FLOW_KEYS.size).some((b, i) => b !== 0 && (i < f.off || i >= f.off + 4))) {
      throw new TestRunError('EINVAL', 'ctx_in: only bpf_flow_keys.flags may be set');
    }
    flags = new DataView(ctxIn.buffer, ctxIn.byteOffset).getUint32(f.off, true);
  }
  const packet = new PacketBuffer(space, 'flow dissector packet', data.slice(), 0, { meta: 0, data: 0, end: data.length });
  const keys = new Uint8Array(FLOW_KEYS.size);
  const kdv = new DataView(keys.buffer);
  const keysRegion: Region = space.map('kernel-object', keys, PERM_RW, 'bpf_flow_keys');
  const ctx = mapContext(space, {
    model: ACCESS_MODELS.flow_dissector, bytes: new Uint8Array(192), name: '__sk_buff (flow dissector)',
    derived: {
      data: () => packet.addr(packet.data),
      data_end: () => packet.addr(packet.end),
      flow_keys: () => keysRegion.base,
    },
  });
  const u16 = (name: string): number => fieldByName(FLOW_KEYS, name).off;
  return {
    r1: ctx.base,
    packet,
    prepare() {
      keys.fill(0);
      kdv.setUint16(u16('nhoff'), ETH_HLEN, true);
      kdv.setUint16(u16('thoff'), ETH_HLEN, true);
      keys[u16('n_proto')] = data[12]!;
      keys[u16('n_proto') + 1] = data[13]!;
      kdv.setUint32(u16('flags'), flags, true);
    },
    after() {
      const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
      const nhoff = clamp(kdv.getUint16(u16('nhoff'), true), ETH_HLEN, data.length);
      kdv.setUint16(u16('nhoff'), nhoff, true);
      kdv.setUint16(u16('thoff'), clamp(kdv.getUint16(u16('thoff'), true), nhoff, data.length), true);
    },
    finish: () => (ctxIn === undefined ? { dataOut: keys.slice() } : { dataOut: keys.slice(), ctxOut: ctxIn.slice(0, FLOW_KEYS.size) }),
    release() {
      space.unmap(packet.buffer);
      space.unmap(keysRegion);
      space.unmap(ctx);
    },
  };
}
