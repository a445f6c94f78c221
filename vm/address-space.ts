import type { ViolationKind } from '../src/violations.js';

/**
 * The simulated kernel's memory: a 64-bit address space made of regions. Each region owns a window of
 * 4 GiB whose upper 32 address bits name it; the region's bytes start at the window's base. An address
 * is therefore plain 64-bit data (a program may compute with it freely), and every access resolves
 * its window, then checks bounds, permission and liveness. No access can reach anything but a region's
 * own bytes: host memory is out of reach by construction.
 */

/** A region may be read. */
export const PERM_R = 1;
/** A region may be written. */
export const PERM_W = 2;
/** A region may be read and written. */
export const PERM_RW = PERM_R | PERM_W;

export type RegionKind =
  | 'stack'
  | 'ctx'
  | 'packet'
  | 'mem'
  | 'map-value'
  | 'map-key'
  | 'kernel-object'
  | 'ringbuf'
  | 'rodata';

/**
 * Upper address bits of window 0; window i has upper bits WINDOW_HI_BASE + i. Small enough that the
 * interpreter's address arithmetic stays in V8's small-integer range (measured: 7-9% faster loads and
 * stores than with kernel-looking 0xffff8880… addresses); the first 2^44 bytes stay unmapped.
 */
export const WINDOW_HI_BASE = 0x1000;
/** Windows available (the upper bits stay below 2^30 and below the code window 0xffffffff). */
export const MAX_WINDOWS = 0x3fffffff - WINDOW_HI_BASE;

/** Loads and stores of a virtual region; `offset` and `size` are already bounds- and permission-checked. */
export interface VirtualAccess {
  load(offset: number, size: 1 | 2 | 4 | 8): bigint;
  store(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void;
}

/** One region of the simulated address space: its bytes (or a virtual accessor), permissions, liveness and what it is. */
export class Region {
  /** Window index; the region's base address is (WINDOW_HI_BASE + index) << 32. */
  readonly index: number;
  /** Upper 32 bits of every address inside the region. */
  readonly hi: number;
  readonly base: bigint;
  readonly kind: RegionKind;
  readonly name: string;
  bytes: Uint8Array;
  size: number;
  /** Made on first use: most map values are reached through `bytes` only (a DataView costs ~80 bytes each). */
  private _dv: DataView | null = null;
  private _perms: number;
  /**
   * The permissions the interpreter's fast path may use: `perms` for a live, plain region; 0 for a dead
   * or virtual one, which sends every access to the slow path.
   */
  fastPerms: number;
  /** Set when the region is retired: the violation an access then raises, and why. */
  dead: { kind: ViolationKind; reason: string } | null = null;
  /**
   * A virtual region (a program context whose fields the kernel rewrites) serves loads and stores
   * itself, after bounds and permission checks.
   */
  virt: VirtualAccess | null = null;
  /** Whatever the simulated kernel attaches (map, object, reference). */
  owner: unknown;

  constructor(index: number, kind: RegionKind, name: string, bytes: Uint8Array, perms: number, owner: unknown) {
    this.index = index;
    this.hi = (WINDOW_HI_BASE + index) >>> 0;
    this.base = BigInt(this.hi) << 32n;
    this.kind = kind;
    this.name = name;
    this.bytes = bytes;
    this.size = bytes.byteLength;
    this._perms = perms;
    this.fastPerms = perms;
    this.owner = owner;
  }

