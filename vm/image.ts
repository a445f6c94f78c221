import { LoadError } from '../src/errors.js';
import type { Insn } from '../src/isa/insn.js';
import { Op } from '../src/isa/opcodes.js';

/** Resolves an lddw pseudo source (map fd, map value, BTF id, function…) to its 64-bit value. */
export type PseudoResolver = (insn: Insn, index: number) => bigint;

/**
 * A program compiled for the interpreter: the decoded fields copied once into flat typed arrays, so the
 * hot loop reads numbers, not objects. Built once at load; run any number of times.
 */
export class Image {
  readonly insns: readonly Insn[];
  readonly name: string;
  readonly code: Int32Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int32Array;
  /** The immediate; for lddw the low 32 bits of the resolved 64-bit value. */
  readonly imm: Int32Array;
  /** For lddw the upper 32 bits; otherwise the immediate's sign word (0 or -1), its 64-bit upper half. */
  readonly immHi: Int32Array;
  /** The immediate sign-extended to 64 bits, for the BigInt-based divide and modulo. */
  readonly immBig: BigInt64Array;

  constructor(insns: readonly Insn[], opts: { name?: string; resolvePseudo?: PseudoResolver } = {}) {
    const n = insns.length;
    this.insns = insns;
    this.name = opts.name ?? 'prog';
    this.code = new Int32Array(n);
    this.dst = new Uint8Array(n);
    this.src = new Uint8Array(n);
    this.off = new Int32Array(n);
    this.imm = new Int32Array(n);
    this.immHi = new Int32Array(n);
    this.immBig = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const x = insns[i]!;
      this.code[i] = x.code;
      this.dst[i] = x.dst;
      this.src[i] = x.src;
      this.off[i] = x.off;
      this.imm[i] = x.imm;
      this.immHi[i] = x.imm >> 31;
      this.immBig[i] = BigInt(x.imm);
      if (x.code === Op.LDDW) {
        let v = x.imm64 ?? 0n;
        if (x.src !== 0) {
          if (opts.resolvePseudo === undefined) {
            throw new LoadError(`lddw with pseudo source ${x.src} needs a loader to resolve it`, { insn: i });
          }
          v = BigInt.asUintN(64, opts.resolvePseudo(x, i));
        }
        this.imm[i] = Number(v & 0xffffffffn) | 0;
        this.immHi[i] = Number(v >> 32n) | 0;
      }
    }
  }
}

/**
 * Code addresses: a function's address (lddw with BPF_PSEUDO_FUNC) is CODE_HI:pc, in a window no region
 * ever occupies, so a data access through it faults and a callback helper can recover the pc.
 */
export const CODE_HI = 0xffffffff;
export function codeAddress(pc: number): bigint {
  return (BigInt(CODE_HI) << 32n) | BigInt(pc);
}
