/**
 * A simulated conntrack table (the part of net/netfilter the 6.1 conntrack and NAT kfuncs use): entries
 * are `nf_conn` kernel objects whose bytes hold both tuples, the status bits, the timeout (in jiffies,
 * HZ=250 as Debian builds 6.1) and the mark. The table holds one count of every confirmed entry.
 * Only the caller's own network namespace exists: a netns id ≥ 0 finds none (-ENONET).
 */
import type { KernelHeap, KernelObject } from './heap.js';

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** enum ip_conntrack_status bits (uapi nf_conntrack_common.h). */
export const IPS = {
  EXPECTED: 1 << 0, SEEN_REPLY: 1 << 1, ASSURED: 1 << 2, CONFIRMED: 1 << 3, SRC_NAT: 1 << 4, DST_NAT: 1 << 5,
  SEQ_ADJUST: 1 << 6, SRC_NAT_DONE: 1 << 7, DST_NAT_DONE: 1 << 8, DYING: 1 << 9, FIXED_TIMEOUT: 1 << 10,
  TEMPLATE: 1 << 11, UNTRACKED: 1 << 12, HELPER: 1 << 13, OFFLOAD: 1 << 14, HW_OFFLOAD: 1 << 15,
} as const;
export const IPS_UNCHANGEABLE_MASK = IPS.SRC_NAT_DONE | IPS.DST_NAT_DONE | IPS.SRC_NAT | IPS.DST_NAT | IPS.EXPECTED
  | IPS.CONFIRMED | IPS.DYING | IPS.SEQ_ADJUST | IPS.TEMPLATE | IPS.UNTRACKED | IPS.OFFLOAD | IPS.HW_OFFLOAD;
/** __IPS_MAX_BIT. */
const IPS_MAX_BIT = 16;

export const HZ = 250;
export function msecsToJiffies(ms: number): number {
  return Math.ceil((ms * HZ) / 1000);
}

/** One direction's tuple. Addresses are 16 bytes (IPv4 in the first 4), ports in network order as stored. */
export interface CtTuple {
  l3num: number;
  protonum: number;
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
}

