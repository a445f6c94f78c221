import { DecodeError, LoadError } from '../src/errors.js';
import { checkInsnFields, LDDW_HI, type Insn } from '../src/isa/insn.js';
import { Op, OP_BY_CODE } from '../src/isa/opcodes.js';

/** Resolves an lddw pseudo source (map fd, map value, BTF id, function…) to its 64-bit value. */
export type PseudoResolver = (insn: Insn, index: number) => bigint;

/**
 * Codes of the slots an Image appends after the program: execution that falls off the end, or a jump
 * whose target lies outside the program, lands on one and stops with `bad-jump` naming the instruction
 * at fault (kept in the slot's immediate). The hot loop therefore never checks the pc's range.
 */
export const FELL_OFF = 0xfffd;
export const JUMPED_OUT = 0xfffc;

/** Words per slot in `Image.packed`. */
export const STRIDE = 4;

/**
 * A program compiled for the interpreter, built once at load and run any number of times. Each slot is
 * four int32 words in one flat array, so the hot loop reads one array with one stride:
 *
 *   [4i]     the operation code (`Op` or a sentinel, in the low 16 bits) | dst·2 << 16 | src·2 << 24
 *            (register indexes pre-scaled to 32-bit word pairs), so one read gives the operation and
 *            both registers
 *   [4i + 1] the offset (signed)
 *   [4i + 2] the immediate; for lddw the low 32 bits of the resolved 64-bit value
 *   [4i + 3] for jumps and local calls the displacement to add to the next pc (possibly redirected to a
 *            sentinel); for lddw the high 32 bits of its value
 */
export class Image {
  readonly insns: readonly Insn[];
  readonly name: string;
  readonly packed: Int32Array;
  /** The immediate sign-extended to 64 bits, for the BigInt-based divide and modulo. */
  readonly immBig: BigInt64Array;
  /**
   * Loads the kernel runs as BPF_PROBE_MEM (reads through PTR_TO_BTF_ID pointers, as the verifier found
   * them): a fault on unmapped memory reads 0 and leaves a warning; a released or freed object still faults.
   */
  probeMem: ReadonlySet<number> | null = null;

  /**
   * `checkRegisters: false` defers the register check (a loader whose verifier names bad registers with
   * the kernel's own message checks them before an unverified run: `checkInsns`).
   */
  constructor(insns: readonly Insn[], opts: { name?: string; resolvePseudo?: PseudoResolver; checkRegisters?: boolean } = {}) {
    checkInsns(insns, opts.checkRegisters ?? true);
    const n = insns.length;
    // Jumps and local calls whose target is outside [0, n): each gets its own sentinel slot.
    const outJumps: number[] = [];
    const disp = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = insns[i]!;
      const info = OP_BY_CODE.get(x.code);
      if (info === undefined) continue;
      const byOff = info.kind === 'jcond' || x.code === Op.JA;
      if (!byOff && x.code !== Op.JA32 && x.code !== Op.CALL_LOCAL) continue;
      disp[i] = byOff ? x.off : x.imm;
      const target = i + 1 + disp[i]!;
      if (target < 0 || target >= n) {
        disp[i] = n + 1 + outJumps.length - (i + 1);
        outJumps.push(i);
      }
    }
    const total = n + 1 + outJumps.length;
    const P = new Int32Array(total * STRIDE);
    this.insns = insns;
    this.name = opts.name ?? 'prog';
    this.packed = P;
    this.immBig = new BigInt64Array(total);
    for (let i = 0; i < n; i++) {
      const x = insns[i]!;
      const b = i * STRIDE;
      P[b] = (x.code & 0xffff) | (((x.dst & 0xf) * 2) << 16) | (((x.src & 0xf) * 2) << 24);
      P[b + 1] = x.off;
      P[b + 2] = x.imm;
      P[b + 3] = disp[i]!;
      this.immBig[i] = BigInt(x.imm);
      if (x.code === Op.LDDW) {
        let v = x.imm64 ?? 0n;
        if (x.src !== 0) {
          if (opts.resolvePseudo === undefined) {
            throw new LoadError(`lddw with pseudo source ${x.src} needs a loader to resolve it`, { insn: i });
          }
          v = BigInt.asUintN(64, opts.resolvePseudo(x, i));
        }
        P[b + 2] = Number(v & 0xffffffffn) | 0;
        P[b + 3] = Number(v >> 32n) | 0;
      }
    }
    P[n * STRIDE] = FELL_OFF;
    P[n * STRIDE + 2] = n - 1;
    outJumps.forEach((at, k) => {
      const b = (n + 1 + k) * STRIDE;
      P[b] = JUMPED_OUT;
      P[b + 2] = at;
    });
  }

  /** Instructions of the program proper (without the appended sentinel slots). */
  get length(): number {
    return this.insns.length;
  }
}

/**
 * Code addresses: a function's address (lddw with BPF_PSEUDO_FUNC) is CODE_HI:pc, in a window no region
 * ever occupies, so a data access through it faults and a callback helper can recover the pc.
 */
export const CODE_HI = 0xffffffff;
/** The address of the instruction at `pc` (what lddw with BPF_PSEUDO_FUNC loads). */
export function codeAddress(pc: number): bigint {
  return (BigInt(CODE_HI) << 32n) | BigInt(pc);
}

/**
 * The instructions an Image runs must be what the decoder would give: fields in range, registers r0-r10
 * where a register is read or written, and every lddw followed by its second half. Anything else is a
 * DecodeError naming the instruction (an Insn built by hand is checked like bytes are).
 */
export function checkInsns(insns: readonly Insn[], registers = true): void {
  checkInsnFields(insns, 'the program');
  for (let i = 0; i < insns.length; i++) {
    const x = insns[i];
    const fail = (what: string): never => {
      throw new DecodeError(what, { insn: i });
    };
    if (x!.code === LDDW_HI) {
      if (insns[i - 1]?.code !== Op.LDDW) fail('the second half of an lddw without its first');
      continue;
    }
    const info = OP_BY_CODE.get(x!.code);
    if (info === undefined) continue; // an unknown opcode: the machine stops there with invalid-insn
    const name = info.mnemonic;
    if (registers && info.fields.dst === 'reg' && x!.dst > 10) fail(`invalid dst register r${x!.dst} (${name})`);
    if (registers && info.fields.src === 'reg' && x!.src > 10) fail(`invalid src register r${x!.src} (${name})`);
    if (x!.code === Op.LDDW) {
      if (insns[i + 1]?.code !== LDDW_HI) fail('lddw is missing its second half');
    }
  }
}
