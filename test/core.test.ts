/**
 * CO-RE relocations as libbpf's relo_core.c computes them, on hand-built local and target BTF: every
 * relocation kind, flavour matching, size adjustment, poisoning, and the cases libbpf fails the load.
 */
import { describe, expect, it } from 'vitest';
import { BtfBuilder, parseBtf, type Btf, type BtfTypeInput, type CoreReloKind } from '../src/btf/index.js';
import { makeInsn, makeLddw, Op, type Insn } from '../src/isa/index.js';
import { applyCoreRelos, CORE_POISON_IMM, coreTypesCompat, essentialName } from '../src/object/core.js';

function btf(build: (add: (t: BtfTypeInput) => number) => void): Btf {
  const b = new BtfBuilder();
  build((t) => b.add(t));
  return parseBtf(b.build());
}

const INT = (name = 'int', signed = true): BtfTypeInput => ({ kind: 'INT', name, size: 4, encoding: signed ? 1 : 0, bitOffset: 0, bits: 32 });
const member = (name: string, type: number, bitOffset: number, bitSize = 0) => ({ name, type, bitOffset, bitSize });

/** Local (program) view: struct task { int pid; int tgid; u8 flags:3; char comm[16]; } + a flavour. */
const local = btf((add) => {
  const int = add(INT()); // 1
  const u8 = add({ kind: 'INT', name: 'u8', size: 1, encoding: 0, bitOffset: 0, bits: 8 }); // 2
  const char = add({ kind: 'INT', name: 'char', size: 1, encoding: 1, bitOffset: 0, bits: 8 }); // 3
  const arr = add({ kind: 'ARRAY', name: '', type: char, indexType: int, nelems: 16 }); // 4
  add({ kind: 'STRUCT', name: 'task', size: 28, kindFlag: true, members: [ // 5
    member('pid', int, 0), member('tgid', int, 32), member('flags', u8, 64, 3), member('comm', arr, 72)] });
  add({ kind: 'STRUCT', name: 'task___v2', size: 16, kindFlag: false, members: [member('pid', int, 0), member('gone', int, 32)] }); // 6
  add({ kind: 'ENUM', name: 'state', size: 4, signed: false, values: [{ name: 'RUNNING', value: 0 }, { name: 'ZOMBIE', value: 32 }, { name: 'NEW___x', value: 7 }] }); // 7
  add({ kind: 'STRUCT', name: 'absent', size: 4, kindFlag: false, members: [member('x', int, 0)] }); // 8
  add({ kind: 'STRUCT', name: 'wide', size: 8, kindFlag: false, members: [member('v', int, 0)] }); // 9
  add({ kind: 'STRUCT', name: '', size: 4, kindFlag: false, members: [member('x', int, 0)] }); // 10
  const u32 = add({ kind: 'INT', name: 'u32', size: 4, encoding: 0, bitOffset: 0, bits: 32 }); // 11
  add({ kind: 'STRUCT', name: 'wideu', size: 4, kindFlag: false, members: [member('v', u32, 0)] }); // 12
  add({ kind: 'STRUCT', name: 'far', size: 4, kindFlag: false, members: [member('x', int, 0)] }); // 13
});

/** Target (kernel) view: fields moved, pid widened to unsigned 8 bytes in `wide`, an enum renumbered. */
const target = btf((add) => {
  const int = add(INT()); // 1
  const u64 = add({ kind: 'INT', name: 'u64', size: 8, encoding: 0, bitOffset: 0, bits: 64 }); // 2
  const char = add({ kind: 'INT', name: 'char', size: 1, encoding: 1, bitOffset: 0, bits: 8 }); // 3
  const arr = add({ kind: 'ARRAY', name: '', type: char, indexType: int, nelems: 16 }); // 4
  const u8 = add({ kind: 'INT', name: 'u8', size: 1, encoding: 0, bitOffset: 0, bits: 8 }); // 5
  const anon = add({ kind: 'STRUCT', name: '', size: 8, kindFlag: false, members: [member('tgid', int, 0), member('pid', int, 32)] }); // 6
  add({ kind: 'STRUCT', name: 'task', size: 64, kindFlag: true, members: [ // 7
    member('state', u64, 0), member('', anon, 64), member('comm', arr, 128), member('flags', u8, 261, 3)] });
  add({ kind: 'ENUM', name: 'state', size: 4, signed: false, values: [{ name: 'NEW', value: 1 }, { name: 'RUNNING', value: 2 }] }); // 8
  add({ kind: 'STRUCT', name: 'wide', size: 8, kindFlag: false, members: [member('v', u64, 0)] }); // 9
  add({ kind: 'STRUCT', name: 'wideu', size: 8, kindFlag: false, members: [member('v', u64, 0)] }); // 10
  const pad = add({ kind: 'ARRAY', name: '', type: char, indexType: int, nelems: 40000 }); // 11
  add({ kind: 'STRUCT', name: 'far', size: 40004, kindFlag: false, members: [member('pad', pad, 0), member('x', int, 320000)] }); // 12
});

