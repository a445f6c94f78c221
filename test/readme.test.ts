import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as bpfvm from '../src/index.js';

const root = join(import.meta.dirname, '..');
const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const ICMP = '00112233445566778899aabb0800450000280000000040010000c0a80001c0a80002000000000000000000000000';
const TCP = ICMP.replace('40010000', '40060000');

describe('the README examples work as written', () => {
  it('loads the bundled XDP object, runs it and reads its map', () => {
    const col = bpfvm.loadObject(new Uint8Array(readFileSync(join(root, 'examples/xdp_count.bpf.o'))));
    const prog = col.program('count_protocols');
    expect(prog.run({ data: hex(ICMP) })).toMatchObject({ retval: 1, output: ['proto 1, 46 bytes'], violations: [] });
    expect(prog.run({ data: hex(TCP), repeat: 3 })).toMatchObject({ retval: 2, violations: [] });
    const counts = col.map<number, bigint>('proto_count');
    expect(counts.get(1)).toBe(1n);
    expect(counts.get(6)).toBe(3n);
    counts.set(17, 5n);
    expect(counts.entries()).toEqual(expect.arrayContaining([[1, 1n], [6, 3n], [17, 5n]]));
    expect(counts.delete(17)).toBe(true);
    expect(counts.delete(17)).toBe(false);
  });

  it('a map without keys says so from the typed methods (a MapError, not a TypeError)', () => {
    const col = bpfvm.loadObject(new Uint8Array(readFileSync(join(root, 'test/fixtures/special_maps.bpf.o'))));
    expect(() => col.map('rb').get(0)).toThrow(bpfvm.MapError);
    expect(() => col.map('rb').entries()).toThrow(/ringbuf map has no keys/);
    expect(col.map<number, number>('inner_a').get(0)).toBe(0);
  });

  it('runs a raw program as a socket filter and the instruction set alone', () => {
    const raw = bpfvm.loadProgram(bpfvm.assemble('r0 = *(u32 *)(r1 + 0)\nexit'), 'socket', { caps: new Set(['CAP_BPF'] as const) });
    expect(raw.run({ data: hex(ICMP) }).retval).toBe(46 - 14);
    const vm = new bpfvm.Interpreter(bpfvm.assemble('r0 = 42\nexit'));
    expect(vm.run({ mem: new Uint8Array(16) })).toEqual({ r0: 42n, insns: 2, violations: [] });
  });

  it('builds a program with the DSL and prints it in the kernel style', () => {
    const { program, Mov, Add, JLT, Label, Exit, R0, R1 } = bpfvm.dsl;
    const text = bpfvm.disassemble(program(Mov.imm(R0, 0), Mov.imm(R1, 0), Label('l'), Add.reg(R0, R1), Add.imm(R1, 1),
      JLT.imm(R1, 10, 'l'), Exit()), { style: 'kernel' });
    expect(text.split('\n')[4]).toBe('4: (a5) if r1 < 0xa goto pc-3');
  });
});
