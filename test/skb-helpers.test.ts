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
