import type { MapAttr, Result } from './base.js';
import { BpfMap } from './base.js';
import { accessOk, unknownFlags, type AllocCheck } from './check.js';
import { toBytes, type HostScalar } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO, errnoName } from './errno.js';
import { BPF_ANY, BPF_F, BPF_F_ACCESS_MASK, LIMITS } from './types.js';

const BLOOM_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.ZERO_SEED | BPF_F_ACCESS_MASK;
const DEFAULT_HASH_FUNCS = 5;

/** bloom_map_alloc_check and bloom_map_alloc's checks. */
export const checkBloom: AllocCheck = (attr, env) => {
  const flags = attr.flags ?? 0;
  if (attr.valueSize > LIMITS.KMALLOC_MAX_SIZE) return [-ERRNO.E2BIG, `value_size ${attr.valueSize} is too large`];
  if (!env.capBpf) return [-ERRNO.EPERM, 'bloom filter maps need CAP_BPF'];
  if (flags & BPF_F.ZERO_SEED && !env.capSysAdmin) return [-ERRNO.EPERM, 'BPF_F_ZERO_SEED needs CAP_SYS_ADMIN'];
  if (attr.keySize !== 0) return [-ERRNO.EINVAL, `key_size must be 0, got ${attr.keySize}`];
  if (attr.valueSize === 0) return [-ERRNO.EINVAL, 'value_size must not be 0'];
  if (attr.maxEntries === 0) return [-ERRNO.EINVAL, 'max_entries must not be 0'];
  const bad = unknownFlags(flags, BLOOM_CREATE_FLAG_MASK);
  if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by bloom_filter maps`];
  if (!accessOk(flags)) return [-ERRNO.EINVAL, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other'];
  if ((attr.mapExtra ?? 0) & ~0xf) return [-ERRNO.EINVAL, `map_extra ${attr.mapExtra}: only the low 4 bits (hash count) may be set`];
  return null;
};

/** A seeded 32-bit hash of the value (FNV-1a, then a murmur3 finaliser to spread the bits). */
function hash32(data: Uint8Array, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const b of data) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * BPF_MAP_TYPE_BLOOM_FILTER: push adds a value, peek tests it (-ENOENT: surely absent; 0: maybe present).
 * The bit array is sized as the kernel sizes it: max_entries * hashes * 7 / 5 bits, rounded up to a power of
 * two (at least 64). The seed is fixed, so runs are reproducible.
 */
export class BloomFilterMap extends BpfMap {
  readonly nrHashFuncs: number;
  private readonly bitsetMask: number;
  private readonly bits: Uint8Array;

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr);
    this.nrHashFuncs = (attr.mapExtra ?? 0) || DEFAULT_HASH_FUNCS;
    const nrBits = Math.floor((this.maxEntries * this.nrHashFuncs) / 5) * 7;
    const size = nrBits > 2 ** 31 ? 2 ** 32 : nrBits <= 64 ? 64 : 2 ** Math.ceil(Math.log2(nrBits));
    this.bitsetMask = size - 1;
    this.bits = new Uint8Array(size / 8);
  }

  override pushElem(value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -ERRNO.EINVAL;
    for (let i = 0; i < this.nrHashFuncs; i++) {
      const h = this.bit(value, i);
      this.bits[h >>> 3]! |= 1 << (h & 7);
    }
    return 0;
  }

  override peekElem(value: Uint8Array): number {
    for (let i = 0; i < this.nrHashFuncs; i++) {
      const h = this.bit(value, i);
      if ((this.bits[h >>> 3]! & (1 << (h & 7))) === 0) return -ERRNO.ENOENT;
    }
    return 0;
  }

  override popElem(): number {
    return -ERRNO.EOPNOTSUPP;
  }

  override deleteElem(): number {
    return -ERRNO.EOPNOTSUPP;
  }

  override getNextKey(): Result<Uint8Array> {
    return -ERRNO.EOPNOTSUPP;
  }

  /** BPF_MAP_LOOKUP_ELEM on a bloom filter peeks the value given (the syscall passes it as the value). */
  protected override copyOut(value: Uint8Array): Result<Uint8Array> {
    const r = this.peekElem(value);
    return r < 0 ? r : value;
  }

  /** BPF_MAP_UPDATE_ELEM on a bloom filter pushes. */
  protected override copyIn(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.pushElem(value, flags);
  }

  // ---- host API ----

  add(value: HostScalar): void {
    const r = this.pushElem(toBytes(this.name, 'value', value, this.valueSize), BPF_ANY);
    if (r < 0) throw this.error(r, `push failed: ${errnoName(r)}`);
  }

  /** False: surely never added. True: probably added. */
  has(value: HostScalar): boolean {
    return this.peekElem(toBytes(this.name, 'value', value, this.valueSize)) === 0;
  }

  private bit(value: Uint8Array, i: number): number {
    return (hash32(value.subarray(0, this.valueSize), i) & this.bitsetMask) >>> 0;
  }
}
