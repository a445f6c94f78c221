/**
 * Dynptr programs (socket_filter, all capabilities) with the real Linux 6.1 verifier's answers
 * (../shared/oracle run-batch.sh 6.1; gen-manifest.mjs writes the manifest from these cases).
 * Map 0 is an array of one 16-byte value, map 1 a 4096-byte ringbuf.
 */
export interface DynptrCase {
  id: string;
  asm: string;
  kernel: { verdict: 'accepted' | 'rejected'; errno?: number; message?: string; processed: number };
}

export const MAPS = ['array:4:16:1', 'ringbuf:0:0:4096'];

/** r6 = the array's value (exit 0 when NULL). */
export const VALUE = `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r2 = r10
  r2 += -4
  r1 = map_fd(0) ll
  call bpf_map_lookup_elem
  if r0 == 0 goto out
  r6 = r0
`;
/** A local dynptr over the value at fp-24. */
const FROM_MEM = `
  r1 = r6
  r2 = 16
  r3 = 0
  r4 = r10
  r4 += -24
  call bpf_dynptr_from_mem
`;
/** A ringbuf dynptr of 8 bytes at fp-24. */
const RESERVE = `
  r1 = map_fd(1) ll
  r2 = 8
  r3 = 0
  r4 = r10
  r4 += -24
  call bpf_ringbuf_reserve_dynptr
`;
const SUBMIT = `
  r1 = r10
  r1 += -24
  r2 = 0
  call bpf_ringbuf_submit_dynptr
`;
const OUT = `
out:
  r0 = 0
  exit
`;

