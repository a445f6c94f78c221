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
 */
import { PERM_R, PERM_RW, type AddressSpace, type Region } from '../address-space.js';
import type { SockOpsState } from '../helpers/sock-ops.js';
import type { SysctlState } from '../helpers/sysctl.js';
import { ACCESS_MODELS } from './access-rules.js';
import { mapContext, readLE, type ContextSpec } from './context-region.js';
import { TestRunError } from './errors.js';
import { BPF_SOCK, BPF_SOCK_OPS, BPF_SOCKOPT, SK_REUSEPORT_MD } from './layouts-cgroup.js';
import { fieldByName, type CtxLayout } from './layouts.js';
import type { CtxRun } from './other-runs.js';
import { PacketBuffer } from './packet.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const TCP_LISTEN = 10;
const ETH_P_IPV6 = 0x86dd;

/** ctx_in as the struct: shorter input is zero-padded, non-zero bytes past the struct are refused. */
export function structIn(layout: CtxLayout, ctxIn: Uint8Array | undefined): Uint8Array {
  const b = new Uint8Array(layout.size);
  if (ctxIn === undefined) return b;
  if (ctxIn.subarray(layout.size).some((x) => x !== 0)) throw new TestRunError('E2BIG', `ctx_in has non-zero bytes past ${layout.struct}`);
  b.set(ctxIn.subarray(0, layout.size));
  return b;
}

const offOf = (layout: CtxLayout, name: string): number => fieldByName(layout, name).off;

/** A struct bpf_sock for socket pointers (read through bpf_sock_is_valid_access). */
function mapBpfSock(space: AddressSpace, bytes: Uint8Array, name: string): Region {
  return space.map('kernel-object', bytes, PERM_R, name);
}

