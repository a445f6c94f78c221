/**
 * The references a run holds: each acquire (KF_ACQUIRE, KF_KPTR_GET, bpf_kptr_xchg) records its window
 * and the instruction that acquired it; a release (or a move into a map) ends it. Whatever is still held
 * when the program exits is a leak, reported at the acquiring instruction as the kernel's
 * "Unreleased reference id=N alloc_insn=M" is.
 */
import type { Violation } from '../../src/violations.js';
import type { KernelHeap, ObjectWindow } from './heap.js';

export interface Reference {
  /** Per-run reference id, from 1. */
  readonly id: number;
  readonly window: ObjectWindow;
  /** Slot index of the acquiring call. */
  readonly insn: number;
  /** What acquired it (a kfunc or helper name). */
  readonly by: string;
}

export class RefTracker {
  private readonly held = new Map<ObjectWindow, Reference>();
  private nextId = 1;

  constructor(private readonly heap: KernelHeap) {}

  /** Start tracking a new reference window. */
  acquire(window: ObjectWindow, insn: number, by: string): Reference {
    const ref: Reference = { id: this.nextId++, window, insn, by };
    this.held.set(window, ref);
    return ref;
  }

  /** The live reference a window is, if any. */
  lookup(window: ObjectWindow): Reference | undefined {
    return this.held.get(window);
  }

  /**
   * End a reference: its window is retired, so every copy of the pointer is dead (`use-after-release`).
   * The object's count is the releasing code's business (a release kfunc puts it; a move into a map
   * hands it over).
   */
  end(ref: Reference, reason: string): void {
    this.held.delete(ref.window);
    this.heap.retire(ref.window, 'use-after-release', reason);
  }

  get size(): number {
    return this.held.size;
  }

  /** The references still held at an exit, as violations, oldest first. */
  leaks(exitInsn: number): Violation[] {
    return [...this.held.values()].map((r) => ({
      kind: 'reference-leak',
      insn: r.insn,
      message: `instruction ${r.insn}: Unreleased reference id=${r.id} alloc_insn=${r.insn}: the ${r.window.type} acquired by ${r.by} is still held at the exit at instruction ${exitInsn}`,
    }));
  }

  /**
   * After the run: the simulated kernel drops every reference still held (its window retired, its
   * count put), so a leak in one run does not pin objects for the next.
   */
  dropAll(): void {
    for (const ref of [...this.held.values()]) {
      this.end(ref, 'was dropped when the run ended');
      this.heap.put(ref.window.object);
    }
  }
}
