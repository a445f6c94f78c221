/**
 * What a helper or kfunc argument may point at (check_helper_mem_access, check_func_arg_reg_off): shared by
 * the helper call check (check-call), the kfunc check and the BTF function argument check (btf-func).
 */
import type { Env } from './env.js';
import { resolveProg } from '../platform/platform.js';
import { checkMemAccess, checkPacketAccess, checkStackBounds, checkStackRangeInit } from './check-mem.js';
import { checkMapAccess, checkMemRegion, checkPtrOffReg } from './mem-region.js';
import { baseType, F, type Reg, regTypeStr, T } from './reg-state.js';
import { tnumIsConst } from './tnum.js';
import { EACCES, EINVAL } from '../uapi/errno.js';

/** The program types whose verifier ops rewrite context accesses (convert_ctx_access), Linux 6.1. */
const CONVERTS_CTX_ACCESS: ReadonlySet<string> = new Set([
  'SOCKET_FILTER', 'SCHED_CLS', 'SCHED_ACT', 'XDP', 'CGROUP_SKB', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'LWT_SEG6LOCAL',
  'CGROUP_SOCK', 'CGROUP_SOCK_ADDR', 'SOCK_OPS', 'SK_SKB', 'SK_MSG', 'FLOW_DISSECTOR', 'SK_REUSEPORT', 'SK_LOOKUP',
  'PERF_EVENT', 'CGROUP_SYSCTL', 'CGROUP_SOCKOPT',
]);

/** A scalar known to be 0 (register_is_null). */
export function isNullReg(r: Reg): boolean {
  return r.type === T.SCALAR_VALUE && tnumIsConst(r.varOff) && r.varOff.value === 0n;
}

export function checkHelperMemAccess(env: Env, regno: number, size: number, zeroOk: boolean, meta: { readonly rawMode: boolean } | undefined, uninit: boolean): void {
  const reg = env.regs[regno]!;
  switch (baseType(reg.type)) {
    case T.PTR_TO_PACKET: case T.PTR_TO_PACKET_META:
      checkPacketAccess(env, regno, reg.off, size, zeroOk);
      return;
    case T.PTR_TO_MAP_KEY:
      if (meta?.rawMode) env.fail(`R${regno} cannot write into ${regTypeStr(reg.type)}\n`, EACCES);
      checkMemRegion(env, regno, reg.off, size, reg.map!.keySize, false);
      return;
    case T.PTR_TO_MAP_VALUE: {
      const m = reg.map!;
      if (meta?.rawMode && (m.flags & 0x80)) env.fail(`write into map forbidden, value_size=${m.valueSize} off=${reg.off} size=${size}\n`, EACCES);
      if (!meta?.rawMode && (m.flags & 0x100)) env.fail(`read from map forbidden, value_size=${m.valueSize} off=${reg.off} size=${size}\n`, EACCES);
      checkMapAccess(env, regno, reg.off, size, zeroOk, true);
      return;
    }
    case T.PTR_TO_MEM:
      if (reg.type & F.MEM_RDONLY && meta?.rawMode) env.fail(`R${regno} cannot write into ${regTypeStr(reg.type)}\n`, EACCES);
      checkMemRegion(env, regno, reg.off, size, reg.memSize, zeroOk);
      return;
    case T.PTR_TO_BUF:
      return;
    case T.PTR_TO_STACK:
      // check_stack_range_initialized refuses an empty range first, before any bounds check.
      if (size === 0 && !zeroOk) env.fail('invalid zero-sized read\n', EACCES);
      checkStackBounds(env, regno, reg.off, size, true, true); // helpers: bounds checked as writes
      checkStackRangeInit(env, regno, reg.off, size, zeroOk, 'helper', undefined, undefined, uninit);
      return;
    case T.PTR_TO_CTX:
      // A program type without convert_ctx_access (syscall, tracing…) cannot check a context size statically:
      // its last byte is accessed as the helper would.
      if (!CONVERTS_CTX_ACCESS.has(resolveProg(env.prog).type)) {
        if (size === 0) {
          if (zeroOk) return;
          env.fail('', EACCES);
        }
        checkMemAccess(env, regno, size - 1, 1, meta?.rawMode === true, -1, false);
        return;
      }
      if (zeroOk && size === 0 && isNullReg(reg)) return;
      env.fail(`R${regno} type=${regTypeStr(reg.type)} expected=fp\n`, EACCES);
      break;
    default:
      if (zeroOk && size === 0 && isNullReg(reg)) return;
      // check_helper_mem_access names only the stack as what was expected here.
      env.fail(`R${regno} type=${regTypeStr(reg.type)} expected=fp\n`, EACCES);
  }
}

/** check_func_arg_reg_off: which pointer types may carry an offset into a helper or kfunc. */
export function checkFuncArgRegOff(env: Env, reg: Reg, regno: number, argBase: string, release: boolean): void {
  switch (reg.type) {
    case T.PTR_TO_STACK: case T.PTR_TO_PACKET: case T.PTR_TO_PACKET_META: case T.PTR_TO_MAP_KEY: case T.PTR_TO_MAP_VALUE: case T.PTR_TO_MEM: case T.PTR_TO_MEM | F.MEM_RDONLY:
    case T.PTR_TO_MEM | F.MEM_ALLOC: case T.PTR_TO_BUF: case T.PTR_TO_BUF | F.MEM_RDONLY: case T.SCALAR_VALUE:
      if (argBase !== 'ARG_PTR_TO_ALLOC_MEM') return;
      break;
    case T.PTR_TO_BTF_ID:
      if (release && reg.off) env.fail(`R${regno} must have zero offset when passed to release func\n`, EINVAL);
      checkPtrOffReg(env, reg, regno, true);
      return;
    default:
      break;
  }
  checkPtrOffReg(env, reg, regno, false);
}
