/**
 * The native baseline of `bpfvm bench`: each workload's C program (bench/native/<name>.c, shipped in the
 * package) compiled with `gcc -O2` into a temporary folder and run with the bench's inputs. The C program
 * times its runs in-process (clock_gettime around the loop), so process start is not counted, and prints
 * the r0 it computed, which the bench compares with the BPF program's. Without gcc there is no native row,
 * and `nativeUnavailable()` says why.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One native measurement. */
export interface NativeResult {
  name: string;
  /** The r0 the C program computed (checked against the BPF program's by the caller). */
  result: bigint;
  runs: number;
  /** Mean time of one run, in nanoseconds. */
  nsPerRun: number;
}

/** The folder of the C sources: beside this module in a checkout (bench/), two up from dist/bench/. */
export function nativeSourceDir(): string | undefined {
  for (const rel of ['./native/', '../../bench/native/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'harness.h'))) return dir;
  }
  return undefined;
}

/** Why there can be no native row (undefined when gcc and the sources are there). */
export function nativeUnavailable(): string | undefined {
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
  if (gcc.error !== undefined || gcc.status !== 0) return 'no native row: gcc is not on PATH';
  if (nativeSourceDir() === undefined) return 'no native row: the C sources (bench/native/*.c) are not installed';
  return undefined;
}

/** Compiles the named workloads' C programs with `gcc -O2` and runs each for about `seconds`. */
export class NativeRunner {
  private readonly dir = mkdtempSync(join(tmpdir(), 'bpfvm-native-'));
  private readonly src: string;

  constructor() {
    const src = nativeSourceDir();
    if (src === undefined) throw new Error('the C sources of the native baseline (bench/native/*.c) are missing');
    this.src = src;
  }

  /** Whether `name` has a C program. */
  has(name: string): boolean {
    return existsSync(join(this.src, `${name}.c`));
  }

  run(name: string, seconds: number): NativeResult {
    const exe = join(this.dir, name);
    if (!existsSync(exe)) execFileSync('gcc', ['-O2', '-o', exe, join(this.src, `${name}.c`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const out = execFileSync(exe, [String(seconds)], { encoding: 'utf8' });
    const m = /^result=(\d+) runs=(\d+) ns=(\d+)/m.exec(out);
    if (m === null) throw new Error(`native ${name}: unexpected output ${JSON.stringify(out)}`);
    const runs = Number(m[2]);
    return { name, result: BigInt(m[1]!), runs, nsPerRun: Number(m[3]) / runs };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
