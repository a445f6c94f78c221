/**
 * Linux 6.1 net/bpf/test_run.c: the bpf_kfunc_call_test_* kfuncs with their exact flags (BTF_SET8
 * test_sk_check_kfunc_ids), registered for sched_cls, tracing and syscall programs. They act on the
 * static `prog_test_struct` (a = 42, b = 108, next = itself, count 1), as the kernel's do. One change of
 * bookkeeping: acq_rdonly_mem takes a count and int_mem_release puts it, so every simulated reference
 * owns one count (the kernel's versions do nothing; its verifier refuses programs that call them).
 */
import type { KfuncCall } from '../types.js';
import { idFlags } from '../types.js';
import { defineKfunc as k, kfuncSet } from '../define.js';

const nothing = (): void => undefined;

/** __bpf_kfunc_call_test_get_mem: the object's first `size` bytes, or NULL past 2 ints. */
function getMem(call: KfuncCall, readonly: boolean, take: boolean) {
  const size = Number(call.scalar(1));
  if (size > 8) return null;
  const obj = call.object(0);
  if (take) call.world.heap.get(obj);
  return { memory: obj, size, readonly };
}

export const test1 = k('u64 bpf_kfunc_call_test1(struct sock *sk, u32 a, u64 b, u32 c, u64 d)',
  (c) => c.scalar(1) + c.scalar(2) + c.scalar(3) + c.scalar(4));
export const test2 = k('int bpf_kfunc_call_test2(struct sock *sk, u32 a, u32 b)', (c) => c.scalar(1) + c.scalar(2));
export const test3 = k('struct sock *bpf_kfunc_call_test3(struct sock *sk)', (c) => c.args[0]!.value);
export const testAcquire = k('struct prog_test_ref_kfunc *bpf_kfunc_call_test_acquire(unsigned long *scalar_ptr)', (c) => {
  const p = c.world.progTestStruct;
  c.world.heap.get(p);
  return p;
});
/** WARN_ON_ONCE(1); return NULL. */
export const membAcquire = k('struct prog_test_member *bpf_kfunc_call_memb_acquire(void)', () => null);
export const testRelease = k('void bpf_kfunc_call_test_release(struct prog_test_ref_kfunc *p)', (c) => c.world.heap.put(c.object(0)));
export const membRelease = k('void bpf_kfunc_call_memb_release(struct prog_test_member *p)', nothing);
export const memb1Release = k('void bpf_kfunc_call_memb1_release(struct prog_test_member1 *p)', nothing);
export const getRdwrMem = k('int *bpf_kfunc_call_test_get_rdwr_mem(struct prog_test_ref_kfunc *p, const int rdwr_buf_size)', (c) => getMem(c, false, false));
export const getRdonlyMem = k('int *bpf_kfunc_call_test_get_rdonly_mem(struct prog_test_ref_kfunc *p, const int rdonly_buf_size)', (c) => getMem(c, true, false));
export const acqRdonlyMem = k('int *bpf_kfunc_call_test_acq_rdonly_mem(struct prog_test_ref_kfunc *p, const int rdonly_buf_size)', (c) => getMem(c, true, true));
export const intMemRelease = k('void bpf_kfunc_call_int_mem_release(int *p)', (c) => {
  const at = c.world.heap.windowAt(c.args[0]!.value);
  if (at !== undefined) c.world.heap.put(at.window.object);
});
export const kptrGet = k('struct prog_test_ref_kfunc *bpf_kfunc_call_test_kptr_get(struct prog_test_ref_kfunc **pp, int a, int b)', (c) => {
  const a = c.args[0]!;
  if (a.kind !== 'kptr') throw new Error('kptr_get: argument 0 is not a kptr slot');
  const addr = a.slot.getBigUint64(a.offset, true);
  if (addr === 0n) return null;
  const p = c.world.heap.windowAt(addr)!.window.object;
  c.world.heap.get(p);
  return p;
});
export const passCtx = k('void bpf_kfunc_call_test_pass_ctx(struct __sk_buff *skb)', nothing);
export const pass1 = k('void bpf_kfunc_call_test_pass1(struct prog_test_pass1 *p)', nothing);
export const pass2 = k('void bpf_kfunc_call_test_pass2(struct prog_test_pass2 *p)', nothing);
export const fail1 = k('void bpf_kfunc_call_test_fail1(struct prog_test_fail1 *p)', nothing);
export const fail2 = k('void bpf_kfunc_call_test_fail2(struct prog_test_fail2 *p)', nothing);
export const fail3 = k('void bpf_kfunc_call_test_fail3(struct prog_test_fail3 *p)', nothing);
export const memLenPass1 = k('void bpf_kfunc_call_test_mem_len_pass1(void *mem, int mem__sz)', nothing);
export const memLenFail1 = k('void bpf_kfunc_call_test_mem_len_fail1(void *mem, int len)', nothing);
export const memLenFail2 = k('void bpf_kfunc_call_test_mem_len_fail2(u64 *mem, int len)', nothing);
export const testRef = k('void bpf_kfunc_call_test_ref(struct prog_test_ref_kfunc *p)', nothing);
export const testDestructive = k('void bpf_kfunc_call_test_destructive(void)', (c) => {
  c.world.destructiveCalls.push({ kfunc: c.name, insn: c.ctx.pc });
});

/** BTF_SET8 test_sk_check_kfunc_ids. */
export const TEST_SK_CHECK_KFUNC_IDS = kfuncSet('net/bpf/test_run.c', [
  idFlags(test1), idFlags(test2), idFlags(test3),
  idFlags(testAcquire, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(membAcquire, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(testRelease, 'KF_RELEASE'),
  idFlags(membRelease, 'KF_RELEASE'),
  idFlags(memb1Release, 'KF_RELEASE'),
  idFlags(getRdwrMem, 'KF_RET_NULL'),
  idFlags(getRdonlyMem, 'KF_RET_NULL'),
  idFlags(acqRdonlyMem, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(intMemRelease, 'KF_RELEASE'),
  idFlags(kptrGet, 'KF_ACQUIRE', 'KF_RET_NULL', 'KF_KPTR_GET'),
  idFlags(passCtx), idFlags(pass1), idFlags(pass2), idFlags(fail1), idFlags(fail2), idFlags(fail3),
  idFlags(memLenPass1), idFlags(memLenFail1), idFlags(memLenFail2),
  idFlags(testRef, 'KF_TRUSTED_ARGS'),
  idFlags(testDestructive, 'KF_DESTRUCTIVE'),
]);
