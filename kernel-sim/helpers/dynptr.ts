/**
 * The dynptr helpers as Linux 6.1 runs them: bpf_dynptr_{from_mem,read,write,data} and
 * bpf_ringbuf_{reserve,submit,discard}_dynptr. A dynptr is the 16-byte struct bpf_dynptr_kern on the
 * program's stack: the data address (u64 at +0), the size (u32 at +8: the byte count in the low 24 bits,
 * the dynptr type from bit 28, the read-only flag in bit 31) and the offset into the data (u32 at +12).
 * A NULL dynptr (all zero) is what a failed initialisation leaves. Every access, to the dynptr and to the
 * memory it describes, goes through the address space, so it is checked like any other helper access.
 */
import type { HelperContext, HelperFn } from '../../vm/machine.js';
import { ERRNO, errno } from './args.js';
import { ringbufDiscard, ringbufReserve, ringbufSubmit } from './ringbuf.js';

/** The byte count field: sizes above it are refused (-E2BIG). */
export const DYNPTR_MAX_SIZE = 0xffffff;
const TYPE_SHIFT = 28n;
const RDONLY_BIT = 1n << 31n;
export const DYNPTR_TYPE = { invalid: 0n, local: 1n, ringbuf: 2n } as const;

interface Dynptr { data: bigint; size: number; offset: number; rdonly: boolean }

function load(ctx: HelperContext, at: bigint): Dynptr {
  const sizeWord = ctx.space.read(at + 8n, 4);
  return {
    data: ctx.space.read(at, 8),
    size: Number(sizeWord & BigInt(DYNPTR_MAX_SIZE)),
    offset: Number(ctx.space.read(at + 12n, 4)),
    rdonly: (sizeWord & RDONLY_BIT) !== 0n,
  };
}

function init(ctx: HelperContext, at: bigint, data: bigint, type: bigint, size: number): void {
  ctx.space.write(at, 8, data);
  ctx.space.write(at + 8n, 4, BigInt(size) | (type << TYPE_SHIFT));
  ctx.space.write(at + 12n, 4, 0n);
}

const setNull = (ctx: HelperContext, at: bigint): void => init(ctx, at, 0n, DYNPTR_TYPE.invalid, 0);

/** [offset, offset + len) must lie inside the dynptr's size: otherwise -E2BIG. */
const outOfRange = (d: Dynptr, offset: number, len: number): boolean => offset > d.size || len > d.size - offset;

const u32 = (v: bigint): number => Number(v & 0xffffffffn);

/** The address of byte `offset` of the dynptr's data. */
const at = (d: Dynptr, offset: number): bigint => BigInt.asUintN(64, d.data + BigInt(d.offset + offset));

export const dynptrFromMem: HelperFn = (ctx, data, size, flags, ptr) => {
  const n = u32(size);
  const err = n > DYNPTR_MAX_SIZE ? ERRNO.E2BIG : flags !== 0n ? ERRNO.EINVAL : 0;
  if (err !== 0) {
    setNull(ctx, ptr);
    return errno(err);
  }
  init(ctx, ptr, data, DYNPTR_TYPE.local, n);
  return 0n;
};

export const dynptrRead: HelperFn = (ctx, dst, len, src, offset, flags) => {
  const d = load(ctx, src);
  if (d.data === 0n || flags !== 0n) return errno(ERRNO.EINVAL);
  const n = u32(len), off = u32(offset);
  if (outOfRange(d, off, n)) return errno(ERRNO.E2BIG);
  ctx.space.writeBytes(dst, ctx.space.readBytes(at(d, off), n));
  return 0n;
};

export const dynptrWrite: HelperFn = (ctx, dst, offset, src, len, flags) => {
  const d = load(ctx, dst);
  if (d.data === 0n || flags !== 0n || d.rdonly) return errno(ERRNO.EINVAL);
  const n = u32(len), off = u32(offset);
  if (outOfRange(d, off, n)) return errno(ERRNO.E2BIG);
  ctx.space.writeBytes(at(d, off), ctx.space.readBytes(src, n));
  return 0n;
};

/** A pointer into the data, or NULL (0) for a NULL dynptr, an out-of-range slice or a read-only dynptr. */
export const dynptrData: HelperFn = (ctx, ptr, offset, len) => {
  const d = load(ctx, ptr);
  if (d.data === 0n) return 0n;
  const off = u32(offset);
  if (outOfRange(d, off, u32(len)) || d.rdonly) return 0n;
  return at(d, off);
};

/**
 * bpf_ringbuf_reserve_dynptr: -EINVAL for flags, -E2BIG past DYNPTR_MAX_SIZE, -EINVAL again (6.1, not
 * -ENOMEM) when the ring has no room; each failure leaves a NULL dynptr (which the program must still submit or discard).
 */
export const ringbufReserveDynptr: HelperFn = (ctx, map, size, flags, ptr) => {
  const n = u32(size);
  const err = flags !== 0n ? ERRNO.EINVAL : n > DYNPTR_MAX_SIZE ? ERRNO.E2BIG : 0;
  const rec = err === 0 ? ringbufReserve(ctx, map, BigInt(n), 0n, 0n, 0n) : 0n;
  if (rec === 0n) {
    setNull(ctx, ptr);
    return errno(err === 0 ? ERRNO.EINVAL : err);
  }
  init(ctx, ptr, rec, DYNPTR_TYPE.ringbuf, n);
  return 0n;
};

/** submit / discard_dynptr: a NULL dynptr is a no-op; otherwise commit the record and NULL the dynptr. */
function commitDynptr(commit: HelperFn): HelperFn {
  return (ctx, ptr, flags) => {
    const d = load(ctx, ptr);
    if (d.data === 0n) return 0n;
    commit(ctx, d.data, flags, 0n, 0n, 0n);
    setNull(ctx, ptr);
    return 0n;
  };
}

export const ringbufSubmitDynptr = commitDynptr(ringbufSubmit);
export const ringbufDiscardDynptr = commitDynptr(ringbufDiscard);
