import type { MapAttr } from './base.js';
import type { MapEnv } from './env.js';
import { BPF_F } from './types.js';
import { hex } from '../../src/errors.js';

/** Why map_create refuses: the errno (negative) and a reason. */
export type Problem = readonly [errno: number, reason: string];

/** A map family's *_alloc_check: null when the attributes are acceptable. */
export type AllocCheck = (attr: MapAttr, env: MapEnv) => Problem | null;

/** bpf_map_flags_access_ok: a program cannot be denied both reading and writing. */
export function accessOk(flags: number): boolean {
  return (flags & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) !== (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG);
}

/** Names of the set bits of `flags` that are outside `mask`. */
export function unknownFlags(flags: number, mask: number): string | null {
  const extra = flags & ~mask;
  if (extra === 0) return null;
  const names = Object.entries(BPF_F).filter(([, bit]) => (extra & bit) !== 0).map(([n]) => `BPF_F_${n}`);
  const rest = extra & ~Object.values(BPF_F).reduce((a, b) => a | b, 0);
  if (rest !== 0) names.push(hex(rest));
  return names.join(' | ');
}

export function isPowerOf2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}
