import { describe, expect, it } from 'vitest';
import { loadCorpus, loadFixups } from '../src/corpus/load.js';
import { msgsInOrder, prepareCase, PRIV_CAPS, progInfo } from '../src/corpus/runner.js';
import { decode } from '../src/isa/insn.js';
import { verify } from '../src/verifier/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { announceMissing, sharedPath } from './shared.js';

const hex = (...slots: string[]) => decode(Uint8Array.from(slots.join('').match(/../g)!.map((b) => parseInt(b, 16))), { strict: false });
const run = (slots: string[], caps: ReadonlySet<string> = PRIV_CAPS, logLevel = 2) =>
  verify(hex(...slots), { prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: caps as typeof PRIV_CAPS, logLevel });

// r6 = 1 or 2 depending on a random number, after enough work for a checkpoint at the join (insn 12); a common
// tail then uses r6 (or not).
const branchy = (use: string[]) => [
  '8500000007000000', // 0: call bpf_get_prandom_u32
  ...Array<string>(8).fill('b701000000000000'), // 1-8: r1 = 0
  'b706000001000000', // 9: r6 = 1
  '5500010000000000', // 10: if r0 != 0 goto +1
  'b706000002000000', // 11: r6 = 2
  'b700000000000000', // 12: r0 = 0
  'b701000000000000', // 13: r1 = 0
  ...use,
  '9500000000000000',
];

describe('precision tracking (Linux 6.1 backtracking)', () => {
  it('prunes paths that differ only in scalars never used precisely', () => {
    const r = run(branchy(['bf61000000000000' /* r1 = r6: read, but not relied upon */]));
    expect(r.verdict).toBe('accepted');
    expect(r.log).toContain('from 10 to 12: safe');
  });

  it('a branch on the scalar makes it precise: the paths are not pruned and the marks are logged', () => {
    const r = run(branchy(['1506000000000000' /* if r6 == 0 goto +0 */]));
    expect(r.verdict).toBe('accepted');
    expect(r.log).not.toContain('safe');
    expect(r.log).toContain('last_idx 14 first_idx 12');
    expect(r.log).toContain("parent didn't have regs=40 stack=0 marks: R0_w=0 R1_w=0 R6_rw=P2 R10=fp0");
    expect(r.log).toMatch(/regs=40 stack=0 before 11: \(b7\) r6 = 2\n/);
  });

  it('a precise scalar spilled to the stack is tracked through the slot', () => {
    const r = run(branchy(['7b6af8ff00000000' /* *(u64 *)(r10 -8) = r6 */, '79a7f8ff00000000' /* r7 = *(u64 *)(r10 -8) */,
      '1507000000000000' /* if r7 == 0 goto +0 */]));
    expect(r.verdict).toBe('accepted');
    expect(r.log).toMatch(/regs=0 stack=1 before 14: \(7b\) \*\(u64 \*\)\(r10 -8\) = r6\n/);
    expect(r.log).not.toContain('safe');
  });

  it('a variable-offset stack read of known zeros gives a precise zero (mark_reg_stack_read)', () => {
    const r = run(['7a0af8ff00000000', '7a0af0ff00000000', // *(u64 *)(r10 -8) = 0; *(u64 *)(r10 -16) = 0
      '8500000007000000', '5700000008000000', // r0 = random & 8
      'bfa1000000000000', '07010000f0ffffff', '0f01000000000000', // r1 = r10 - 16 + r0
      '7910000000000000', '9500000000000000'], new Set(['CAP_BPF', 'CAP_PERFMON'])); // r0 = *(u64 *)(r1 +0)
    expect(r.verdict).toBe('accepted');
    expect(r.log).toMatch(/7: \(79\) r0 = \*\(u64 \*\)\(r1 \+0\) +; R0_w=P0 /);
  });

  it('unprivileged loading keeps every scalar precise', () => {
    const r = run(branchy(['bf61000000000000']), new Set());
    expect(r.verdict).toBe('accepted');
    expect(r.log).not.toContain('safe');
  });

  // A callee sets r0 to 1 or 2 on two paths that join at insn 17 (a checkpoint on the first path, r0=1); the
  // caller branches on r0 after the return and dereferences it when it is 2. The return copies r0 whole
  // (prepare_func_exit: `caller->regs[BPF_REG_0] = *r0`, liveness link included), so the caller's read
  // reaches the callee's checkpoint: r0 is live there and the second path is not pruned. Linux 6.1
  // (6.1.0-50-amd64 under the oracle) rejects it with exactly this log; keeping the caller's own link and a
  // WRITTEN mark instead pruned it at 17 ("17: safe") and accepted a scalar dereference.
  it('r0 returned from a bpf-to-bpf call keeps its liveness link: a read after the return keeps the callee\'s paths apart', () => {
    const r = run([
      '8510000003000000', // 0: call pc+3
      '5500010002000000', // 1: if r0 != 0x2 goto pc+1
      '7100000000000000', // 2: r0 = *(u8 *)(r0 +0)
      '9500000000000000', // 3: exit
      '8500000007000000', // 4: call bpf_get_prandom_u32
      '55000a0000000000', // 5: if r0 != 0x0 goto pc+10
      'b700000001000000', // 6: r0 = 1
      ...Array<string>(8).fill('b701000000000000'), // 7-14: r1 = 0
      '0500010000000000', // 15: goto pc+1
      'b700000002000000', // 16: r0 = 2
      'b701000000000000', // 17: r1 = 0
      '9500000000000000', // 18: exit
    ]);
    expect(r.verdict).toBe('rejected');
    expect(r.log).not.toContain('17: safe');
    expect(r.log).toContain('returning from callee:\n frame1: R0=1 R1_w=0 R10=fp0\nto caller at 1:\n R0=1 R10=fp0\n');
    expect(r.log).toMatch(/2: \(71\) r0 = \*\(u8 \*\)\(r0 \+0\)\nR0 invalid mem access 'scalar'\nprocessed 22 insns \(limit 1000000\) max_states_per_insn 1 total_states 1 peak_states 1 mark_read 1\n$/);
  });

  const corpus = sharedPath('verifier-corpus', 'linux-6.1.jsonl');
  const fixupFile = sharedPath('verifier-corpus', 'fixup-maps-6.1.json');
  if (!corpus || !fixupFile) {
    it('corpus log checks did not run', () => announceMissing('verifier corpus'));
    return;
  }
  it('accepted corpus cases with expected level-2 log lines show them in order (test_verifier VERBOSE_ACCEPT)', () => {
    const fixups = loadFixups(fixupFile);
    const cases = loadCorpus(corpus).filter((c) => (c.expect.priv as { verbose_accept?: boolean }).verbose_accept);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const { bytes, maps } = prepareCase(c, 'priv', fixups);
      const flags = c.prog_flags.reduce<number>((a, x) => a | (typeof x === 'number' ? x : x === 'BPF_F_ANY_ALIGNMENT' ? 2 : 0), 4);
      const r = verify(decode(bytes, { strict: false }), {
        prog: progInfo(c), platform: kernelPlatform({ maps: (fd) => maps.get(fd) }), caps: PRIV_CAPS, logLevel: 2, progFlags: flags,
      });
      expect(r.verdict, c.id).toBe('accepted');
      expect(msgsInOrder(r.log, c.expect.priv.msgs), c.id).toBe(true);
      expect(r.processed, c.id).toBe(c.kernel.priv.processed);
    }
  });
});
