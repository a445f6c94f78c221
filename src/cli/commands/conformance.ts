import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runConformance } from '../../conformance/runner.js';
import { LoadError } from '../../errors.js';
import { readInput } from '../input.js';
import { EXIT, hex64, type Io } from '../io.js';
import { progress } from '../progress.js';
import type { TierName } from '../../../vm/wasm/select.js';

export function conformanceCommand(io: Io, dir: string, opts: { json?: boolean; tier?: TierName }): number {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.data')).sort();
  } catch (e) {
    throw new LoadError(`cannot read folder (${(e as NodeJS.ErrnoException).code ?? e})`, { file: dir });
  }
  if (names.length === 0) throw new LoadError('no .data files in folder', { file: dir });
  const failed: string[] = [];
  const tiers = new Set<string>();
  const fails: string[] = [];
  const bar = progress(io, { total: names.length, label: 'conformance', suffix: '{failed} failed', json: opts.json });
  for (const [i, name] of names.entries()) {
    const o = runConformance(name, readInput(join(dir, name)).toString('utf8'), undefined, opts.tier);
    if (o.tier !== undefined) tiers.add(o.tier);
    bar.update(i + 1, { failed: failed.length + (o.passed ? 0 : 1) });
    if (o.passed) continue;
    failed.push(name);
    const why = o.error !== undefined ? o.error.message
      : o.run!.violations.length > 0 ? `${o.run!.violations[0]!.kind}: ${o.run!.violations[0]!.message}`
      : `r0 = ${o.run!.r0 === null ? 'none' : hex64(o.run!.r0)}, expected ${o.expected === undefined ? 'no result' : hex64(o.expected)}`;
    // while a bar is drawn on the terminal the failures wait for it to go, so they are not drawn over
    if (io.progress !== undefined && !opts.json) fails.push(`FAIL ${name}: ${why}\n`);
    else io.err(`FAIL ${name}: ${why}\n`);
  }
  bar.stop();
  for (const line of fails) io.err(line);
  const passed = names.length - failed.length;
  // the tier that ran the files ('mixed' when some went to each, as auto may choose)
  const tier = tiers.size === 1 ? [...tiers][0]! : tiers.size === 0 ? (opts.tier === 'wasm' ? 'wasm' : 'interp') : 'mixed';
  if (opts.json) io.out(JSON.stringify({ total: names.length, passed, failed, tier }) + '\n');
  else io.out(`${passed} of ${names.length} passed\n`);
  return failed.length > 0 ? EXIT.REJECTED : EXIT.OK;
}
