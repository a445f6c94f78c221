/**
 * The kernel-format verifier log (level 1 or 2) read back line by line: which instruction each line speaks of,
 * the register state the verifier printed for each instruction, and the instruction that was rejected.
 */
export type LogLineKind = 'insn' | 'state' | 'branch' | 'func' | 'stats' | 'message';

export interface LogLine {
  text: string;
  kind: LogLineKind;
  /** The instruction the line is about (an instruction line, a state before one, a branch target). */
  insn?: number;
}

export interface ParsedLog {
  lines: LogLine[];
  /** Per instruction, the last register state the log printed at it (after it when printed so). */
  states: Map<number, string>;
  /** The instruction the verifier stopped at, for a rejected program. */
  rejectedAt?: number;
}

const INSN = /^(\d+): \(([0-9a-f]{2})\) (.*)$/;
const STATE = /^(\d+): ((?:R\d|frame\d|fp-).*)$/;
const BRANCH = /^from (\d+) to (\d+): (.*)$/;
const STATS = /^(processed \d+ insns|verification time|stack depth|max_states_per_insn)/;

/** Splits an instruction line's text and the state after it (`r0 = 1     ; R0_w=1`). */
function splitState(rest: string): { text: string; state?: string } {
  const m = /^(.*?\S)\s+; (.*)$/.exec(rest);
  return m === null ? { text: rest } : { text: m[1]!, state: m[2]! };
}

export function parseLog(log: string, rejected: boolean, insnCount: number): ParsedLog {
  const lines: LogLine[] = [];
  const states = new Map<number, string>();
  let lastInsn: number | undefined;
  for (const text of log.replace(/\n+$/, '').split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = INSN.exec(text)) !== null) {
      const insn = Number(m[1]);
      const { state } = splitState(m[3]!);
      if (state !== undefined) states.set(insn, state);
      lines.push({ text, kind: 'insn', insn });
      lastInsn = insn;
    } else if ((m = STATE.exec(text)) !== null) {
      const insn = Number(m[1]);
      if (!states.has(insn)) states.set(insn, m[2]!);
      lines.push({ text, kind: 'state', insn });
    } else if ((m = BRANCH.exec(text)) !== null) {
      lines.push({ text, kind: 'branch', insn: Number(m[2]) });
    } else if (/^func#\d+ @\d+/.test(text)) {
      lines.push({ text, kind: 'func', insn: Number(/@(\d+)/.exec(text)![1]) });
    } else if (STATS.test(text)) {
      lines.push({ text, kind: 'stats' });
    } else {
      lines.push({ text, kind: 'message' });
    }
  }
  let rejectedAt: number | undefined;
  if (rejected) {
    rejectedAt = lastInsn;
    if (rejectedAt === undefined) {
      // checks before the walk (the CFG, the call graph) name the instruction in their message
      const msg = lines.filter((l) => l.kind === 'message').map((l) => l.text).join('\n');
      const m = /(?:insn|from|at) (\d+)/.exec(msg);
      if (m !== null && Number(m[1]) < insnCount) rejectedAt = Number(m[1]);
    }
    // the messages after the last instruction line are about it
    if (rejectedAt !== undefined) {
      for (let i = lines.length - 1; i >= 0 && lines[i]!.kind !== 'insn'; i--) if (lines[i]!.kind === 'message') lines[i]!.insn = rejectedAt;
    }
  }
  return { lines, states, ...(rejectedAt !== undefined && { rejectedAt }) };
}
