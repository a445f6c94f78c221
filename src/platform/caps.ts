import { UsageError } from '../errors.js';

/**
 * Capabilities that matter to BPF (include/uapi/linux/capability.h numbers). The simulated loader's
 * credentials are a set of these; `all` is every one, `none` the empty set.
 */
export const CAPABILITIES = {
  CAP_NET_ADMIN: 12,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
} as const;

/** A capability, as `CAP_BPF` … (parseCaps accepts `bpf`, `cap_bpf`, `CAP_BPF`). */
export type Capability = keyof typeof CAPABILITIES;
/** Every capability bpfvm knows. */
export const ALL_CAPS: readonly Capability[] = Object.keys(CAPABILITIES) as Capability[];

/**
 * Parse a command-line capability list: lowercase names without `CAP_` (`bpf,perfmon`), the `CAP_BPF`
 * form, or `all` / `none`.
 */
export function parseCaps(list: string): Set<Capability> {
  const out = new Set<Capability>();
  for (const raw of list.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const w = raw.toLowerCase();
    if (w === 'all') ALL_CAPS.forEach((c) => out.add(c));
    else if (w === 'none') continue;
    else {
      const name = ('CAP_' + w.replace(/^cap_/, '')).toUpperCase();
      if (!(name in CAPABILITIES)) {
        throw new UsageError(`unknown capability '${raw}' (known: ${ALL_CAPS.map((c) => c.slice(4).toLowerCase()).join(', ')}, all, none)`);
      }
      out.add(name as Capability);
    }
  }
  return out;
}

/** The kernel's bpf_capable(): CAP_BPF or CAP_SYS_ADMIN. */
export function bpfCapable(caps: ReadonlySet<Capability>): boolean {
  return caps.has('CAP_BPF') || caps.has('CAP_SYS_ADMIN');
}

/** perfmon_capable(): CAP_PERFMON or CAP_SYS_ADMIN. */
export function perfmonCapable(caps: ReadonlySet<Capability>): boolean {
  return caps.has('CAP_PERFMON') || caps.has('CAP_SYS_ADMIN');
}
