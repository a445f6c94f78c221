/**
 * The verifier log (struct bpf_verifier_log) and the kernel's state printers: print_verifier_state,
 * print_insn_state's column alignment, and the statistics lines of print_verification_stats.
 */
import { livenessStr, regTypeStr, regValueStr, T } from './reg-state.js';
import { isSpilledReg, SLOT_CHAR, type FuncState, S } from './state.js';
import { tnumIsConst } from './tnum.js';

export const LOG_LEVEL1 = 1;
export const LOG_LEVEL2 = 2;
export const LOG_STATS = 4;

/**
 * The log as appended pieces with their running end offsets, so that bpf_vlog_reset (dropping a popped
 * path's lines) costs the pieces it drops, not a copy of the whole log.
 */
export class VerifierLog {
  private parts: string[] = [];
  /** ends[i]: the log's length after parts[i]. */
  private ends: number[] = [];
  private length = 0;
  constructor(readonly level: number) {}
  get len(): number {
    return this.length;
  }
  write(s: string): void {
    if (s === '') return;
    this.parts.push(s);
    this.length += s.length;
    this.ends.push(this.length);
  }
  /** bpf_vlog_reset: drop everything after `pos`. */
  reset(pos: number): void {
    if (pos >= this.length) return;
    while (this.parts.length > 0 && this.ends[this.ends.length - 2] !== undefined && this.ends[this.ends.length - 2]! >= pos) {
      this.parts.pop();
      this.ends.pop();
    }
    if (this.parts.length === 1 && pos <= 0) {
      this.parts = [];
      this.ends = [];
      this.length = 0;
      return;
    }
    const last = this.parts.length - 1;
    const start = this.ends[last]! - this.parts[last]!.length;
    this.parts[last] = this.parts[last]!.slice(0, pos - start);
    this.ends[last] = pos;
    this.length = pos;
  }
  text(): string {
    return this.parts.join('');
  }
}

/** vlog_alignment(): spaces so that `;` lands on the kernel's column. */
export function vlogAlignment(pos: number): number {
  const v = Math.max(pos + 4, 40);
  return Math.ceil(v / 8) * 8 - pos - 1;
}

/**
 * print_verifier_state: ` R0_w=0 R1=ctx(off=0,imm=0) fp-8=mmmmmmmm refs=2\n`. `scratchedRegs` /
 * `scratchedSlots` select what is printed unless `all`.
 */
export function formatFuncState(f: FuncState, all: boolean, scratchedRegs: number, scratchedSlots: Set<number>): string {
  let out = '';
  if (f.frameno) out += ` frame${f.frameno}:`;
  for (let i = 0; i < 11; i++) {
    const r = f.regs[i]!;
    if (r.type === T.NOT_INIT) continue;
    if (!all && !((scratchedRegs >> i) & 1)) continue;
    out += ` R${i}${livenessStr(r.live)}=${regValueStr(r)}`;
  }
  for (let i = 0; i < f.stack.length; i++) {
    const slot = f.stack[i]!;
    if (slot.types.every((t) => t === S.INVALID)) continue;
    if (!all && !scratchedSlots.has(i)) continue;
    out += ` fp${(-i - 1) * 8}${livenessStr(slot.spilled.live)}`;
    if (isSpilledReg(slot)) {
      const r = slot.spilled;
      out += `=${r.type === T.SCALAR_VALUE ? '' : regTypeStr(r.type)}`;
      if (r.type === T.SCALAR_VALUE && r.precise) out += 'P';
      if (r.type === T.SCALAR_VALUE && tnumIsConst(r.varOff)) out += String(BigInt.asIntN(64, r.varOff.value + BigInt(r.off)));
    } else {
      out += `=${slot.types.map((t) => SLOT_CHAR[t]).join('')}`;
    }
  }
  if (f.refs.length > 0 && f.refs[0]!.id) {
    out += ` refs=${f.refs[0]!.id}`;
    for (let i = 1; i < f.refs.length; i++) if (f.refs[i]!.id) out += `,${f.refs[i]!.id}`;
  }
  if (f.inCallbackFn) out += ' cb';
  if (f.inAsyncCallbackFn) out += ' async_cb';
  return out + '\n';
}

/** Statistics lines are not messages. */
export function isStatsLine(line: string): boolean {
  return /^processed \d+ insns/.test(line) || line.startsWith('verification time') || line.startsWith('stack depth');
}

/** The last log line that is not a statistics line (empty when none). */
export function lastMessage(log: string): string {
  const lines = log.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (l.trim() === '' || isStatsLine(l)) continue;
    return l;
  }
  return '';
}
