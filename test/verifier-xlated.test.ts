/**
 * The program after the verifier's rewrites (xlated): 6.1's bpf_loop inlining (optimize_bpf_loop) and the
 * bpf_jiffies64 load of do_misc_fixups, checked structurally and by running the rewritten program.
 * The corpus's expected_xlated cases (bpf_loop_inline.c) are checked in verifier-corpus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BtfBuilder, parseBtf } from '../src/btf/index.js';
import { assemble } from '../src/asm/index.js';
import { disassembleLines } from '../src/asm/disassemble.js';
import type { Insn } from '../src/isa/insn.js';
import { parseCaps } from '../src/platform/caps.js';
import { verify, type VerifierResult } from '../src/verifier/index.js';
import { findInsnSubseqs } from '../src/verifier/xlated.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { kallsymsLookup } from '../kernel-sim/kallsyms.js';
import { loadProgram } from '../src/api/collection.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { bufferIo } from '../src/cli/io.js';

function runCli(argv: string[]): { code: number; stdout: string } {
  const io = bufferIo();
  const code = main(argv, io);
  return { code, stdout: io.stdout };
}

/** Program BTF with a main function and a bpf_loop callback, for func_info. */
function funcBtf(): { btf: ReturnType<typeof parseBtf>; main: number; cb: number } {
  const b = new BtfBuilder();
  const int = b.add({ kind: 'INT', name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 });
  const voidp = b.add({ kind: 'PTR', name: '', type: 0 });
  const mainProto = b.add({ kind: 'FUNC_PROTO', name: '', returnType: int, params: [{ name: 'ctx', type: voidp }] });
  const cbProto = b.add({ kind: 'FUNC_PROTO', name: '', returnType: int, params: [{ name: 'i', type: int }, { name: 'c', type: voidp }] });
  const main = b.add({ kind: 'FUNC', name: 'main', type: mainProto, linkage: 0 });
  const cb = b.add({ kind: 'FUNC', name: 'cb', type: cbProto, linkage: 0 });
  return { btf: parseBtf(b.build()), main, cb };
}

function xlate(text: string, cbStart: number): { insns: Insn[]; r: VerifierResult } {
  const insns = assemble(text);
  const { btf, main, cb } = funcBtf();
  const r = verify(insns, {
    prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: parseCaps('all'), logLevel: 1, xlated: true,
    btf, funcInfo: [{ insn: 0, typeId: main }, { insn: cbStart, typeId: cb }],
  });
  if (r.verdict !== 'accepted') throw new Error(r.log);
  return { insns, r };
}

const slot = (opcode: number, dst: number, src: number, off: number, imm: number): Insn => ({ code: opcode, opcode, dst, src, off, imm });
const ANY = -1;
const PSEUDO_CALL = slot(0x85, 0, 1, ANY, ANY);
const HELPER_CALL = slot(0x85, 0, 0, ANY, ANY);

// Sums 0..4 through a bpf_loop callback into a stack slot: 10.
const SUM = `
  *(u64 *)(r10 - 8) = 0
  r1 = 5
  r2 = func(7) ll
  r3 = r10
  r3 += -8
  r4 = 0
  call 181
  r0 = *(u64 *)(r10 - 8)
  exit
  r3 = *(u64 *)(r2 + 0)
  r3 += r1
  *(u64 *)(r2 + 0) = r3
  r0 = 0
  exit`;

