/**
 * Frozen read-only maps (bpf_map_is_rdonly): a BPF_F_RDONLY_PROG array whose value the loader froze
 * (libbpf freezes `.rodata` and `.kconfig` after filling them). The verifier reads constants out of it
 * (bpf_map_direct_read: a load becomes a known scalar) and accepts its zero-terminated strings where a
 * helper wants a constant string (ARG_PTR_TO_CONST_STR).
 */
import type { MapDef } from '../platform/platform.js';
import { checkMapAccess } from './mem-region.js';
import type { Env } from './env.js';
import { tnumIsConst } from './tnum.js';
import { EACCES, EINVAL, ENOTSUPP } from '../uapi/errno.js';

const BPF_F_RDONLY_PROG = 0x80;
const BPF_MAP_TYPE_ARRAY = 2;

export function mapIsRdonly(map: MapDef): boolean {
  return (map.flags & BPF_F_RDONLY_PROG) !== 0 && map.frozen !== undefined;
}

/** map->ops->map_direct_value_addr: only arrays have it (one element, an offset inside the value). */
function directValueErrno(map: MapDef, off: number): number {
  if (map.maxEntries !== 1) return ENOTSUPP;
  if (off < 0 || off >= map.valueSize) return EINVAL;
  return 0;
}

export function hasDirectValueAddr(map: MapDef): boolean {
  return map.type === BPF_MAP_TYPE_ARRAY;
}

/** bpf_map_direct_read: `size` bytes at `off` of the frozen value, little-endian; its errors end the load without a message. */
export function mapDirectRead(env: Env, map: MapDef, off: number, size: number): bigint {
  const err = directValueErrno(map, off);
  if (err) env.fail('', err);
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) env.fail('', EINVAL);
  const value = map.frozen!;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(value[off + i] ?? 0);
  return v;
}

/** check_func_arg's ARG_PTR_TO_CONST_STR: a constant address of a zero-terminated string in a frozen read-only map. */
export function checkConstStr(env: Env, regno: number): void {
  const reg = env.regs[regno]!;
  const map = reg.map!;
  if (!mapIsRdonly(map)) env.fail(`R${regno} does not point to a readonly map'\n`, EACCES);
  if (!tnumIsConst(reg.varOff)) env.fail(`R${regno} is not a constant address'\n`, EACCES);
  if (!hasDirectValueAddr(map)) env.fail('no direct value access support for this map type\n', EACCES);
  checkMapAccess(env, regno, reg.off, map.valueSize - reg.off, false, true);
  const off = reg.off + Number(reg.varOff.value);
  const err = directValueErrno(map, off);
  if (err) env.fail('direct value access on string failed\n', err);
  if (!map.frozen!.subarray(off, map.valueSize).includes(0)) env.fail('string is not zero-terminated\n', EINVAL);
}
