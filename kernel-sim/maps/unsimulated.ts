/**
 * The alloc checks of the 6.1 map types the simulated kernel cannot make yet (their programs still verify
 * against their definitions): map_create refuses their bad attributes as 6.1 does.
 */
import type { AllocCheck } from './check.js';
import { checkArray } from './array.js';
import { ERRNO } from './errno.js';
import { checkRingbuf } from './ringbuf.js';
import { BPF_F, type MapTypeName } from './types.js';
import { unknownFlags } from './check.js';

/** SOCK_CREATE_FLAG_MASK (net/core/sock_map.c). */
const SOCK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;
/** MAX_BPF_STACK: a sockhash key must fit the stack. */
const MAX_BPF_STACK = 512;

/** sock_map_alloc / sock_hash_alloc. */
function checkSock(hash: boolean): AllocCheck {
  return (attr, env) => {
    if (!env.capNetAdmin) return [-ERRNO.EPERM, `${attr.type} maps need CAP_NET_ADMIN`];
    const badKey = hash ? attr.keySize === 0 : attr.keySize !== 4;
    if (attr.maxEntries === 0 || badKey || (attr.valueSize !== 4 && attr.valueSize !== 8)) {
      return [-ERRNO.EINVAL, `needs max_entries, a ${hash ? 'key' : '4-byte key'} and a 4- or 8-byte value (a socket's fd or cookie)`];
    }
    const bad = unknownFlags(attr.flags ?? 0, SOCK_CREATE_FLAG_MASK);
    if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by ${attr.type} maps`];
    if (hash && attr.keySize > MAX_BPF_STACK) return [-ERRNO.E2BIG, `key_size ${attr.keySize} exceeds ${MAX_BPF_STACK}`];
    return null;
  };
}

/** reuseport_array_alloc_check, then reuseport_array_alloc's capability check. */
const checkReuseportArray: AllocCheck = (attr, env) => {
  if (attr.valueSize !== 4 && attr.valueSize !== 8) return [-ERRNO.EINVAL, 'value_size must be 4 or 8 (a socket\'s fd or cookie)'];
  const p = checkArray(attr, env);
  if (p !== null) return p;
  if (!env.capBpf) return [-ERRNO.EPERM, 'reuseport_sockarray maps need CAP_BPF'];
  return null;
};

export const UNSIMULATED_CHECKS: Partial<Record<MapTypeName, AllocCheck>> = {
  sockmap: checkSock(false),
  sockhash: checkSock(true),
  reuseport_sockarray: checkReuseportArray,
  user_ringbuf: checkRingbuf,
};
