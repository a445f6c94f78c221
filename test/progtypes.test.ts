import { BpfRegType } from '../src/uapi/reg-types.js';
import { describe, expect, it } from 'vitest';
import { WINDOW_HI_BASE } from '../vm/address-space.js';
import { assemble } from '../src/asm/index.js';
import { Image } from '../vm/image.js';
import { Machine } from '../vm/machine.js';
import { Kernel } from '../kernel-sim/kernel.js';
import {
  PROG_TYPE_TABLE, ProgTypeError, ctxAccess, parseProgType, testRun,
} from '../kernel-sim/progtypes/index.js';
import { PKT_IPV4 } from './oracle/progtypes/cases.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('parseProgType', () => {
  it.each([
    ['socket', 'SOCKET_FILTER'], ['socket_filter', 'SOCKET_FILTER'], ['BPF_PROG_TYPE_SOCKET_FILTER', 'SOCKET_FILTER'],
    ['tc', 'SCHED_CLS'], ['Sched_Cls', 'SCHED_CLS'], ['classifier', 'SCHED_CLS'], ['action', 'SCHED_ACT'],
    ['xdp', 'XDP'], ['xdp.frags', 'XDP'], ['kprobe', 'KPROBE'], ['kprobe/do_sys_open', 'KPROBE'], ['uprobe', 'KPROBE'],
    ['tracepoint', 'TRACEPOINT'], ['tp/syscalls/sys_enter_open', 'TRACEPOINT'], ['raw_tp', 'RAW_TRACEPOINT'],
    ['raw_tp.w', 'RAW_TRACEPOINT_WRITABLE'], ['fentry', 'TRACING'], ['fmod_ret/foo', 'TRACING'], ['lsm/file_open', 'LSM'],
    ['syscall', 'SYSCALL'], ['cgroup/connect4', 'CGROUP_SOCK_ADDR'], ['cgroup_skb/ingress', 'CGROUP_SKB'],
    ['flow_dissector', 'FLOW_DISSECTOR'], ['sk_lookup', 'SK_LOOKUP'], ['perf_event', 'PERF_EVENT'],
  ])('%s → %s', (name, type) => {
    expect(parseProgType(name).name).toBe(type);
  });

  it('names every valid spelling in its typed error', () => {
    const err = (() => { try { parseProgType('netfilter'); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ProgTypeError);
    expect((err as ProgTypeError).valid).toContain('socket_filter');
    expect((err as ProgTypeError).message).toMatch(/unknown program type 'netfilter'; valid names include .*sched_cls.*bpfvm run --help/);
    expect((err as ProgTypeError).message.length).toBeLessThan(200);
  });

  it('has one row per 6.1 program type (UNSPEC and NETFILTER excluded)', () => {
    expect(PROG_TYPE_TABLE).toHaveLength(31);
  });
});

type Case = [type: string, off: number, size: number, kind: 'read' | 'write', expected: Record<string, unknown> | false];

