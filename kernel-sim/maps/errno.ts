/** Linux errno values the simulated kernel answers with (maps and helpers as negative numbers, test runs and kfuncs too): one table. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  ENODEV: 19,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENODATA: 61,
  ENONET: 64,
  EPROTO: 71,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  /** Kernel-internal (never meant for user space, yet map_create returns it). */
  ENOTSUPP: 524,
} as const;

export type ErrnoName = keyof typeof ERRNO;

const NAMES = new Map<number, ErrnoName>(Object.entries(ERRNO).map(([k, v]) => [v, k as ErrnoName]));

/** `-22` → `"EINVAL"`. */
export function errnoName(err: number): string {
  return NAMES.get(Math.abs(err)) ?? `errno ${Math.abs(err)}`;
}
