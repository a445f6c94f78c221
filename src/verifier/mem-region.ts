/**
 * The region checks every memory access ends in (check_mem_region_access, check_map_access,
 * __check_ptr_off_reg): shared by the load/store checks (check-mem), the helper argument checks, the
 * speculative-path sanitation and the direct map value reads, so none of them imports another for it.
 */
import { planted } from './plant.js';
import type { Env } from './env.js';
import { type Reg, regTypeStr, T } from './reg-state.js';
import { tnumIsConst, tnumStr } from './tnum.js';
import { EACCES } from '../uapi/errno.js';

const BPF_MAX_VAR_OFF = 1 << 29;

export function memErr(env: Env, regno: number, off: number, size: number, memSize: number, zeroOk: boolean): boolean {
  const sizeOk = size > 0 || (size === 0 && zeroOk);
  const reg = env.regs[regno]!;
  const slack = planted === 'map-value-off-by-one' && reg.type === T.PTR_TO_MAP_VALUE ? 1 : 0;
  if (off >= 0 && sizeOk && off + size <= memSize + slack) return true;
  switch (reg.type) {
    case T.PTR_TO_MAP_KEY:
      env.verbose(`invalid access to map key, key_size=${memSize} off=${off} size=${size}\n`);
      break;
    case T.PTR_TO_MAP_VALUE:
      env.verbose(`invalid access to map value, value_size=${memSize} off=${off} size=${size}\n`);
      break;
    case T.PTR_TO_PACKET: case T.PTR_TO_PACKET_META: case T.PTR_TO_PACKET_END:
      env.verbose(`invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${memSize})\n`);
      break;
    default:
      env.verbose(`invalid access to memory, mem_size=${memSize} off=${off} size=${size}\n`);
  }
  return false;
}

/**
 * check_mem_region_access. A failure is logged; it throws unless `soft` is set, when it returns false instead
 * (the caller adds its own verdict line, as sanitize_check_bounds does).
 */
export function checkMemRegion(env: Env, regno: number, off: number, size: number, memSize: number, zeroOk: boolean, soft = false): boolean {
  const reg = env.regs[regno]!;
  const sminOff = reg.smin + BigInt(off);
  const bad = (msg: string): false => {
    if (soft) { env.verbose(msg); return false; }
    env.fail(msg, EACCES);
  };
  if (reg.smin < 0n && (reg.smin < -(1n << 62n) || sminOff !== BigInt((Number(sminOff) | 0)) || sminOff < 0n)) {
    return bad(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.\n`);
  }
  if (!memErr(env, regno, Number(sminOff), size, memSize, zeroOk)) {
    return bad(`R${regno} min value is outside of the allowed memory range\n`);
  }
  if (reg.umax >= BigInt(BPF_MAX_VAR_OFF)) {
    return bad(`R${regno} unbounded memory access, make sure to bounds check any such access\n`);
  }
  if (!memErr(env, regno, Number(reg.umax) + off, size, memSize, zeroOk)) {
    return bad(`R${regno} max value is outside of the allowed memory range\n`);
  }
  return true;
}

/** check_map_access; with `soft` a failure is logged and returns false instead of throwing. */
export function checkMapAccess(env: Env, regno: number, off: number, size: number, zeroOk: boolean, helper: boolean, soft = false): boolean {
  const reg = env.regs[regno]!;
  const map = reg.map!;
  const bad = (msg: string): false => {
    if (soft) { env.verbose(msg); return false; }
    env.fail(msg, EACCES);
  };
  if (!checkMemRegion(env, regno, off, size, map.valueSize, zeroOk, soft)) return false;
  const lo = reg.smin + BigInt(off);
  const hi = reg.umax + BigInt(off + size);
  if (map.spinLockOff >= 0 && lo < BigInt(map.spinLockOff + 4) && BigInt(map.spinLockOff) < hi) {
    return bad('bpf_spin_lock cannot be accessed directly by load/store\n');
  }
  if (map.timerOff >= 0 && lo < BigInt(map.timerOff + 16) && BigInt(map.timerOff) < hi) {
    return bad('bpf_timer cannot be accessed directly by load/store\n');
  }
  for (const k of map.kptrs ?? []) {
    const p = k.off;
    if (lo < BigInt(p + 8) && BigInt(p) < hi) {
      if (helper) return bad('kptr cannot be accessed indirectly by helper\n');
      if (!tnumIsConst(reg.varOff)) return bad('kptr access cannot have variable offset\n');
      if (p !== off + Number(reg.varOff.value)) return bad(`kptr access misaligned expected=${p} off=${off + Number(reg.varOff.value)}\n`);
      if (size !== 8) return bad('kptr access size must be BPF_DW\n');
    }
  }
  return true;
}

/** __check_ptr_off_reg */
export function checkPtrOffReg(env: Env, reg: Reg, regno: number, fixedOffOk: boolean): void {
  if (reg.off < 0) env.fail(`negative offset ${regTypeStr(reg.type)} ptr R${regno} off=${reg.off} disallowed\n`, EACCES);
  if (!fixedOffOk && reg.off) env.fail(`dereference of modified ${regTypeStr(reg.type)} ptr R${regno} off=${reg.off} disallowed\n`, EACCES);
  if (!tnumIsConst(reg.varOff) || reg.varOff.value) {
    env.fail(`variable ${regTypeStr(reg.type)} access var_off=${tnumStr(reg.varOff)} disallowed\n`, EACCES);
  }
}

/** grow_stack_state: room for `size` bytes, and the subprogram's known stack depth (its max) raised to it. */