/** A context region plus the regions behind its pointers, released together. */
function contextRun(
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
function retvalCell(): NonNullable<CtxRun['cgroupRetval']> {
  let v = 0;
  return { get: () => v, set: (x) => { v = x; } };
}

/** A packet-like buffer (PTR_TO_PACKET..PTR_TO_PACKET_END) holding `data`. */
function dataBuffer(space: AddressSpace, name: string, data: Uint8Array): PacketBuffer {
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

/** CGROUP_SOCK: the socket itself is the context (bpf_sock); sock_create/release programs may set mark, priority, bound_dev_if. */
export function cgroupSockContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const bytes = structIn(BPF_SOCK, input.ctx);
  bytes.fill(0, 50, 52); // the zero padding after dst_port
  return contextRun(space, { model: ACCESS_MODELS.cgroup_sock, bytes, name: 'bpf_sock', attachType: input.attachType, capBpf: input.capBpf }, {
    cgroupRetval: retvalCell(),
  });
}

/** The fields sock_ops reads from the TCP socket: zero unless is_fullsock (SOCK_OPS_GET_FIELD). */
const SOCK_OPS_FULLSOCK_FIELDS = [
  'snd_cwnd', 'srtt_us', 'bpf_sock_ops_cb_flags', 'rtt_min', 'snd_ssthresh', 'rcv_nxt', 'snd_nxt', 'snd_una', 'mss_cache',
  'ecn_flags', 'rate_delivered', 'rate_interval_us', 'packets_out', 'retrans_out', 'total_retrans', 'segs_in',
  'data_segs_in', 'segs_out', 'data_segs_out', 'lost_out', 'sacked_out', 'sk_txhash', 'bytes_received', 'bytes_acked',
];

/**
 * SOCK_OPS: bpf_sock_ops from ctx_in. Without is_fullsock the TCP fields read 0, sk is NULL and
 * sk_txhash stores are dropped; with it, sk points to the connection's bpf_sock (addresses, ports and
 * state from the context). data_in, when given, is the skb's TCP segment: skb_data..skb_data_end and
 * skb_len; without it there is no skb and skb_data, skb_data_end, skb_len and skb_tcp_flags read 0.
 */
export function sockOpsContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const L = BPF_SOCK_OPS;
  const bytes = structIn(L, input.ctx);
  const dv = new DataView(bytes.buffer);
  for (const name of ['sk', 'skb_data', 'skb_data_end']) bytes.fill(0, offOf(L, name), offOf(L, name) + 8);
  const u32 = (name: string): number => dv.getUint32(offOf(L, name), true);
  const fullsock = (): boolean => u32('is_fullsock') !== 0;

  const sk = new Uint8Array(BPF_SOCK.size);
  const sdv = new DataView(sk.buffer);
  sdv.setUint32(offOf(BPF_SOCK, 'family'), u32('family'), true);
  sdv.setUint32(offOf(BPF_SOCK, 'type'), SOCK_STREAM, true);
  sdv.setUint32(offOf(BPF_SOCK, 'protocol'), IPPROTO_TCP, true);
  sk.set(bytes.subarray(offOf(L, 'local_ip4'), offOf(L, 'local_ip4') + 4), offOf(BPF_SOCK, 'src_ip4'));
  sk.set(bytes.subarray(offOf(L, 'remote_ip4'), offOf(L, 'remote_ip4') + 4), offOf(BPF_SOCK, 'dst_ip4'));
  sk.set(bytes.subarray(offOf(L, 'local_ip6'), offOf(L, 'local_ip6') + 16), offOf(BPF_SOCK, 'src_ip6'));
  sk.set(bytes.subarray(offOf(L, 'remote_ip6'), offOf(L, 'remote_ip6') + 16), offOf(BPF_SOCK, 'dst_ip6'));
  sdv.setUint32(offOf(BPF_SOCK, 'src_port'), u32('local_port'), true);
  // remote_port holds the network-order port in its upper half (skc_dport << 16).
  sk.set(bytes.subarray(offOf(L, 'remote_port') + 2, offOf(L, 'remote_port') + 4), offOf(BPF_SOCK, 'dst_port'));
  sdv.setUint32(offOf(BPF_SOCK, 'state'), u32('state'), true);
  sdv.setInt32(offOf(BPF_SOCK, 'rx_queue_mapping'), -1, true);
  const sock = mapBpfSock(space, sk, 'bpf_sock of the sock_ops connection');

  const packet = input.data === undefined ? undefined : dataBuffer(space, 'sock_ops skb', input.data);
  const derived: Record<string, () => bigint> = {
    sk: () => (fullsock() ? sock.base : 0n),
    skb_data: () => (packet === undefined ? 0n : packet.addr(packet.data)),
    skb_data_end: () => (packet === undefined ? 0n : packet.addr(packet.end)),
    skb_len: () => BigInt(packet === undefined ? 0 : packet.end - packet.data),
    skb_tcp_flags: () => (packet === undefined ? 0n : BigInt(u32('skb_tcp_flags'))),
  };
  for (const name of SOCK_OPS_FULLSOCK_FIELDS) {
    const fl = fieldByName(L, name);
    derived[name] = () => (fullsock() ? readLE(dv, fl.off, fl.size) : 0n);
  }
  const cbFlags = offOf(L, 'bpf_sock_ops_cb_flags');
  const state: SockOpsState = { kind: 'sock_ops', fullsock, setCbFlags: (v) => dv.setUint32(cbFlags, v, true) };
  return contextRun(space, {
    model: ACCESS_MODELS.sock_ops, bytes, name: 'bpf_sock_ops', attachType: input.attachType, capBpf: input.capBpf, derived,
    ignoreStore: { sk_txhash: () => !fullsock() }, owner: state,
  }, { regions: [sock], ...(packet === undefined ? {} : { packet, dataOut: () => packet.bytes().slice() }) });
}

/** CGROUP_DEVICE, LIRC_MODE2: the struct from ctx_in, read as it is. */
export function plainContext(space: AddressSpace, model: 'cgroup_device' | 'lirc_mode2', input: CgroupRunInput): CtxRun {
  const m = ACCESS_MODELS[model];
  const bytes = structIn(m.layout, input.ctx);
  return contextRun(space, { model: m, bytes, name: m.layout.struct, attachType: input.attachType, capBpf: input.capBpf }, {
    ...(model === 'cgroup_device' ? { cgroupRetval: retvalCell() } : {}),
  });
}

/** The sysctl CGROUP_SYSCTL programs run on: the simulated kernel's kernel/ostype. */
const SYSCTL_PATH = 'kernel/ostype';
const SYSCTL_VALUE = 'Linux\n';

/**
 * CGROUP_SYSCTL: bpf_sysctl (write, file_pos) from ctx_in, on the sysctl `kernel/ostype` (value
 * "Linux\n") that the sysctl helpers read. A write brings data_in as the new value; dataOut is the
 * new value after the program (bpf_sysctl_set_new_value may replace it).
 */
