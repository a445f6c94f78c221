import { appendFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the shared reference data lives: $BPFVM_SHARED, else ../shared beside the project. A fresh
 * clone has none; suites that need it then say loudly that they did not run.
 */
export const SHARED = resolve(process.env.BPFVM_SHARED ?? resolve(import.meta.dirname, '..', '..', 'shared'));

export function sharedPath(...parts: string[]): string | undefined {
  const p = resolve(SHARED, ...parts);
  return existsSync(p) ? p : undefined;
}

export function announceMissing(what: string): void {
  announceNotRun(what, `${SHARED} is missing (set BPFVM_SHARED)`);
}

/**
 * A suite or check that could not run: said at once on stderr, and recorded for the list that ends the
 * test run (test/global-setup.ts prints it, counted apart from the tests that passed).
 */
export function announceNotRun(what: string, why: string): void {
  process.stderr.write(`\n*** ${what}: ${why}, so this suite DID NOT RUN ***\n`);
  const log = process.env.BPFVM_NOT_RUN_LOG;
  if (log !== undefined) appendFileSync(log, JSON.stringify({ what, why }) + '\n');
}

/**
 * Runs `step` over `items` in chunks, giving the event loop a turn between chunks: a suite that verifies
 * a whole corpus would otherwise hold its vitest worker for a minute on a busy machine, long enough for
 * the worker's messages to the runner to time out.
 */
export async function inChunks<T>(items: readonly T[], size: number, step: (chunk: readonly T[], start: number) => void): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    step(items.slice(i, i + size), i);
    await new Promise<void>((done) => setImmediate(done));
  }
}
