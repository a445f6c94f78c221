/** bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf: output lines go to `kernel.trace`. */
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { ERRNO, errno, ret } from './args.js';
import { bprintf, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, readFormat } from './bprintf.js';

/** MAX_TRACE_PRINTK_VARARGS. */
const TRACE_PRINTK_ARGS = 3;

/** Emit a trace line as trace_bpf_trace_printk does (cut to the buffer); returns vsnprintf's length. */
function emit(kernel: Kernel, text: string): bigint {
  kernel.writeTrace(text.slice(0, MAX_BPRINTF_BUF - 1));
  return ret(text.length);
}

/** The u64 arguments a vprintk/snprintf `data` array holds, or an errno. */
function dataArgs(ctx: Parameters<HelperFn>[0], data: bigint, len: bigint): bigint[] | number {
  if (len % 8n !== 0n || len > BigInt(MAX_BPRINTF_VARARGS * 8) || (len !== 0n && data === 0n)) return -ERRNO.EINVAL;
  const bytes = ctx.space.readBytes(data, Number(len));
  const dv = new DataView(bytes.buffer);
  return Array.from({ length: bytes.length / 8 }, (_, k) => dv.getBigUint64(k * 8, true));
}

export const tracePrintk = (kernel: Kernel): HelperFn => (ctx, fmt, size, a1, a2, a3) => {
  const f = readFormat(ctx.space, fmt, Number(size & 0xffffffffn));
  if (typeof f === 'number') return ret(f);
  const text = bprintf(ctx.space, f, [a1, a2, a3].slice(0, TRACE_PRINTK_ARGS));
  return typeof text === 'number' ? ret(text) : emit(kernel, text);
};

export const traceVprintk = (kernel: Kernel): HelperFn => (ctx, fmt, size, data, len) => {
  const args = dataArgs(ctx, data, len);
  if (typeof args === 'number') return ret(args);
  const f = readFormat(ctx.space, fmt, Number(size & 0xffffffffn));
  if (typeof f === 'number') return ret(f);
  const text = bprintf(ctx.space, f, args);
  return typeof text === 'number' ? ret(text) : emit(kernel, text);
};

/** bpf_snprintf(str, str_size, fmt, data, data_len): writes at most str_size bytes with a NUL; returns length + 1. */
export const snprintf: HelperFn = (ctx, str, strSize, fmt, data, len) => {
  const args = dataArgs(ctx, data, len);
  if (typeof args === 'number') return ret(args);
  const { bytes, terminated } = ctx.space.readCString(fmt, 0xffff);
  if (!terminated) return errno(ERRNO.EINVAL);
  const text = bprintf(ctx.space, bytes, args);
  if (typeof text === 'number') return ret(text);
  const size = Number(strSize & 0xffffffffn);
  if (size > 0) {
    const out = new Uint8Array(Math.min(text.length + 1, size));
    for (let k = 0; k < out.length - 1; k++) out[k] = text.charCodeAt(k);
    ctx.space.writeBytes(str, out);
  }
  return ret(text.length + 1);
};

/**
 * bpf_seq_printf(seq, fmt, fmt_size, data, data_len): the iterator's seq_file gets the formatted text
 * (collected in `kernel.seq`); 0, or the errno of a bad format or data array.
 */
export const seqPrintf = (kernel: Kernel): HelperFn => (ctx, _seq, fmt, size, data, len) => {
  const args = dataArgs(ctx, data, len);
  if (typeof args === 'number') return ret(args);
  const f = readFormat(ctx.space, fmt, Number(size & 0xffffffffn));
  if (typeof f === 'number') return ret(f);
  const text = bprintf(ctx.space, f, args);
  if (typeof text === 'number') return ret(text);
  kernel.writeSeq(text);
  return 0n;
};

/** bpf_seq_write(seq, data, len): the bytes as they are (latin-1 text in `kernel.seq`). */
export const seqWrite = (kernel: Kernel): HelperFn => (ctx, _seq, data, len) => {
  const bytes = ctx.space.readBytes(data, Number(len & 0xffffffffn));
  kernel.writeSeq(String.fromCharCode(...bytes));
  return 0n;
};