describe('ctxAccess (6.1 *_is_valid_access)', () => {
  const cases: Case[] = [
    // __sk_buff, socket filter (sk_filter_is_valid_access)
    ['SOCKET_FILTER', 0, 4, 'read', { field: 'len', fieldSize: 4, narrowOk: true }],
    ['SOCKET_FILTER', 2, 2, 'read', { field: 'len', fieldSize: 4 }],
    ['SOCKET_FILTER', 1, 2, 'read', false], // misaligned
    ['SOCKET_FILTER', 0, 8, 'read', false], // wider than the field
    ['SOCKET_FILTER', 0, 4, 'write', false], // len is read-only
    ['SOCKET_FILTER', 8, 4, 'write', false], // mark too, for socket filters
    ['SOCKET_FILTER', 48, 4, 'write', { field: 'cb[0]' }],
    ['SOCKET_FILTER', 48, 8, 'write', { field: 'cb[0]', fieldSize: 8 }],
    ['SOCKET_FILTER', 64, 8, 'read', false], // cb[4] + 4 is past cb
    ['SOCKET_FILTER', 76, 4, 'read', false], // no data pointers for socket filters
    ['SOCKET_FILTER', 88, 4, 'read', false], // family..local_port
    ['SOCKET_FILTER', 168, 8, 'read', { field: 'sk', regType: BpfRegType.PTR_TO_SOCK_COMMON_OR_NULL }],
    ['SOCKET_FILTER', 182, 1, 'read', false], // padding
    ['SOCKET_FILTER', 192, 4, 'read', false],
    // tc (tc_cls_act_is_valid_access)
    ['SCHED_CLS', 76, 4, 'read', { field: 'data', regType: BpfRegType.PTR_TO_PACKET, narrowOk: false }],
    ['SCHED_CLS', 76, 2, 'read', false], // no narrow loads of data
    ['SCHED_CLS', 80, 4, 'read', { regType: BpfRegType.PTR_TO_PACKET_END }],
    ['SCHED_CLS', 140, 4, 'read', { regType: BpfRegType.PTR_TO_PACKET_META }],
    ['SCHED_CLS', 76, 4, 'write', false],
    ['SCHED_CLS', 8, 4, 'write', { field: 'mark' }],
    ['SCHED_CLS', 8, 2, 'write', false], // writes are whole words
    ['SCHED_CLS', 72, 4, 'write', { field: 'tc_classid' }],
    ['SCHED_CLS', 12, 4, 'write', { field: 'queue_mapping' }],
    ['SCHED_CLS', 152, 8, 'write', { field: 'tstamp' }],
    ['SCHED_CLS', 152, 4, 'read', false],
    ['SCHED_CLS', 180, 1, 'read', { field: 'tstamp_type' }],
    ['SCHED_CLS', 184, 8, 'read', { field: 'hwtstamp' }],
    ['SCHED_CLS', 184, 8, 'write', false],
    ['SCHED_CLS', 144, 8, 'read', false], // flow_keys
    ['SCHED_CLS', 92, 4, 'read', false],
    // cgroup_skb: family etc. readable; data needs CAP_BPF
    ['CGROUP_SKB', 92, 4, 'read', { field: 'remote_ip4' }],
    ['CGROUP_SKB', 76, 4, 'read', { regType: BpfRegType.PTR_TO_PACKET }],
    ['CGROUP_SKB', 140, 4, 'read', false],
    ['CGROUP_SKB', 32, 4, 'write', { field: 'priority' }],
    // sk_skb: mark is not even readable
    ['SK_SKB', 8, 4, 'read', false],
    ['SK_SKB', 44, 4, 'write', { field: 'tc_index' }],
    // flow dissector: only data, data_end, flow_keys
    ['FLOW_DISSECTOR', 144, 8, 'read', { regType: BpfRegType.PTR_TO_FLOW_KEYS }],
    ['FLOW_DISSECTOR', 0, 4, 'read', false],
    // xdp_md
    ['XDP', 0, 4, 'read', { field: 'data', regType: BpfRegType.PTR_TO_PACKET }],
    ['XDP', 8, 4, 'read', { regType: BpfRegType.PTR_TO_PACKET_META }],
    ['XDP', 12, 2, 'read', false], // xdp_md fields are whole words
    ['XDP', 16, 4, 'write', false],
    ['XDP', 20, 4, 'read', false], // egress_ifindex: devmap programs only
    // raw contexts
    ['KPROBE', 160, 8, 'read', { field: 'bytes' }],
    ['KPROBE', 164, 8, 'read', false],
    ['KPROBE', 0, 8, 'write', false],
    ['TRACEPOINT', 4, 4, 'read', false], // the common header is hidden
    ['TRACEPOINT', 8, 4, 'read', { field: 'bytes' }],
    ['RAW_TRACEPOINT', 88, 8, 'read', {}],
    ['RAW_TRACEPOINT', 96, 8, 'read', false],
    ['TRACING', 12, 4, 'read', false], // not a multiple of 8
    ['TRACING', 16, 8, 'read', { field: 'arg2' }],
    ['LSM', 0, 8, 'write', false],
    ['SYSCALL', 100, 4, 'write', {}],
    ['PERF_EVENT', 168, 4, 'read', { field: 'sample_period', fieldSize: 8 }],
    ['PERF_EVENT', 0, 4, 'read', false],
    // sk_lookup: remote_port as u16 or u32, read only
    ['SK_LOOKUP', 36, 4, 'read', { field: 'remote_port', fieldSize: 4 }],
    ['SK_LOOKUP', 36, 2, 'read', { field: 'remote_port', fieldSize: 2 }],
    ['SK_LOOKUP', 0, 8, 'read', { regType: BpfRegType.PTR_TO_SOCKET_OR_NULL }],
    ['SK_LOOKUP', 8, 4, 'write', false],
  ];
  it.each(cases)('%s off %i size %i %s', (type, off, size, kind, expected) => {
    const a = ctxAccess(parseProgType(type).name, off, size, kind);
    if (expected === false) expect(a.ok).toBe(false);
    else expect(a).toMatchObject({ ok: true, ...expected });
  });

  it('cgroup_skb data needs CAP_BPF', () => {
    expect(ctxAccess('CGROUP_SKB', 76, 4, 'read', { capBpf: false }).ok).toBe(false);
    expect(ctxAccess('CGROUP_SKB', 8, 4, 'read', { capBpf: false }).ok).toBe(true);
  });

  it('every 6.1 program type has modelled context rules', () => {
    for (const row of PROG_TYPE_TABLE) expect(row.access, row.name).not.toBeNull();
  });
});

