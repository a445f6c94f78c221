/**
 * Unprivileged loads for the Linux 6.1 oracle (../shared/oracle): small assembler programs, each aimed
 * at one rule 6.1 applies to loaders without CAP_PERFMON / CAP_SYS_ADMIN — Spectre v1 sanitation of pointer
 * arithmetic, the speculative paths it explores, pointer bounds after arithmetic, pointer leaks and
 * comparisons, tail-call map poisoning. Most are loaded with no capability at all (`caps=none`, as
 * test_verifier's unprivileged mode); a few with CAP_BPF only (`bpf`: bpf_capable but still sanitised) or
 * all of them (`bpf` is CAP_BPF + CAP_NET_ADMIN: bpf_capable, yet still sanitised). The programs are
 * socket filters, a few cgroup_skb ones (the other type unprivileged loaders may use; it reads packets). test/verifier-unpriv.test.ts holds bpfvm's verifier to the kernel's answers, recorded below
 * as `kernel` from results.jsonl (Debian's 6.1.0-57-amd64, log level 1).
 *
 *   npx vite-node test/oracle/unpriv/gen-manifest.ts     # writes manifest (the long programs as raw files)
 *   sh test/oracle/unpriv/run.sh                         # writes the batch, runs it, writes results.jsonl
 */

export type CapsMode = 'none' | 'bpf' | 'all';

export interface KernelAnswer {
  verdict: 'accepted' | 'rejected';
  errno?: number;
  /** The log lines after the last instruction the kernel printed (the last one is the verdict line). */
  msgs?: string[];
  /** `processed N insns` of the kernel's log. */
  processed: number;
}

export interface UnprivCase {
  id: string;
  caps: CapsMode;
  /** Program type (default socket_filter). */
  type?: 'cgroup_skb';
  /** Verifier log level (default 1); with 2 every explored state is printed and the whole log is compared. */
  log?: 2;
  /** The oracle's `maps=` specs; map i is `map_fd(i)` in the program. */
  maps?: string[];
  asm: string;
  kernel: KernelAnswer;
}

/** An array map of one 48-byte value (key 4). */
const ARRAY48 = 'array:4:48:1';

/** Looks up element 0 of map 0 into r0; NULL goes to `out`. */
const LOOKUP = `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r2 = r10
  r2 += -4
  r1 = map_fd(0) ll
  call bpf_map_lookup_elem
  if r0 == 0 goto out
`;
const OUT = `
out:
  r0 = 0
  exit
`;

/** cgroup_skb: r2 = data, r3 = data_end, and 8 bytes checked (else return 0). */
const PKT = `
  r2 = *(u32 *)(r1 + 76)
  r3 = *(u32 *)(r1 + 80)
  r4 = r2
  r4 += 8
  if r4 > r3 goto out
`;

/** `n` jumps on an unknown byte, each of which queues its other side. */
function jumps(n: number): string {
  return Array.from({ length: n }, () => '  if r2 == 100 goto +0').join('\n');
}

