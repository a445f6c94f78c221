/**
 * Run-time contexts of RAW_TRACEPOINT_WRITABLE (the writable tracepoint buffer) and of STRUCT_OPS
 * (bpf_dummy_ops, 6.1's bpf_struct_ops_test_run); ctx-runs-common.ts says what they share.
 */
import { PERM_RW, type AddressSpace } from '../../vm/address-space.js';
import { ACCESS_MODELS } from './access-rules.js';
import { contextRun, type CgroupRunInput } from './ctx-runs-common.js';
import { TestRunError } from './errors.js';
import type { CtxRun } from './other-runs.js';

/** The writable buffer of bpf_test_finish(int *err), 6.1's own writable tracepoint: 4 bytes. */
const TP_BUFFER_DEFAULT = 4;

/**
 * RAW_TRACEPOINT_WRITABLE: the u64 arguments from ctx_in, args[0] pointing to the writable tracepoint
 * buffer: data_in, or the 4 zero bytes of bpf_test_finish's `int *err`. dataOut is the buffer afterwards.
 */
export function rawTpWritableContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  if ((input.ctx?.length ?? 0) > 96) throw new TestRunError('EINVAL', 'ctx_in is larger than 12 u64 arguments');
  const bytes = new Uint8Array(96);
  if (input.ctx !== undefined) bytes.set(input.ctx);
  const buf = input.data?.slice() ?? new Uint8Array(TP_BUFFER_DEFAULT);
  const region = space.map('kernel-object', buf, PERM_RW, 'writable tracepoint buffer');
  new DataView(bytes.buffer).setBigUint64(0, region.base, true);
  return contextRun(space, { model: ACCESS_MODELS.raw_tp_writable, bytes, name: 'raw_tp.w args' }, {
    regions: [region], dataOut: () => buf.slice(), noCtxOut: true,
  });
}

/** bpf_dummy_ops's members take the state pointer and up to four more arguments (test_2). */
const DUMMY_OPS_MAX_ARGS = 5;

/**
 * bpf_struct_ops_test_run (bpf_dummy_ops): ctx_in is the member's u64 arguments (8 × its argument count:
 * 8 for test_1/test_sleepable, 40 for test_2; without it 6.1 answers EINVAL and bpfvm passes a NULL state); a non-zero args[0] stands for the user's
 * struct bpf_dummy_ops_state, whose bytes are data_in (4 bytes, zero when absent) and come back as dataOut.
 */
export function dummyOpsContext(space: AddressSpace, input: CgroupRunInput): CtxRun {
  // Without ctx_in (6.1: EINVAL) bpfvm still runs the program: test_1's argument, a NULL state.
  const ctx = input.ctx ?? new Uint8Array(8);
  if (ctx.length === 0 || ctx.length % 8 !== 0 || ctx.length > 8 * DUMMY_OPS_MAX_ARGS) {
    throw new TestRunError('EINVAL', 'ctx_in must be the member\'s u64 arguments (8 bytes for test_1, 40 for test_2)');
  }
  const bytes = new Uint8Array(96);
  bytes.set(ctx);
  const dv = new DataView(bytes.buffer);
  const state = new Uint8Array(4);
  if (input.data !== undefined) state.set(input.data.subarray(0, 4));
  const region = space.map('kernel-object', state, PERM_RW, 'bpf_dummy_ops_state');
  const hasState = dv.getBigUint64(0, true) !== 0n;
  if (hasState) dv.setBigUint64(0, region.base, true);
  return contextRun(space, { model: ACCESS_MODELS.btf_args, bytes, name: 'bpf_dummy_ops args' }, {
    regions: [region], noCtxOut: true, ...(hasState ? { dataOut: () => state.slice() } : {}),
  });
}
