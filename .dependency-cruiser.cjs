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
      name: 'elf-below-btf',
      comment: 'Object loading, bottom up: the ELF reader knows nothing of BTF, CO-RE or the object model.',
      severity: 'error',
      from: { path: '^src/elf/' },
      to: { path: '^(src/(btf|object|platform|verifier|api|cli|corpus|conformance|fuzz)|vm|kernel-sim)/' },
    },
    {
      name: 'btf-below-object',
      comment: 'BTF is read before the object model (maps, programs, CO-RE) is built from it.',
      severity: 'error',
      from: { path: '^src/btf/' },
      to: { path: '^(src/(object|platform|verifier|api|cli|corpus|conformance|fuzz)|vm|kernel-sim)/' },
    },
    {
      name: 'object-below-verifier',
      comment: 'Object loading (ELF, BTF, CO-RE, the object model) never asks the verifier, the platform, the vm or the kernel.',
      severity: 'error',
      from: { path: '^src/object/' },
      to: { path: '^(src/(platform|verifier|api|cli|corpus|conformance|fuzz)|vm|kernel-sim)/' },
    },
    {
      name: 'verifier-below-api',
      comment: 'The verifier is a library of the API and the harnesses, never their user.',
      severity: 'error',
      from: { path: '^src/(verifier|platform)/' },
      to: { path: '^src/(api|cli|corpus|conformance|fuzz)/' },
    },
    {
      name: 'vm-below-kernel-sim',
      comment: 'The chosen direction between vm/ and kernel-sim/: the simulated kernel drives the machine, the machine never imports the kernel (its memory, vm/address-space.ts, is the machine\'s).',
      severity: 'error',
      from: { path: '^vm/' },
      to: { path: '^kernel-sim/' },
    },
    {
      name: 'vm-below-verifier-and-api',
      comment: 'The machine executes decoded instructions: it needs the ISA and the shared error and option types, nothing of loading, verifying or the API.',
      severity: 'error',
      from: { path: '^vm/' },
      to: { path: '^src/(asm|elf|btf|object|platform|verifier|api|cli|corpus|conformance|fuzz)/' },
    },
    {
      name: 'kernel-sim-below-api',
      comment: 'The simulated kernel implements the platform and runs the vm; the API builds on it, never the other way.',
      severity: 'error',
      from: { path: '^kernel-sim/' },
      to: { path: '^src/(verifier|api|cli|corpus|conformance|fuzz|index\\.ts|node\\.ts)' },
    },
    {
      name: 'api-below-cli',
      comment: 'The API (Program, Kernel, verifyObject) is what the CLI and the harnesses use; it uses none of them.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(cli|corpus|conformance|fuzz)/|^bench/' },
    },
    {
      name: 'harnesses-beside-the-pipeline',
      comment: 'The corpus, conformance and fuzz runners and the benchmarks use the pipeline; no stage of the pipeline uses them.',
      severity: 'error',
      from: { path: '^(src/(isa|uapi|elf|btf|object|platform|verifier|api)|vm|kernel-sim)/' },
      to: { path: '^(src/(corpus|conformance|fuzz|cli)|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included (tsPreCompilationDeps): a shared piece goes into a module both sides import.',
      severity: 'error',
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
