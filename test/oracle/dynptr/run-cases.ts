/**
 * Dynptr programs (socket_filter) that return what the dynptr helpers answered at run time, for comparing
 * the simulated helpers with Linux 6.1's test run (run-results.jsonl: `gen-manifest.ts run` and the
 * oracle's run-batch.sh 6.1 with a packet). Maps as in cases.ts: 0 an array of one zeroed 16-byte value,
 * 1 a 4096-byte ringbuf.
 */
import { VALUE } from './cases.js';

export interface DynptrRunCase { id: string; asm: string }

/** r6 = the array's value (exit 0 when NULL), then a local dynptr over its 16 bytes at fp-24. */
const local = (flags = 0) => `${VALUE}
  r1 = r6
  r2 = 16
  r3 = ${flags}
  r4 = r10
  r4 += -24
  call bpf_dynptr_from_mem
`;
const LOCAL = local();
/** bpf_dynptr_read(fp-40, LEN, fp-24, OFF, FLAGS). */
const read = (len: number, off: number, flags = 0) => `
  r1 = r10
  r1 += -40
  r2 = ${len}
  r3 = r10
  r3 += -24
  r4 = ${off}
  r5 = ${flags}
  call bpf_dynptr_read
`;
/** bpf_ringbuf_reserve_dynptr(ringbuf, SIZE, FLAGS, fp-24); r7 = its result. */
const reserve = (size: number, flags = 0) => `
  r1 = map_fd(1) ll
  r2 = ${size}
  r3 = ${flags}
  r4 = r10
  r4 += -24
  call bpf_ringbuf_reserve_dynptr
  r7 = r0
`;
const finish = (helper: string) => `
  r1 = r10
  r1 += -24
  r2 = 0
  call ${helper}
  r0 = r7
  exit
`;
const OUT = `
  exit
out:
  r0 = 0
  exit
`;

export const RUN_CASES: DynptrRunCase[] = [
  { id: 'run_read_past_end', asm: `${LOCAL}${read(8, 12)}${OUT}` },
  { id: 'run_read_offset_past_size', asm: `${LOCAL}${read(0, 17)}${OUT}` },
  { id: 'run_read_flags', asm: `${LOCAL}${read(8, 0, 1)}${OUT}` },
  { id: 'run_read_to_end', asm: `${LOCAL}${read(8, 8)}${OUT}` },
  {
    id: 'run_from_mem_flags',
    asm: `${local(1)}  r7 = r0\n${read(8, 0)}  r0 <<= 32\n  r0 |= r7\n${OUT}`,
  },
  {
    id: 'run_write_then_read',
    asm: `${LOCAL}
  r1 = 0x1122334455667788 ll
  *(u64 *)(r10 - 48) = r1
  r1 = r10
  r1 += -24
  r2 = 4
  r3 = r10
  r3 += -48
  r4 = 8
  r5 = 0
  call bpf_dynptr_write
  r7 = r0
${read(8, 8)}
  r0 |= r7
  if r0 != 0 goto bad
  r0 = *(u32 *)(r10 - 40)
  r1 = *(u32 *)(r6 + 4)
  r0 ^= r1
  exit
bad:
${OUT}`,
  },
  {
    id: 'run_write_past_end',
    asm: `${LOCAL}
  r1 = r10
  r1 += -24
  r2 = 12
  r3 = r10
  r3 += -48
  *(u64 *)(r10 - 48) = r2
  r4 = 8
  r5 = 0
  call bpf_dynptr_write
${OUT}`,
  },
  {
    id: 'run_data_in_and_out_of_range',
    asm: `${LOCAL}
  r1 = r10
  r1 += -24
  r2 = 8
  r3 = 8
  call bpf_dynptr_data
  r7 = 1
  if r0 != 0 goto next
  r7 = 0
next:
  r1 = r10
  r1 += -24
  r2 = 9
  r3 = 8
  call bpf_dynptr_data
  if r0 == 0 goto none
  r7 |= 2
none:
  r0 = r7
${OUT}`,
  },
  { id: 'run_reserve_flags', asm: `${reserve(8, 1)}${finish('bpf_ringbuf_discard_dynptr')}` },
  { id: 'run_reserve_past_max_size', asm: `${reserve(0x1000000)}${finish('bpf_ringbuf_discard_dynptr')}` },
  { id: 'run_reserve_no_room', asm: `${reserve(8192)}${finish('bpf_ringbuf_submit_dynptr')}` },
  {
    id: 'run_read_null_dynptr',
    asm: `${reserve(8192)}${read(8, 0)}  r7 = r0\n${finish('bpf_ringbuf_discard_dynptr')}`,
  },
  {
    id: 'run_ringbuf_write_read_submit',
    asm: `${reserve(8)}
  r1 = r10
  r1 += -24
  r2 = 0
  r3 = 8
  call bpf_dynptr_data
  if r0 == 0 goto sub
  r1 = 0x5a5a
  *(u64 *)(r0 + 0) = r1
sub:
${read(4, 0)}
  r7 = *(u32 *)(r10 - 40)
${finish('bpf_ringbuf_submit_dynptr')}`,
  },
];
