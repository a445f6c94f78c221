/** Control flow helpers: bpf_tail_call and bpf_loop. */
import { HelperFault, type HelperFn } from '../../vm/machine.js';
import { Image } from '../../vm/image.js';
import { ProgArray } from '../maps/fd-array.js';
import { ERRNO, errno, mapOfKind, ret } from './args.js';

/** What a prog array slot holds for tail calls: a loaded program and its interpreter image. */
export interface LoadedProgram {
  readonly image: Image;
}

const isLoadedProgram = (o: unknown): o is LoadedProgram =>
  typeof o === 'object' && o !== null && 'image' in o && o.image instanceof Image;

/**
 * bpf_tail_call(ctx, prog_array, index): continue in the program at `index` with the same context. When
 * the index is out of range, the slot empty or 33 tail calls were made, the call returns and the program
 * goes on (r0 unchanged, as the kernel leaves it).
 */
export const tailCall: HelperFn = (ctx, _ctxArg, map, index) => {
  const arr = mapOfKind(ctx, 'bpf_tail_call', 2, map, ProgArray, 'a prog array');
  const prog = index > 0xffffffffn ? null : arr.at(Number(index));
  if (prog === null) return ctx.regs[0]!;
  if (!isLoadedProgram(prog)) throw new HelperFault('helper-error', `bpf_tail_call: slot ${index} of "${arr.name}" holds no loaded program`);
  ctx.tailCall(prog.image);
  return ctx.regs[0]!;
};

/** BPF_MAX_LOOPS. */
export const BPF_MAX_LOOPS = 1 << 23;

/** bpf_loop(nr_loops, callback, ctx, flags): callback(i, ctx) until it returns 1; returns the iterations run. */
export const loop: HelperFn = (ctx, nr, callback, cbCtx, flags) => {
  if (flags !== 0n) return errno(ERRNO.EINVAL);
  const n = Number(nr & 0xffffffffn); // nr_loops is a u32
  if (n > BPF_MAX_LOOPS) return errno(ERRNO.E2BIG);
  for (let i = 0; i < n; i++) {
    if (ctx.callback(callback, [BigInt(i), cbCtx]) !== 0n) return ret(i + 1);
  }
  return ret(n);
};