export function sysctlContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const m = ACCESS_MODELS.cgroup_sysctl;
  const bytes = structIn(m.layout, input.ctx);
  const dv = new DataView(bytes.buffer);
  const state: SysctlState = {
    kind: 'sysctl', path: SYSCTL_PATH, current: Uint8Array.from(SYSCTL_VALUE, (c) => c.charCodeAt(0)),
    write: () => dv.getUint32(0, true) !== 0, newValue: input.data?.slice() ?? new Uint8Array(0), newUpdated: false,
  };
  return contextRun(space, { model: m, bytes, name: m.layout.struct, attachType: input.attachType, capBpf: input.capBpf, owner: state }, {
    ...(state.write() ? { dataOut: () => state.newValue.slice() } : {}), cgroupRetval: retvalCell(),
  });
}

/**
 * SK_REUSEPORT: data_in is the packet from its L4 header (data..data_end, len); eth_protocol,
 * ip_protocol, bind_inany and hash come from ctx_in; sk is the reuseport group's listening socket (its
 * family from eth_protocol, its type from ip_protocol); no socket is migrating (migrating_sk NULL).
 */
export function skReuseportContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const L = SK_REUSEPORT_MD;
  const bytes = structIn(L, input.ctx);
  const dv = new DataView(bytes.buffer);
  for (const name of ['data', 'data_end', 'sk', 'migrating_sk']) bytes.fill(0, offOf(L, name), offOf(L, name) + 8);
  bytes.fill(0, 36, 40);
  const data = input.data ?? new Uint8Array(0);
  const packet = dataBuffer(space, 'sk_reuseport skb', data);
  const ethProto = dv.getUint32(offOf(L, 'eth_protocol'), true);
  const ipProto = dv.getUint32(offOf(L, 'ip_protocol'), true);
  const sk = new Uint8Array(BPF_SOCK.size);
  const sdv = new DataView(sk.buffer);
  const be16 = ((ethProto & 0xff) << 8) | ((ethProto >> 8) & 0xff);
  sdv.setUint32(offOf(BPF_SOCK, 'family'), be16 === ETH_P_IPV6 ? AF_INET6 : AF_INET, true);
  sdv.setUint32(offOf(BPF_SOCK, 'type'), ipProto === IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM, true);
  sdv.setUint32(offOf(BPF_SOCK, 'protocol'), ipProto === IPPROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP, true);
  sdv.setUint32(offOf(BPF_SOCK, 'state'), ipProto === IPPROTO_UDP ? 7 : TCP_LISTEN, true);
  sdv.setInt32(offOf(BPF_SOCK, 'rx_queue_mapping'), -1, true);
  const sock = mapBpfSock(space, sk, 'bpf_sock of the reuseport group');
  return contextRun(space, {
    model: ACCESS_MODELS.sk_reuseport, bytes, name: 'sk_reuseport_md', attachType: input.attachType, capBpf: input.capBpf, owner: packet,
    derived: {
      data: () => packet.addr(packet.data),
      data_end: () => packet.addr(packet.end),
      len: () => BigInt(packet.end - packet.data),
      sk: () => sock.base,
      migrating_sk: () => 0n,
    },
  }, { packet, regions: [sock] });
}

/** The most a sockopt program sees of the option value (PAGE_SIZE, as __cgroup_bpf_run_filter_*sockopt caps it). */
const SOCKOPT_MAX = 4096;

/**
 * CGROUP_SOCKOPT: data_in is the option value (optval..optval_end, writable); level, optname, optlen and
 * retval come from ctx_in (optlen defaults to the length of data_in); sk is the (TCP) socket. ctxOut
 * shows what the program set (optlen, retval, level/optname), dataOut the option value after it.
 */
