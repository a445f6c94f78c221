import type { Region } from '../../vm/address-space.js';
import type { MapAttr, Result, ValueRef } from './base.js';
import { accessOk, unknownFlags, type AllocCheck } from './check.js';
import { byteKey } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { KeyedMap, scalarCodec } from './keyed.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_NOEXIST, LIMITS } from './types.js';

const LPM_CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;
/** struct bpf_lpm_trie_key: a u32 prefix length, then the data. */
const LPM_HDR = 4;
const LPM_DATA_SIZE_MIN = 1;
const LPM_DATA_SIZE_MAX = 256;
/** sizeof(struct lpm_trie_node) on x86-64. */
const LPM_NODE_SIZE = 32;
const LPM_VAL_SIZE_MAX = LIMITS.KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - LPM_NODE_SIZE - LPM_HDR;

/** trie_alloc's checks. */
export const checkLpmTrie: AllocCheck = (attr, env) => {
  const flags = attr.flags ?? 0;
  if (!env.capBpf) return [-ERRNO.EPERM, 'LPM trie maps need CAP_BPF'];
  if (attr.maxEntries === 0) return [-ERRNO.EINVAL, 'max_entries must not be 0'];
  if (!(flags & BPF_F.NO_PREALLOC)) return [-ERRNO.EINVAL, 'LPM trie maps require BPF_F_NO_PREALLOC'];
  const bad = unknownFlags(flags, LPM_CREATE_FLAG_MASK);
  if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by lpm_trie maps`];
  if (!accessOk(flags)) return [-ERRNO.EINVAL, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other'];
  if (attr.keySize < LPM_HDR + LPM_DATA_SIZE_MIN || attr.keySize > LPM_HDR + LPM_DATA_SIZE_MAX) {
    return [-ERRNO.EINVAL, `key_size must be 4 + 1..256 data bytes, got ${attr.keySize}`];
  }
  if (attr.valueSize < 1 || attr.valueSize > LPM_VAL_SIZE_MAX) return [-ERRNO.EINVAL, `value_size ${attr.valueSize} is out of range`];
  return null;
};

/** An LPM key: a prefix length (host byte order u32) and the data bytes (network order). */
export function lpmKey(prefixlen: number, data: ArrayLike<number>): Uint8Array {
  const k = new Uint8Array(LPM_HDR + data.length);
  new DataView(k.buffer).setUint32(0, prefixlen, true);
  k.set(data, LPM_HDR);
  return k;
}

interface LpmElem {
  readonly prefixlen: number;
  /** The data as last stored (bits past the prefix included, as the kernel keeps them). */
  readonly data: Uint8Array;
  readonly region: Region;
}

const bit = (data: Uint8Array, i: number): number => (data[i >>> 3]! >>> (7 - (i & 7))) & 1;

/** Leading bits `a` and `b` share, up to `limit`. */
function commonPrefix(a: Uint8Array, b: Uint8Array, limit: number): number {
  let i = 0;
  while (i < limit && bit(a, i) === bit(b, i)) i++;
  return i;
}

/**
 * The trie's post-order (what get_next_key walks): more specific prefixes before the prefixes containing
 * them, and the 0 branch before the 1 branch where two prefixes part.
 */
function postOrder(a: LpmElem, b: LpmElem): number {
  const limit = Math.min(a.prefixlen, b.prefixlen);
  const common = commonPrefix(a.data, b.data, limit);
  if (common < limit) return bit(a.data, common) - bit(b.data, common);
  return b.prefixlen - a.prefixlen;
}

/**
 * BPF_MAP_TYPE_LPM_TRIE: longest-prefix match on big-endian data. Elements are kept by (prefix length,
 * prefix bits); a lookup returns the value of the longest stored prefix that matches the key's first
 * prefixlen bits. Each value is its own region; replacing or deleting frees it.
 */
export class LpmTrieMap extends KeyedMap<number | bigint | Uint8Array> {
  readonly maxPrefixLen: number;
  private readonly elems = new Map<string, LpmElem>();

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr, scalarCodec);
    this.maxPrefixLen = (this.keySize - LPM_HDR) * 8;
  }

  override lookupElem(key: Uint8Array): ValueRef | null {
    const { prefixlen, data } = this.split(key);
    if (prefixlen > this.maxPrefixLen) return null;
    let best: LpmElem | null = null;
    for (const e of this.elems.values()) {
      if (e.prefixlen <= prefixlen && (best === null || e.prefixlen > best.prefixlen) &&
        commonPrefix(e.data, data, e.prefixlen) === e.prefixlen) best = e;
    }
    return best === null ? null : { region: best.region, offset: 0 };
  }

  override updateElem(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -ERRNO.EINVAL;
    const { prefixlen, data } = this.split(key);
    if (prefixlen > this.maxPrefixLen) return -ERRNO.EINVAL;
    const id = this.identity(prefixlen, data);
    const old = this.elems.get(id);
    if (old !== undefined && flags === BPF_NOEXIST) return -ERRNO.EEXIST;
    if (old === undefined) {
      if (flags === BPF_EXIST) return -ERRNO.ENOENT;
      if (this.elems.size >= this.maxEntries) return -ERRNO.ENOSPC;
    }
    const region = this.newRegion(this.valueSize, `/${prefixlen} element`);
    this.store(region, 0, value);
    if (old !== undefined) this.retire(old.region, 'was replaced by an update of its prefix');
    this.elems.set(id, { prefixlen, data: data.slice(), region });
    return 0;
  }

  override deleteElem(key: Uint8Array): number {
    const { prefixlen, data } = this.split(key);
    if (prefixlen > this.maxPrefixLen) return -ERRNO.EINVAL;
    const id = this.identity(prefixlen, data);
    const e = this.elems.get(id);
    if (e === undefined) return -ERRNO.ENOENT;
    this.elems.delete(id);
    this.retire(e.region, 'was deleted');
    return 0;
  }

  /** trie_get_next_key: post-order; an absent or invalid key restarts at the first element. */
  override getNextKey(key: Uint8Array | null): Result<Uint8Array> {
    const sorted = [...this.elems.values()].sort(postOrder);
    let at = -1;
    if (key !== null) {
      const { prefixlen, data } = this.split(key);
      const cur = prefixlen <= this.maxPrefixLen ? this.elems.get(this.identity(prefixlen, data)) : undefined;
      if (cur !== undefined) at = sorted.indexOf(cur);
    }
    const next = sorted[at + 1];
    return next === undefined ? -ERRNO.ENOENT : lpmKey(next.prefixlen, next.data);
  }

  /** LPM keys are structs: always bytes. */
  protected override decodeKey(key: Uint8Array): Uint8Array {
    return key;
  }

  private split(key: Uint8Array): { prefixlen: number; data: Uint8Array } {
    return { prefixlen: new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true), data: key.subarray(LPM_HDR) };
  }

  /** (prefix length, the prefix's bits): bits past the prefix do not tell elements apart. */
  private identity(prefixlen: number, data: Uint8Array): string {
    const masked = data.slice();
    for (let i = 0; i < masked.length; i++) {
      const keep = Math.min(8, Math.max(0, prefixlen - i * 8));
      masked[i]! &= (0xff00 >>> keep) & 0xff;
    }
    return `${prefixlen}/${byteKey(masked)}`;
  }
}