  /** A DataView over `bytes`. */
  get dv(): DataView {
    return (this._dv ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  get perms(): number {
    return this._perms;
  }

  set perms(p: number) {
    this._perms = p;
    this.fastPerms = this.dead === null && this.virt === null ? p : 0;
  }

  /** Make the region virtual: accesses go through `access` (after the usual checks). */
  setVirtual(access: VirtualAccess | null): void {
    this.virt = access;
    this.perms = this._perms;
  }

  /**
   * Move the region's contents to `bytes` (the caller copies them): an execution tier keeps hot regions
   * (stacks, input memory) in its own linear memory.
   */
  rebind(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.size = bytes.byteLength;
    this._dv = null;
  }

  /** Address of byte `offset` of the region. */
  addr(offset = 0): bigint {
    return this.base + BigInt(offset);
  }
}

/** A faulting access, raised by the simulated kernel and turned into a Violation by the VM. */
export class MemoryFault extends Error {
  readonly kind: ViolationKind;
  readonly address: bigint;
  readonly size: number;
  constructor(kind: ViolationKind, message: string, address: bigint, size: number) {
    super(message);
    this.kind = kind;
    this.address = address;
    this.size = size;
  }
}

export function hex(v: bigint | number): string {
  return '0x' + (typeof v === 'bigint' ? BigInt.asUintN(64, v) : v >>> 0).toString(16);
}

/** The simulated 64-bit address space: regions in 4 GiB windows; every access is resolved and checked. */
export class AddressSpace {
  /** Window index → region. Read directly by the interpreter's fast path. */
  readonly windows: (Region | undefined)[] = [];
  private free: number[] = [];

  /** Map `bytes` (shared, not copied) as a new region. */
  map(kind: RegionKind, bytes: Uint8Array, perms: number, name: string, owner: unknown = null): Region {
    let index = this.free.pop();
    if (index === undefined) {
      index = this.windows.length;
      if (index >= MAX_WINDOWS) throw new Error('simulated address space exhausted');
    }
    const r = new Region(index, kind, name, bytes, perms, owner);
    this.windows[index] = r;
    return r;
  }

  /**
   * Retire a region: later accesses raise `kind` (use-after-free, use-after-release…). The window stays
   * reserved so stale pointers keep faulting instead of reaching a newer region.
   */
  kill(region: Region, kind: ViolationKind, reason: string): void {
    region.dead = { kind, reason };
    region.fastPerms = 0; // the slow path (`check`) names the violation
  }

  /** Drop a region whose pointers can no longer exist (end of a run); its window may be reused. */
  unmap(region: Region): void {
    if (this.windows[region.index] === region) {
      this.windows[region.index] = undefined;
      this.free.push(region.index);
    }
  }

  /** The region an address falls in (alive or dead), or undefined. */
  regionAt(addr: bigint): Region | undefined {
    const a = BigInt.asUintN(64, addr);
    const idx = Number(a >> 32n) - WINDOW_HI_BASE;
    return idx >= 0 ? this.windows[idx] : undefined;
  }

  /**
   * Resolve an access of `size` bytes at `addr` with permission `perm`; returns the region and offset
   * or throws a MemoryFault naming the address and size.
   */
  resolve(addr: bigint, size: number, perm: number): { region: Region; offset: number } {
    const a = BigInt.asUintN(64, addr);
    const r = this.regionAt(a);
    if (r === undefined) {
      throw new MemoryFault(a === 0n || a < 4096n ? 'null-dereference' : 'out-of-bounds',
        `${perm & PERM_W ? 'write' : 'read'} of ${size} bytes at ${hex(a)}: no memory is mapped there`, a, size);
    }
    const offset = Number(a & 0xffffffffn);
    return { region: r, offset: this.check(r, offset, size, perm, a) };
  }

  /** Bounds, permission and liveness check of an access inside region `r`; returns `offset`. */
  check(r: Region, offset: number, size: number, perm: number, addr?: bigint): number {
    const a = addr ?? r.base + BigInt(offset);
    const what = perm & PERM_W ? 'write' : 'read';
    if (r.dead !== null) {
      throw new MemoryFault(r.dead.kind, `${what} of ${size} bytes at ${hex(a)}: ${r.name} ${r.dead.reason}`, a, size);
    }
    if (offset < 0 || offset + size > r.size) {
      throw new MemoryFault('out-of-bounds',
        `${what} of ${size} bytes at ${hex(a)} is outside ${r.name} (offset ${offset}, size ${r.size})`, a, size);
    }
    if ((r.perms & perm) !== perm) {
      throw new MemoryFault('permission', `${what} of ${size} bytes at ${hex(a)}: ${r.name} is ${permName(r.perms)}`, a, size);
    }
    return offset;
  }

  /** Copy `size` bytes out of the simulated memory (checked). */
  readBytes(addr: bigint, size: number): Uint8Array {
    if (size === 0) return new Uint8Array(0);
    const { region, offset } = this.resolve(addr, size, PERM_R);
    return region.bytes.slice(offset, offset + size);
  }

  /** Copy bytes into the simulated memory (checked). */
  writeBytes(addr: bigint, data: Uint8Array): void {
    if (data.length === 0) return;
    const { region, offset } = this.resolve(addr, data.length, PERM_W);
    region.bytes.set(data, offset);
  }

  /** Loads `size` bytes little-endian at `addr`; a bad access throws MemoryFault. */
  read(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
    const { region, offset } = this.resolve(addr, size, PERM_R);
    if (region.virt !== null) return region.virt.load(offset, size);
    const dv = region.dv;
    switch (size) {
      case 1: return BigInt(dv.getUint8(offset));
      case 2: return BigInt(dv.getUint16(offset, true));
      case 4: return BigInt(dv.getUint32(offset, true));
      case 8: return dv.getBigUint64(offset, true);
    }
  }

  /** Stores the low `size` bytes of `value` at `addr`; a bad access throws MemoryFault. */
  write(addr: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
    const { region, offset } = this.resolve(addr, size, PERM_W);
    if (region.virt !== null) {
      region.virt.store(offset, size, BigInt.asUintN(size * 8, value));
      return;
    }
    const dv = region.dv;
    switch (size) {
      case 1: dv.setUint8(offset, Number(value & 0xffn)); break;
      case 2: dv.setUint16(offset, Number(value & 0xffffn), true); break;
      case 4: dv.setUint32(offset, Number(value & 0xffffffffn), true); break;
      case 8: dv.setBigUint64(offset, BigInt.asUintN(64, value), true); break;
    }
  }

  /** Read a NUL-terminated string of at most `max` bytes (checked byte by byte). */
  readCString(addr: bigint, max: number): { bytes: Uint8Array; terminated: boolean } {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = Number(this.read(addr + BigInt(i), 1));
      if (b === 0) return { bytes: Uint8Array.from(out), terminated: true };
      out.push(b);
    }
    return { bytes: Uint8Array.from(out), terminated: false };
  }
}

function permName(p: number): string {
  return p === PERM_R ? 'read-only' : p === PERM_W ? 'write-only' : p === 0 ? 'not accessible' : 'read-write';
}
