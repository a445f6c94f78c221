/**
 * The kernel object heap (refcounts, alias windows, free and poison, static objects), the conntrack and
 * NAT kfuncs over the simulated table, and the key kfuncs over the simulated keyring.
 */
import { describe, expect, test } from 'vitest';
import { Kernel } from '../kernel-sim/kernel.js';
import { PERM_R } from '../vm/address-space.js';
import { defaultRegistry } from '../kernel-sim/kfuncs/index.js';
import { AF_INET, IPPROTO_TCP, IPS } from '../kernel-sim/objects/conntrack.js';
import { POISON_FREE } from '../kernel-sim/objects/heap.js';
import { signSimulated } from '../kernel-sim/objects/keyring.js';
import { run } from './oracle/kfuncs/harness.js';

const types = defaultRegistry().types;

describe('kernel heap', () => {
  test('aliases share bytes; retiring one leaves the others; the last put frees and poisons', () => {
    const k = new Kernel();
    const { heap } = k.world(types);
    const obj = heap.create('prog_test_ref_kfunc', { init: { a: 5 } });
    const a = heap.window(obj, 'reference');
    const b = heap.window(obj, 'reference');
    expect(k.space.read(b.region.base, 4)).toBe(5n);
    k.space.write(a.region.base, 4, 9n);
    expect(obj.get('a')).toBe(9n);
    heap.retire(a, 'use-after-release', 'was released');
    expect(() => k.space.read(a.region.base, 4)).toThrow(/was released/);
    expect(k.space.read(b.region.base, 4)).toBe(9n);
    expect(obj.get('cnt')).toBe(1n);
    heap.get(obj);
    expect(obj.get('cnt')).toBe(2n);
    heap.put(obj);
    heap.put(obj);
    expect(obj.freed).toBe(true);
    expect(obj.bytes.every((x) => x === POISON_FREE)).toBe(true);
    expect(() => k.space.read(b.region.base, 4)).toThrow(expect.objectContaining({ kind: 'use-after-free' }));
  });

  test('a static object is never freed; memory windows are sized and may be read-only', () => {
    const k = new Kernel();
    const w = k.world(types);
    expect(w.progTestStruct.get('a')).toBe(42n);
    expect(w.progTestStruct.get('next')).toBe(w.progTestStruct.home.region.base);
    expect(() => w.heap.put(w.progTestStruct)).toThrow(/static/);
    const m = w.heap.window(w.progTestStruct, 'memory', { size: 8, readonly: true });
    expect(m.region.size).toBe(8);
    expect(m.region.perms).toBe(PERM_R);
  });
});

/** struct bpf_sock_tuple (ipv4) at fp-32 and struct bpf_ct_opts at fp-16; r1 is the ctx. */
const CT_SETUP = (opts: { l4proto?: number; optsSz?: number; netns?: number } = {}) => `
  r6 = r1
  r1 = 0x0200000a0100000a ll
  *(u64 *)(r10 -32) = r1
  *(u32 *)(r10 -24) = 0x5000d204
  *(u32 *)(r10 -16) = ${opts.netns ?? -1}
  *(u32 *)(r10 -12) = 0
  *(u32 *)(r10 -8) = ${opts.l4proto ?? IPPROTO_TCP}
  r1 = r6
  r2 = r10
  r2 += -32
  r3 = 12
  r4 = r10
  r4 += -16
  r5 = ${opts.optsSz ?? 12}`;

/** The tuple CT_SETUP describes: 10.0.0.1:1234 → 10.0.0.2:80 (ports as stored, network order). */
function tuple() {
  const ip = (x: number) => { const a = new Uint8Array(16); a.set([10, 0, 0, x]); return a; };
  return { l3num: AF_INET, protonum: IPPROTO_TCP, src: ip(1), dst: ip(2), sport: 0xd204, dport: 0x5000 };
}

