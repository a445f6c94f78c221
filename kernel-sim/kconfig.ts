/**
 * What the reference kernel tells a loader about itself: its configuration file (Debian's 6.1 config,
 * `data/config-6.1.gz`, what libbpf reads from /boot/config-<release> for `__kconfig` externs) and the
 * facts behind libbpf's virtual LINUX_* externs.
 */
import { readPackagedData } from './data-file.js';

/** `uname -r` of the reference kernel (Debian linux-image-6.1.0-50-amd64). */
export const REFERENCE_RELEASE = '6.1.0-50-amd64';

/** KERNEL_VERSION(a, b, c) of a release string, as libbpf's get_kernel_version reads uname (`6.1.0-50-amd64` → 6.1.0). */
export function kernelVersionCode(release: string): bigint | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(release);
  if (m === null) return undefined;
  const [a, b, c] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return BigInt((a << 16) + (b << 8) + Math.min(c, 255));
}

/**
 * libbpf's virtual externs for a 6.1 x86-64 kernel: its version, BPF cookies (bpf_get_attach_cookie
 * since 5.15) and the `__x64_sys_*` syscall wrappers.
 */
export function linuxVirtualExtern(name: string, release = REFERENCE_RELEASE): bigint | undefined {
  switch (name) {
    case 'LINUX_KERNEL_VERSION': return kernelVersionCode(release);
    case 'LINUX_HAS_BPF_COOKIE': return 1n;
    case 'LINUX_HAS_SYSCALL_WRAPPER': return 1n;
    default: return undefined;
  }
}

/** A config file's settings (`CONFIG_X=value` lines; `# CONFIG_X is not set` is absent). */
export function parseKconfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (m !== null) out.set(m[1]!, m[2]!);
  }
  return out;
}

let referenceText: string | undefined | null = null;

/**
 * The reference kernel's config file, unpacked once. Read through Node's built-in modules when they are
 * there (`process.getBuiltinModule`); elsewhere (a browser) there is none, and `__kconfig` externs fail
 * to resolve as libbpf's do without a config file.
 */
export function referenceConfigText(): string | undefined {
  if (referenceText !== null) return referenceText;
  const bytes = readPackagedData('config-6.1.gz');
  referenceText = bytes === undefined ? undefined : new TextDecoder('latin1').decode(bytes);
  return referenceText;
}

let reference: Map<string, string> | undefined;

/** The reference kernel's settings (empty when its config file cannot be read). */
export function referenceConfig(): ReadonlyMap<string, string> {
  reference ??= parseKconfig(referenceConfigText() ?? '');
  return reference;
}
