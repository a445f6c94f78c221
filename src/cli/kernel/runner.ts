/**
 * The real kernel side of `bpfvm kernel-diff` and `bpfvm fuzz --kernel`: a batch of programs (manifest
 * lines in the format of ../shared/oracle's loader, bpfcheck) is loaded into Linux, and one result line per
 * program comes back. bpfvm owns only this glue: the oracle boots Debian's own kernel under qemu
 * (`run-batch.sh`, one VM per batch, so boot cost is paid once per batch) or, for `host`, runs the same
 * loader on the machine's own kernel.
 *
 * Where the oracle is: `--oracle DIR`, else `$BPFVM_SHARED/oracle`, else `../shared/oracle` beside the
 * package. Its cache (kernels, the loader) is `$BPF_ORACLE_DIR`, by default `~/.cache/bpf-oracle`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelUnavailableError, UsageError } from '../../errors.js';

export type KernelTarget = { kind: 'qemu'; slot: '6.1' | '6.12' } | { kind: 'host' };

/** `--kernel qemu:6.1|qemu:6.12|host`. */
export function parseKernelTarget(text: string): KernelTarget {
  const t = text.trim().toLowerCase();
  if (t === 'host') return { kind: 'host' };
  const m = /^qemu:(6\.1|6\.12)$/.exec(t);
  if (m !== null) return { kind: 'qemu', slot: m[1] as '6.1' | '6.12' };
  throw new UsageError(`--kernel takes qemu:6.1, qemu:6.12 or host, not '${text}'`);
}

export function targetName(t: KernelTarget): string {
  return t.kind === 'host' ? 'host' : `qemu:${t.slot}`;
}

/** One program for the loader: its manifest keys (without `id`) and the files they name. */
export interface KernelJob {
  /** `key=value` pairs, e.g. `type=xdp insns=…`; a file is named `@FILE@/name` (replaced by its path in the batch). */
  keys: string[];
  files?: { name: string; bytes: Uint8Array }[];
}

/** What the loader said about one program (the fields of bpfcheck's result line bpfvm compares). */
export interface KernelResult {
  verdict: string;
  errno?: number;
  verifier_log?: string;
  test_run?: { ok: boolean; retval?: number; errno?: number; data_out?: string };
  kernel?: string;
  err?: string;
  [k: string]: unknown;
}

/** The package root (the directory of bpfvm's package.json), from this module's place in src/ or dist/src/. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'bpfvm') return dir;
      } catch { /* not ours */ }
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** The oracle's folder: --oracle, $BPFVM_SHARED/oracle, ../shared/oracle beside the package. */
export function locateOracle(option?: string): string {
  const candidates: string[] = [];
  if (option !== undefined) candidates.push(resolve(option));
  else {
    if (process.env.BPFVM_SHARED) candidates.push(resolve(process.env.BPFVM_SHARED, 'oracle'));
    const root = packageRoot();
    if (root !== undefined) candidates.push(resolve(root, '..', 'shared', 'oracle'));
  }
  const found = candidates.find((d) => existsSync(join(d, 'run-batch.sh')));
  if (found === undefined) {
    throw new KernelUnavailableError(option !== undefined
      ? `--oracle ${option}: no run-batch.sh there (the folder of ../shared/oracle is expected)`
      : 'the kernel oracle was not found: give --oracle DIR (the folder holding run-batch.sh) or set BPFVM_SHARED');
  }
  return found;
}

/** The oracle's cache (kernels, loader). */
export function oracleCache(): string {
  return process.env.BPF_ORACLE_DIR ?? join(homedir(), '.cache', 'bpf-oracle');
}

/** A runner of batches against one kernel. */
export interface KernelRunner {
  readonly target: KernelTarget;
  /** Loads every job into the kernel; the results in job order. */
  run(jobs: readonly KernelJob[]): KernelResult[];
}

/** Checks that the target can be used (the oracle there, the kernel set up) and returns its runner. */
export function kernelRunner(target: KernelTarget, oracleOption?: string): KernelRunner {
  const oracle = locateOracle(oracleOption);
  const cache = oracleCache();
  if (target.kind === 'qemu') {
    if (!existsSync(join(cache, 'kernels', target.slot, 'vmlinux')) || !existsSync(join(cache, 'bin', 'bpfcheck'))) {
      throw new KernelUnavailableError(`kernel ${target.slot} is not set up in the oracle cache ${cache}: run ${join(oracle, 'setup.sh')} ${target.slot} (as root; it downloads Debian's kernel package)`);
    }
    if (spawnSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' }).status !== 0) {
      throw new KernelUnavailableError(`qemu-system-x86_64 is not installed: run ${join(oracle, 'setup.sh')} ${target.slot} as root`);
    }
    return { target, run: (jobs) => runBatch(jobs, (dir, out) => qemuBatch(oracle, target.slot, dir, out)) };
  }
  return hostRunner(cache);
}