describe('xlated: bpf_loop inlining', () => {
  it('replaces a bpf_loop call with flags 0 by an inline loop calling the callback', () => {
    const { r } = xlate(SUM, 10);
    expect(r.verdict).toBe('accepted');
    const x = r.xlated!;
    expect(findInsnSubseqs(x, [PSEUDO_CALL])).toBe(true);
    expect(findInsnSubseqs(x, [HELPER_CALL])).toBe(false);
    // One call became 19 instructions; R6..R8 spilled below the 8 bytes the program uses (8 + 24 = 32).
    expect(x.length).toBe(15 + 18);
    expect(findInsnSubseqs(x, [slot(0x7b, 10, 6, -32, 0), slot(0x7b, 10, 7, -24, 0), slot(0x7b, 10, 8, -16, 0)])).toBe(true);
    // The callback call and the ld_imm64 of the callback both still reach it (now at 10 + 18).
    const call = x.findIndex((i) => i.opcode === 0x85 && i.src === 1);
    expect(call + 1 + x[call]!.imm).toBe(28);
    const ld = x.findIndex((i) => i.opcode === 0x18 && i.src === 4);
    expect(ld + 1 + x[ld]!.imm).toBe(28);
  });

  it('runs: the rewritten program computes what the original does', () => {
    const { insns, r } = xlate(SUM, 10);
    const original = loadProgram(insns, 'socket_filter', { verify: false }).run({ data: new Uint8Array(64) });
    const rewritten = loadProgram(r.xlated!, 'socket_filter', { verify: false }).run({ data: new Uint8Array(64) });
    expect(original.violations).toEqual([]);
    expect(rewritten.violations).toEqual([]);
    expect(original.r0).toBe(10n);
    expect(rewritten.r0).toBe(10n);
  });

  it('keeps jumps across the inlined call on their targets', () => {
    const { r } = xlate(`
      *(u64 *)(r10 - 8) = 0
      r0 = *(u32 *)(r1 + 0)
      if r0 == 7 goto +7
      r1 = 5
      r2 = func(7) ll
      r3 = r10
      r3 += -8
      r4 = 0
      call 181
      r0 = *(u64 *)(r10 - 8)
      exit
      r0 = 0
      exit`, 12);
    expect(r.verdict).toBe('accepted');
    const x = r.xlated!;
    const jeq = x[2]!;
    // The original target (insn 10, r0 = *(u64 *)(r10 - 8)) is now 18 instructions later.
    expect(disassembleLines([x[2 + 1 + jeq.off]!])[0]).toContain('r0 = *(u64 *)(r10 -8)');
    expect(2 + 1 + jeq.off).toBe(28);
  });

  it('leaves a bpf_loop call alone when its flags are not a known zero', () => {
    const { r } = xlate(`
      *(u64 *)(r10 - 8) = 0
      r6 = *(u32 *)(r1 + 0)
      r4 = 0
      if r6 == 0 goto +1
      r4 = 1
      r1 = 5
      r2 = func(5) ll
      r3 = r10
      r3 += -8
      call 181
      exit
      r0 = 0
      exit`, 12);
    expect(findInsnSubseqs(r.xlated!, [HELPER_CALL])).toBe(true);
    expect(findInsnSubseqs(r.xlated!, [PSEUDO_CALL])).toBe(false);
  });

  it('is only given for accepted programs, and only when asked', () => {
    const insns = assemble('r0 = 0\nexit');
    const plain = verify(insns, { prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: parseCaps('all') });
    expect(plain.xlated).toBeUndefined();
    const bad = verify(assemble('exit'), { prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: parseCaps('all'), xlated: true });
    expect(bad.verdict).toBe('rejected');
    expect(bad.xlated).toBeUndefined();
  });
});

describe('xlated: bpf_jiffies64', () => {
  it('becomes a load of jiffies at its kallsyms address', () => {
    const r = verify(assemble('call 118\nexit'), { prog: { type: 'TRACEPOINT' }, platform: kernelPlatform(), caps: parseCaps('all'), xlated: true });
    expect(r.verdict).toBe('accepted');
    const x = r.xlated!;
    expect(x.map((i) => i.opcode)).toEqual([0x18, 0x00, 0x79, 0x95]);
    const jiffies = kallsymsLookup('jiffies');
    expect(jiffies !== undefined && 'address' in jiffies).toBe(true);
    expect(x[0]!.imm64).toBe((jiffies as { address: bigint }).address);
    expect([x[2]!.dst, x[2]!.src, x[2]!.off]).toEqual([0, 0, 0]);
  });
});

describe('bpfvm verify --xlated', () => {
  it('prints the rewritten program, and an "xlated" array with --json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfvm-xlated-'));
    const file = join(dir, 'j.s');
    writeFileSync(file, 'call 118\nexit\n');
    const text = runCli(['verify', file, '--prog-type', 'tracepoint', '--xlated', '--log-level', '0']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/accepted\nxlated:\n0: \(18\) r0 = 0x[0-9a-f]+\n2: \(79\) r0 = \*\(u64 \*\)\(r0 \+0\)\n3: \(95\) exit\n$/);
    const json = runCli(['verify', file, '--prog-type', 'tracepoint', '--xlated', '--json']);
    const o = JSON.parse(json.stdout) as { verdict: string; xlated: string[] };
    expect(o.verdict).toBe('accepted');
    expect(o.xlated).toHaveLength(3);
    expect(o.xlated[2]).toBe('3: (95) exit');
  });
});
