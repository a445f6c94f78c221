/**
 * Context access rules of Linux 6.1 (the is_valid_access callbacks of net/core/filter.c and
 * kernel/trace/bpf_trace.c) for the common program types, restated as data and small predicates.
 */
import type { CtxAccess, ProgInfo } from '../../platform/platform.js';

/** struct __sk_buff field offsets. */
const SKB = {
  len: 0, mark: 8, queue_mapping: 12, priority: 32, tc_index: 44, cb0: 48, cb4end: 68, tc_classid: 72, data: 76,
  data_end: 80, family: 88, remote_ip4: 92, local_ip4: 96, remote_ip6: 100, local_ip6: 116, local_port_end: 140,
  data_meta: 140, flow_keys: 144, tstamp: 152, wire_len: 160, sk: 168, tstamp_type: 180, hwtstamp: 184, size: 192,
};
const inR = (off: number, lo: number, hiEnd: number): boolean => off >= lo && off < hiEnd;
const narrowOk = (size: number, def: number): boolean => size <= def && (size & (size - 1)) === 0;
const SCALAR: CtxAccess = { regType: 'scalar' };

function skbCommon(off: number, size: number, write: boolean, regType: CtxAccess = SCALAR): CtxAccess | undefined {
  if (off < 0 || off >= SKB.size) return undefined;
  if (off % size !== 0) return undefined;
  if (inR(off, SKB.cb0, SKB.cb4end)) {
    if (off + size > SKB.cb4end) return undefined;
    return regType;
  }
  if (inR(off, SKB.remote_ip6, SKB.local_ip6 + 16) || inR(off, SKB.remote_ip4, SKB.remote_ip4 + 4) ||
    inR(off, SKB.local_ip4, SKB.local_ip4 + 4) || inR(off, SKB.data, SKB.data + 4) || inR(off, SKB.data_meta, SKB.data_meta + 4) ||
    inR(off, SKB.data_end, SKB.data_end + 4)) {
    return size === 4 ? regType : undefined;
  }
  if (inR(off, SKB.flow_keys, SKB.flow_keys + 8)) return undefined;
  if (inR(off, SKB.hwtstamp, SKB.hwtstamp + 8)) return write || size !== 8 ? undefined : regType;
  if (inR(off, SKB.tstamp, SKB.tstamp + 8)) return size !== 8 ? undefined : regType;
  if (off === SKB.sk) return write || size !== 8 ? undefined : { regType: 'sock_common_or_null' };
  if (inR(off, SKB.sk, SKB.sk + 8)) return undefined;
  if (off === SKB.tstamp_type) return undefined;
  if (inR(off, SKB.tstamp_type + 1, SKB.hwtstamp)) return undefined;
  if (write) return size === 4 ? regType : undefined;
  return narrowOk(size, 4) ? regType : undefined;
}

function isCb(off: number): boolean {
  return inR(off, SKB.cb0, SKB.cb4end);
}

function skFilter(off: number, size: number, write: boolean): CtxAccess | undefined {
  if (inR(off, SKB.tc_classid, SKB.tc_classid + 4) || inR(off, SKB.data, SKB.data + 4) || inR(off, SKB.data_meta, SKB.data_meta + 4) ||
    inR(off, SKB.data_end, SKB.data_end + 4) || inR(off, SKB.family, SKB.local_port_end) || inR(off, SKB.tstamp, SKB.tstamp + 8) ||
    inR(off, SKB.wire_len, SKB.wire_len + 4) || inR(off, SKB.hwtstamp, SKB.hwtstamp + 8)) return undefined;
  if (write && !isCb(off)) return undefined;
  return skbCommon(off, size, write);
}

function pktType(off: number): CtxAccess {
  if (off === SKB.data) return { regType: 'pkt' };
  if (off === SKB.data_meta) return { regType: 'pkt_meta' };
  if (off === SKB.data_end) return { regType: 'pkt_end' };
  return SCALAR;
}

function tcClsAct(off: number, size: number, write: boolean): CtxAccess | undefined {
  if (write) {
    const ok = inR(off, SKB.mark, SKB.mark + 4) || inR(off, SKB.tc_index, SKB.tc_index + 4) || inR(off, SKB.priority, SKB.priority + 4) ||
      isCb(off) || inR(off, SKB.tc_classid, SKB.tc_classid + 4) || inR(off, SKB.queue_mapping, SKB.queue_mapping + 4) ||
      inR(off, SKB.tstamp, SKB.tstamp + 8);
    if (!ok) return undefined;
  }
  if (inR(off, SKB.family, SKB.local_port_end)) return undefined;
  return skbCommon(off, size, write, pktType(off));
}

