/**
 * The package as a user gets it: `npm pack`, the tarball installed in a fresh project, the README's
 * Library snippet (read from README.md) compiled with `tsc --strict` against the installed types and run,
 * and the CLI run from the installed package.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'bpfvm-package-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let files: string[] = [];

function readmeSnippet(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /## Library\n+```ts\n([\s\S]*?)```/.exec(readme);
  if (m === null) throw new Error('README.md has no ```ts block under ## Library');
  return m[1]!;
}

beforeAll(() => {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const info = (JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[])[0]!;
  files = info.files.map((f) => f.path);
  const project = join(dir, 'project');
  mkdirSync(join(project, 'examples'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], { cwd: project, stdio: 'pipe' });
  // the user's own toolchain: TypeScript and Node's types (linked from this checkout, not downloaded)
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'), 'dir');
  copyFileSync(join(root, 'examples', 'xdp_count.bpf.o'), join(project, 'examples', 'xdp_count.bpf.o'));
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the npm package', () => {
  it('ships the library, the CLI, types, the kernel data, README and licence; no tests, fixtures, configs or source maps', () => {
    for (const f of ['bin/bpfvm.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'kernel-sim/data/vmlinux-6.1.btf.gz',
      'kernel-sim/data/config-6.1.gz', 'README.md', 'LICENSE', 'package.json',
      'bench/native/harness.h', 'bench/native/sum-squares.c', 'bench/native/fnv1a.c', 'bench/native/byte-sum.c', 'bench/native/insertion-sort.c']) expect(files, f).toContain(f);
    const bad = files.filter((f) => /^(test|examples|scripts|\.ci)\/|fixtures|oracle|tsconfig|vitest|typedoc|\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts'));
    expect(bad).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['cli-progress', 'commander']);
    // no install-time scripts for a consumer (prepare runs only in a checkout, never for a registry tarball)
    for (const s of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts[s]).toBeUndefined();
  });

  it('compiles the README Library snippet with tsc --strict against the installed package and runs it', () => {
    const project = join(dir, 'project');
    writeFileSync(join(project, 'main.ts'), readmeSnippet());
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], outDir: 'out', skipLibCheck: false },
      files: ['main.ts'],
    }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let diagnostics = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      diagnostics = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(diagnostics).toBe('');
    const out = execFileSync(process.execPath, [join('out', 'main.js')], { cwd: project, encoding: 'utf8' });
    expect(out).toContain("1 [ 'proto 1, 46 bytes' ]");
    expect(out).toContain('{ r0: 42n, insns: 2, violations: [] }');
    expect(out).toContain('4: (a5) if r1 < 0xa goto pc-3');
  });

  it('runs the CLI from the installed package', () => {
    const project = join(dir, 'project');
    const data = '00112233445566778899aabb0800450000280000000040010000c0a80001c0a80002' + '00'.repeat(12);
    const out = execFileSync(process.execPath, [join('node_modules', 'bpfvm', 'bin', 'bpfvm.js'), 'run', 'examples/xdp_count.bpf.o', '--data', data],
      { cwd: project, encoding: 'utf8' });
    expect(out).toContain('retval = 1 (XDP_DROP)');
  });
});