describe('conntrack and NAT kfuncs', () => {
  const ctx = () => new Uint8Array(64);

  test('lookup finds a confirmed entry, reads its mark, releases it', () => {
    const k = new Kernel();
    k.world(defaultRegistry().types).conntrack.add(tuple(), { mark: 77 });
    const out = run(`${CT_SETUP()}
      call kfunc bpf_skb_ct_lookup
      if r0 == 0 goto miss
      r7 = *(u32 *)(r0 +${types.member('struct nf_conn', 'mark')!.offset})
      r1 = r0
      call kfunc bpf_ct_release
      r0 = r7
      exit
    miss:
      r0 = *(u32 *)(r10 -12)
      exit`, { kernel: k, ctx: ctx() });
    expect(out.violations).toEqual([]);
    expect(out.r0).toBe(77n);
  });

  test.each([
    ['a missing entry', {}, -2],
    ['opts__sz other than 12', { optsSz: 8 }, -22],
    ['a protocol other than TCP/UDP', { l4proto: 1 }, -71],
    ['a netns id (none exists)', { netns: 3 }, -64],
  ])('lookup of %s returns NULL with opts->error set', (_, o, errno) => {
    const out = run(`${CT_SETUP(o)}
      call kfunc bpf_skb_ct_lookup
      r0 = *(u32 *)(r10 -12)
      exit`, { ctx: ctx() });
    expect(out.violations).toEqual([]);
    expect(Number(BigInt.asIntN(32, out.r0!))).toBe(errno);
  });

  test('alloc, set timeout/status/NAT, insert, release: the entry is in the table', () => {
    const k = new Kernel();
    const out = run(`${CT_SETUP()}
      call kfunc bpf_skb_ct_alloc
      if r0 == 0 goto out
      r7 = r0
      r1 = r7
      r2 = 1000
      call kfunc bpf_ct_set_timeout
      r1 = r7
      r2 = ${IPS.ASSURED}
      call kfunc bpf_ct_set_status
      *(u64 *)(r10 -48) = 0
      *(u64 *)(r10 -40) = 0
      *(u32 *)(r10 -48) = 0x0900000a
      r1 = r7
      r2 = r10
      r2 += -48
      r3 = 8080
      r4 = 1
      call kfunc bpf_ct_set_nat_info
      r8 = r0
      r1 = r7
      call kfunc bpf_ct_insert_entry
      if r0 == 0 goto out
      r1 = r0
      call kfunc bpf_ct_release
      r0 = r8
    out:
      exit`, { kernel: k, ctx: ctx() });
    expect(out.violations).toEqual([]);
    expect(out.r0).toBe(0n);
    const table = k.world(defaultRegistry().types).conntrack;
    expect(table.size).toBe(1);
    const found = table.findGet(tuple())!;
    expect(Number(found.ct.get('status')) & (IPS.CONFIRMED | IPS.ASSURED | IPS.DST_NAT | IPS.DST_NAT_DONE))
      .toBe(IPS.CONFIRMED | IPS.ASSURED | IPS.DST_NAT | IPS.DST_NAT_DONE);
    expect(table.readTuple(found.ct, 1).src.slice(0, 4)).toEqual(Uint8Array.from([10, 0, 0, 9]));
  });

  test('an unconfirmed entry (nf_conn___init) is not an nf_conn for bpf_ct_release', () => {
    const out = run(`${CT_SETUP()}
      call kfunc bpf_skb_ct_alloc
      if r0 == 0 goto out
      r1 = r0
      call kfunc bpf_ct_release
    out:
      r0 = 0
      exit`, { ctx: ctx() });
    expect(out.violations.map((v) => [v.kind, v.insn])).toEqual([['helper-error', 18]]);
    expect(out.violations[0]!.message).toContain('expected pointer to STRUCT nf_conn but R1 has a pointer to STRUCT nf_conn___init');
  });

  test('null-injected insert releases (frees) the entry it was given', () => {
    const k = new Kernel();
    const out = run(`${CT_SETUP()}
      call kfunc bpf_skb_ct_alloc
      if r0 == 0 goto out
      r1 = r0
      call kfunc bpf_ct_insert_entry
    out:
      r0 = 0
      exit`, { kernel: k, ctx: ctx(), nullInject: 'always' });
    expect(out.violations).toEqual([]);
    expect(k.world(defaultRegistry().types).conntrack.size).toBe(0);
  });
});

describe('key kfuncs', () => {
  /** A dynptr (data, size, offset) at fp-OFF over `len` bytes at fp-DATA. */
  const dynptr = (at: number, data: number, len: number) => `
    r1 = r10
    r1 += -${data}
    *(u64 *)(r10 -${at}) = r1
    *(u32 *)(r10 -${at - 8}) = ${len}
    *(u32 *)(r10 -${at - 12}) = 0`;
  /** Verify the 8 bytes 01..08 at fp-8 against the 44-byte signature at fp-96 with user key `serial`. */
  function prog(serial: number) {
    return `
      r1 = 0x0807060504030201 ll
      *(u64 *)(r10 -8) = r1
      ${dynptr(24, 8, 8)}
      ${dynptr(40, 96, 44)}
      r1 = ${serial}
      r2 = 0
      call kfunc bpf_lookup_user_key
      if r0 == 0 goto out
      r6 = r0
      r1 = r10
      r1 += -24
      r2 = r10
      r2 += -40
      r3 = r6
      call kfunc bpf_verify_pkcs7_signature
      r7 = r0
      r1 = r6
      call kfunc bpf_key_put
      r0 = r7
    out:
      exit`;
  }
  test('a user key verifies its own simulated signature; a tampered one is rejected', () => {
    for (const [tamper, want] of [[false, 0], [true, -129]] as const) {
      const k = new Kernel();
      const world = k.world(defaultRegistry().types);
      const serial = world.keyring.addKey('test key');
      const sig = signSimulated(serial, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
      if (tamper) sig[sig.length - 1]! ^= 1;
      const stores = [...sig].map((b, i) => `*(u8 *)(r10 -${96 - i}) = ${b}`).join('\n');
      const out = run(stores + prog(serial), { kernel: k, progType: 'LSM', sleepable: true });
      expect(out.violations).toEqual([]);
      expect(Number(BigInt.asIntN(32, out.r0!))).toBe(want);
    }
  });

  test('bpf_lookup_user_key needs a sleepable program; bpf_lookup_system_key does not', () => {
    const user = run('r1 = 1\nr2 = 0\ncall kfunc bpf_lookup_user_key\nexit', { progType: 'TRACING' });
    expect(user.violations.map((v) => [v.kind, v.insn])).toEqual([['sleep-in-atomic', 2]]);
    const sys = run(`
      r1 = 1
      call kfunc bpf_lookup_system_key
      if r0 == 0 goto out
      r1 = r0
      call kfunc bpf_key_put
      r0 = 1
    out:
      exit`, { progType: 'TRACING' });
    expect(sys.violations).toEqual([]);
    expect(sys.r0).toBe(1n);
    const bad = run('r1 = 3\ncall kfunc bpf_lookup_system_key\nexit', { progType: 'TRACING' });
    expect(bad).toMatchObject({ r0: 0n, violations: [] });
  });

  test('crash_kexec only records that it was called', () => {
    const out = run('r1 = r10\nr1 += -168\ncall kfunc crash_kexec\nr0 = 0\nexit', { progType: 'TRACING' });
    expect(out.violations).toEqual([]);
    expect(out.rt.world.destructiveCalls).toEqual([{ kfunc: 'crash_kexec', insn: 2 }]);
  });
});
