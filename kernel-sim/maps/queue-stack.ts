import type { MapAttr } from './base.js';
import { BpfMap } from './base.js';
import { accessOk, unknownFlags, type AllocCheck } from './check.js';
import { fromBytes, toBytes, type HostScalar } from './codec.js';
import type { MapEnv } from './env.js';
import { ERRNO, errnoName } from './errno.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_NOEXIST, LIMITS } from './types.js';

const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;

/** queue_stack_map_alloc_check. */
export const checkQueueStack: AllocCheck = (attr, env) => {
  const flags = attr.flags ?? 0;
  if (!env.capBpf) return [-ERRNO.EPERM, `${attr.type} maps need CAP_BPF`];
  if (attr.maxEntries === 0) return [-ERRNO.EINVAL, 'max_entries must not be 0'];
  if (attr.keySize !== 0) return [-ERRNO.EINVAL, `key_size must be 0, got ${attr.keySize}`];
  if (attr.valueSize === 0) return [-ERRNO.EINVAL, 'value_size must not be 0'];
  const bad = unknownFlags(flags, QUEUE_STACK_CREATE_FLAG_MASK);
  if (bad !== null) return [-ERRNO.EINVAL, `flags ${bad} are not accepted by ${attr.type} maps`];
  if (!accessOk(flags)) return [-ERRNO.EINVAL, 'BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other'];
  if (attr.valueSize > LIMITS.KMALLOC_MAX_SIZE) return [-ERRNO.E2BIG, `value_size ${attr.valueSize} is too large`];
  return null;
};

/**
 * BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO): a ring of max_entries + 1 slots. Values are
 * copied in and out (a program never points into the map). Push with BPF_EXIST on a full map drops the
 * oldest element.
 */
export class QueueStackMap extends BpfMap {
  private readonly slots: Uint8Array;
  private readonly size: number;
  private head = 0;
  private tail = 0;

  constructor(env: MapEnv, attr: MapAttr) {
    super(env, attr);
    this.size = this.maxEntries + 1;
    this.slots = new Uint8Array(this.size * this.valueSize);
  }

  get length(): number {
    return (this.head - this.tail + this.size) % this.size;
  }

  override pushElem(value: Uint8Array, flags: number): number {
    if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -ERRNO.EINVAL;
    if (this.length === this.maxEntries) {
      if (!(flags & BPF_EXIST)) return -ERRNO.E2BIG;
      this.tail = (this.tail + 1) % this.size;
    }
    this.slots.set(value.subarray(0, this.valueSize), this.head * this.valueSize);
    this.head = (this.head + 1) % this.size;
    return 0;
  }

  /** Pop into `out`; on -ENOENT `out` is zeroed, as the kernel does. */
  override popElem(out: Uint8Array): number {
    return this.front(out, true);
  }

  override peekElem(out: Uint8Array): number {
    return this.front(out, false);
  }

  /** BPF_MAP_LOOKUP_ELEM on a queue or stack peeks. */
  protected override copyOut(): Uint8Array | number {
    const out = new Uint8Array(this.valueSize);
    const r = this.peekElem(out);
    return r < 0 ? r : out;
  }

  /** BPF_MAP_UPDATE_ELEM on a queue or stack pushes. */
  protected override copyIn(_key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.pushElem(value, flags);
  }

  // ---- host API ----

  push(value: HostScalar, flags = BPF_ANY): void {
    const r = this.pushElem(toBytes(this.name, 'value', value, this.valueSize), this.hostU32('flags', flags));
    if (r < 0) throw this.error(r, `push failed: ${errnoName(r)}`);
  }

  pop(): HostScalar | undefined {
    const out = new Uint8Array(this.valueSize);
    return this.popElem(out) < 0 ? undefined : fromBytes(out);
  }

  peek(): HostScalar | undefined {
    const out = new Uint8Array(this.valueSize);
    return this.peekElem(out) < 0 ? undefined : fromBytes(out);
  }

  private front(out: Uint8Array, remove: boolean): number {
    if (this.length === 0) {
      out.fill(0, 0, this.valueSize);
      return -ERRNO.ENOENT;
    }
    const stack = this.typeName === 'stack';
    const index = stack ? (this.head - 1 + this.size) % this.size : this.tail;
    out.set(this.slots.subarray(index * this.valueSize, (index + 1) * this.valueSize));
    if (remove) {
      if (stack) this.head = index;
      else this.tail = (this.tail + 1) % this.size;
    }
    return 0;
  }
}