function cgSkb(off: number, size: number, write: boolean, bpfCap: boolean): CtxAccess | undefined {
  if (inR(off, SKB.tc_classid, SKB.tc_classid + 4) || inR(off, SKB.data_meta, SKB.data_meta + 4) || inR(off, SKB.wire_len, SKB.wire_len + 4)) return undefined;
  if ((inR(off, SKB.data, SKB.data + 4) || inR(off, SKB.data_end, SKB.data_end + 4)) && !bpfCap) return undefined;
  if (write) {
    const ok = inR(off, SKB.mark, SKB.mark + 4) || inR(off, SKB.priority, SKB.priority + 4) || isCb(off) ||
      (inR(off, SKB.tstamp, SKB.tstamp + 8) && bpfCap);
    if (!ok) return undefined;
  }
  return skbCommon(off, size, write, pktType(off));
}

function lwt(off: number, size: number, write: boolean): CtxAccess | undefined {
  if (inR(off, SKB.tc_classid, SKB.tc_classid + 4) || inR(off, SKB.family, SKB.local_port_end) || inR(off, SKB.data_meta, SKB.data_meta + 4) ||
    inR(off, SKB.tstamp, SKB.tstamp + 8) || inR(off, SKB.wire_len, SKB.wire_len + 4) || inR(off, SKB.hwtstamp, SKB.hwtstamp + 8)) return undefined;
  if (write && !(inR(off, SKB.mark, SKB.mark + 4) || inR(off, SKB.priority, SKB.priority + 4) || isCb(off))) return undefined;
  return skbCommon(off, size, write, pktType(off));
}

function skSkb(off: number, size: number, write: boolean): CtxAccess | undefined {
  if (inR(off, SKB.tc_classid, SKB.tc_classid + 4) || inR(off, SKB.data_meta, SKB.data_meta + 4) || inR(off, SKB.tstamp, SKB.tstamp + 8) ||
    inR(off, SKB.wire_len, SKB.wire_len + 4) || inR(off, SKB.hwtstamp, SKB.hwtstamp + 8)) return undefined;
  if (write && !(inR(off, SKB.tc_index, SKB.tc_index + 4) || inR(off, SKB.priority, SKB.priority + 4))) return undefined;
  if (inR(off, SKB.mark, SKB.mark + 4)) return undefined;
  return skbCommon(off, size, write, pktType(off));
}

function xdp(prog: ProgInfo, off: number, size: number, write: boolean): CtxAccess | undefined {
  if (prog.expectedAttachType !== 'XDP_DEVMAP' && inR(off, 20, 24)) return undefined;
  if (write) return undefined;
  if (off < 0 || off >= 24 || off % size !== 0 || size !== 4) return undefined;
  if (off === 0) return { regType: 'pkt' };
  if (off === 4) return { regType: 'pkt_end' };
  if (off === 8) return { regType: 'pkt_meta' };
  return SCALAR;
}

export function ctxAccess61(prog: ProgInfo, off: number, size: number, write: boolean, bpfCap = true): CtxAccess | undefined {
  switch (prog.type) {
    case 'SOCKET_FILTER':
      return skFilter(off, size, write);
    case 'SCHED_CLS':
    case 'SCHED_ACT':
      return tcClsAct(off, size, write);
    case 'CGROUP_SKB':
      return cgSkb(off, size, write, bpfCap);
    case 'LWT_IN': case 'LWT_OUT': case 'LWT_XMIT': case 'LWT_SEG6LOCAL':
      return lwt(off, size, write);
    case 'SK_SKB':
      return skSkb(off, size, write);
    case 'XDP':
      return xdp(prog, off, size, write);
    case 'TRACEPOINT':
      if (off < 0 || off >= 2048 || write || off % size !== 0) return undefined;
      return SCALAR;
    case 'KPROBE':
      if (off < 0 || off >= 168 || write || off % size !== 0 || off + size > 168) return undefined;
      return SCALAR;
    case 'PERF_EVENT':
      if (off < 0 || off >= 184 || write || off % size !== 0) return undefined;
      if (off === 168 || off === 176) return narrowOk(size, 8) ? SCALAR : undefined;
      return size === 8 ? SCALAR : undefined;
    case 'RAW_TRACEPOINT':
    case 'RAW_TRACEPOINT_WRITABLE':
      if (off < 0 || off >= 96 || write || off % size !== 0 || size !== 8) return undefined;
      return SCALAR;
    default:
      return undefined;
  }
}
