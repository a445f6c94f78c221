import { describe, expect, it } from 'vitest';
import { decode } from '../src/isa/insn.js';
import { verify } from '../src/verifier/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';

const hex = (...slots: string[]) => decode(Uint8Array.from(slots.join('').match(/../g)!.map((b) => parseInt(b, 16))), { strict: false });
const priv = new Set(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN'] as const);
const run = (insns: ReturnType<typeof hex>, logLevel = 1) =>
  verify(insns, { prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: priv, logLevel });

describe('verifier messages (Linux 6.1 texts)', () => {
  const cases: [string, string[], string][] = [
    ['last insn not exit', ['b700000000000000'], 'last insn is not an exit or jmp'],
    ['uninitialised register', ['bf20000000000000', '9500000000000000'], 'R2 !read_ok'],
    ['frame pointer write', ['b70a000000000000', '9500000000000000'], 'frame pointer is read only'],
    ['jump out of range', ['0500050000000000', '9500000000000000'], 'jump out of range from insn 0 to 6'],
    ['unreachable', ['9500000000000000', '9500000000000000'], 'unreachable insn 1'],
    ['unknown opcode (sdiv is v4)', ['b700000000000000', 'd700000000000000', '9500000000000000'], 'unknown opcode d7'],
    ['div by zero', ['b700000000000000', '3700000000000000', '9500000000000000'], 'div by zero'],
    ['ctx access', ['61100000ff000000', 'b700000000000000', '9500000000000000'], 'BPF_LDX uses reserved fields'],
    ['bad ctx field', ['6110c80000000000', 'b700000000000000', '9500000000000000'], 'invalid bpf_context access off=200 size=4'],
    ['R0 not set', ['9500000000000000'], 'R0 !read_ok'],
  ];
  for (const [name, slots, msg] of cases) {
    it(name, () => {
      const r = run(hex(...slots));
      expect(r.verdict).toBe('rejected');
      expect(r.message).toBe(msg);
    });
  }

  it('unprivileged: uninitialised stack', () => {
    const r = verify(hex('79a0f8ff00000000', '9500000000000000'), {
      prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: new Set(), logLevel: 1,
    });
    expect(r.message).toBe('invalid read from stack R10 off=-8 size=8');
  });

  it('accepts a trivial program and prints the statistics line', () => {
    const r = run(hex('b700000000000000', '9500000000000000'));
    expect(r.verdict).toBe('accepted');
    expect(r.errno).toBe(0);
    expect(r.message).toBe('');
    expect(r.log).toMatch(/processed 2 insns \(limit 1000000\) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0/);
  });

  it('logs instructions and the state after them in the kernel layout', () => {
    const r = run(hex('b700000000000000', '9500000000000000'), 2);
    const lines = r.log.split('\n');
    expect(lines[0]).toBe('func#0 @0');
    expect(lines[1]).toBe('0: R1=ctx(off=0,imm=0) R10=fp0');
    expect(lines[2]).toBe('0: (b7) r0 = 0                        ; R0_w=0');
    expect(lines[3]).toBe('1: (95) exit');
    // Below level 2 a successful pass leaves only the statistics (6.1's do_check_common resets the log).
    expect(run(hex('b700000000000000', '9500000000000000')).log)
      .toBe('processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n');
  });
});
