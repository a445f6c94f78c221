import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance } from '../src/conformance/runner.js';
import { announceMissing, sharedPath } from './shared.js';

const dir = sharedPath('conformance');

describe('BPF conformance suite', () => {
  if (dir === undefined) {
    it('is not available here', () => announceMissing('conformance'));
    return;
  }
  const names = readdirSync(dir).filter((n) => n.endsWith('.data')).sort();

  it('has all 313 tests', () => expect(names.length).toBe(313));

  it('passes every test', () => {
    const failures: string[] = [];
    for (const name of names) {
      const o = runConformance(name, readFileSync(join(dir, name), 'utf8'));
      if (!o.passed) {
        failures.push(`${name}: ${o.error?.message ?? JSON.stringify(o.run?.violations) + ` r0=${o.run?.r0} expected=${o.expected}`}`);
      }
    }
    process.stdout.write(`conformance: ${names.length - failures.length} of ${names.length} passed\n`);
    expect(failures).toEqual([]);
  });
});