export function sockoptContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const L = BPF_SOCKOPT;
  const bytes = structIn(L, input.ctx);
  const dv = new DataView(bytes.buffer);
  for (const name of ['sk', 'optval', 'optval_end']) bytes.fill(0, offOf(L, name), offOf(L, name) + 8);
  const data = input.data ?? new Uint8Array(0);
  if (data.length > SOCKOPT_MAX) throw new TestRunError('EINVAL', `an option value of ${data.length} bytes is larger than a page`);
  if (input.ctx === undefined) dv.setInt32(offOf(L, 'optlen'), data.length, true);
  const optval = dataBuffer(space, 'sockopt optval', data);
  const sk = new Uint8Array(BPF_SOCK.size);
  const sdv = new DataView(sk.buffer);
  sdv.setUint32(offOf(BPF_SOCK, 'family'), AF_INET, true);
  sdv.setUint32(offOf(BPF_SOCK, 'type'), SOCK_STREAM, true);
  sdv.setUint32(offOf(BPF_SOCK, 'protocol'), IPPROTO_TCP, true);
  sdv.setUint32(offOf(BPF_SOCK, 'state'), 7, true);
  sdv.setInt32(offOf(BPF_SOCK, 'rx_queue_mapping'), -1, true);
  const sock = mapBpfSock(space, sk, 'bpf_sock of the sockopt socket');
  return contextRun(space, {
    model: ACCESS_MODELS.cgroup_sockopt, bytes, name: 'bpf_sockopt', attachType: input.attachType, capBpf: input.capBpf,
    derived: { sk: () => sock.base, optval: () => optval.addr(optval.data), optval_end: () => optval.addr(optval.end) },
  }, {
    packet: optval, regions: [sock], dataOut: () => optval.bytes().slice(),
    // bpf_sockopt.retval is the run context's retval (6.1 converts the field access to it).
    cgroupRetval: { get: () => dv.getInt32(offOf(L, 'retval'), true), set: (v) => dv.setInt32(offOf(L, 'retval'), v, true) },
  });
}

/** The writable buffer of bpf_test_finish(int *err), 6.1's own writable tracepoint: 4 bytes. */
const TP_BUFFER_DEFAULT = 4;

/**
 * RAW_TRACEPOINT_WRITABLE: the u64 arguments from ctx_in, args[0] pointing to the writable tracepoint
 * buffer: data_in, or the 4 zero bytes of bpf_test_finish's `int *err`. dataOut is the buffer afterwards.
 */
export function rawTpWritableContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  if ((input.ctx?.length ?? 0) > 96) throw new TestRunError('EINVAL', 'ctx_in is larger than 12 u64 arguments');
  const bytes = new Uint8Array(96);
  if (input.ctx !== undefined) bytes.set(input.ctx);
  const buf = input.data?.slice() ?? new Uint8Array(TP_BUFFER_DEFAULT);
  const region = space.map('kernel-object', buf, PERM_RW, 'writable tracepoint buffer');
  new DataView(bytes.buffer).setBigUint64(0, region.base, true);
  return contextRun(space, { model: ACCESS_MODELS.raw_tp_writable, bytes, name: 'raw_tp.w args' }, {
    regions: [region], dataOut: () => buf.slice(), noCtxOut: true,
  });
}

/** bpf_dummy_ops's members take the state pointer and up to four more arguments (test_2). */
const DUMMY_OPS_MAX_ARGS = 5;

/**
 * bpf_struct_ops_test_run (bpf_dummy_ops): ctx_in is the member's u64 arguments (8 × its argument count:
 * 8 for test_1/test_sleepable, 40 for test_2; without it 6.1 answers EINVAL and bpfvm passes a NULL state); a non-zero args[0] stands for the user's
 * struct bpf_dummy_ops_state, whose bytes are data_in (4 bytes, zero when absent) and come back as dataOut.
 */
export function dummyOpsContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  // Without ctx_in (6.1: EINVAL) bpfvm still runs the program: test_1's argument, a NULL state.
  const ctx = input.ctx ?? new Uint8Array(8);
  if (ctx.length === 0 || ctx.length % 8 !== 0 || ctx.length > 8 * DUMMY_OPS_MAX_ARGS) {
    throw new TestRunError('EINVAL', 'ctx_in must be the member\'s u64 arguments (8 bytes for test_1, 40 for test_2)');
  }
  const bytes = new Uint8Array(96);
  bytes.set(ctx);
  const dv = new DataView(bytes.buffer);
  const state = new Uint8Array(4);
  if (input.data !== undefined) state.set(input.data.subarray(0, 4));
  const region = space.map('kernel-object', state, PERM_RW, 'bpf_dummy_ops_state');
  const hasState = dv.getBigUint64(0, true) !== 0n;
  if (hasState) dv.setBigUint64(0, region.base, true);
  return contextRun(space, { model: ACCESS_MODELS.btf_args, bytes, name: 'bpf_dummy_ops args' }, {
    regions: [region], noCtxOut: true, ...(hasState ? { dataOut: () => state.slice() } : {}),
  });
}
