/**
 * Run-time contexts of the cgroup program types CGROUP_SOCK, CGROUP_DEVICE, CGROUP_SYSCTL and
 * CGROUP_SOCKOPT, and of LIRC_MODE2 (ctx-runs-common.ts says what they share).
 */
import type { AddressSpace } from '../../vm/address-space.js';
import type { SysctlState } from '../helpers/sysctl.js';
import { ACCESS_MODELS } from './access-rules.js';
import {
  AF_INET, IPPROTO_TCP, SOCK_STREAM, TCP_CLOSE, contextRun, dataBuffer, mapBpfSock, offOf, retvalCell, structIn, type CgroupRunInput,
} from './ctx-runs-common.js';
import { TestRunError } from './errors.js';
import { BPF_SOCK, BPF_SOCKOPT } from './layouts-cgroup.js';
import type { CtxRun } from './other-runs.js';

/** CGROUP_SOCK: the socket itself is the context (bpf_sock); sock_create/release programs may set mark, priority, bound_dev_if. */
export function cgroupSockContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  const bytes = structIn(BPF_SOCK, input.ctx);
  bytes.fill(0, 50, 52); // the zero padding after dst_port
  return contextRun(space, { model: ACCESS_MODELS.cgroup_sock, bytes, name: 'bpf_sock', attachType: input.attachType, capBpf: input.capBpf }, {
    cgroupRetval: retvalCell(),
  });
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
  sdv.setUint32(offOf(BPF_SOCK, 'state'), TCP_CLOSE, true);
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
