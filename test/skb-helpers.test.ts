/**
 * skb helpers that change the sk_buff beyond its bytes: VLAN push/pop, change_head, the flow hash, FIB lookups.
 * Kernel truth (Linux 6.1 through ../shared/oracle, the programs below with the packet PKT):
 *   vlan2 (sched_cls) retval 8454151, data_out PKT with 81000005 after the MAC addresses; vlanpop retval 524293,
 *   data_out PKT; head (lwt_xmit, change_head 100) retval 120, data_out 14 + 100 zero bytes + the IP packet;
 *   fib lookups (xdp): family 2 / 10 through ifindex 1 → 5 (BPF_FIB_LKUP_RET_FWD_DISABLED), ifindex 7 → -ENODEV,
 *   plen 8 or flag 32 → -EINVAL, family 1 → -EAFNOSUPPORT.
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';

const PKT_HEX = '00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002';
const PKT = Uint8Array.from(Buffer.from(PKT_HEX, 'hex'));
const run = (src: string, type: string) => {
  const r = loadProgram(assemble(src), type).run({ data: PKT });
  expect(r.violations).toEqual([]);
  return { retval: r.retval, out: Buffer.from(r.dataOut).toString('hex') };
};

/** Two pushes (the second moves the first tag into the payload); then protocol << 16 | vlan_tci | len << 32. */
const VLAN2 = `r6 = r1
r1 = r6
r2 = 0x81
r3 = 5
call 18
r1 = r6
r2 = 0xa888
r3 = 7
call 18
r0 = *(u32 *)(r6 + 16)
r0 <<= 16
r1 = *(u32 *)(r6 + 24)
r0 |= r1
r1 = *(u32 *)(r6 + 0)
r1 <<= 32
r0 |= r1
exit`;

const VLANPOP = `r6 = r1
r1 = r6
r2 = 0x81
r3 = 5
call 18
r1 = r6
r2 = 0x81
r3 = 7
call 18
r1 = r6
call 19
r0 = *(u32 *)(r6 + 16)
r0 <<= 16
r1 = *(u32 *)(r6 + 24)
r0 |= r1
exit`;

describe('bpf_skb_vlan_push / bpf_skb_vlan_pop', () => {
  it('the accelerated tag moves into the payload when a second one is pushed', () => {
    expect(run(VLAN2, 'sched_cls')).toEqual({ retval: 8454151, out: PKT_HEX.replace('aabb0800', 'aabb810000050800') });
  });

  it('popping the accelerated tag accelerates the payload tag again', () => {
    expect(run(VLANPOP, 'sched_cls')).toEqual({ retval: 524293, out: PKT_HEX });
  });

  it('51 pushes then 51 pops grow the head room past the initial one and leave the frame as it was', () => {
    const push = 'r1 = r6\nr2 = 0x81\nr3 = 2\ncall 18\nif r0 != 0 goto err\n';
    const pop = 'r1 = r6\ncall 19\nif r0 != 0 goto err\n';
    const src = `r6 = r1\n${push.repeat(51)}${pop.repeat(51)}r0 = *(u32 *)(r6 + 0)\nexit\nerr:\nr0 = 1\nexit`;
    expect(run(src, 'sched_cls')).toEqual({ retval: PKT.length, out: PKT_HEX });
  });
});

describe('bpf_skb_change_head', () => {
  it('prepends zeroed head room; the length grows by it', () => {
    const r = run('r6 = r1\nr1 = r6\nr2 = 100\nr3 = 0\ncall 43\nr0 = *(u32 *)(r6 + 0)\nexit', 'lwt_xmit');
    expect(r).toEqual({ retval: 120, out: '00'.repeat(14 + 100) + PKT_HEX.slice(28) });
  });

  it('flags must be 0', () => {
    expect(run('r1 = r1\nr2 = 4\nr3 = 1\ncall 43\nexit', 'lwt_xmit').retval).toBe(-22 >>> 0);
  });
});

describe('bpf_get_hash_recalc', () => {
  it('a non-zero hash of the flow, the same on every call, visible as __sk_buff.hash', () => {
    const src = 'r6 = r1\ncall 34\nr7 = r0\nr1 = r6\ncall 34\nif r0 != r7 goto bad\nr1 = *(u32 *)(r6 + 68)\nif r1 != r7 goto bad\nr0 = r7\nexit\nbad:\nr0 = 0\nexit';
    const r = run(src, 'sched_cls');
    expect(r.retval).not.toBe(0);
  });
});

