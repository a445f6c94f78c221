/**
 * The uapi enums an object file names (include/uapi/linux/bpf.h), as data: the position in each list
 * is the number. `enumValue` turns a name into `{ name, value }`.
 */

export interface EnumValue {
  name: string;
  value: number;
}

export const PROG_TYPES = [
  'UNSPEC', 'SOCKET_FILTER', 'KPROBE', 'SCHED_CLS', 'SCHED_ACT', 'TRACEPOINT', 'XDP', 'PERF_EVENT', 'CGROUP_SKB',
  'CGROUP_SOCK', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'SOCK_OPS', 'SK_SKB', 'CGROUP_DEVICE', 'SK_MSG', 'RAW_TRACEPOINT',
  'CGROUP_SOCK_ADDR', 'LWT_SEG6LOCAL', 'LIRC_MODE2', 'SK_REUSEPORT', 'FLOW_DISSECTOR', 'CGROUP_SYSCTL',
  'RAW_TRACEPOINT_WRITABLE', 'CGROUP_SOCKOPT', 'TRACING', 'STRUCT_OPS', 'EXT', 'LSM', 'SK_LOOKUP', 'SYSCALL',
  'NETFILTER',
] as const;
export type ProgTypeName = (typeof PROG_TYPES)[number];

export const ATTACH_TYPES = [
  'CGROUP_INET_INGRESS', 'CGROUP_INET_EGRESS', 'CGROUP_INET_SOCK_CREATE', 'CGROUP_SOCK_OPS', 'SK_SKB_STREAM_PARSER',
  'SK_SKB_STREAM_VERDICT', 'CGROUP_DEVICE', 'SK_MSG_VERDICT', 'CGROUP_INET4_BIND', 'CGROUP_INET6_BIND',
  'CGROUP_INET4_CONNECT', 'CGROUP_INET6_CONNECT', 'CGROUP_INET4_POST_BIND', 'CGROUP_INET6_POST_BIND',
  'CGROUP_UDP4_SENDMSG', 'CGROUP_UDP6_SENDMSG', 'LIRC_MODE2', 'FLOW_DISSECTOR', 'CGROUP_SYSCTL',
  'CGROUP_UDP4_RECVMSG', 'CGROUP_UDP6_RECVMSG', 'CGROUP_GETSOCKOPT', 'CGROUP_SETSOCKOPT', 'TRACE_RAW_TP',
  'TRACE_FENTRY', 'TRACE_FEXIT', 'MODIFY_RETURN', 'LSM_MAC', 'TRACE_ITER', 'CGROUP_INET4_GETPEERNAME',
  'CGROUP_INET6_GETPEERNAME', 'CGROUP_INET4_GETSOCKNAME', 'CGROUP_INET6_GETSOCKNAME', 'XDP_DEVMAP',
  'CGROUP_INET_SOCK_RELEASE', 'XDP_CPUMAP', 'SK_LOOKUP', 'XDP', 'SK_SKB_VERDICT', 'SK_REUSEPORT_SELECT',
  'SK_REUSEPORT_SELECT_OR_MIGRATE', 'PERF_EVENT', 'TRACE_KPROBE_MULTI', 'LSM_CGROUP', 'STRUCT_OPS', 'NETFILTER',
  'TCX_INGRESS', 'TCX_EGRESS', 'TRACE_UPROBE_MULTI', 'CGROUP_UNIX_CONNECT', 'CGROUP_UNIX_SENDMSG',
  'CGROUP_UNIX_RECVMSG', 'CGROUP_UNIX_GETPEERNAME', 'CGROUP_UNIX_GETSOCKNAME', 'NETKIT_PRIMARY', 'NETKIT_PEER',
  'TRACE_KPROBE_SESSION', 'TRACE_UPROBE_SESSION',
] as const;
export type AttachTypeName = (typeof ATTACH_TYPES)[number];

export const MAP_TYPES = [
  'UNSPEC', 'HASH', 'ARRAY', 'PROG_ARRAY', 'PERF_EVENT_ARRAY', 'PERCPU_HASH', 'PERCPU_ARRAY', 'STACK_TRACE',
  'CGROUP_ARRAY', 'LRU_HASH', 'LRU_PERCPU_HASH', 'LPM_TRIE', 'ARRAY_OF_MAPS', 'HASH_OF_MAPS', 'DEVMAP', 'SOCKMAP',
  'CPUMAP', 'XSKMAP', 'SOCKHASH', 'CGROUP_STORAGE', 'REUSEPORT_SOCKARRAY', 'PERCPU_CGROUP_STORAGE', 'QUEUE', 'STACK',
  'SK_STORAGE', 'DEVMAP_HASH', 'STRUCT_OPS', 'RINGBUF', 'INODE_STORAGE', 'TASK_STORAGE', 'BLOOM_FILTER',
  'USER_RINGBUF', 'CGRP_STORAGE', 'ARENA',
] as const;
export type MapTypeName = (typeof MAP_TYPES)[number];

export function progType(name: ProgTypeName): EnumValue {
  return { name: `BPF_PROG_TYPE_${name}`, value: PROG_TYPES.indexOf(name) };
}

export function attachType(name: AttachTypeName): EnumValue {
  return { name: `BPF_${name}`, value: ATTACH_TYPES.indexOf(name) };
}

/** A map type by number; numbers past the known list keep a placeholder name. */
export function mapType(value: number): EnumValue {
  const n = MAP_TYPES[value];
  return { name: n === undefined ? `BPF_MAP_TYPE_${value}` : `BPF_MAP_TYPE_${n}`, value };
}

/** Map flags libbpf sets on its internal (global data) maps. */
export const BPF_F_RDONLY_PROG = 0x80;
export const BPF_F_MMAPABLE = 0x400;

/** The type of libbpf's internal maps (global data, .kconfig). */
export const ARRAY_MAP: EnumValue = mapType(MAP_TYPES.indexOf('ARRAY'));

/** A uapi list as `{ NAME: number }` (the position is the number). */
export function numbering<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.freeze(Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>);
}
