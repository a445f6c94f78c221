/**
 * Reads through socket pointers (PTR_TO_SOCK_COMMON, PTR_TO_SOCKET, PTR_TO_TCP_SOCK, PTR_TO_XDP_SOCK), as
 * Linux 6.1's bpf_sock_common_is_valid_access, bpf_sock_is_valid_access, bpf_tcp_sock_is_valid_access and
 * bpf_xdp_sock_is_valid_access allow them. struct bpf_sock's offsets are its layout's (layouts-cgroup.ts).
 */
import { BPF_SOCK } from './layouts-cgroup.js';
import { fieldByName } from './layouts.js';

const at = (name: string): number => fieldByName(BPF_SOCK, name).off;
const S = {
  family: at('family'), type: at('type'), protocol: at('protocol'), priority: at('priority'), srcIp4: at('src_ip4'),
  srcIp6: at('src_ip6'), srcPort: at('src_port'), dstPort: at('dst_port'), dstIp4: at('dst_ip4'), dstIp6: at('dst_ip6'),
  state: at('state'), rxQueue: at('rx_queue_mapping'), size: BPF_SOCK.size,
};
const narrow = (size: number, def: number): boolean => size <= def && (size & (size - 1)) === 0;
const within = (off: number, lo: number, len: number): boolean => off >= lo && off < lo + len;

/** bpf_sock_is_valid_access (reads of a PTR_TO_SOCKET). */
function bpfSockAccess(off: number, size: number): boolean {
  if (off < 0 || off >= S.size || off % size !== 0) return false;
  if ([S.state, S.family, S.type, S.protocol, S.srcPort, S.rxQueue].includes(off) || within(off, S.srcIp4, 4) ||
    within(off, S.srcIp6, 16) || within(off, S.dstIp4, 4) || within(off, S.dstIp6, 16)) return narrow(size, 4);
  if (within(off, S.dstPort, 2)) return narrow(size, size === 4 ? 4 : 2);
  if (within(off, S.dstPort + 2, 2)) return false;
  return size === 4;
}

/** Whether a read of `size` bytes at `off` through a socket pointer of `kind` is allowed (no type..priority for sock_common; u64 byte counters of tcp_sock). */
export function sockAccess(kind: string, off: number, size: number): boolean {
  switch (kind) {
    case 'sock_common':
      if (off >= S.type && off < S.priority + 4) return false;
      return bpfSockAccess(off, size);
    case 'sock':
      return bpfSockAccess(off, size);
    case 'tcp_sock':
      if (off < 0 || off >= 112 || off % size !== 0) return false;
      return off === 80 || off === 88 ? size === 8 : size === 4;
    case 'xdp_sock':
      return off >= 0 && off < 4 && off % size === 0 && size === 4;
    default:
      return false;
  }
}
