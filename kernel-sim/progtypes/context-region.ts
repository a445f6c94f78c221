/**
 * A program context as a virtual region: every load and store is first held to the program type's
 * access rules (the same rows the verifier reads), then served from the struct's bytes, or computed
 * for the fields the kernel rewrites (a 4-byte load of `__sk_buff.data` yields a 64-bit packet address).
 */
import { MemoryFault, PERM_RW, type AddressSpace, type Region } from '../../vm/address-space.js';
import type { AccessModel } from './access-rules.js';
import { checkAccess } from './ctx-access.js';
import { fieldAt } from './layouts.js';

export interface ContextSpec {
  model: AccessModel;
  /** The struct's bytes (the UAPI layout); plain fields are read and written here. */
  bytes: Uint8Array;
  name: string;
  /** Fields the kernel computes on each load (by field name, per element for arrays). */
  derived?: Readonly<Record<string, () => bigint>>;
  /** Kernel storage narrower than the UAPI field: a store keeps only this many bytes. */
  storeWidth?: Readonly<Record<string, number>>;
  /** Stores the kernel skips (e.g. queue_mapping ≥ 0xffff). */
  ignoreStore?: Readonly<Record<string, (value: bigint) => boolean>>;
  capBpf?: boolean;
  /** The program's expected attach type, for rules that depend on it. */
  attachType?: string;
  /** The region's owner (the packet, for packet helpers given the context pointer). */
  owner?: unknown;
}

export function mapContext(space: AddressSpace, spec: ContextSpec): Region {
  const region = space.map('ctx', spec.bytes, PERM_RW, spec.name, spec.owner ?? null);
  const dv = new DataView(spec.bytes.buffer, spec.bytes.byteOffset, spec.bytes.byteLength);
  const opts = { capBpf: spec.capBpf ?? true, ...(spec.attachType === undefined ? {} : { attachType: spec.attachType }) };
  const fault = (kind: 'read' | 'write', off: number, size: number, reason: string): MemoryFault =>
    new MemoryFault('permission', `${kind} of ${size} bytes at ${spec.name}+${off}: ${reason}`, region.addr(off), size);
  const fieldOf = (off: number) => (spec.model.kind === 'fields' ? fieldAt(spec.model.layout, off) : undefined);

  region.setVirtual({
    load(off, size) {
      const a = checkAccess(spec.model, off, size, 'read', opts);
      if (!a.ok) throw fault('read', off, size, a.reason);
      const hit = fieldOf(off);
      const derive = hit === undefined ? undefined : spec.derived?.[hit.field.name];
      if (hit === undefined || derive === undefined) return readLE(dv, off, size);
      const shift = BigInt(8 * (off - hit.field.off - hit.index * hit.field.size));
      const v = derive() >> shift;
      return size >= hit.field.size ? v : BigInt.asUintN(8 * size, v);
    },
    store(off, size, value) {
      const a = checkAccess(spec.model, off, size, 'write', opts);
      if (!a.ok) throw fault('write', off, size, a.reason);
      const name = fieldOf(off)?.field.name;
      if (name !== undefined && spec.ignoreStore?.[name]?.(value) === true) return;
      const width = name === undefined ? size : Math.min(size, spec.storeWidth?.[name] ?? size);
      writeLE(dv, off, size, width < size ? BigInt.asUintN(8 * width, value) : value);
    },
  });
  return region;
}

export function readLE(dv: DataView, off: number, size: number): bigint {
  switch (size) {
    case 1: return BigInt(dv.getUint8(off));
    case 2: return BigInt(dv.getUint16(off, true));
    case 4: return BigInt(dv.getUint32(off, true));
    default: return dv.getBigUint64(off, true);
  }
}

export function writeLE(dv: DataView, off: number, size: number, value: bigint): void {
  switch (size) {
    case 1: dv.setUint8(off, Number(value & 0xffn)); break;
    case 2: dv.setUint16(off, Number(value & 0xffffn), true); break;
    case 4: dv.setUint32(off, Number(value & 0xffffffffn), true); break;
    default: dv.setBigUint64(off, BigInt.asUintN(64, value), true);
  }
}
