/**
 * The layer rules of bpfvm (issue 11 §2), checked by `npm run depcheck` and test/layers.test.ts.
 * Pipeline: ISA → object loading (ELF, BTF, CO-RE) → verifier (asks src/platform) → vm → kernel-sim → api → cli.
 * Harnesses (corpus and conformance runners, bench) sit beside the pipeline.
 */
module.exports = {
  forbidden: [
    {
      name: 'verifier-not-kernel-sim',
      comment: 'The verifier asks the platform interface (src/platform); the simulated kernel implements it.',
      severity: 'error',
      from: { path: '^src/verifier/' },
      to: { path: '^(kernel-sim|vm)/' },
    },
    {
      name: 'core-not-node',
      comment: 'The core runs in browsers: node:* only in the CLI, the Node entry, the corpus loader, the conformance runner and the fuzz workers.',
      severity: 'error',
      from: { path: '^(src|vm|kernel-sim)/', pathNot: '^src/(cli/|node\\.ts|corpus/load\\.ts|conformance/|fuzz/worker\\.ts)' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only', 'type-import'], path: '^node:|^(fs|path|os|zlib|url|worker_threads|child_process)$' },
    },
    {
      name: 'isa-is-the-bottom',
      comment: 'The ISA (opcode table, codec) imports nothing of the pipeline above it.',
      severity: 'error',
      from: { path: '^src/isa/' },
      to: { path: '^(src/(verifier|api|cli|object|elf|btf|corpus|conformance)|vm|kernel-sim)/' },
    },
    {
      name: 'uapi-is-leaf',
      comment: 'The uapi names import nothing but themselves.',
      severity: 'error',
      from: { path: '^src/uapi/' },
      to: { pathNot: '^src/uapi/' },
    },
    {
      name: 'no-test-code-in-the-package',
      severity: 'error',
      comment: 'The library never imports tests or benchmarks (the CLI runs the benchmarks).',
      from: { path: '^(src|vm|kernel-sim)/', pathNot: '^src/cli/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles: reported as warnings until issue 11 removes them; test/layers.test.ts keeps their number from growing.',
      severity: 'warn',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|playground)/|^kernel-sim/data/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