describe('bpf_fib_lookup', () => {
  const fib = (family: number, ifindex: number, plen: number, flags: number): string => {
    let s = 'r6 = r1\nr1 = 0\n';
    for (let o = -64; o < 0; o += 8) s += `*(u64 *)(r10 ${o}) = r1\n`;
    s += `r1 = ${family}\n*(u8 *)(r10 -64) = r1\nr1 = ${ifindex}\n*(u32 *)(r10 -56) = r1\n`;
    return `${s}r1 = r6\nr2 = r10\nr2 += -64\nr3 = ${plen}\nr4 = ${flags}\ncall 69\nexit`;
  };
  const cases: [string, string, number][] = [
    ['IPv4 through the loopback: forwarding is disabled', fib(2, 1, 64, 0), 5],
    ['IPv6 through the loopback, direct', fib(10, 1, 64, 1), 5],
    ['no such device', fib(2, 7, 64, 0), -19 >>> 0],
    ['params shorter than struct bpf_fib_lookup', fib(2, 1, 8, 0), -22 >>> 0],
    ['unknown flag', fib(2, 1, 64, 32), -22 >>> 0],
    ['unknown family', fib(1, 1, 64, 0), -97 >>> 0],
  ];
  for (const [name, src, retval] of cases) {
    it(name, () => expect(run(src, 'xdp').retval).toBe(retval));
  }
});

/**
 * Kernel truth (6.1 through ../shared/oracle, a 60-byte packet): `r2 = N; call bpf_skb_pull_data` returns 0 for
 * N = 0, 14, 46, 47, 60 and -ENOMEM for 61, 0x7fffffff, 0xffffffff, 0x80000000 as sched_cls; as lwt_xmit, lwt_in
 * and lwt_out (data starts at the network header: 46 bytes) 0 up to 46 and -ENOMEM from 47. After a pull of 20,
 * data_end - data is still 60; a packet pointer read before the call is refused after it (R7 invalid mem access 'scalar').
 */
describe('bpf_skb_pull_data', () => {
  const PKT60 = new Uint8Array(60).fill(0xaa);
  const pull = (type: string, n: number): number | null => {
    const r = loadProgram(assemble(`r2 = ${n}\ncall bpf_skb_pull_data\nexit`, { helperId: (s) => (s === 'bpf_skb_pull_data' ? 39 : undefined) }), type).run({ data: PKT60 });
    expect(r.violations).toEqual([]);
    return r.retval;
  };
  const ENOMEM = -12 >>> 0;
  it('linear data: 0 up to skb->len (0 means the linear part), -ENOMEM past it', () => {
    const tc = [0, 14, 46, 47, 60, 61, 0x7fffffff, -1, -2147483648].map((n) => pull('sched_cls', n));
    expect(tc).toEqual([0, 0, 0, 0, 0, ENOMEM, ENOMEM, ENOMEM, ENOMEM]);
    for (const t of ['lwt_xmit', 'lwt_in', 'lwt_out']) {
      expect([0, 14, 46, 47, 60, 61, -1].map((n) => pull(t, n))).toEqual([0, 0, 0, ENOMEM, ENOMEM, ENOMEM, ENOMEM]);
    }
  });

  it('the data pointers are recomputed; old packet pointers are invalid afterwards', () => {
    const after = 'r6 = r1\nr2 = 20\ncall 39\nr2 = *(u32 *)(r6 + 76)\nr3 = *(u32 *)(r6 + 80)\nr3 -= r2\nr0 = r3\nexit';
    expect(loadProgram(assemble(after), 'sched_cls').run({ data: PKT60 }).retval).toBe(60);
    const stale = 'r6 = r1\nr7 = *(u32 *)(r6 + 76)\nr8 = *(u32 *)(r6 + 80)\nr2 = 20\ncall 39\nr0 = r7\nr0 += 14\nif r0 > r8 goto out\nr0 = *(u8 *)(r7 + 0)\nout: r0 = 0\nexit';
    const v = loadProgram(assemble(stale), 'sched_cls').verify();
    expect(v.verdict).toBe('rejected');
    expect(v.message).toBe("R7 invalid mem access 'scalar'");
  });

  it('sk_skb programs have it too (sk_skb_pull_data)', () => {
    expect(loadProgram(assemble('r2 = 0\ncall 39\nexit'), 'sk_skb/stream_verdict').verify().verdict).toBe('accepted');
    // 6.1 has no test run for sk_skb; bpfvm's simulated run (data from the network header, as lwt) answers alike
    expect([0, 46, 47].map((n) => pull('sk_skb/stream_verdict', n))).toEqual([0, 0, ENOMEM]);
  });
});
