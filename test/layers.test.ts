/**
 * The layer rules (.dependency-cruiser.cjs, issue 11 §2): ISA → object loading (ELF, BTF, CO-RE) → verifier
 * (asks the platform) → vm → kernel-sim → api → cli, each importing only below itself; the harnesses (corpus,
 * conformance, fuzz, bench) beside the pipeline; the core imports no `node:` module outside the CLI and the
 * Node entry; the library never imports tests or benchmarks; and no import cycle, type-only ones included.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { cruise, type IReporterOutput } from 'dependency-cruiser';

describe('layers (dependency-cruiser)', () => {
  it('holds every layer rule and has no import cycle', async () => {
    const require = createRequire(import.meta.url);
    const rules = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };
    process.chdir(new URL('..', import.meta.url).pathname);
    const out: IReporterOutput = await cruise(['src', 'vm', 'kernel-sim', 'bench'], { ...rules.options, ruleSet: { forbidden: rules.forbidden } } as never);
    const result = out.output as { summary: { violations: { rule: { name: string; severity: string }; from: string; to: string; cycle?: { name: string }[] }[] } };
    const violations = result.summary.violations;
    const errors = violations.filter((v) => v.rule.severity === 'error').map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(errors).toEqual([]);
    const cycles = violations.filter((v) => v.rule.name === 'no-circular').map((v) => (v.cycle ?? []).map((c) => c.name).join(' → '));
    expect(cycles).toEqual([]);
    expect(violations).toEqual([]);
  }, 120_000);

  it('makes import cycles and the vm → kernel-sim direction errors', async () => {
    const require = createRequire(import.meta.url);
    const rules = require('../.dependency-cruiser.cjs') as { forbidden: { name: string; severity: string }[] };
    const severity = (name: string) => rules.forbidden.find((r) => r.name === name)?.severity;
    expect(severity('no-circular')).toBe('error');
    expect(severity('vm-below-kernel-sim')).toBe('error');
    expect(severity('harnesses-beside-the-pipeline')).toBe('error');
  });
});
