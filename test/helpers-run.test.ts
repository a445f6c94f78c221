import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import type { ProgTypeName } from '../src/object/bpf-enums.js';
import { helperTable, SimplePacket, type LoadedProgram } from '../kernel-sim/helpers/index.js';
import { bprintf } from '../kernel-sim/helpers/bprintf.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap, type BpfMap, type RingbufMap } from '../kernel-sim/maps/index.js';
import { codeAddress, Interpreter, type RunResult } from '../vm/interpreter.js';
import { PERM_R } from '../vm/address-space.js';

const EINVAL = BigInt.asUintN(64, -22n), EFAULT = BigInt.asUintN(64, -14n), E2BIG = BigInt.asUintN(64, -7n);
const ENOENT = BigInt.asUintN(64, -2n);

/** Assemble and run `src` as `progType` on `k`; `map_fd(N)` is maps[N], `func(N)` the code address of N. */
function setup(k: Kernel, src: string, maps: BpfMap[] = [], progType: ProgTypeName = 'KPROBE') {
  return new Interpreter(assemble(src), {
    space: k.space,
    helpers: helperTable(k, progType),
    resolvePseudo: (insn) => (insn.src === 1 ? maps[insn.imm]!.object.base : codeAddress(insn.imm)),
  });
}
const run = (k: Kernel, src: string, maps: BpfMap[] = [], progType: ProgTypeName = 'KPROBE', args?: bigint[]): RunResult =>
  setup(k, src, maps, progType).run({ args });

const u32Key = (i: number) => new Uint8Array(new Uint32Array([i]).buffer);

describe('map helpers', () => {
  const LOOKUP_OR_INSERT = `
    *(u32 *)(r10 - 4) = 5
    *(u64 *)(r10 - 16) = 42
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call bpf_map_lookup_elem#1
    if r0 != 0 goto found
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 1
    call bpf_map_update_elem#2
    exit
  found:
    r0 = *(u64 *)(r0 + 0)
    exit`;

  it('lookup misses, update inserts, lookup then finds the value', () => {
    const k = new Kernel();
    const m = createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 4 });
    expect(run(k, LOOKUP_OR_INSERT, [m]).r0).toBe(0n);
    expect(run(k, LOOKUP_OR_INSERT, [m]).r0).toBe(42n);
  });

  it('update with BPF_NOEXIST on an existing key is -EEXIST; delete of a missing key is -ENOENT', () => {
    const k = new Kernel();
    const m = createMap(k.maps, { type: 'hash', name: 'h', keySize: 4, valueSize: 8, maxEntries: 4 });
    run(k, LOOKUP_OR_INSERT, [m]);
    const again = LOOKUP_OR_INSERT.replace('if r0 != 0 goto found', '');
    expect(run(k, again, [m]).r0).toBe(BigInt.asUintN(64, -17n));
    expect(run(k, `*(u32 *)(r10 - 4) = 9
      r1 = map_fd(0) ll
      r2 = r10
      r2 += -4
      call bpf_map_delete_elem#3
      exit`, [m]).r0).toBe(ENOENT);
  });

  it('a map pointer that is not a map is a helper-error naming the helper', () => {
    const k = new Kernel();
    const r = run(k, 'r1 = r10\nr2 = r10\ncall bpf_map_lookup_elem#1\nexit');
    expect(r.violations[0]!.kind).toBe('helper-error');
    expect(r.violations[0]!.message).toContain('bpf_map_lookup_elem');
  });

  it('push, peek and pop a queue', () => {
    const k = new Kernel();
    const q = createMap(k.maps, { type: 'queue', name: 'q', keySize: 0, valueSize: 8, maxEntries: 2 });
    const r = run(k, `
      *(u64 *)(r10 - 8) = 11
      r1 = map_fd(0) ll
      r2 = r10
      r2 += -8
      r3 = 0
      call bpf_map_push_elem#87
      *(u64 *)(r10 - 8) = 0
      r1 = map_fd(0) ll
      r2 = r10
      r2 += -8
      call bpf_map_pop_elem#88
      r6 = *(u64 *)(r10 - 8)
      r1 = map_fd(0) ll
      r2 = r10
      r2 += -8
      call bpf_map_peek_elem#89
      r0 <<= 32
      r0 |= r6
      exit`, [q]);
    expect(r.r0).toBe((BigInt.asUintN(32, -2n) << 32n) | 11n);
  });

  it('for_each_map_elem visits array elements until the callback returns 1', () => {
    const k = new Kernel();
    const a = createMap(k.maps, { type: 'array', name: 'a', keySize: 4, valueSize: 8, maxEntries: 5 });
    for (let i = 0; i < 5; i++) a.set(i, BigInt(i * 10));
    const r = run(k, `
      r1 = map_fd(0) ll
      r2 = func(8) ll
      r3 = 0
      r4 = 0
      call bpf_for_each_map_elem#164
      exit
      r0 = 0
      r1 = *(u32 *)(r2 + 0)
      if r1 != 2 goto +1
      r0 = 1
      exit`, [a]);
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(3n);
  });
});

