/**
 * BPF_PROG_TEST_RUN facts, each the 6.1 kernel's own answer: the oracle batch test/oracle/progtypes
 * (cases.ts → manifest; run with ../shared/oracle/run-batch.sh 6.1, Debian 6.1.0-56). Every row names
 * the oracle case it quotes; programs and inputs come from cases.ts itself.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { Image } from '../vm/image.js';
import { Machine } from '../vm/machine.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { helperTable } from '../kernel-sim/helpers/index.js';
import { TestRunError, parseProgType, testRun, type TestRunOptions } from '../kernel-sim/progtypes/index.js';
import { CASES } from './oracle/progtypes/cases.js';

const hex = (h: string | undefined): Uint8Array | undefined => (h === undefined || h === '' ? undefined : Uint8Array.from(Buffer.from(h, 'hex')));

const ATTACH = { trace_fentry: 'TRACE_FENTRY', trace_fexit: 'TRACE_FEXIT', modify_return: 'MODIFY_RETURN' } as const;

function runCase(id: string) {
  const c = CASES.find((x) => x.id === id)!;
  const kernel = new Kernel();
  const type = parseProgType(c.type).name;
  const machine = new Machine({ space: kernel.space, helpers: helperTable(kernel, type) });
  const opts: TestRunOptions = { data: hex(c.pkt), ctx: hex(c.ctx), repeat: c.repeat ?? 1 };
  if (c.attach !== undefined && c.attach in ATTACH) opts.attach = ATTACH[c.attach as keyof typeof ATTACH];
  // The oracle passes repeat=1 unless told otherwise; raw_tp/syscall cases say repeat=0.
  const kernelRun = kernel.beginRun();
  try {
    return testRun(kernelRun, machine, new Image(assemble(c.asm)), c.type, opts);
  } finally {
    kernelRun.end();
  }
}

/** [oracle case id, retval, data_out hex (undefined: not compared)] */
const OK: [string, number, string?][] = [
  ['sf_len', 50], // socket filters see len without the Ethernet header
  ['tc_len', 64], // tc sees the whole frame
  ['cgskb_len_is_50', 1],
  ['cgskb_data_end_is_0', 1], // cgroup_skb test runs get no data_end pointer
  ['tc_len_ipv6', 80],
  ['sf_protocol_ipv4', 8], // htons(ETH_P_IP)
  ['tc_protocol_ipv6', 56710], // htons(ETH_P_IPV6)
  ['tc_protocol_8023', 1024], // an 802.3 length field: htons(ETH_P_802_2)
  ['tc_pkt_type_other', 3],
  ['tc_pkt_type_bcast', 2], // lo's broadcast address is zero: ff:ff:… counts as multicast
  ['tc_pkt_type_mcast', 2],
  ['tc_pkt_type_host', 0],
  ['tc_ifindex', 1],
  ['tc_ingress_ifindex', 0],
  ['tc_wire_len_noctx', 0], // wire_len is only set when a ctx is given
  ['tc_wire_len_ctx', 64],
  ['tc_data_len', 64],
  ['tc_meta_len', 0],
  ['tc_ctx_mark', 7],
  ['tc_ctx_cb', 0x1234],
  ['tc_ctx_wire_len', 100],
  ['sf_retval_trunc', 5], // low 32 bits of r0
  ['tc_retval_neg', 4294967295],
  ['sf_data_out', 0, '0000000000000000000000000000450000320000400040110000c0a80001c0a80002000000000000000000000000000000000000000000000000000000000000'],
  ['tc_data_out_store', 1, 'aa112233445566778899aabb0800450000320000400040110000c0a80001c0a80002000000000000000000000000000000000000000000000000000000000000'],
  ['sf_ld_abs', 0x45], // LD_ABS of a socket filter starts at the network header
  ['tc_ld_abs', 0x0800],
  ['tc_repeat_mark', 3],
  ['xdp_len', 64],
  ['xdp_ingress_ifindex', 1],
  ['xdp_rx_queue', 0],
  ['xdp_meta_eq_data', 0],
  ['xdp_adjust_head_grow', 68, '0000000000112233445566778899aabb0800450000320000400040110000c0a80001c0a80002000000000000000000000000000000000000000000000000000000000000'],
  ['xdp_adjust_head_shrink', 50, '450000320000400040110000c0a80001c0a80002000000000000000000000000000000000000000000000000000000000000'],
  ['xdp_adjust_meta', 64, '000000000000000000112233445566778899aabb0800450000320000400040110000c0a80001c0a80002000000000000000000000000000000000000000000000000000000000000'],
  ['xdp_adjust_head_too_far', 99],
  ['xdp_ctx_meta', 8],
  ['xdp_ctx_ifindex', 1],
  ['xdp_retval', 3],
  ['rawtp_arg', 0x1234],
  ['syscall_ctx', 42],
  ['fentry_retval', 0],
  ['fexit_retval', 0],
  ['fmod_ret_retval', 65540], // (side_effect << 16) | bpf_modify_return_test(1, &b)
  ['flow_keys', 0, '0e000e0000000000000008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'],
  ['sk_lookup_family', 1],
];

