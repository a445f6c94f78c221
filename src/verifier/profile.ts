/**
 * Kernel-version facts the verifier itself holds, keyed by profile: which opcodes the kernel's
 * instruction table accepts (bpf_opcode_in_insntable) and its limits. A later kernel (6.12) adds a
 * profile here instead of changing the checks.
 */
export interface KernelProfile {
  name: string;
  opcodeAccepted(code: number): boolean;
  complexityLimitInsns: number;
  complexityLimitJmpSeq: number;
  complexityLimitStates: number;
  maxCallFrames: number;
  maxBpfStack: number;
  /** Whether the ISA v4 additions (sdiv/smod, movsx, ldsx, bswap, gotol) are known. */
  isaV4: boolean;
}

function table61(): Uint8Array {
  const t = new Uint8Array(256);
  const alu = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0];
  for (const cls of [0x04, 0x07]) {
    for (const op of alu) for (const src of [0, 8]) t[cls | op | src] = 1;
    t[cls | 0x80] = 1; // neg (K only)
  }
  t[0x04 | 0xd0] = 1; // BPF_ALU | BPF_END | BPF_K (to-le)
  t[0x04 | 0xd0 | 8] = 1; // to-be
  const jmps = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0];
  for (const cls of [0x05, 0x06]) for (const op of jmps) for (const src of [0, 8]) t[cls | op | src] = 1;
  t[0x05] = 1; // ja
  t[0x06] = 1; // ja32 (6.1.192 has it in the table)
  t[0x85] = 1; // call
  t[0x95] = 1; // exit
  for (const sz of [0x00, 0x08, 0x10, 0x18]) {
    t[0x02 | 0x60 | sz] = 1; // ST MEM
    t[0x03 | 0x60 | sz] = 1; // STX MEM
    t[0x01 | 0x60 | sz] = 1; // LDX MEM
  }
  t[0x03 | 0xc0 | 0x00] = 1; // STX ATOMIC W
  t[0x03 | 0xc0 | 0x18] = 1; // STX ATOMIC DW
  t[0x18] = 1; // LD IMM DW
  for (const m of [0x20, 0x40]) for (const sz of [0x00, 0x08, 0x10]) t[m | sz] = 1; // LD ABS/IND
  return t;
}

const T61 = table61();

export const PROFILE_6_1: KernelProfile = {
  name: '6.1',
  opcodeAccepted: (code) => T61[code & 0xff] === 1,
  complexityLimitInsns: 1_000_000,
  complexityLimitJmpSeq: 8192,
  complexityLimitStates: 64,
  maxCallFrames: 8,
  maxBpfStack: 512,
  isaV4: false,
};

export const PROFILES: Record<string, KernelProfile> = { '6.1': PROFILE_6_1 };