export function invertTuple(t: CtTuple): CtTuple {
  return { ...t, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

function tupleEqual(a: CtTuple, b: CtTuple): boolean {
  return a.l3num === b.l3num && a.protonum === b.protonum && a.sport === b.sport && a.dport === b.dport
    && bytesEqual(a.src, b.src) && bytesEqual(a.dst, b.dst);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class ConntrackTable {
  private readonly entries: KernelObject[] = [];

  constructor(private readonly heap: KernelHeap, private readonly jiffies: () => number) {}

  /** nf_conntrack_alloc: an unconfirmed entry with a count of 1 (the caller's). */
  alloc(orig: CtTuple, timeoutJiffies: number): KernelObject {
    const ct = this.heap.create('nf_conn');
    this.writeTuple(ct, 0, orig);
    this.writeTuple(ct, 1, invertTuple(orig));
    setCtTimeout(ct, timeoutJiffies, this.jiffies());
    return ct;
  }

  /** A confirmed entry, as if traffic had created it (for tests and scenarios). */
  add(orig: CtTuple, opts: { status?: number; timeoutMs?: number; mark?: number } = {}): KernelObject {
    const ct = this.alloc(orig, msecsToJiffies(opts.timeoutMs ?? 30_000));
    ct.set('status', (opts.status ?? 0) | IPS.CONFIRMED);
    ct.set('timeout', Number(ct.get('timeout')) + this.jiffies());
    ct.set('mark', opts.mark ?? 0);
    this.entries.push(ct);
    return ct;
  }

  /** nf_conntrack_find_get: the entry and the direction the tuple matched, with a new count taken. */
  findGet(t: CtTuple): { ct: KernelObject; dir: number } | null {
    for (const ct of this.entries) {
      for (const dir of [0, 1]) {
        if (tupleEqual(this.readTuple(ct, dir), t)) {
          this.heap.get(ct);
          return { ct, dir };
        }
      }
    }
    return null;
  }

  /** nf_conntrack_hash_check_insert: 0, or -EEXIST when either tuple is taken (the entry is not inserted). */
  insert(ct: KernelObject): number {
    const orig = this.readTuple(ct, 0);
    const reply = this.readTuple(ct, 1);
    for (const e of this.entries) {
      for (const dir of [0, 1]) {
        const t = this.readTuple(e, dir);
        if (tupleEqual(t, orig) || tupleEqual(t, reply)) return -17; // EEXIST
      }
    }
    this.heap.get(ct); // the table's count
    this.entries.push(ct);
    return 0;
  }

  get size(): number {
    return this.entries.length;
  }

  now(): number {
    return this.jiffies();
  }

  /** Read a direction's tuple from the entry's bytes. */
  readTuple(ct: KernelObject, dir: number): CtTuple {
    const base = this.tupleOffset(dir);
    const b = ct.bytes;
    const dv = ct.dv;
    const o = (path: string) => base + this.off('struct nf_conntrack_tuple', path);
    return {
      l3num: dv.getUint16(o('src.l3num'), true),
      protonum: b[o('dst.protonum')]!,
      src: b.slice(o('src.u3'), o('src.u3') + 16),
      dst: b.slice(o('dst.u3'), o('dst.u3') + 16),
      sport: dv.getUint16(o('src.u'), true),
      dport: dv.getUint16(o('dst.u'), true),
    };
  }

  writeTuple(ct: KernelObject, dir: number, t: CtTuple): void {
    const base = this.tupleOffset(dir);
    const dv = ct.dv;
    const o = (path: string) => base + this.off('struct nf_conntrack_tuple', path);
    ct.bytes.set(t.src, o('src.u3'));
    ct.bytes.set(t.dst, o('dst.u3'));
    dv.setUint16(o('src.u'), t.sport, true);
    dv.setUint16(o('dst.u'), t.dport, true);
    dv.setUint16(o('src.l3num'), t.l3num, true);
    ct.bytes[o('dst.protonum')] = t.protonum;
    ct.bytes[o('dst.dir')] = dir;
  }

  private tupleOffset(dir: number): number {
    const types = this.heap.types;
    const hashSize = types.sizeOf('struct nf_conntrack_tuple_hash');
    return this.off('struct nf_conn', 'tuplehash') + dir * hashSize + this.off('struct nf_conntrack_tuple_hash', 'tuple');
  }

  private off(type: string, path: string): number {
    let t: string | number = type;
    let offset = 0;
    for (const name of path.split('.')) {
      const m = this.heap.types.member(t, name);
      if (m === undefined) throw new Error(`${type} has no member ${path}`);
      offset += m.offset;
      t = m.type;
    }
    return offset;
  }
}

export function isConfirmed(ct: KernelObject): boolean {
  return (Number(ct.get('status')) & IPS.CONFIRMED) !== 0;
}

/** __nf_ct_set_timeout. */
export function setCtTimeout(ct: KernelObject, timeout: number, now: number): void {
  const t = Math.min(timeout, 0x7fffffff);
  ct.set('timeout', isConfirmed(ct) ? (now + t) >>> 0 : t >>> 0);
}

/** __nf_ct_change_timeout. */
export function changeCtTimeout(ct: KernelObject, timeout: number, now: number): number {
  const status = Number(ct.get('status'));
  if (status & IPS.FIXED_TIMEOUT) return -1; // EPERM
  setCtTimeout(ct, timeout, now);
  return status & IPS.DYING ? -62 : 0; // ETIME
}

/** nf_ct_change_status_common. */
export function changeCtStatus(ct: KernelObject, status: number): number {
  const cur = Number(ct.get('status'));
  const d = cur ^ status;
  if (d & (IPS.EXPECTED | IPS.CONFIRMED | IPS.DYING)) return -16; // EBUSY
  if (d & IPS.SEEN_REPLY && !(status & IPS.SEEN_REPLY)) return -16;
  if (d & IPS.ASSURED && !(status & IPS.ASSURED)) return -16;
  // __nf_ct_change_status(ct, status, 0): set the changeable bits that are on
  const on = status & ~IPS_UNCHANGEABLE_MASK & ((1 << IPS_MAX_BIT) - 1);
  ct.set('status', cur | on);
  return 0;
}
