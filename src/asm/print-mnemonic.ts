/** Conformance-suite (uBPF) mnemonic text of one instruction; the assembler reads it back. */
import type { Insn } from '../isa/insn.js';
import { CallSrc, type OpInfo } from '../isa/opcodes.js';
import { withSign } from './numbers.js';
import { pseudoName } from './pseudo.js';

export function printMnemonic(insn: Insn, info: OpInfo, imm64: bigint): string {
  const m = info.mnemonic;
  const { dst, src, off, imm } = insn;
  const target = (v: number) => withSign(String(Math.abs(v)), v < 0);
  const mem = (r: number) => `[%r${r}${off === 0 ? '' : withSign(String(Math.abs(off)), off < 0)}]`;
  switch (info.kind) {
    case 'alu':
      if (info.fields.src === 'zero' && info.fields.imm === 'zero') return `${m} %r${dst}`;
      return `${m} %r${dst}, ${info.srcReg ? `%r${src}` : imm}`;
    case 'end':
      return `${m} %r${dst}`;
    case 'ja':
      return `${m} ${target(info.fields.off === 'off' ? off : imm)}`;
    case 'jcond':
      return `${m} %r${dst}, ${info.srcReg ? `%r${src}` : imm}, ${target(off)}`;
    case 'call':
      if (info.variant!.value === CallSrc.LOCAL) return `call local ${target(imm)}`;
      if (info.variant!.value === CallSrc.KFUNC) return `call kfunc ${imm}${off !== 0 ? `, ${off}` : ''}`;
      return `call ${imm}`;
    case 'callx':
      return `call %r${dst}`;
    case 'exit':
      return m;
    case 'lddw': {
      const value = `0x${imm64.toString(16)}`;
      const pseudo = pseudoName(src);
      return `${m} %r${dst}, ${pseudo !== undefined ? `${pseudo}(${value})` : value}`;
    }
    case 'ldabs':
      return `${m} ${imm}`;
    case 'ldind':
      return `${m} %r${src}, ${imm}`;
    case 'ldx':
      return `${m} %r${dst}, ${mem(src)}`;
    case 'st':
      return `${m} ${mem(dst)}, ${imm}`;
    case 'stx':
    case 'atomic':
      return `${info.kind === 'atomic' ? 'lock ' : ''}${m} ${mem(dst)}, %r${src}`;
  }
}