describe('ringbuf', () => {
  it('reserve, write, submit; output; the host consumes both records', () => {
    const k = new Kernel();
    const rb = createMap(k.maps, { type: 'ringbuf', name: 'rb', keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingbufMap;
    const r = run(k, `
      r1 = map_fd(0) ll
      r2 = 8
      r3 = 0
      call bpf_ringbuf_reserve#131
      if r0 == 0 goto fail
      r1 = 0x1122334455667788 ll
      *(u64 *)(r0 + 0) = r1
      r1 = r0
      r2 = 0
      call bpf_ringbuf_submit#132
      *(u32 *)(r10 - 4) = 7
      r1 = map_fd(0) ll
      r2 = r10
      r2 += -4
      r3 = 4
      r4 = 0
      call bpf_ringbuf_output#130
      r1 = map_fd(0) ll
      r2 = 0
      call bpf_ringbuf_query#134
      exit
    fail:
      r0 = -1
      exit`, [rb]);
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(32n); // BPF_RB_AVAIL_DATA: two 8-byte headers and two 8-byte-rounded records
    const [a, b] = rb.consume();
    expect(new DataView(a!.buffer).getBigUint64(0, true)).toBe(0x1122334455667788n);
    expect([...b!]).toEqual([7, 0, 0, 0]);
  });

  it('a record used after submit is a use-after-release; submitting twice is a double release', () => {
    const k = new Kernel();
    const rb = createMap(k.maps, { type: 'ringbuf', name: 'rb', keySize: 0, valueSize: 0, maxEntries: 4096 });
    const head = `r1 = map_fd(0) ll
      r2 = 8
      r3 = 0
      call bpf_ringbuf_reserve#131
      r6 = r0
      r1 = r0
      r2 = 0
      call bpf_ringbuf_submit#132
`;
    expect(run(k, head + '*(u64 *)(r6 + 0) = 1\nexit', [rb]).violations[0]!.kind).toBe('use-after-release');
    expect(run(k, head + 'r1 = r6\nr2 = 0\ncall bpf_ringbuf_discard#133\nexit', [rb]).violations[0]!.kind).toBe('double-release');
  });
});

describe('tail calls and bpf_loop', () => {
  it('a program tail-calling itself runs 1 + 33 times, then the failed call returns', () => {
    const k = new Kernel();
    const counter = createMap(k.maps, { type: 'array', name: 'cnt', keySize: 4, valueSize: 8, maxEntries: 1 });
    const progs = createMap(k.maps, { type: 'prog_array', name: 'progs', keySize: 4, valueSize: 4, maxEntries: 2 });
    const it = setup(k, `
      r6 = r1
      *(u32 *)(r10 - 4) = 0
      r1 = map_fd(0) ll
      r2 = r10
      r2 += -4
      call bpf_map_lookup_elem#1
      if r0 == 0 goto out
      r1 = *(u64 *)(r0 + 0)
      r1 += 1
      *(u64 *)(r0 + 0) = r1
      r1 = r6
      r2 = map_fd(1) ll
      r3 = 0
      r0 = 99
      call bpf_tail_call#12
    out:
      exit`, [counter, progs]);
    const prog: LoadedProgram = { image: it.image };
    progs.updateSys(u32Key(0), u32Key(k.maps.idOf(prog)));
    const r = it.run();
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(99n);
    expect(counter.get(0)).toBe(34n);
  });

  it('an empty slot or an index past the end just returns', () => {
    const k = new Kernel();
    const progs = createMap(k.maps, { type: 'prog_array', name: 'progs', keySize: 4, valueSize: 4, maxEntries: 2 });
    for (const idx of [1, 7]) {
      expect(run(k, `r2 = map_fd(0) ll\nr3 = ${idx}\nr0 = 5\ncall bpf_tail_call#12\nexit`, [progs]).r0).toBe(5n);
    }
  });

  const LOOP = (n: string, flags = 0) => `
      r1 = ${n}
      r2 = func(7) ll
      r3 = r10
      r4 = ${flags}
      call bpf_loop#181
      exit
      r0 = 0
      if r1 != 4 goto +1
      r0 = 1
      exit`;

  it('bpf_loop runs the callback until it returns 1 and returns the iterations', () => {
    const k = new Kernel();
    expect(run(k, LOOP('3')).r0).toBe(3n);
    expect(run(k, LOOP('10')).r0).toBe(5n);
    expect(run(k, LOOP('0')).r0).toBe(0n);
  });

  it('bpf_loop refuses flags and more than 1 << 23 loops', () => {
    const k = new Kernel();
    expect(run(k, LOOP('3', 1)).r0).toBe(EINVAL);
    expect(run(k, LOOP('0x800001')).r0).toBe(E2BIG);
  });
});

describe('trace_printk and the printf rules', () => {
  const fmt = (s: string) => new TextEncoder().encode(s);
  const k = new Kernel();

  it.each([
    ['%d %i %u', [-1n, 5n, BigInt.asUintN(64, -1n)], '-1 5 4294967295'],
    ['%x %lx %llu', [0xabcdn, 0x1234567890n, 18446744073709551615n], 'abcd 1234567890 18446744073709551615'],
    ['[%5d] [%-4u] [%08x] [%+d]', [42n, 7n, 0xbeefn, 3n], '[   42] [7   ] [0000beef] [+3]'],
    ['%c%c %%', [0x68n, 0x69n], 'hi %'],
    ['%p', [0xdeadn], '000000000000dead'],
    ['%pI4', [0n], '0.0.0.0'],
  ] as const)('%s', (f, args, out) => {
    expect(bprintf(k.space, fmt(f), args)).toBe(out);
  });

  it.each([['%5.2d'], ['%q'], ['%d %d %d %d'], ['%sx'], ['%pZ'], ['\x01']])('%s is -EINVAL', (f) => {
    expect(bprintf(k.space, fmt(f), [1n, 2n, 3n])).toBe(-22);
  });

  it('formats %s from memory and captures the line; a format without NUL is -EINVAL', () => {
    const kk = new Kernel();
    const name = kk.space.map('rodata', fmt('bpf\0'), PERM_R, 'str');
    const f = kk.space.map('rodata', fmt('hello %s %d\n\0'), PERM_R, 'fmt');
    const prog = (size: number) => `r1 = ${f.base} ll\nr2 = ${size}\nr3 = ${name.base} ll\nr4 = -7\ncall bpf_trace_printk#6\nexit`;
    expect(run(kk, prog(13)).r0).toBe(13n);
    expect(kk.trace).toEqual(['hello bpf -7\n']);
    expect(run(kk, prog(5)).r0).toBe(EINVAL);
  });
});

describe('probe_read and task helpers', () => {
  const readAt = (addr: string) => run(new Kernel(), `
      r1 = -1
      *(u64 *)(r10 - 8) = r1
      r1 = r10
      r1 += -8
      r2 = 8
      r3 = ${addr} ll
      call bpf_probe_read_kernel#113
      r6 = r0
      r0 = *(u64 *)(r10 - 8)
      r0 += r6
      exit`);

  it('a faulting probe_read_kernel is -EFAULT and zero-fills the destination', () => {
    const r = readAt('0xffff888000001000');
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(EFAULT);
  });

  it('probe_read_kernel of a user-space address (NULL too) is -ERANGE, as on x86-64 6.1 (oracle: sys_probe_kernel)', () => {
    for (const a of ['0', '0x1000']) {
      const r = readAt(a);
      expect(r.violations).toEqual([]);
      expect(r.r0).toBe(BigInt.asUintN(64, -34n));
    }
  });

  it('probe_read_kernel_str copies up to the NUL and returns the length with it', () => {
    const k = new Kernel();
    const s = k.space.map('rodata', new TextEncoder().encode('abc\0zz'), PERM_R, 's');
    const r = run(k, `r1 = r10\nr1 += -16\nr2 = 16\nr3 = ${s.base} ll\ncall bpf_probe_read_kernel_str#115\nexit`);
    expect(r.r0).toBe(4n);
  });

  it('pid/tgid, uid/gid, comm and the current task', () => {
    const k = new Kernel({ task: { pid: 7, tgid: 3, uid: 1000, gid: 100, comm: 'a-very-long-command-name' } });
    expect(run(k, 'call bpf_get_current_pid_tgid#14\nexit').r0).toBe((3n << 32n) | 7n);
    expect(run(k, 'call bpf_get_current_uid_gid#15\nexit').r0).toBe((100n << 32n) | 1000n);
    const comm = run(k, `r1 = r10\nr1 += -16\nr2 = 16\ncall bpf_get_current_comm#16\nr0 = *(u64 *)(r10 - 16)\nexit`).r0!;
    expect(comm).toBe(new DataView(new TextEncoder().encode('a-very-l').buffer).getBigUint64(0, true));
    const task = run(k, 'call bpf_get_current_task#35\nr0 = *(u64 *)(r0 + 0)\nexit');
    expect(task.violations).toEqual([]);
  });

  it('clock and prandom are deterministic', () => {
    const a = new Kernel(), b = new Kernel();
    const p = 'call bpf_ktime_get_ns#5\nr6 = r0\ncall bpf_get_prandom_u32#7\nr0 += r6\nexit';
    expect(run(a, p).r0).toBe(run(b, p).r0);
  });
});

describe('packet helpers', () => {
  /** An XDP-like context: its region's owner is the packet. */
  function withPacket(k: Kernel, bytes: number[], tailroom = 0) {
    const pkt = new SimplePacket(k.space, Uint8Array.from(bytes), { tailroom });
    const ctx = k.space.map('ctx', new Uint8Array(24), PERM_R, 'ctx', pkt);
    return { pkt, ctx };
  }
  const frame = Array.from({ length: 20 }, (_, i) => i);

  it('skb_load_bytes copies, and out of range is -EFAULT with the buffer zeroed', () => {
    const k = new Kernel();
    const { ctx } = withPacket(k, frame);
    const prog = (off: number) => `r1 = ${ctx.base} ll\nr2 = ${off}\nr3 = r10\nr3 += -8\nr4 = 4\ncall bpf_skb_load_bytes#26\nr6 = r0\nr0 = *(u32 *)(r10 - 8)\nexit`;
    expect(run(k, prog(2), [], 'SCHED_CLS').r0).toBe(0x05040302n);
    expect(run(k, prog(18), [], 'SCHED_CLS').r0).toBe(0n);
  });

  it('skb_store_bytes writes; bad flags are -EINVAL', () => {
    const k = new Kernel();
    const { ctx, pkt } = withPacket(k, frame);
    const prog = (flags: number) => `*(u32 *)(r10 - 4) = 0x41424344\nr1 = ${ctx.base} ll\nr2 = 0\nr3 = r10\nr3 += -4\nr4 = 4\nr5 = ${flags}\ncall bpf_skb_store_bytes#9\nexit`;
    expect(run(k, prog(8), [], 'SCHED_CLS').r0).toBe(EINVAL);
    expect(run(k, prog(1), [], 'SCHED_CLS').r0).toBe(0n);
    expect([...pkt.bytes.subarray(0, 4)]).toEqual([0x44, 0x43, 0x42, 0x41]);
  });

  it('l3_csum_replace keeps an IPv4 header checksum valid', () => {
    // A 20-byte IPv4 header with a correct checksum at offset 10; rewrite the source address.
    const hdr = [0x45, 0, 0, 0x1c, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
    const sum = (h: number[]) => {
      let s = 0;
      for (let i = 0; i < h.length; i += 2) s += (h[i]! << 8) | h[i + 1]!;
      while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
      return ~s & 0xffff;
    };
    const c = sum(hdr);
    hdr[10] = c >> 8; hdr[11] = c & 0xff;
    const k = new Kernel();
    const { ctx, pkt } = withPacket(k, hdr);
    // from = 10.0.0.1, to = 192.168.1.9, as the program loads them (network order bytes, little-endian register).
    const from = 0x0100000a, to = 0x0901a8c0;
    const r = run(k, `r1 = ${ctx.base} ll\nr2 = 10\nr3 = ${from}\nr4 = ${to}\nr5 = 4\ncall bpf_l3_csum_replace#10\nexit`, [], 'SCHED_CLS');
    expect(r.r0).toBe(0n);
    const out = [...pkt.bytes];
    out.splice(12, 4, 192, 168, 1, 9);
    expect(sum(out)).toBe(0);
    expect(run(k, `r1 = ${ctx.base} ll\nr2 = 11\nr3 = 0\nr4 = 0\nr5 = 2\ncall bpf_l3_csum_replace#10\nexit`, [], 'SCHED_CLS').r0).toBe(EFAULT);
    expect(run(k, `r1 = ${ctx.base} ll\nr2 = 10\nr3 = 0\nr4 = 0\nr5 = 3\ncall bpf_l3_csum_replace#10\nexit`, [], 'SCHED_CLS').r0).toBe(EINVAL);
  });

  it('csum_diff of equal buffers folds to zero change; sizes must be multiples of 4', () => {
    const k = new Kernel();
    const r = run(k, `*(u32 *)(r10 - 4) = 0x12345678\nr1 = r10\nr1 += -4\nr2 = 4\nr3 = r10\nr3 += -4\nr4 = 4\nr5 = 0\ncall bpf_csum_diff#28\nexit`, [], 'SCHED_CLS');
    expect(r.r0 === 0xffffffffn || r.r0 === 0n).toBe(true);
    expect(run(k, `r1 = r10\nr1 += -4\nr2 = 3\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff#28\nexit`, [], 'SCHED_CLS').r0).toBe(EINVAL);
  });

  it('xdp_adjust_head / tail / meta move the packet bounds within the room there is', () => {
    const k = new Kernel();
    const { ctx, pkt } = withPacket(k, frame, 16);
    const call = (id: number, name: string, d: number) => run(k, `r1 = ${ctx.base} ll\nr2 = ${d}\ncall ${name}#${id}\nexit`, [], 'XDP').r0;
    expect(call(44, 'bpf_xdp_adjust_head', -14)).toBe(0n);
    expect(pkt.bytes.length).toBe(34);
    expect(call(44, 'bpf_xdp_adjust_head', -1000)).toBe(EINVAL);
    expect(call(44, 'bpf_xdp_adjust_head', 30)).toBe(EINVAL); // fewer than ETH_HLEN bytes would remain
    expect(call(65, 'bpf_xdp_adjust_tail', 16)).toBe(0n);
    expect(call(65, 'bpf_xdp_adjust_tail', 1)).toBe(EINVAL);
    expect(call(54, 'bpf_xdp_adjust_meta', -8)).toBe(0n);
    expect(call(54, 'bpf_xdp_adjust_meta', -6)).toBe(BigInt.asUintN(64, -13n));
    expect(pkt.data - pkt.meta).toBe(8);
    expect(pkt.moves).toBe(3);
  });

  it('redirect: tc and XDP forms record the target in the kernel run', () => {
    const k = new Kernel();
    const kr = k.beginRun();
    expect(run(k, 'r1 = 3\nr2 = 1\ncall bpf_redirect#23\nexit', [], 'SCHED_CLS').r0).toBe(7n);
    expect(kr.redirect).toEqual({ ifindex: 3, flags: 1n });
    expect(kr.takeRedirect()).toEqual({ ifindex: 3, flags: 1n });
    expect(kr.redirect).toBeUndefined();
    kr.end();
    expect(run(k, 'r1 = 3\nr2 = 4\ncall bpf_redirect#23\nexit', [], 'SCHED_CLS').r0).toBe(2n);
    expect(run(k, 'r1 = 4\nr2 = 0\ncall bpf_redirect#23\nexit', [], 'XDP').r0).toBe(4n);
    expect(run(k, 'r1 = 4\nr2 = 1\ncall bpf_redirect#23\nexit', [], 'XDP').r0).toBe(0n);
  });
});

describe('helperTable', () => {
  it('offers only what the program type may call: an unavailable helper is unknown', () => {
    const k = new Kernel();
    expect(run(k, 'call bpf_get_current_pid_tgid#14\nexit', [], 'SOCKET_FILTER').violations[0]!.kind).toBe('unknown-helper');
    expect(helperTable(k, 'KPROBE').has(1)).toBe(true);
    expect(helperTable(new Kernel({ caps: [] }), 'SOCKET_FILTER').has(181)).toBe(false);
  });

  it('takes extra helpers', () => {
    const k = new Kernel();
    const t = helperTable(k, 'SOCKET_FILTER', { extra: new Map([[200, () => 9n]]) });
    expect(t.get(200)!({} as never, 0n, 0n, 0n, 0n, 0n)).toBe(9n);
  });
});
