/** bpf_map_{lookup,update,delete}_elem, push/pop/peek, lookup_percpu_elem and for_each_map_elem. */
import { HelperFault, type HelperFn } from '../../vm/machine.js';
import { PERM_R } from '../../vm/address-space.js';
import { ArrayMap, PercpuArrayMap } from '../maps/array.js';
import type { BpfMap } from '../maps/base.js';
import { CgroupStorageMap } from '../maps/cgroup-storage.js';
import { HashMap, PercpuHashMap } from '../maps/hash.js';
import { QueueStackMap } from '../maps/queue-stack.js';
import { errno, ERRNO, flags32, mapArg, mapOfKind, ret } from './args.js';

export const mapLookupElem: HelperFn = (ctx, map, key) => {
  const m = mapArg(ctx, 'bpf_map_lookup_elem', 1, map);
  const ref = m.lookupElem(ctx.space.readBytes(key, m.keySize));
  return ref === null ? 0n : ref.region.addr(ref.offset);
};

export const mapUpdateElem: HelperFn = (ctx, map, key, value, flags) => {
  const m = mapArg(ctx, 'bpf_map_update_elem', 1, map);
  return ret(m.updateElem(ctx.space.readBytes(key, m.keySize), ctx.space.readBytes(value, m.valueSize), flags32(flags)));
};

export const mapDeleteElem: HelperFn = (ctx, map, key) => {
  const m = mapArg(ctx, 'bpf_map_delete_elem', 1, map);
  return ret(m.deleteElem(ctx.space.readBytes(key, m.keySize)));
};

export const mapPushElem: HelperFn = (ctx, map, value, flags) => {
  const m = mapArg(ctx, 'bpf_map_push_elem', 1, map);
  return ret(m.pushElem(ctx.space.readBytes(value, m.valueSize), flags32(flags)));
};

/**
 * pop and peek write the value to the program's buffer on success; a queue or stack also on -ENOENT,
 * which the kernel's __queue_map_get / __stack_map_get answer by zeroing the buffer.
 */
function takeElem(helper: string, op: (m: BpfMap, buf: Uint8Array) => number): HelperFn {
  return (ctx, map, value) => {
    const m = mapArg(ctx, helper, 1, map);
    const buf = ctx.space.readBytes(value, m.valueSize);
    const r = op(m, buf);
    if (r === 0 || m instanceof QueueStackMap) ctx.space.writeBytes(value, buf);
    return ret(r);
  };
}

export const mapPopElem = takeElem('bpf_map_pop_elem', (m, b) => m.popElem(b));
export const mapPeekElem = takeElem('bpf_map_peek_elem', (m, b) => m.peekElem(b));

/** bpf_map_lookup_percpu_elem: per-CPU arrays and hashes; NULL past the last CPU. */
export const mapLookupPercpuElem: HelperFn = (ctx, map, key, cpu) => {
  const m = mapArg(ctx, 'bpf_map_lookup_percpu_elem', 1, map);
  if (!(m instanceof PercpuArrayMap || m instanceof PercpuHashMap)) {
    throw new HelperFault('helper-error', `bpf_map_lookup_percpu_elem: map "${m.name}" is not a per-CPU array or hash`);
  }
  const ref = cpu > 0xffffffffn ? null : m.lookupPercpuElem(ctx.space.readBytes(key, m.keySize), Number(cpu));
  return ref === null ? 0n : ref.region.addr(ref.offset);
};

/**
 * bpf_for_each_map_elem(map, callback, callback_ctx, flags): calls callback(map, &key, &value, ctx) per
 * element (array and hash maps) until it returns 1; returns the number of elements visited. The key is
 * passed in a read-only region of its own, retired after the call.
 */
export const forEachMapElem: HelperFn = (ctx, map, callback, cbCtx, flags) => {
  const m = mapArg(ctx, 'bpf_for_each_map_elem', 1, map);
  if (!(m instanceof ArrayMap || m instanceof PercpuArrayMap || m instanceof HashMap || m instanceof PercpuHashMap)) {
    throw new HelperFault('helper-error', `bpf_for_each_map_elem: map "${m.name}" (${m.typeName}) cannot be iterated`);
  }
  if (flags !== 0n) return errno(ERRNO.EINVAL);
  let visited = 0;
  for (let key = m.getNextKey(null); typeof key !== 'number'; key = m.getNextKey(key)) {
    const ref = m.valueRef(key); // bpf_for_each_hash_elem does not set LRU ref bits
    if (ref === null) continue;
    visited++;
    const keyRegion = ctx.space.map('map-key', key.slice(), PERM_R, `key of map "${m.name}" (for_each_map_elem)`);
    try {
      const r = ctx.callback(callback, [map, keyRegion.base, ref.region.addr(ref.offset), cbCtx]);
      if (r !== 0n) break;
    } finally {
      ctx.space.unmap(keyRegion);
    }
  }
  return ret(visited);
};

/** bpf_get_local_storage(map, flags): the running program's cgroup storage (flags are 0: the verifier checks). */
export const getLocalStorage: HelperFn = (ctx, map) => {
  const m = mapOfKind(ctx, 'bpf_get_local_storage', 1, map, CgroupStorageMap, 'a cgroup storage map');
  const ref = m.localStorage();
  return ref.region.addr(ref.offset);
};
