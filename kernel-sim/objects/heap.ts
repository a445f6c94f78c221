/**
 * The kernel object heap. An object is a block of bytes laid out by its BTF struct, with a refcount;
 * programs never see the object itself, only windows onto it: regions of the address space over the
 * same bytes. Its `home` window is what the kernel's own pointers hold (embedded pointers, kptr slots:
 * what a program gets by walking another pointer); each acquired reference gets a window of its own, so
 * releasing that reference retires exactly its pointer. When the count reaches zero the object is freed:
 * its bytes are poisoned and every window faults as `use-after-free`. Static objects (6.1's
 * prog_test_struct) start with a count the kernel itself holds, so it never reaches zero.
 */
import { PERM_R, PERM_RW, type AddressSpace, type Region } from '../../vm/address-space.js';
import type { KernelTypes, MemberLocation } from '../btf/kernel-types.js';

/** The byte slab poison writes into freed objects (include/linux/poison.h POISON_FREE). */
export const POISON_FREE = 0x6b;

/** How a window came to exist, which decides what a kfunc may do with a pointer into it. */
export type WindowRole =
  /** The object's own address, as kernel pointers (and kptr slots) hold it: obtained by walking. */
  | 'home'
  /** An acquired reference (KF_ACQUIRE, KF_KPTR_GET, bpf_kptr_xchg): trusted until released. */
  | 'reference'
  /** A tracepoint or struct_ops callback argument: trusted for the run. */
  | 'argument'
  /** Memory a kfunc returned (rdwr/rdonly buffers): plain memory, not a BTF object. */
  | 'memory';

/** The owner of every window region: which object, seen as which type, in which role. */
export class ObjectWindow {
  constructor(
    readonly object: KernelObject,
    readonly role: WindowRole,
    /** The struct the pointer has (nf_conn___init and nf_conn share one object). */
    readonly type: string,
    readonly region: Region,
  ) {}
}

export interface ObjectOptions {
  /** Member values to set (dotted paths for nested members: `memb.c`). */
  init?: Readonly<Record<string, number | bigint>>;
  /** A static object: the kernel holds a count of its own, so it is never freed. */
  isStatic?: boolean;
  /** Bytes past the struct (a flexible array member's elements: `struct pid`'s upids of deeper levels). */
  extraBytes?: number;
}

export class KernelObject {
  refcount = 1;
  freed = false;
  readonly windows = new Set<ObjectWindow>();
  readonly dv: DataView;

  constructor(
    readonly heap: KernelHeap,
    readonly type: string,
    readonly bytes: Uint8Array,
    readonly isStatic: boolean,
    readonly serial: number,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The home window (created on first use). */
  get home(): ObjectWindow {
    for (const w of this.windows) if (w.role === 'home') return w;
    return this.heap.window(this, 'home');
  }

  /** Byte offset and BTF type of a member (dotted path through embedded structs: `memb.c`). */
  field(path: string): MemberLocation {
    let loc: MemberLocation = { offset: 0, type: this.heap.types.idOf(typeText(this.type)), bitOffset: 0, bitSize: 0 };
    for (const name of path.split('.')) {
      const m = this.heap.types.member(loc.type, name);
      if (m === undefined) throw new Error(`struct ${this.type} has no member '${path}'`);
      loc = { offset: loc.offset + m.offset, type: m.type, bitOffset: loc.offset * 8 + m.bitOffset, bitSize: m.bitSize };
    }
    return loc;
  }

  get(path: string): bigint {
    const f = this.field(path);
    if (f.bitSize > 0) return (readBits(this.bytes, f.bitOffset, f.bitSize));
    return readInt(this.dv, f.offset, this.heap.types.sizeOf(f.type));
  }

  set(path: string, value: number | bigint): void {
    const f = this.field(path);
    if (f.bitSize > 0) writeBits(this.bytes, f.bitOffset, f.bitSize, BigInt(value));
    else writeInt(this.dv, f.offset, this.heap.types.sizeOf(f.type), BigInt(value));
  }
}

/** Where the refcount_t of each refcounted struct lives, so programs read the count the heap keeps. */
const REFCOUNT_FIELDS: Readonly<Record<string, string>> = {
  prog_test_ref_kfunc: 'cnt',
  nf_conn: 'ct_general.use',
  task_struct: 'usage',
  sk_buff: 'users',
  key: 'usage',
  cgroup: 'self.refcnt',
};

export class KernelHeap {
  private serial = 0;

  constructor(readonly space: AddressSpace, readonly types: KernelTypes) {}

  /** The objects alive (not freed), in creation order: what a run's record of changed objects compares. */
  readonly live = new Set<KernelObject>();

  /** A new object of `struct type` (or of `union U` when `type` says so) with a count of 1 (the creator's). */
  create(type: string, opts: ObjectOptions = {}): KernelObject {
    const size = this.types.sizeOf(typeText(type)) + (opts.extraBytes ?? 0);
    const obj = new KernelObject(this, type, new Uint8Array(size), opts.isStatic ?? false, ++this.serial);
    this.live.add(obj);
    for (const [path, v] of Object.entries(opts.init ?? {})) obj.set(path, v);
    this.syncCount(obj);
    return obj;
  }

