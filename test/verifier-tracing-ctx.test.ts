/**
 * btf_ctx_access for TRACING programs: context slots typed by the attach target's prototype.
 * Kernel truth (Linux 6.1 through ../shared/oracle, raw tracing programs with attach_btf):
 *   t7_read, t7_fexit_ret, t7_walk, dpath_w accepted; t7_arg2 "func 'bpf_fentry_test7' doesn't have 2-th
 *   argument" then "invalid bpf_context access off=8 size=8"; t7_beyond "access beyond struct bpf_fentry_test_t
 *   at off 8 size 8"; t7_write "only read is supported"; t4_void (a void * argument) "R2 invalid mem access 'scalar'".
 *   LSM (lsm_mac, bpf_lsm_bpf): lsm_attr, lsm_ret accepted; lsm_past "func 'bpf_lsm_bpf' doesn't have 5-th argument"
 *   then "invalid bpf_context access off=32 size=8"; lsm_cmd "R2 invalid mem access 'scalar'".
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { verify } from '../src/verifier/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';

const caps = new Set(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'] as const);
const check = (attach: string, fn: string, src: string) =>
  verify(assemble(src), { prog: { type: 'TRACING', expectedAttachType: attach, attachTo: fn }, platform: kernelPlatform(), caps, logLevel: 1 });

describe('TRACING context: the attach target\'s arguments', () => {
  const cases: [string, string, string, string, string][] = [
    ['a struct pointer argument is PTR_TO_BTF_ID', 'TRACE_FENTRY', 'bpf_fentry_test7', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit', ''],
    ['past the last argument', 'TRACE_FENTRY', 'bpf_fentry_test7', 'r2 = *(u64 *)(r1 + 8)\nr0 = 0\nexit', 'invalid bpf_context access off=8 size=8'],
    ['fexit: the slot past the arguments is the return value', 'TRACE_FEXIT', 'bpf_fentry_test7', 'r0 = *(u64 *)(r1 + 8)\nr0 = 0\nexit', ''],
    ['reads stay inside the struct', 'TRACE_FENTRY', 'bpf_fentry_test7', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r2 + 8)\nr0 = 0\nexit',
      'access beyond struct bpf_fentry_test_t at off 8 size 8'],
    ['kernel memory is read-only', 'TRACE_FENTRY', 'bpf_fentry_test7', 'r2 = *(u64 *)(r1 + 0)\nr3 = 1\n*(u64 *)(r2 + 0) = r3\nr0 = 0\nexit',
      'only read is supported'],
    ['pointer members walk on', 'TRACE_FENTRY', 'bpf_fentry_test7', 'r2 = *(u64 *)(r1 + 0)\nr2 = *(u64 *)(r2 + 0)\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit', ''],
    ['a void * argument is a scalar', 'TRACE_FENTRY', 'bpf_fentry_test4', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u64 *)(r2 + 0)\nr0 = 0\nexit',
      "R2 invalid mem access 'scalar'"],
    ['a narrow load of a pointer argument is still the pointer (bpf_d_path from dentry_open)', 'TRACE_FENTRY', 'dentry_open',
      'r1 = *(u32 *)(r1 + 0)\nr2 = r10\nr2 += -8\nr6 = 0\n*(u64 *)(r2 + 0) = r6\nr3 = 8\ncall 147\nr0 = 0\nexit', ''],
  ];
  for (const [name, attach, fn, src, msg] of cases) {
    it(name, () => {
      const r = check(attach, fn, src);
      expect(r.verdict).toBe(msg === '' ? 'accepted' : 'rejected');
      expect(r.message).toBe(msg);
    });
  }

  const lsm: [string, string, string][] = [
    ['LSM: a union pointer argument', 'r2 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit', ''],
    ['LSM: the slot past the arguments is the hook\'s return value', 'r0 = *(u64 *)(r1 + 24)\nr0 = 0\nexit', ''],
    ['LSM: past the return value', 'r0 = *(u64 *)(r1 + 32)\nr0 = 0\nexit', 'invalid bpf_context access off=32 size=8'],
    ['LSM: an int argument is a scalar', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit', "R2 invalid mem access 'scalar'"],
  ];
  for (const [name, src, msg] of lsm) {
    it(name, () => {
      const r = verify(assemble(src), { prog: { type: 'LSM', expectedAttachType: 'LSM_MAC', attachTo: 'bpf' }, platform: kernelPlatform(), caps, logLevel: 1 });
      expect(r.message).toBe(msg);
    });
  }

  it('an iterator\'s context: meta (its seq_file) and a task that may be NULL', () => {
    const src = 'r6 = *(u64 *)(r1 + 0)\nr6 = *(u64 *)(r6 + 0)\nr7 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r7 + 0)\nr0 = 0\nexit';
    expect(check('TRACE_ITER', 'task', src).message).toBe("R7 invalid mem access 'ptr_or_null_'");
  });
});