export const CASES: UnprivCase[] = [
  // --- sanitize_ptr_alu: what the first look refuses ---
  {
    id: 'mixed_signed_bounds', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 -= 10\n  r0 += r1\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 10, msgs: ['R1 has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root'] },
  },
  {
    // scalar += pointer: the offset is a copy of dst, so the kernel names the pointer's register
    id: 'mixed_signed_bounds_scalar_dst', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 -= 10\n  r1 += r0\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 10, msgs: ['R0 has unknown scalar with mixed signed bounds, pointer arithmetic with it prohibited for !root'] },
  },
  {
    id: 'mixed_signed_bounds_priv', caps: 'all', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 -= 10\n  r0 += r1\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 13 },
  },
  {
    id: 'unsupported_ctx', caps: 'none',
    asm: '  r2 = *(u32 *)(r1 + 0)\n  r2 &= 7\n  r1 += r2\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['R1 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root'] },
  },
  {
    id: 'unsupported_ctx_scalar_dst', caps: 'none',
    asm: '  r2 = *(u32 *)(r1 + 0)\n  r2 &= 7\n  r2 += r1\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['R2 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root'] },
  },
  {
    // an immediate is never masked: ctx += K passes sanitation
    id: 'ctx_add_imm', caps: 'none',
    asm: '  r1 += 8\n  r0 = 0\n  exit',
    kernel: { verdict: 'accepted', processed: 3 },
  },
  {
    id: 'unsupported_ctx_bpf', caps: 'bpf',
    asm: '  r2 = *(u32 *)(r1 + 0)\n  r2 &= 7\n  r1 += r2\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['R1 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root'] },
  },
  // --- update_alu_sanitation_state: one instruction, one mask ---
  {
    id: 'paths_const_offsets', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r2 = *(u8 *)(r0 + 0)\n  r1 = 3\n  if r2 == 1 goto add\n  r1 = 5\nadd:\n  r0 += r1\n  r0 = *(u8 *)(r0 + 0)\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 16, msgs: ['R0 tried to add from different maps, paths or scalars, pointer arithmetic with it prohibited for !root'] },
  },
  {
    id: 'paths_const_offsets_priv', caps: 'all', maps: [ARRAY48],
    asm: `${LOOKUP}  r2 = *(u8 *)(r0 + 0)\n  r1 = 3\n  if r2 == 1 goto add\n  r1 = 5\nadd:\n  r0 += r1\n  r0 = *(u8 *)(r0 + 0)\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 20 },
  },
  {
    id: 'paths_pointer_and_scalar', caps: 'none', log: 2, maps: [ARRAY48],
    asm: `${LOOKUP}  r2 = *(u8 *)(r0 + 0)\n  r1 = r0\n  if r2 == 1 goto add\n  r1 = 7\nadd:\n  r3 = 1\n  r1 += r3\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 17, msgs: ['R1 tried to add from different maps, paths or scalars, pointer arithmetic with it prohibited for !root'] },
  },
  {
    // the second range would be pruned as within the first, but masking limits are explored exactly
    id: 'paths_unknown_ranges', caps: 'none', log: 2, maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r2 = *(u8 *)(r0 + 1)\n  if r2 == 1 goto small\n  r1 &= 7\n  goto add\nsmall:\n  r1 &= 3\nadd:\n  r0 += r1\n  r0 = *(u8 *)(r0 + 0)\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 21, msgs: ['R0 tried to add from different maps, paths or scalars, pointer arithmetic with it prohibited for !root'] },
  },
  {
    id: 'paths_same_range', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r2 = *(u8 *)(r0 + 1)\n  if r2 == 1 goto small\n  r1 &= 7\n  goto add\nsmall:\n  r1 &= 7\nadd:\n  r0 += r1\n  r0 = *(u8 *)(r0 + 0)\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 28 },
  },
  // --- sanitize_check_bounds ---
  {
    id: 'stack_variable_offset', caps: 'none',
    asm: '  r2 = *(u32 *)(r1 + 0)\n  r2 &= 7\n  r1 = r10\n  r1 += -16\n  r1 += r2\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 5, msgs: ['R1 variable stack access prohibited for !root, var_off=(0x0; 0x7) off=-16'] },
  },
  {
    id: 'stack_above_frame', caps: 'none',
    asm: '  r1 = r10\n  r1 += 8\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R1 stack pointer arithmetic goes out of range, prohibited for !root; off=8'] },
  },
  {
    id: 'stack_frame_pointer_plus_0', caps: 'none',
    asm: '  r1 = r10\n  r1 += 0\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R1 stack pointer arithmetic goes out of range, prohibited for !root; off=0'] },
  },
  {
    id: 'stack_below_frame', caps: 'none',
    asm: '  r1 = r10\n  r1 += -520\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R1 stack pointer arithmetic goes out of range, prohibited for !root; off=-520'] },
  },
  {
    id: 'stack_below_frame_priv', caps: 'all',
    asm: '  r1 = r10\n  r1 += -520\n  r0 = 0\n  exit',
    kernel: { verdict: 'accepted', processed: 4 },
  },
  {
    id: 'map_value_past_end', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r0 += 48\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8, msgs: ['invalid access to map value, value_size=48 off=48 size=1', 'R0 min value is outside of the allowed memory range', 'R0 pointer arithmetic of map value goes out of range, prohibited for !root'] },
  },
  {
    id: 'map_value_before_start', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r0 += -1\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8, msgs: ['invalid access to map value, value_size=48 off=-1 size=1', 'R0 min value is outside of the allowed memory range', 'R0 pointer arithmetic of map value goes out of range, prohibited for !root'] },
  },
  {
    id: 'map_value_unbounded_max', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r0 += r1\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 9, msgs: ['invalid access to map value, value_size=48 off=255 size=1', 'R0 max value is outside of the allowed memory range', 'R0 pointer arithmetic of map value goes out of range, prohibited for !root'] },
  },
  {
    id: 'map_value_in_bounds', caps: 'none', log: 2, maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 &= 15\n  r0 += r1\n  r0 = *(u8 *)(r0 + 0)\n  exit\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 16 },
  },
  // --- the masked outcome is explored: the pointer unmoved ---
  {
    id: 'masked_pointer_unmoved', caps: 'none', log: 2, maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 &= 7\n  r1 += 1\n  r0 += r1\n  r0 = *(u8 *)(r0 - 1)\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 14, msgs: ['invalid access to map value, value_size=48 off=-1 size=1', 'R0 min value is outside of the allowed memory range'] },
  },
  {
    id: 'masked_pointer_unmoved_priv', caps: 'all', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 &= 7\n  r1 += 1\n  r0 += r1\n  r0 = *(u8 *)(r0 - 1)\n  exit\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 15 },
  },
  {
    id: 'masked_pointer_unmoved_scalar_dst', caps: 'none', log: 2, maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 &= 7\n  r1 += 1\n  r1 += r0\n  r0 = *(u8 *)(r1 - 1)\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 14, msgs: ['invalid access to map value, value_size=48 off=-1 size=1', 'R1 min value is outside of the allowed memory range'] },
  },
  {
    id: 'masked_pointer_unmoved_bpf', caps: 'bpf', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = *(u8 *)(r0 + 0)\n  r1 &= 7\n  r1 += 1\n  r0 += r1\n  r0 = *(u8 *)(r0 - 1)\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 14, msgs: ['invalid access to map value, value_size=48 off=-1 size=1', 'R0 min value is outside of the allowed memory range'] },
  },
  // --- sanitize_speculative_path at branches with a known outcome ---
  {
    id: 'speculative_not_taken', caps: 'none', log: 2,
    asm: '  r1 = 0\n  if r1 != 0 goto bad\n  r0 = 0\n  exit\nbad:\n  r0 = r10\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 6, msgs: ['R0 leaks addr as return value'] },
  },
  {
    id: 'speculative_fallthrough', caps: 'none', log: 2,
    asm: '  r1 = 0\n  if r1 == 0 goto ok\n  r0 = *(u64 *)(r10 - 8)\n  exit\nok:\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 5, msgs: ['invalid read from stack R10 off=-8 size=8'] },
  },
  {
    id: 'speculative_not_taken_priv', caps: 'all',
    asm: '  r1 = 0\n  if r1 != 0 goto bad\n  r0 = 0\n  exit\nbad:\n  r0 = r10\n  exit',
    kernel: { verdict: 'accepted', processed: 4 },
  },
  {
    // the jump's operands are unknown on the speculative side
    id: 'speculative_operands_unknown', caps: 'none', log: 2, maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = 0\n  if r1 != 0 goto bad\n  r0 = *(u8 *)(r0 + 0)\n  exit\nbad:\n  r0 += r1\n  r0 = *(u8 *)(r0 + 0)\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 22, processed: 12, msgs: ['math between map_value pointer and register with unbounded min value is not allowed'] },
  },
  // --- pointer comparisons, leaks, partial pointers ---
  {
    id: 'compare_pointer_dst', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = 5\n  if r0 > r1 goto out\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 9, msgs: ['R0 pointer comparison prohibited'] },
  },
  {
    id: 'compare_pointer_src', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = 5\n  if r1 > r0 goto out\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 9, msgs: ['R0 pointer comparison prohibited'] },
  },
  {
    id: 'compare_pointer_imm', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  if r0 > 5 goto out\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8, msgs: ['R0 pointer comparison prohibited'] },
  },
  {
    id: 'compare_pointer_imm_priv', caps: 'all', maps: [ARRAY48],
    asm: `${LOOKUP}  if r0 > 5 goto out\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 14 },
  },
  {
    id: 'leak_return', caps: 'none',
    asm: '  r0 = r10\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R0 leaks addr as return value'] },
  },
  {
    id: 'leak_into_map', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  *(u64 *)(r0 + 0) = r10\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8, msgs: ['R10 leaks addr into map'] },
  },
  {
    id: 'leak_atomic_operand', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  lock *(u64 *)(r0 + 0) += r10\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8, msgs: ['R10 leaks addr into mem'] },
  },
  {
    id: 'leak_atomic_fetch_spilled', caps: 'none',
    asm: '  *(u64 *)(r10 - 8) = r1\n  r2 = 0\n  r2 = atomic64_fetch_add((u64 *)(r10 - 8), r2)\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['leaking pointer from stack off -8'] },
  },
  {
    id: 'leak_atomic_xchg_spilled', caps: 'none',
    asm: '  *(u64 *)(r10 - 8) = r1\n  r2 = 0\n  r2 = xchg_64(r10 - 8, r2)\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['leaking pointer from stack off -8'] },
  },
  {
    id: 'leak_helper_reads_spilled', caps: 'none', maps: [ARRAY48],
    asm: '  *(u64 *)(r10 - 8) = r1\n  r2 = r10\n  r2 += -8\n  r1 = map_fd(0) ll\n  call bpf_map_lookup_elem\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 5, msgs: ['invalid indirect read from stack R2 off -8+0 size 4'] },
  },
  {
    id: 'pointer_minus_pointer', caps: 'none',
    asm: '  r0 = r10\n  r0 -= r1\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R0 pointer -= pointer prohibited'] },
  },
  {
    id: 'pointer_minus_pointer_priv', caps: 'all',
    asm: '  r0 = r10\n  r0 -= r1\n  exit',
    kernel: { verdict: 'accepted', processed: 3 },
  },
  {
    id: 'corrupt_spilled_pointer', caps: 'none',
    asm: '  *(u64 *)(r10 - 8) = r1\n  *(u32 *)(r10 - 8) = 0\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['attempt to corrupt spilled pointer on stack'] },
  },
  {
    id: 'pointer_32bit_add', caps: 'none',
    asm: '  r1 = r10\n  w1 += 1\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R1 32-bit pointer arithmetic prohibited'] },
  },
  {
    id: 'scalar_minus_pointer', caps: 'none', maps: [ARRAY48],
    asm: `${LOOKUP}  r1 = 4\n  r1 -= r0\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 9, msgs: ['R1 tried to subtract pointer from scalar'] },
  },
  {
    id: 'stack_pointer_minus_reg', caps: 'none',
    asm: '  r1 = r10\n  r2 = 8\n  r1 -= r2\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['R1 subtraction from stack pointer prohibited'] },
  },
  {
    id: 'uninit_stack_read', caps: 'none',
    asm: '  r0 = *(u64 *)(r10 - 8)\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 1, msgs: ['invalid read from stack R10 off=-8 size=8'] },
  },
  // --- record_func_map: one tail-call map per instruction ---
  {
    id: 'tail_call_two_maps', caps: 'none', log: 2, maps: ['prog_array:4:4:4', 'prog_array:4:4:4'],
    asm: '  r6 = *(u32 *)(r1 + 0)\n  if r6 != 0 goto second\n  r2 = map_fd(0) ll\n  goto call\nsecond:\n  r2 = map_fd(1) ll\ncall:\n  r3 = 0\n  call bpf_tail_call\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 22, processed: 13, msgs: ['tail_call abusing map_ptr'] },
  },
  {
    id: 'tail_call_two_maps_priv', caps: 'all', maps: ['prog_array:4:4:4', 'prog_array:4:4:4'],
    asm: '  r6 = *(u32 *)(r1 + 0)\n  if r6 != 0 goto second\n  r2 = map_fd(0) ll\n  goto call\nsecond:\n  r2 = map_fd(1) ll\ncall:\n  r3 = 0\n  call bpf_tail_call\n  r0 = 0\n  exit',
    kernel: { verdict: 'accepted', processed: 13 },
  },
  {
    id: 'tail_call_one_map', caps: 'none', maps: ['prog_array:4:4:4'],
    asm: '  r6 = *(u32 *)(r1 + 0)\n  if r6 != 0 goto second\n  r2 = map_fd(0) ll\n  goto call\nsecond:\n  r2 = map_fd(0) ll\ncall:\n  r3 = 0\n  call bpf_tail_call\n  r0 = 0\n  exit',
    kernel: { verdict: 'accepted', processed: 13 },
  },
  {
    id: 'update_rdonly_prog_map', caps: 'all', maps: ['array:4:8:1:128'],
    asm: '  r1 = 0\n  *(u32 *)(r10 - 4) = r1\n  *(u64 *)(r10 - 16) = r1\n  r2 = r10\n  r2 += -4\n  r3 = r10\n  r3 += -16\n  r4 = 0\n  r1 = map_fd(0) ll\n  call bpf_map_update_elem\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 10, msgs: ['write into map forbidden'] },
  },
  // --- CAP_BPF without CAP_PERFMON: loops, calls and packets, still sanitised ---
  {
    id: 'bpf_loop_const_step', caps: 'bpf', maps: [ARRAY48],
    asm: `${LOOKUP}  r6 = 0\nloop:\n  r1 = 1\n  r0 += r1\n  r6 += 1\n  if r6 < 4 goto loop\n  r0 = *(u8 *)(r0 + 0)\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 286, msgs: ['invalid access to map value, value_size=48 off=48 size=1', 'R0 min value is outside of the allowed memory range', 'R0 pointer arithmetic of map value goes out of range, prohibited for !root'] },
  },
  {
    id: 'bpf_loop_unknown_step', caps: 'bpf', maps: [ARRAY48],
    asm: `${LOOKUP}  r6 = 0\nloop:\n  r1 = *(u8 *)(r0 + 0)\n  r1 &= 1\n  r0 += r1\n  r6 += 1\n  if r6 < 4 goto loop\n  r0 = *(u8 *)(r0 + 0)\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 334, msgs: ['invalid access to map value, value_size=48 off=48 size=1', 'R0 max value is outside of the allowed memory range', 'R0 pointer arithmetic of map value goes out of range, prohibited for !root'] },
  },
  {
    id: 'bpf_loop_unknown_step_priv', caps: 'all', maps: [ARRAY48],
    asm: `${LOOKUP}  r6 = 0\nloop:\n  r1 = *(u8 *)(r0 + 0)\n  r1 &= 1\n  r0 += r1\n  r6 += 1\n  if r6 < 4 goto loop\n  r0 = *(u8 *)(r0 + 0)\n  exit\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 32 },
  },
  {
    // the callee moves a pointer into its caller's frame
    id: 'bpf_call_caller_stack', caps: 'bpf',
    asm: '  r2 = 0\n  *(u64 *)(r10 - 8) = r2\n  r1 = r10\n  r1 += -8\n  call sub\n  r0 = 0\n  exit\nsub:\n  r2 = 4\n  r1 += r2\n  r0 = *(u32 *)(r1 + 0)\n  r0 = 0\n  exit',
    kernel: { verdict: 'accepted', processed: 12 },
  },
  {
    id: 'bpf_call_caller_stack_above', caps: 'bpf',
    asm: '  r2 = 0\n  *(u64 *)(r10 - 8) = r2\n  r1 = r10\n  r1 += -8\n  call sub\n  r0 = 0\n  exit\nsub:\n  r2 = 8\n  r1 += r2\n  r0 = 0\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 7, msgs: ['R1 stack pointer arithmetic goes out of range, prohibited for !root; off=0'] },
  },
  {
    id: 'bpf_uninit_stack_read', caps: 'bpf',
    asm: '  r0 = *(u64 *)(r10 - 8)\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 1, msgs: ['invalid read from stack R10 off=-8 size=8'] },
  },
  {
    id: 'bpf_leak_return', caps: 'bpf',
    asm: '  r0 = r1\n  exit',
    kernel: { verdict: 'rejected', errno: 13, processed: 2, msgs: ['R0 leaks addr as return value'] },
  },
  // --- packets (cgroup_skb): only bpf_capable loaders get packet pointers; those are never masked ---
  {
    id: 'packet_data_unpriv', caps: 'none', type: 'cgroup_skb',
    asm: `${PKT}  r0 = 1\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 1, msgs: ['invalid bpf_context access off=76 size=4'] },
  },
  {
    id: 'packet_add_reg', caps: 'bpf', type: 'cgroup_skb',
    asm: `${PKT}  r4 = *(u8 *)(r2 + 0)\n  r4 &= 7\n  r2 += r4\n  r0 = 1\n  exit\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8, msgs: ['R2 has pointer with unsupported alu operation, pointer arithmetic with it prohibited for !root'] },
  },
  {
    id: 'packet_add_reg_priv', caps: 'all', type: 'cgroup_skb',
    asm: `${PKT}  r4 = *(u8 *)(r2 + 0)\n  r4 &= 7\n  r2 += r4\n  r0 = 1\n  exit\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 12 },
  },
  {
    id: 'packet_add_imm', caps: 'bpf', type: 'cgroup_skb',
    asm: `${PKT}  r2 += 4\n  r4 = r2\n  r4 += 4\n  if r4 > r3 goto drop\n  r0 = *(u32 *)(r2 + 0)\n  r0 = 1\n  exit\ndrop:\n  r0 = 0\n  exit\n${OUT}`,
    kernel: { verdict: 'accepted', processed: 16 },
  },
  {
    id: 'packet_compare_scalar', caps: 'bpf', type: 'cgroup_skb',
    asm: `  r2 = *(u32 *)(r1 + 76)\n  r3 = 0\n  if r2 > r3 goto out\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 3, msgs: ['R2 pointer comparison prohibited'] },
  },
  // --- the queue of paths is full when the masked outcome is pushed ---
  {
    id: 'speculative_push_fails', caps: 'bpf', maps: [ARRAY48],
    asm: `${LOOKUP}  r2 = *(u8 *)(r0 + 0)\n  r1 = *(u8 *)(r0 + 1)\n${jumps(8191)}\n  r0 += r1\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 13, processed: 8201, msgs: ['The sequence of 8193 jumps is too complex.', 'R0 could not be pushed for speculative verification, pointer arithmetic with it prohibited for !root'] },
  },
  {
    id: 'jump_sequence_too_complex', caps: 'all', maps: [ARRAY48],
    asm: `${LOOKUP}  r2 = *(u8 *)(r0 + 0)\n${jumps(8193)}\n${OUT}`,
    kernel: { verdict: 'rejected', errno: 14, processed: 8200, msgs: ['The sequence of 8193 jumps is too complex.'] },
  },
];