  /** refcount_inc. */
  get(obj: KernelObject): void {
    if (obj.freed) throw new Error(`refcount_t: addition on freed ${obj.type}#${obj.serial}`);
    obj.refcount++;
    this.syncCount(obj);
  }

  /** refcount_dec_and_test: frees (and poisons) the object at zero. A static object cannot get there. */
  put(obj: KernelObject): void {
    if (obj.freed || obj.refcount <= 0) throw new Error(`refcount_t: underflow on ${obj.type}#${obj.serial}`);
    if (obj.isStatic && obj.refcount === 1) throw new Error(`refcount_t: decrement hit 0 on static ${obj.type}#${obj.serial}`);
    obj.refcount--;
    this.syncCount(obj);
    if (obj.refcount === 0) this.free(obj);
  }

  /** A new window over `obj` (its whole bytes, or the first `size` for returned memory). */
  window(obj: KernelObject, role: WindowRole, opts: { type?: string; size?: number; readonly?: boolean } = {}): ObjectWindow {
    if (obj.freed) throw new Error(`window onto freed ${obj.type}#${obj.serial}`);
    const bytes = opts.size === undefined ? obj.bytes : obj.bytes.subarray(0, opts.size);
    const type = opts.type ?? obj.type;
    const perms = opts.readonly ? PERM_R : PERM_RW;
    const region = this.space.map(role === 'memory' ? 'mem' : 'kernel-object', bytes, perms, `${role} ${type}#${obj.serial}`);
    const w = new ObjectWindow(obj, role, type, region);
    region.owner = w;
    obj.windows.add(w);
    return w;
  }

  /** Retire one window: later accesses through it raise `kind`. */
  retire(w: ObjectWindow, kind: 'use-after-release' | 'use-after-free', reason: string): void {
    this.space.kill(w.region, kind, reason);
    w.object.windows.delete(w);
  }

  /** The window an address points into, with the offset; undefined for memory that is no object's. */
  windowAt(addr: bigint): { window: ObjectWindow; offset: number } | undefined {
    const r = this.space.regionAt(addr);
    if (r === undefined || !(r.owner instanceof ObjectWindow)) return undefined;
    return { window: r.owner, offset: Number(BigInt.asUintN(64, addr) & 0xffffffffn) };
  }

  private free(obj: KernelObject): void {
    obj.freed = true;
    this.live.delete(obj);
    obj.bytes.fill(POISON_FREE);
    for (const w of [...obj.windows]) this.retire(w, 'use-after-free', `was freed (its refcount reached 0)`);
  }

  private syncCount(obj: KernelObject): void {
    const path = REFCOUNT_FIELDS[obj.type];
    if (path === undefined) return;
    // refcount_t is an int; a percpu_ref (cgroup_subsys_state.refcnt) has no single count to show
    if ([1, 2, 4, 8].includes(this.types.sizeOf(obj.field(path).type))) obj.set(path, obj.refcount);
  }
}

/** The C type text of an object's type: a struct's bare name, or `union U` spelled out. */
export function typeText(type: string): string {
  return type.startsWith('union ') ? type : `struct ${type}`;
}

/** A little-endian bitfield of `bits` bits starting at bit `at` of `bytes`. */
export function readBits(bytes: Uint8Array, at: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const b = at + i;
    if ((bytes[b >> 3]! >> (b & 7)) & 1) v |= 1n << BigInt(i);
  }
  return v;
}

export function writeBits(bytes: Uint8Array, at: number, bits: number, v: bigint): void {
  for (let i = 0; i < bits; i++) {
    const b = at + i;
    if ((v >> BigInt(i)) & 1n) bytes[b >> 3]! |= 1 << (b & 7);
    else bytes[b >> 3]! &= ~(1 << (b & 7));
  }
}

export function readInt(dv: DataView, off: number, size: number): bigint {
  switch (size) {
    case 1: return BigInt(dv.getUint8(off));
    case 2: return BigInt(dv.getUint16(off, true));
    case 4: return BigInt(dv.getUint32(off, true));
    case 8: return dv.getBigUint64(off, true);
    default: throw new Error(`no ${size}-byte integer member`);
  }
}

export function writeInt(dv: DataView, off: number, size: number, v: bigint): void {
  switch (size) {
    case 1: dv.setUint8(off, Number(BigInt.asUintN(8, v))); break;
    case 2: dv.setUint16(off, Number(BigInt.asUintN(16, v)), true); break;
    case 4: dv.setUint32(off, Number(BigInt.asUintN(32, v)), true); break;
    case 8: dv.setBigUint64(off, BigInt.asUintN(64, v), true); break;
    default: throw new Error(`no ${size}-byte integer member`);
  }
}