export const CASES: DynptrCase[] = [
  {
    id: 'from_mem_read_write',
    asm: `${VALUE}${FROM_MEM}
  r1 = r10
  r1 += -40
  r2 = 8
  r3 = r10
  r3 += -24
  r4 = 0
  r5 = 0
  call bpf_dynptr_read
  r1 = r10
  r1 += -24
  r2 = 0
  r3 = r10
  r3 += -40
  r4 = 8
  r5 = 0
  call bpf_dynptr_write
${OUT}`,
    kernel: { verdict: 'accepted', processed: 33 },
  },
  {
    id: 'ringbuf_submit',
    asm: `${RESERVE}${SUBMIT}  r0 = 0\n  exit\n`,
    kernel: { verdict: 'accepted', processed: 12 },
  },
  {
    id: 'ringbuf_discard',
    asm: `${RESERVE}
  r1 = r10
  r1 += -24
  r2 = 0
  call bpf_ringbuf_discard_dynptr
  r0 = 0
  exit
`,
    kernel: { verdict: 'accepted', processed: 12 },
  },
  {
    id: 'ringbuf_leak',
    asm: `${RESERVE}  r0 = 0\n  exit\n`,
    kernel: { verdict: 'rejected', errno: 22, message: 'Unreleased reference id=1 alloc_insn=6', processed: 8 },
  },
  {
    id: 'ringbuf_data_slice',
    asm: `${RESERVE}
  r1 = r10
  r1 += -24
  r2 = 0
  r3 = 8
  call bpf_dynptr_data
  if r0 == 0 goto sub
  r1 = 7
  *(u64 *)(r0 + 0) = r1
sub:${SUBMIT}  r0 = 0\n  exit\n`,
    kernel: { verdict: 'accepted', processed: 26 },
  },
  {
    id: 'ringbuf_slice_after_submit',
    asm: `${RESERVE}
  r1 = r10
  r1 += -24
  r2 = 0
  r3 = 8
  call bpf_dynptr_data
  r6 = r0
${SUBMIT}
  if r6 == 0 goto out
  r1 = 7
  *(u64 *)(r6 + 0) = r1
${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, message: "R6 invalid mem access 'scalar'", processed: 19 },
  },
  {
    id: 'local_data_slice',
    asm: `${VALUE}${FROM_MEM}
  r1 = r10
  r1 += -24
  r2 = 0
  r3 = 16
  call bpf_dynptr_data
  if r0 == 0 goto out
  r0 = *(u64 *)(r0 + 8)
${OUT}`,
    kernel: { verdict: 'accepted', processed: 26 },
  },
  {
    id: 'uninit_passed_as_init',
    asm: `
  r1 = r10
  r1 += -40
  r2 = 8
  r3 = r10
  r3 += -24
  r4 = 0
  r5 = 0
  call bpf_dynptr_read
  r0 = 0
  exit
`,
    kernel: { verdict: 'rejected', errno: 22, message: 'Expected an initialized dynptr as arg #3', processed: 8 },
  },
  {
    id: 'init_passed_as_uninit',
    asm: `${VALUE}${FROM_MEM}${FROM_MEM}${OUT}`,
    kernel: { verdict: 'rejected', errno: 22, message: 'Dynptr has to be an uninitialized dynptr', processed: 20 },
  },
  {
    id: 'ringbuf_over_local',
    asm: `${VALUE}${FROM_MEM}${RESERVE}${OUT}`,
    kernel: { verdict: 'rejected', errno: 22, message: 'Dynptr has to be an uninitialized dynptr', processed: 20 },
  },
  {
    id: 'local_submitted',
    asm: `${VALUE}${FROM_MEM}${SUBMIT}${OUT}`,
    kernel: { verdict: 'rejected', errno: 22, message: 'arg 1 is an unacquired reference', processed: 18 },
  },
  {
    id: 'submit_uninit',
    asm: `  *(u64 *)(r10 - 24) = r1\n  *(u64 *)(r10 - 16) = r1\n${SUBMIT}  r0 = 0\n  exit\n`,
    kernel: { verdict: 'rejected', errno: 22, message: 'arg 1 is an unacquired reference', processed: 6 },
  },
  {
    id: 'dynptr_at_offset',
    asm: `${VALUE}
  r1 = r6
  r2 = 16
  r3 = 0
  r4 = r10
  r4 += -20
  call bpf_dynptr_from_mem
${OUT}`,
    kernel: { verdict: 'rejected', errno: 22, message: 'cannot pass in dynptr at an offset', processed: 14 },
  },
  {
    id: 'from_mem_stack_data',
    asm: `
  r1 = 0
  *(u64 *)(r10 - 8) = r1
  *(u64 *)(r10 - 16) = r1
  r1 = r10
  r1 += -16
  r2 = 16
  r3 = 0
  r4 = r10
  r4 += -40
  call bpf_dynptr_from_mem
  r0 = 0
  exit
`,
    kernel: { verdict: 'rejected', errno: 13, message: 'Unsupported reg type fp for bpf_dynptr_from_mem data', processed: 10 },
  },
  {
    id: 'overwritten_then_read',
    asm: `${VALUE}${FROM_MEM}
  r1 = 0
  *(u64 *)(r10 - 24) = r1
  r1 = r10
  r1 += -40
  r2 = 8
  r3 = r10
  r3 += -24
  r4 = 0
  r5 = 0
  call bpf_dynptr_read
${OUT}`,
    kernel: { verdict: 'rejected', errno: 22, message: 'Expected an initialized dynptr as arg #3', processed: 24 },
  },
  {
    id: 'slot_loaded',
    asm: `${VALUE}${FROM_MEM}
  r0 = *(u64 *)(r10 - 24)
  exit
${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, message: 'invalid read from stack off -24+0 size 8', processed: 15 },
  },
  {
    id: 'ringbuf_overwritten_leaks',
    asm: `${RESERVE}
  r1 = 0
  *(u64 *)(r10 - 16) = r1
  r0 = 0
  exit
`,
    kernel: { verdict: 'rejected', errno: 22, message: 'Unreleased reference id=1 alloc_insn=6', processed: 10 },
  },
  {
    id: 'slots_as_helper_memory',
    asm: `${VALUE}${FROM_MEM}
  r1 = map_fd(0) ll
  r2 = r10
  r2 += -4
  r3 = r10
  r3 += -24
  r4 = 0
  call bpf_map_update_elem
${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, message: 'invalid indirect read from stack R3 off -24+0 size 16', processed: 21 },
  },
  // 6.1 never marks dynptr slots read, so the join point's checkpoint (a dynptr at fp-24) prunes the path
  // that wrote zeros there: accepted.
  {
    id: 'init_on_one_branch',
    asm: `${VALUE}
  call bpf_get_prandom_u32
  if r0 == 0 goto skip
${FROM_MEM}
  goto join
skip:
  r1 = 0
  *(u64 *)(r10 - 24) = r1
  *(u64 *)(r10 - 16) = r1
join:
  r1 = r10
  r1 += -40
  r2 = 8
  r3 = r10
  r3 += -24
  r4 = 0
  r5 = 0
  call bpf_dynptr_read
${OUT}`,
    kernel: { verdict: 'accepted', processed: 33 },
  },
];
