/**
 * Statements (one instruction each, an lddw's two slots together) whose jump or call target may still
 * name a label, and the pass that turns labels into relative offsets.
 */
import { AssembleError, type ErrorLocation } from '../errors.js';
import type { Insn } from '../isa/insn.js';
import { fits, OFF16, SIGNED32 } from './numbers.js';

/** A label a statement refers to, and the field (`off`, or `imm` for ja32 and local calls) it fills. */
export interface LabelRef {
  readonly name: string;
  readonly field: 'off' | 'imm';
}

export interface Stmt {
  /** One slot, or an lddw's two. */
  readonly slots: readonly Insn[];
  readonly target?: LabelRef;
  /** Where the statement came from (line and column of its target), for errors. */
  readonly where?: ErrorLocation;
}

/**
 * Resolves label targets: each becomes `label - (pc + 1)` in its field. `labels` maps a name to the
 * slot index it stands before. Errors name the label and the instruction's slot index.
 */
export function link(stmts: readonly Stmt[], labels: ReadonlyMap<string, number>): Insn[] {
  const out: Insn[] = [];
  for (const s of stmts) {
    const pc = out.length;
    if (s.target === undefined) {
      out.push(...s.slots);
      continue;
    }
    const where = { ...s.where, insn: pc };
    const dest = labels.get(s.target.name);
    if (dest === undefined) throw new AssembleError(`undefined label '${s.target.name}'`, where);
    const rel = BigInt(dest - (pc + 1));
    const range = s.target.field === 'off' ? OFF16 : SIGNED32;
    if (!fits(rel, range)) {
      throw new AssembleError(`label '${s.target.name}' is out of range: offset ${rel} does not fit in ${range.what}`, where);
    }
    out.push({ ...s.slots[0]!, [s.target.field]: Number(rel) }, ...s.slots.slice(1));
  }
  return out;
}

/** Slot count of a statement list. */
export function slotCount(stmts: readonly Stmt[]): number {
  return stmts.reduce((n, s) => n + s.slots.length, 0);
}