describe('contexts at run time', () => {
  const run = (type: string, text: string, opts: Parameters<typeof testRun>[4] = { data: bytes(PKT_IPV4) }) => {
    const kernel = new Kernel();
    const machine = new Machine({ space: kernel.space });
    const kernelRun = kernel.beginRun();
    try {
      return testRun(kernelRun, machine, new Image(assemble(text)), type, opts);
    } finally {
      kernelRun.end();
    }
  };

  it('a 32-bit load of __sk_buff.data yields the full 64-bit packet address', () => {
    const r = run('tc', 'r2 = *(u32 *)(r1 + 76)\nr0 = r2\nr0 >>= 32\nexit');
    expect(r.r0).not.toBe(0n);
    expect(r.r0! >= BigInt(WINDOW_HI_BASE)).toBe(true); // the upper half of an address in the simulated space
  });

  it('reads through the data pointer reach the frame', () => {
    const r = run('tc', 'r2 = *(u32 *)(r1 + 76)\nr0 = *(u8 *)(r2 + 12)\nexit');
    expect(r.r0).toBe(0x08n);
  });

  it.each([
    ['socket', 'r2 = 1\n*(u32 *)(r1 + 8) = r2\nr0 = 0\nexit'], // mark: read-only for socket filters
    ['tc', 'r2 = 1\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit'], // len
    ['xdp', 'r2 = 1\n*(u32 *)(r1 + 12) = r2\nr0 = 0\nexit'],
    ['kprobe', 'r2 = 1\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit'],
  ])('a store to a read-only %s field is a permission violation', (type, text) => {
    const r = run(type, text);
    expect(r.violations).toMatchObject([{ kind: 'permission', insn: 1 }]);
    expect(r.retval).toBeNull();
  });

  it('a narrow load the rules refuse is a permission violation', () => {
    expect(run('tc', 'r0 = *(u16 *)(r1 + 76)\nexit').violations).toMatchObject([{ kind: 'permission' }]);
  });

  it('narrow loads of plain and derived fields read their low bytes (little endian)', () => {
    expect(run('tc', 'r0 = *(u16 *)(r1 + 0)\nexit').r0).toBe(64n);
    expect(run('tc', 'r0 = *(u8 *)(r1 + 16)\nexit').r0).toBe(0x08n); // protocol 0x0008: its low byte
    expect(run('tc', 'r0 = *(u8 *)(r1 + 17)\nexit').r0).toBe(0x00n);
  });

  it('tc_index keeps 16 bits; queue_mapping ignores 0xffff', () => {
    expect(run('tc', 'r2 = 0x12345\n*(u32 *)(r1 + 44) = r2\nr0 = *(u32 *)(r1 + 44)\nexit').r0).toBe(0x2345n);
    expect(run('tc', 'r2 = 0xffff\n*(u32 *)(r1 + 12) = r2\nr0 = *(u32 *)(r1 + 12)\nexit').r0).toBe(0n);
  });

  it('skb->sk is a bpf_sock with the family and addresses of the frame', () => {
    const r = run('tc', 'r2 = *(u64 *)(r1 + 168)\nr0 = *(u32 *)(r2 + 4)\nr3 = *(u32 *)(r2 + 24)\nr0 <<= 32\nr0 |= r3\nexit');
    expect(r.r0).toBe((2n << 32n) | 0x0100a8c0n); // AF_INET, 192.168.0.1 in network order
  });

  it('the xdp packet has 256 bytes of head room', () => {
    const r = run('xdp', 'r2 = *(u32 *)(r1 + 0)\nw0 = w2\nexit');
    expect(r.r0).toBe(256n);
  });

  it('kprobe runs with a zero-filled pt_regs; tracepoint with ctx_in', () => {
    expect(run('kprobe', 'r0 = *(u64 *)(r1 + 160)\nexit', {})).toMatchObject({ r0: 0n, kernelErrno: 524 });
    const ctx = new Uint8Array(16);
    ctx[8] = 9;
    expect(run('tracepoint', 'r0 = *(u64 *)(r1 + 8)\nexit', { ctx })).toMatchObject({ r0: 9n, retval: 9 });
    expect(run('lsm', 'r0 = *(u64 *)(r1 + 8)\nexit', {})).toMatchObject({ r0: 0n, kernelErrno: 524 });
  });

  it('repeat runs again on the same context; duration is instructions per run', () => {
    const r = run('tc', 'r2 = *(u32 *)(r1 + 8)\nr2 += 1\n*(u32 *)(r1 + 8) = r2\nr0 = r2\nexit', { data: bytes(PKT_IPV4), repeat: 4 });
    expect(r).toMatchObject({ retval: 4, insns: 5, duration: 5 }); // insns: the last run's
  });
});
