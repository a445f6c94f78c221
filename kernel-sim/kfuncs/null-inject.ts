/**
 * Null injection: KF_RET_NULL kfuncs may return NULL, so a run can make them do so to exercise the
 * program's NULL checks. `off` never injects, `always` always does, `random:SEED` flips a seeded coin
 * per call (repeatable).
 */
import { UsageError } from '../../src/errors.js';
import { Prng } from '../kernel.js';

export type NullInjectMode = 'off' | 'always' | { seed: number };

export function parseNullInject(text: string): NullInjectMode {
  if (text === 'off' || text === 'always') return text;
  const m = /^random:(\d+)$/.exec(text);
  if (m === null) throw new UsageError(`--null-inject takes off, always or random:SEED, not '${text}'`);
  return { seed: Number(m[1]) };
}

/** Decides, call by call, whether a KF_RET_NULL kfunc returns NULL. */
export class NullInjector {
  private readonly prng: Prng | null;

  constructor(readonly mode: NullInjectMode) {
    this.prng = typeof mode === 'object' ? new Prng(mode.seed) : null;
  }

  inject(): boolean {
    if (this.mode === 'off') return false;
    if (this.mode === 'always') return true;
    return (this.prng!.nextU32() & 1) === 1;
  }
}
