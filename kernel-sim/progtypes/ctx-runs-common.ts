/**
 * Run-time contexts of the socket, cgroup, lirc, reuseport, writable-tracepoint and struct_ops program
 * types. 6.1 has no BPF_PROG_TEST_RUN for most of them (bpf_dummy_ops struct_ops excepted); bpfvm runs
 * them on a context built from ctx_in (or zeros), with the kernel's field conversions where a load is
 * not a plain read of the uapi struct (pointers, fields that read as zero without a full socket).
 *
 * Inputs beyond ctx_in use data_in: the TCP segment of a sock_ops program (skb_data..skb_data_end), the
 * packet from the L4 header of sk_reuseport, the option value of a sockopt program (optval..optval_end),
 * the writable tracepoint buffer, the bpf_dummy_ops_state of a struct_ops test run. dataOut gives these
 * back as the program left them, ctxOut the context struct.
 *
 * This file: what their contexts share (the struct from ctx_in, the context region with the regions behind
 * its pointers, packet-like buffers, socket objects, the cgroup retval); cgroup-runs.ts, socket-runs.ts
 * and tracing-runs.ts build them.
 */
import { PERM_R, type AddressSpace, type Region } from '../../vm/address-space.js';
import { mapContext, type ContextSpec } from './context-region.js';
import { TestRunError } from './errors.js';
import { fieldByName, type CtxLayout } from './layouts.js';
import type { CtxRun } from './other-runs.js';
import { PacketBuffer } from './packet.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** TCP_CLOSE, the state of a socket that is neither connected nor listening. */
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;

/** ctx_in as the struct: shorter input is zero-padded, non-zero bytes past the struct are refused. */
export function structIn(layout: CtxLayout, ctxIn: Uint8Array | undefined): Uint8Array {
  const b = new Uint8Array(layout.size);
  if (ctxIn === undefined) return b;
  if (ctxIn.subarray(layout.size).some((x) => x !== 0)) throw new TestRunError('E2BIG', `ctx_in has non-zero bytes past ${layout.struct}`);
  b.set(ctxIn.subarray(0, layout.size));
  return b;
}

export const offOf = (layout: CtxLayout, name: string): number => fieldByName(layout, name).off;

/** A struct bpf_sock for socket pointers (read through bpf_sock_is_valid_access). */
export function mapBpfSock(space: AddressSpace, bytes: Uint8Array, name: string): Region {
  return space.map('kernel-object', bytes, PERM_R, name);
}

/** A context region plus the regions behind its pointers, released together. */
export function contextRun(
  space: AddressSpace, spec: ContextSpec,
  extra: { packet?: PacketBuffer; regions?: Region[]; dataOut?: () => Uint8Array; noCtxOut?: boolean; cgroupRetval?: CtxRun['cgroupRetval'] },
): CtxRun {
  const ctx = mapContext(space, spec);
  const regions = [...(extra.regions ?? []), ...(extra.packet === undefined ? [] : [extra.packet.buffer])];
  return {
    r1: ctx.base,
    ...(extra.packet === undefined ? {} : { packet: extra.packet }),
    ...(extra.cgroupRetval === undefined ? {} : { cgroupRetval: extra.cgroupRetval }),
    finish: () => ({
      ...(extra.noCtxOut === true ? {} : { ctxOut: spec.bytes.slice() }),
      ...(extra.dataOut === undefined ? {} : { dataOut: extra.dataOut() }),
    }),
    release() {
      space.unmap(ctx);
      for (const r of regions) space.unmap(r);
    },
  };
}

/** The run context's retval of a cgroup hook: 0 when the run starts. */
export function retvalCell(): NonNullable<CtxRun['cgroupRetval']> {
  let v = 0;
  return { get: () => v, set: (x) => { v = x; } };
}

/** A packet-like buffer (PTR_TO_PACKET..PTR_TO_PACKET_END) holding `data`. */
export function dataBuffer(space: AddressSpace, name: string, data: Uint8Array): PacketBuffer {
  const bytes = new Uint8Array(Math.max(data.length, 1));
  bytes.set(data);
  return new PacketBuffer(space, name, bytes, 0, { meta: 0, data: 0, end: data.length });
}

export interface CgroupRunInput {
  data?: Uint8Array;
  ctx?: Uint8Array;
  attachType: string;
  capBpf: boolean;
}
