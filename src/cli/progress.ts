/**
 * Progress bars for long jobs (corpus, conformance, fuzz, kernel-diff, bench), drawn with cli-progress on
 * stderr. A bar is drawn only when the Io says a terminal is watching (`io.progress`, set by processIo when
 * stdout and stderr are TTYs) and the command is not writing JSON; otherwise every call is a no-op, so
 * commands call it unconditionally.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { Io } from './io.js';

export interface Progress {
  /** Work done so far, with named values for the bar's format (`{rate}`, `{found}`…). */
  update(done: number, values?: Record<string, string | number>): void;
  /** Total work, when it becomes known or changes. */
  setTotal(total: number): void;
  /** Removes the bar (call before printing the command's result). */
  stop(): void;
}

export interface ProgressOptions {
  /** Total work units; 0 when unknown (the bar then shows only the count). */
  total: number;
  /** Text before the bar, e.g. `corpus priv`. */
  label: string;
  /** Extra text after the counts, with `{name}` placeholders filled from update's values. */
  suffix?: string;
  /** `--json` given: never draw. */
  json?: boolean;
}

const OFF: Progress = { update() {}, setTotal() {}, stop() {} };

export function progress(io: Io, opts: ProgressOptions): Progress {
  const stream = io.progress;
  if (stream === undefined || opts.json === true) return OFF;
  const bar = new SingleBar({
    format: `${opts.label} [{bar}] {value}/{total} {percentage}% | {duration_formatted}${opts.suffix ? ' | ' + opts.suffix : ''}`,
    stream,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 5,
  }, Presets.shades_classic);
  bar.start(opts.total, 0);
  let stopped = false;
  return {
    update(done, values) {
      if (!stopped) bar.update(done, values);
    },
    setTotal(total) {
      if (!stopped) bar.setTotal(total);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
