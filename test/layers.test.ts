/**
 * The layer rules (.dependency-cruiser.cjs, issue 11 §2): the verifier never imports the simulated kernel or
 * the vm, the core imports no `node:` module outside the CLI and the Node entry, the ISA and the uapi names
 * sit at the bottom, the library never imports tests or benchmarks. Import cycles are still there (issue 11
 * removes them); their number may only go down.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { cruise, type IReporterOutput } from 'dependency-cruiser';

/** Import cycles counted on 2026-12-07 (18): verifier check-call/check-mem/sanitize/callbacks, cfg/env, ELF, model… */
const CYCLES_CEILING = 18;

describe('layers (dependency-cruiser)', () => {
  it('holds every layer rule and adds no import cycle', async () => {
    const require = createRequire(import.meta.url);
    const rules = require('../.dependency-cruiser.cjs') as { forbidden: unknown[]; options: Record<string, unknown> };
    process.chdir(new URL('..', import.meta.url).pathname);
    const out: IReporterOutput = await cruise(['src', 'vm', 'kernel-sim', 'bench'], { ...rules.options, ruleSet: { forbidden: rules.forbidden } } as never);
    const result = out.output as { summary: { violations: { rule: { name: string; severity: string }; from: string; to: string; cycle?: { name: string }[] }[] } };
    const violations = result.summary.violations;
    const errors = violations.filter((v) => v.rule.severity === 'error').map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(errors).toEqual([]);
    const cycles = violations.filter((v) => v.rule.name === 'no-circular');
    expect(cycles.length).toBeLessThanOrEqual(CYCLES_CEILING);
  }, 120_000);
});