const exit = makeInsn(Op.EXIT);

function relo(insns: Insn[], typeId: number, access: string, kind: CoreReloKind, insn = 0) {
  return applyCoreRelos('p', insns, [{ insn, typeId, access, kind }], local, target);
}

describe('CO-RE relocations (libbpf semantics)', () => {
  it('essential names drop the last ___flavour', () => {
    expect(essentialName('task___v2')).toBe('task');
    expect(essentialName('a___b___c')).toBe('a___b');
    expect(essentialName('__x___')).toBe('__x___');
    expect(essentialName('plain')).toBe('plain');
  });

  it('field byte offsets follow the field into anonymous members (ALU imm and LDX off)', () => {
    const r = relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 4 }), exit], 5, '0:1', 'FIELD_BYTE_OFFSET');
    expect(r.insns[0]!.imm).toBe(8); // tgid: anonymous struct at 8, offset 0 inside it
    const l = relo([makeInsn(Op.LDXW, { dst: 0, src: 1, off: 0 }), exit], 5, '0:0', 'FIELD_BYTE_OFFSET');
    expect(l.insns[0]!.off).toBe(12); // pid
    expect(l.insns[0]!.code).toBe(Op.LDXW);
  });

  it('array elements, byte sizes, existence and signedness', () => {
    const comm3 = relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 12 }), exit], 5, '0:3:3', 'FIELD_BYTE_OFFSET');
    expect(comm3.insns[0]!.imm).toBe(19);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 16 }), exit], 5, '0:3', 'FIELD_BYTE_SIZE').insns[0]!.imm).toBe(16);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 1 }), exit], 5, '0:0', 'FIELD_EXISTS').insns[0]!.imm).toBe(1);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 1 }), exit], 6, '0:1', 'FIELD_EXISTS').insns[0]!.imm).toBe(0);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 1 }), exit], 5, '0:0', 'FIELD_SIGNED').insns[0]!.imm).toBe(1);
  });

  it('bitfields: byte offset, size and the u64 shifts of the target layout', () => {
    // target: 3 bits at bit 261 of a u8 → byte 32, lshift 64 - (261 + 3 - 256) = 56, rshift 61
    expect(relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 8 }), exit], 5, '0:2', 'FIELD_BYTE_OFFSET').insns[0]!.imm).toBe(32);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 1, imm: 1 }), exit], 5, '0:2', 'FIELD_BYTE_SIZE').insns[0]!.imm).toBe(1);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 1, imm: 61 }), exit], 5, '0:2', 'FIELD_LSHIFT_U64').insns[0]!.imm).toBe(56);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 1, imm: 61 }), exit], 5, '0:2', 'FIELD_RSHIFT_U64').insns[0]!.imm).toBe(61);
  });

  it('a flavour matches by its essential name; its missing field poisons the load as call 0xbad2310', () => {
    expect(relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 0 }), exit], 6, '0:0', 'FIELD_BYTE_OFFSET').insns[0]!.imm).toBe(12);
    const r = relo([makeInsn(Op.LDXW, { dst: 0, src: 1, off: 4 }), exit], 6, '0:1', 'FIELD_BYTE_OFFSET');
    expect(r.insns[0]).toMatchObject({ code: Op.CALL, imm: CORE_POISON_IMM });
    expect(r.poisoned.get(0)).toMatch(/^failed to resolve CO-RE relocation <byte_off> \[6\] struct task___v2.gone \(0:1 @ offset 4\)/);
  });

  it('a poisoned lddw poisons both of its slots', () => {
    const r = relo([...makeLddw(1, 4n), exit], 8, '0:0', 'FIELD_BYTE_SIZE');
    expect(r.insns[0]!.imm).toBe(CORE_POISON_IMM);
    expect(r.insns[1]!.imm).toBe(CORE_POISON_IMM);
  });

  it('type relocations: local and target ids, existence and size (0 when the kernel lacks the type)', () => {
    expect(relo([...makeLddw(1, 5n), exit], 5, '0', 'TYPE_ID_LOCAL').insns[0]!.imm64).toBe(5n);
    expect(relo([...makeLddw(1, 5n), exit], 5, '0', 'TYPE_ID_TARGET').insns[0]!.imm64).toBe(7n);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 28 }), exit], 5, '0', 'TYPE_SIZE').insns[0]!.imm).toBe(64);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 1 }), exit], 5, '0', 'TYPE_EXISTS').insns[0]!.imm).toBe(1);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 1 }), exit], 8, '0', 'TYPE_EXISTS').insns[0]!.imm).toBe(0);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 4 }), exit], 8, '0', 'TYPE_SIZE').insns[0]!.imm).toBe(0);
  });

  it('enum values by enumerator name (flavours too); a missing value poisons, existence is 0', () => {
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 0 }), exit], 7, '0', 'ENUMVAL_VALUE').insns[0]!.imm).toBe(2);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 7 }), exit], 7, '2', 'ENUMVAL_VALUE').insns[0]!.imm).toBe(1);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 1 }), exit], 7, '1', 'ENUMVAL_EXISTS').insns[0]!.imm).toBe(0);
    expect(relo([makeInsn(Op.MOV64_K, { dst: 0, imm: 32 }), exit], 7, '1', 'ENUMVAL_VALUE').insns[0]!.imm).toBe(CORE_POISON_IMM);
  });

  it('a load whose field changed size is resized when both are unsigned integers, poisoned otherwise', () => {
    // local wide.v is a signed int, the kernel's is u64: libbpf refuses to adjust (sign extension would be lost)
    const r = relo([makeInsn(Op.LDXW, { dst: 0, src: 1, off: 0 }), exit], 9, '0:0', 'FIELD_BYTE_OFFSET');
    expect(r.insns[0]!.imm).toBe(CORE_POISON_IMM);
    expect(r.poisoned.get(0)).toMatch(/insn #0 \(LDX\/ST\/STX\) accesses field incorrectly/);
    const u = relo([makeInsn(Op.LDXW, { dst: 0, src: 1, off: 0 }), exit], 12, '0:0', 'FIELD_BYTE_OFFSET');
    expect(u.insns[0]).toMatchObject({ code: Op.LDXDW, off: 0 });
    expect(u.log).toContain("prog 'p': relo #0: patched insn #0 (LDX/ST/STX) mem_sz 4 -> 8");
  });

  it('fails the load where libbpf does, in libbpf\'s words naming the relocation', () => {
    expect(() => relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 99 }), exit], 5, '0:1', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: unexpected insn #0 (ALU/ALU64) value: got 99, exp 4 -> 8; prog 'p': relo #0: failed to patch insn #0: -22");
    expect(() => relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 0 }), exit], 10, '0:0', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: target candidate search failed for [10] struct : -22; prog 'p': relo #0: failed to relocate: -22");
    expect(() => relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 0 }), exit], 5, '0:9', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: parsing [5] struct task + 0:9 failed: -22; prog 'p': relo #0: failed to relocate: -22");
    expect(() => relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 0 }), exit], 5, '0:0:1', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo for [5]  (at idx 2) captures type [1] of unexpected kind int; prog 'p': relo #0: parsing [5] struct task + 0:0:1 failed: -22");
    expect(() => relo([exit, exit], 5, '0:0', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: trying to relocate unrecognized insn #0, code:0x95, src:0x0, dst:0x0, off:0x0, imm:0x0");
    expect(() => relo([makeInsn(Op.ADD64_X, { dst: 1, src: 2 }), exit], 5, '0:0', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: failed to patch insn #0: -22");
    expect(() => relo([makeInsn(Op.LDXDW, { dst: 0, src: 1, off: 0 }), exit], 12, '0:0', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: insn #0 (LDX/ST/STX) unexpected mem size: got 8, exp 4; prog 'p': relo #0: failed to patch insn #0: -22");
    expect(() => relo([makeInsn(Op.LDXW, { dst: 0, src: 1, off: 0 }), exit], 13, '0:0', 'FIELD_BYTE_OFFSET'))
      .toThrow("prog 'p': relo #0: insn #0 (LDX/ST/STX) value too big: 40000; prog 'p': relo #0: failed to patch insn #0: -34");
    expect(() => relo([makeInsn(Op.LDXW, { dst: 0, src: 1, off: 0 }), makeInsn(Op.LDXW, { dst: 0, src: 1, off: 0 }), exit], 5, '0', 'TYPE_SIZE'))
      .toThrow("prog 'p': relo #0: unexpected insn #0 (LDX/ST/STX) value: got 0, exp 28 -> 64; prog 'p': relo #0: failed to patch insn #0: -22");
    expect(() => relo([makeInsn(Op.ADD64_K, { dst: 1, imm: 0 }), exit], 5, '0:3:2', 'FIELD_SIGNED'))
      .toThrow("prog 'p': relo 3 at insn #0 can't be applied to array access; prog 'p': relo #0: failed to relocate: -22");
  });

  it('type compatibility follows pointers and arrays, ignores struct layouts', () => {
    expect(coreTypesCompat(local, 5, target, 7)).toBe(true);
    expect(coreTypesCompat(local, 1, target, 7)).toBe(false);
    expect(coreTypesCompat(local, 4, target, 4)).toBe(true);
  });
});