/**
 * The host's own kernel, through the same loader run directly. The loader switches
 * kernel.unprivileged_bpf_disabled off at start (the VM's setting); on the host it runs in a private mount
 * namespace where that file is /dev/null, so the host's setting is never changed.
 */
function hostRunner(cache: string): KernelRunner {
  const loader = join(cache, 'bin', 'bpfcheck');
  if (process.platform !== 'linux') throw new KernelUnavailableError('--kernel host: the host is not Linux');
  if (!existsSync(loader)) throw new KernelUnavailableError(`--kernel host needs the oracle's loader ${loader}: run the oracle's setup.sh first`);
  if (spawnSync('unshare', ['--version'], { stdio: 'ignore' }).status !== 0) throw new KernelUnavailableError('--kernel host needs unshare (util-linux) to keep the loader from changing the host\'s sysctls');
  const target: KernelTarget = { kind: 'host' };
  const exec = (dir: string, out: string): void => {
    const script = 'mount --bind /dev/null /proc/sys/kernel/unprivileged_bpf_disabled && exec "$0" "$1" > "$2"';
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, loader, join(dir, 'manifest'), out], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const why = (r.stderr ?? '').trim().split('\n').pop() || `exit status ${r.status}`;
      throw new KernelUnavailableError(`--kernel host: the loader could not run on this machine (${why}); bpf(2) needs root (CAP_BPF, CAP_SYS_ADMIN) and a private mount namespace`);
    }
  };
  // one trivial program first: the host may refuse bpf(2) altogether (EPERM in a container)
  const probe = runBatch([{ keys: ['type=socket_filter', 'insns=b7000000000000009500000000000000'] }], exec, true)[0];
  if (probe?.verdict !== 'accepted') {
    throw new KernelUnavailableError(`--kernel host: the host kernel refuses BPF_PROG_LOAD (${probe?.err ?? probe?.verdict ?? 'no answer'}${probe?.errno !== undefined ? `, errno ${probe.errno}` : ''}); use --kernel qemu:6.1`);
  }
  return { target, run: (jobs) => runBatch(jobs, exec, true) };
}

function qemuBatch(oracle: string, slot: string, dir: string, out: string): void {
  const r = spawnSync(join(oracle, 'run-batch.sh'), [slot, dir, out], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env } });
  if (r.error !== undefined) throw new KernelUnavailableError(`cannot run ${join(oracle, 'run-batch.sh')}: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = (r.stderr ?? '').trim().split('\n').filter((l) => l.trim() !== '').slice(-2).join(' ');
    // exit 1: usage or setup problem; 2: the VM did not finish; 3: timeout. OUT.jsonl holds what came back.
    if (r.status === 1 || !existsSync(out)) throw new KernelUnavailableError(`the ${slot} kernel oracle failed (exit ${r.status}): ${tail}`);
  }
}

/** Writes the batch (manifest and files) to a temporary folder, runs it, and reads the result lines back. */
function runBatch(jobs: readonly KernelJob[], exec: (dir: string, out: string) => void, hostPaths = false): KernelResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'bpfvm-kdiff-'));
  try {
    const filesDir = hostPaths ? dir : '/progs';
    const lines = ['# bpfvm kernel-diff batch'];
    let fileNo = 0;
    jobs.forEach((j, i) => {
      const names = new Map<string, string>();
      for (const f of j.files ?? []) {
        const stored = `f${fileNo++}-${f.name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
        writeFileSync(join(dir, stored), f.bytes);
        names.set(f.name, `${filesDir}/${stored}`);
      }
      const keys = j.keys.map((k) => k.replace(/@FILE@\/([^\s]+)/g, (_, n: string) => names.get(n) ?? n));
      lines.push([`id=k${i}`, ...keys].join(' '));
    });
    writeFileSync(join(dir, 'manifest'), lines.join('\n') + '\n');
    const out = join(dir, 'out.jsonl');
    exec(dir, out);
    const byId = new Map<string, KernelResult>();
    if (existsSync(out)) {
      for (const l of readFileSync(out, 'utf8').split('\n')) {
        if (!l.startsWith('{')) continue;
        try {
          const r = JSON.parse(l) as KernelResult & { id?: string };
          if (typeof r.id === 'string') byId.set(r.id, r);
        } catch { /* a line cut off by a crash of the VM */ }
      }
    }
    return jobs.map((_, i) => byId.get(`k${i}`) ?? { verdict: 'no_answer', err: 'the VM stopped before this program (see the oracle\'s console log)' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const STATS = /^(verification time \d+ usec|stack depth [\d+]+|processed \d+ insns)/;

/** The last line of a verifier log that is not a statistics line ('' when none). */
export function lastLogLine(log: string | undefined): string {
  const lines = (log ?? '').split('\n').map((l) => l.trimEnd()).filter((l) => l !== '' && !STATS.test(l));
  return lines[lines.length - 1] ?? '';
}
