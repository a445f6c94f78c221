/**
 * What a run changed in the kernel model: the objects whose bytes differ from a snapshot taken before the
 * run, each change named by the member it falls in (`cred.uid.val`, `comm[3]`…, down to an integer,
 * pointer or array element), and the writes programs made to tasks' user memory.
 */
import type { Btf } from '../../src/btf/index.js';
import { typeText, type KernelObject } from '../objects/heap.js';
import type { KernelModel } from './model.js';

export interface FieldChange {
  /** The member path inside the object. */
  field: string;
  offset: number;
  size: number;
  before: Uint8Array;
  after: Uint8Array;
}

export interface ObjectChange {
  /** The object's id in the model, or `struct T#serial`. */
  object: string;
  type: string;
  address: bigint;
  fields: FieldChange[];
}

export interface UserMemoryWrite {
  /** The task whose user memory was written (its id or `struct task_struct#serial`). */
  task: string;
  address: bigint;
  before: Uint8Array;
  after: Uint8Array;
}

export interface ModelSnapshot {
  objects: Map<KernelObject, Uint8Array>;
  userWrites: Map<KernelObject, number>;
}

/** The bytes of every live object and how many user-memory writes each task has so far. */
export function snapshotModel(model: KernelModel, exclude: ReadonlySet<KernelObject> = new Set()): ModelSnapshot {
  const objects = new Map<KernelObject, Uint8Array>();
  const userWrites = new Map<KernelObject, number>();
  for (const o of model.objects()) {
    if (exclude.has(o)) continue;
    objects.set(o, o.bytes.slice());
    if (o.type === 'task_struct') userWrites.set(o, model.world.userMemory(o).writes.length);
  }
  return { objects, userWrites };
}

/** The objects of the snapshot that changed (freed ones are left out: their bytes are poison). */
export function modelChanges(model: KernelModel, snap: ModelSnapshot): { changed: ObjectChange[]; userWrites: UserMemoryWrite[] } {
  const changed: ObjectChange[] = [];
  for (const [o, before] of snap.objects) {
    if (o.freed) continue;
    const fields = diffFields(model, o, before);
    if (fields.length > 0) changed.push({ object: model.nameOf(o), type: typeText(o.type), address: o.home.region.base, fields });
  }
  const userWrites: UserMemoryWrite[] = [];
  for (const [task, n] of snap.userWrites) {
    for (const w of model.world.userMemory(task).writes.slice(n)) userWrites.push({ task: model.nameOf(task), address: w.addr, before: w.before, after: w.after });
  }
  return { changed, userWrites };
}

function diffFields(model: KernelModel, o: KernelObject, before: Uint8Array): FieldChange[] {
  const out: FieldChange[] = [];
  const btf = model.types.btf;
  const type = model.types.idOf(typeText(o.type));
  const n = Math.min(before.length, o.bytes.length);
  for (let i = 0; i < n; i++) {
    if (before[i] === o.bytes[i]) continue;
    const leaf = leafAt(btf, type, i) ?? { field: `+${i}`, offset: i, size: 1 };
    const end = Math.min(leaf.offset + leaf.size, n);
    out.push({ ...leaf, before: before.slice(leaf.offset, end), after: o.bytes.slice(leaf.offset, end) });
    i = Math.max(i, end - 1);
  }
  return out;
}

/** The innermost member (or array element) covering byte `off` of a type: its path, offset and size. */
export function leafAt(btf: Btf, typeId: number, off: number): { field: string; offset: number; size: number } | undefined {
  let id = btf.resolve(typeId);
  let base = 0;
  const path: string[] = [];
  for (let depth = 0; depth < 32; depth++) {
    const t = btf.type(id);
    if (t.kind === 'STRUCT' || t.kind === 'UNION') {
      let next: { name: string; type: number; at: number } | undefined;
      for (const m of t.members) {
        const at = base + Math.floor(m.bitOffset / 8);
        const size = m.bitSize > 0 ? Math.ceil(((m.bitOffset % 8) + m.bitSize) / 8) : btf.sizeOf(m.type);
        if (off >= at && off < at + size) {
          next = { name: m.name, type: m.type, at };
          if (m.bitSize > 0) return { field: [...path, m.name].join('.'), offset: at, size };
          break;
        }
      }
      if (next === undefined) return path.length === 0 ? undefined : { field: path.join('.'), offset: base, size: btf.sizeOf(id) };
      if (next.name !== '') path.push(next.name);
      id = btf.resolve(next.type);
      base = next.at;
      continue;
    }
    if (t.kind === 'ARRAY') {
      const es = btf.sizeOf(t.type);
      if (es === 0) break;
      // a char array (comm, a name) changes as a whole
      if (es === 1 && btf.type(btf.resolve(t.type)).kind === 'INT') return { field: path.join('.'), offset: base, size: btf.sizeOf(id) };
      const i = Math.floor((off - base) / es);
      const name = path.pop() ?? '';
      path.push(`${name}[${i}]`);
      id = btf.resolve(t.type);
      base += i * es;
      continue;
    }
    return { field: path.join('.'), offset: base, size: btf.sizeOf(id) };
  }
  return undefined;
}
