/**
 * kptrs in map values (Linux 6.1): a map value member declared `struct T __kptr_ref *` holds a referenced
 * pointer — the map owns one count of the object — and changes hands only through bpf_kptr_xchg (or
 * is read with a KF_KPTR_GET kfunc, which takes a new reference); `__kptr` members are unreferenced and
 * are plain stores. A slot holds the object's home address (what a program loading it sees: a pointer
 * obtained by walking, not a reference).
 *
 * The maps' side of the contract is one hook: when a value's memory goes away (element deleted or
 * replaced, map freed) the map calls `releaseValue`, which puts every referenced kptr the value holds.
 */
import type { KptrField } from '../../src/object/map-fields.js';
import type { BpfMap } from '../maps/base.js';
import type { Region } from '../../vm/address-space.js';
import type { KernelHeap, KernelObject } from './heap.js';

/** A kptr slot an address points at: the map, the field, and where its 8 bytes are. */
export interface KptrSlot {
  map: object;
  field: KptrField;
  region: Region;
  /** Offset of the slot in the region. */
  at: number;
}

/** Which maps have kptr fields, and the operations on their slots. */
export class KptrTable {
  /** The maps that declared kptr fields (the kernel holds its maps for its lifetime: see MapEnv's ids). */
  private readonly fields = new Map<object, { valueSize: number; fields: KptrField[] }>();

  constructor(private readonly heap: KernelHeap) {}

  /** Declare a map's kptr fields (what map creation learns from the value's BTF). */
  declare(map: object, valueSize: number, fields: KptrField[]): void {
    this.fields.set(map, { valueSize, fields });
  }

  /**
   * Declare a map's kptr fields (by default those its BTF gave it at creation) and install them on the
   * map, so a copy leaves them alone and a value that goes away (deleted, replaced, overwritten, map
   * freed) releases the reference it holds. Fields given here (a map made without BTF) become the map's.
   */
  install(map: BpfMap, fields: readonly KptrField[] = map.kptrs): void {
    if (fields.length === 0) return;
    map.kptrs = fields;
    this.declare(map, map.valueSize, [...fields]);
    map.valueFields = {
      skip: fields.map((f) => [f.off, 8] as const),
      free: (region, offset) => this.releaseValue(map, region, offset),
    };
  }

  /** The kptr slot at `addr` (a map value region whose owner declared fields), exactly at a field. */
  slotAt(addr: bigint): KptrSlot | undefined {
    const region = this.heap.space.regionAt(addr);
    if (region === undefined || region.kind !== 'map-value') return undefined;
    const decl = this.fields.get(region.owner as object);
    if (decl === undefined) return undefined;
    const at = Number(BigInt.asUintN(64, addr) & 0xffffffffn);
    const stride = Math.ceil(decl.valueSize / 8) * 8;
    const inValue = at % stride;
    const field = decl.fields.find((f) => f.off === inValue);
    return field === undefined ? undefined : { map: region.owner as object, field, region, at };
  }

  /** The object a slot holds, or null. */
  read(slot: KptrSlot): KernelObject | null {
    const v = slot.region.dv.getBigUint64(slot.at, true);
    if (v === 0n) return null;
    const w = this.heap.windowAt(v);
    if (w === undefined) throw new Error(`kptr slot of ${slot.region.name} holds ${v.toString(16)}, no kernel object`);
    return w.window.object;
  }

  /** Store an object (its home address) or NULL; returns what was there. */
  exchange(slot: KptrSlot, obj: KernelObject | null): KernelObject | null {
    const old = this.read(slot);
    slot.region.dv.setBigUint64(slot.at, obj === null ? 0n : obj.home.region.base, true);
    return old;
  }

  /**
   * The maps' hook: a value at `offset` of `region` is going away (deleted, replaced, map freed). Every
   * referenced kptr in it is cleared and its count put (the object is freed when that was the last).
   */
  releaseValue(map: object, region: Region, offset: number): void {
    const decl = this.fields.get(map);
    if (decl === undefined) return;
    for (const f of decl.fields) {
      if (!f.ref) {
        region.dv.setBigUint64(offset + f.off, 0n, true); // an unreferenced kptr is simply cleared
        continue;
      }
      const slot: KptrSlot = { map, field: f, region, at: offset + f.off };
      const old = this.exchange(slot, null);
      if (old !== null) this.heap.put(old);
    }
  }
}