/** [oracle case id, errno] */
const REFUSED: [string, number][] = [
  ['tc_ipv4_short', 22],
  ['tc_too_short', 22],
  ['tc_ctx_len_refused', 22],
  ['tc_ctx_ifindex_nodev', 19],
  ['tc_ctx_wire_len_small', 22],
  ['xdp_ctx_data_meta_refused', 22],
  ['xdp_ctx_rxq_no_dev', 22],
  ['xdp_too_short', 22],
  ['rawtp_data_refused', 22],
  ['rawtp_repeat_refused', 22],
  ['syscall_repeat_refused', 22],
  ['sk_lookup_no_family', 97],
  ['sk_lookup_no_ctx', 22],
];

describe('BPF_PROG_TEST_RUN as 6.1 answers it (oracle: test/oracle/progtypes)', () => {
  it.each(OK)('%s: retval %i', (id, retval, dataOut) => {
    const r = runCase(id);
    expect(r.violations).toEqual([]);
    expect(r.retval).toBe(retval);
    if (dataOut !== undefined) expect(Buffer.from(r.dataOut!).toString('hex')).toBe(dataOut);
  });

  it.each(REFUSED)('%s: errno %i', (id, errno) => {
    expect(() => runCase(id)).toThrow(TestRunError);
    try { runCase(id); } catch (e) { expect((e as TestRunError).errno).toBe(errno); }
  });

  it('types without a test run in 6.1 (oracle kprobe_no_test_run, lsm_no_test_run: ENOTSUPP) still run in bpfvm', () => {
    expect(runCase('kprobe_no_test_run')).toMatchObject({ kernelErrno: 524, retval: 0 });
    expect(runCase('lsm_no_test_run')).toMatchObject({ kernelErrno: 524, retval: 0 });
  });

  it('syscall ctx_out is the ctx the program wrote (oracle syscall_ctx: retval 42)', () => {
    expect(Buffer.from(runCase('syscall_ctx').ctxOut!).toString('hex')).toBe('2a00000029000000');
  });

  it('tc ctx_out carries mark, cb and wire_len back (convert_skb_to___skb)', () => {
    const out = new DataView(runCase('tc_ctx_cb').ctxOut!.buffer);
    expect([out.getUint32(56, true), out.getUint32(160, true), out.getUint32(40, true)]).toEqual([0x1234, 64, 1]);
  });

  it('xdp ctx_out gives data and data_end relative to data_meta', () => {
    expect(Buffer.from(runCase('xdp_ctx_meta').ctxOut!).toString('hex')).toBe('080000004000000000000000000000000000000000000000');
  });
});
