/**
 * Where a program runs, as far as sleeping goes: loaded sleepable or not, and the atomic sections it is
 * in (RCU read sections, spin locks held, preemption disabled). Helpers that enter and leave such
 * sections (bpf_spin_lock/unlock, …) update it; KF_SLEEPABLE kfuncs read it.
 */
import type { Capability } from '../../src/platform/caps.js';

export class ExecContext {
  rcuDepth = 0;
  spinLocks = 0;
  preemptDisabled = 0;

  constructor(
    /** Loaded with BPF_F_SLEEPABLE. */
    readonly sleepable: boolean,
    /** The loader's credentials. */
    readonly caps: ReadonlySet<Capability>,
  ) {}

  rcuReadLock(): void { this.rcuDepth++; }
  rcuReadUnlock(): void { this.rcuDepth = Math.max(0, this.rcuDepth - 1); }
  spinLock(): void { this.spinLocks++; }
  spinUnlock(): void { this.spinLocks = Math.max(0, this.spinLocks - 1); }
  preemptDisable(): void { this.preemptDisabled++; }
  preemptEnable(): void { this.preemptDisabled = Math.max(0, this.preemptDisabled - 1); }

  /** Why sleeping is not allowed here, or null when it is. */
  whyAtomic(): string | null {
    if (!this.sleepable) return 'the program is not sleepable';
    if (this.spinLocks > 0) return `a spin lock is held (${this.spinLocks})`;
    if (this.rcuDepth > 0) return `inside an RCU read section (depth ${this.rcuDepth})`;
    if (this.preemptDisabled > 0) return 'preemption is disabled';
    return null;
  }
}
