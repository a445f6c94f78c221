/**
 * Where the bench finds things, and the one median its measurements take: the package root (from bench/ in
 * the sources or dist/bench/ compiled) and the shared reference data ($BPFVM_SHARED, else ../shared beside
 * the package).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The package root: the nearest folder above this module holding package.json. */
export function packageRoot(): string {
  let d = import.meta.dirname;
  while (!existsSync(resolve(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** The shared data folder: $BPFVM_SHARED, else ../shared beside the package (undefined when missing). */
export function sharedDir(): string | undefined {
  const d = resolve(process.env.BPFVM_SHARED ?? resolve(packageRoot(), '..', 'shared'));
  return existsSync(d) ? d : undefined;
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
