/**
 * The cgroup sysctl helpers (kernel/bpf/cgroup.c, 6.1) over the sysctl a CGROUP_SYSCTL program runs on:
 * its context region's owner is a `SysctlState` (kernel-sim/progtypes/cgroup-runs.ts).
 */
import type { HelperFn } from '../../vm/machine.js';
import { errno, ERRNO, ret } from './args.js';

export interface SysctlState {
  readonly kind: 'sysctl';
  /** The path below /proc/sys (`kernel/ostype`). */
  readonly path: string;
  /** The current value as the proc handler prints it. */
  readonly current: Uint8Array;
  /** Whether the access is a write (bpf_sysctl.write). */
  write(): boolean;
  /** The value being written; set_new_value replaces it. */
  newValue: Uint8Array;
  newUpdated: boolean;
}

function isSysctlState(o: unknown): o is SysctlState {
  return typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === 'sysctl';
}

const PAGE_SIZE = 4096;
/** BPF_F_SYSCTL_BASE_NAME: only the last component of the name. */
const BASE_NAME = 1n;

const stateOf = (ctx: Parameters<HelperFn>[0], r1: bigint): SysctlState | undefined => {
  const owner = ctx.space.regionAt(r1)?.owner;
  return isSysctlState(owner) ? owner : undefined;
};

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** strscpy into a buffer of `len` bytes: the count copied, or -E2BIG after a truncated copy. */
function strscpy(src: Uint8Array, len: number): { out: Uint8Array; r: number } {
  const out = new Uint8Array(Math.min(src.length + 1, len));
  if (len === 0) return { out, r: -ERRNO.E2BIG };
  out.set(src.subarray(0, out.length - 1));
  return { out, r: src.length < len ? src.length : -ERRNO.E2BIG };
}

/** bpf_sysctl_get_name(ctx, buf, buf_len, flags): the path below /proc/sys, or its base name. */
export const sysctlGetName: HelperFn = (ctx, r1, buf, len, flags) => {
  const s = stateOf(ctx, r1);
  if (s === undefined || buf === 0n) return errno(ERRNO.EINVAL);
  const name = (flags & BASE_NAME) !== 0n ? s.path.slice(s.path.lastIndexOf('/') + 1) : s.path;
  const { out, r } = strscpy(ascii(name), Number(len & 0xffffffffn));
  ctx.space.writeBytes(buf, out);
  return r < 0 ? errno(-r) : ret(r);
};

/** copy_sysctl_value: the value NUL-padded to the buffer; its length, or -E2BIG when cut, -EINVAL when absent. */
function copyValue(ctx: Parameters<HelperFn>[0], buf: bigint, len: bigint, src: Uint8Array | undefined): bigint {
  const n = Number(len & 0xffffffffn);
  if (buf === 0n) return errno(ERRNO.EINVAL);
  if (n === 0) return errno(ERRNO.E2BIG);
  const out = new Uint8Array(n);
  if (src === undefined || src.length === 0) {
    ctx.space.writeBytes(buf, out);
    return errno(ERRNO.EINVAL);
  }
  out.set(src.subarray(0, n));
  if (n > src.length) {
    ctx.space.writeBytes(buf, out);
    return ret(src.length);
  }
  out[n - 1] = 0;
  ctx.space.writeBytes(buf, out);
  return errno(ERRNO.E2BIG);
}

export const sysctlGetCurrentValue: HelperFn = (ctx, r1, buf, len) => copyValue(ctx, buf, len, stateOf(ctx, r1)?.current);

/** bpf_sysctl_get_new_value: -EINVAL (buffer zeroed) unless the access is a write. */
export const sysctlGetNewValue: HelperFn = (ctx, r1, buf, len) => {
  const s = stateOf(ctx, r1);
  if (s === undefined || !s.write()) {
    const n = Number(len & 0xffffffffn);
    if (buf !== 0n && n > 0) ctx.space.writeBytes(buf, new Uint8Array(n));
    return errno(ERRNO.EINVAL);
  }
  return copyValue(ctx, buf, len, s.newValue);
};

/** bpf_sysctl_set_new_value(ctx, buf, buf_len): replaces the value being written (at most a page less one byte). */
export const sysctlSetNewValue: HelperFn = (ctx, r1, buf, len) => {
  const s = stateOf(ctx, r1);
  const n = Number(len & 0xffffffffn);
  if (s === undefined || !s.write() || s.newValue.length === 0 || buf === 0n || n === 0) return errno(ERRNO.EINVAL);
  if (n > PAGE_SIZE - 1) return errno(ERRNO.E2BIG);
  s.newValue = ctx.space.readBytes(buf, n).slice();
  s.newUpdated = true;
  return ret(0);
};
