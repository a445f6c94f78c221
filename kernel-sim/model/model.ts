/**
 * The simulated kernel's state as a model the user builds and reads: objects of the kernel's real BTF
 * types (tasks, creds, files, dentries, cgroups…) set by field paths. A path runs through embedded
 * structs and through pointer members: `real_parent.tgid` follows the task's `real_parent` pointer, and
 * where it is NULL creates the pointed-to object (a `struct task_struct`) first. Strings go into char
 * arrays (NUL-padded, cut to fit) or, for a `char *` member, into a kernel string object the member
 * points to. `current` is the task helpers read (bpf_get_current_pid_tgid and friends).
 */
import { PERM_R, type Region } from '../../vm/address-space.js';
import type { KernelTypes } from '../btf/kernel-types.js';
import { readBits, readInt, typeText, writeBits, writeInt, type KernelObject } from '../objects/heap.js';
import { credIds, type KernelWorld } from '../objects/world.js';
import { ModelError } from './errors.js';
import type { UserMemory } from './user-memory.js';
import { ModelVfs } from './vfs.js';
import { TaskState } from './task-state.js';
import { sockPath } from './sockets.js';
import { CSS_ONLINE, type ModelObjects, type ModelPathValue, type ModelRef, type ModelValue } from './model-objects.js';

export type { ModelPathValue, ModelRef, ModelValue } from './model-objects.js';

/** Where a field path ends: an object, a byte offset in it, the member's BTF type and bitfield position. */
interface Place {
  object: KernelObject;
  offset: number;
  type: number;
  bitOffset: number;
  bitSize: number;
}

/** The kernel's objects as the user builds and reads them (see the module comment). */
export class KernelModel implements ModelObjects {
  private readonly ids = new Map<string, KernelObject>();
  private readonly names = new Map<KernelObject, string>();
  /** Tasks the user created, in creation order. */
  private readonly created: KernelObject[] = [];
  private readonly strings: Region[] = [];
  /** Files, dentries and the root mount (vfs.ts). */
  readonly vfs: ModelVfs;
  /** Pid namespaces, pt_regs, open files and VMAs of tasks (task-state.ts). */
  readonly taskState: TaskState;

  constructor(readonly world: KernelWorld) {
    this.vfs = new ModelVfs(this);
    this.taskState = new TaskState(this, this.vfs);
  }

  /** Every object of the kernel (the model's and the simulated kernel's own), alive, in creation order. */
  objects(): KernelObject[] {
    return [...this.world.heap.live];
  }

  /** A name for an object: its id, or `struct T#serial`. */
  nameOf(obj: KernelObject): string {
    return this.idOf(obj) ?? `${typeText(obj.type)}#${obj.serial}`;
  }

  /** A `struct file` open on an absolute path (its dentries made as needed). */
  file(path: string, fields: Readonly<Record<string, ModelValue>> = {}, opts: { id?: string } = {}): KernelObject {
    const f = this.vfs.file(path);
    if (opts.id !== undefined) this.name(f, opts.id);
    this.fill(f, fields);
    return f;
  }

  /** Open `file` (an object or a path) as descriptor `fd` of `task`. */
  openFile(task: KernelObject, fd: number, file: KernelObject | string): KernelObject {
    const f = typeof file === 'string' ? this.vfs.file(file) : file;
    this.taskState.openFile(task, fd, f);
    return f;
  }

  /** Give an object an id (once). */
  name(obj: KernelObject, id: string): void {
    if (this.ids.has(id)) throw new ModelError('defined twice', { object: id });
    this.ids.set(id, obj);
    this.names.set(obj, id);
  }

  get types(): KernelTypes {
    return this.world.heap.types;
  }

  /** The task helpers read as current. */
  get current(): KernelObject {
    return this.world.kernel.current ?? this.world.currentTask;
  }

  set current(task: KernelObject) {
    if (task.type !== 'task_struct') throw new ModelError(`current must be a struct task_struct, not ${typeText(task.type)}`);
    this.world.kernel.current = task;
  }

  /**
   * A new object of a kernel type (`struct task_struct`, `task_struct`, `union bpf_attr`), its fields set
   * by path. A task gets what every kernel task has unless its fields say otherwise: a cred (uid/gid 0),
   * the init task as parent, itself as group leader, the root cgroup's css_set.
   */
  create(type: string, fields: Readonly<Record<string, ModelValue>> = {}, opts: { id?: string } = {}): KernelObject {
    const obj = this.declare(type, opts.id);
    this.fill(obj, fields);
    return obj;
  }

  /** A new object with no fields set yet (so objects can refer to each other before `fill`). */
  declare(type: string, id?: string): KernelObject {
    const name = bareType(type);
    if (id !== undefined && this.ids.has(id)) throw new ModelError('defined twice', { object: id });
    let obj: KernelObject;
    try {
      obj = this.world.heap.create(name);
    } catch (e) {
      throw new ModelError(`no type ${typeText(name)} in the kernel's BTF (${(e as Error).message})`, { object: id ?? typeText(name) });
    }
    if (id !== undefined) this.name(obj, id);
    if (name === 'task_struct') this.created.push(obj);
    this.objectDefaults(obj);
    return obj;
  }

  /** Set a declared object's fields; a task then gets the defaults its fields leave out. */
  fill(obj: KernelObject, fields: Readonly<Record<string, ModelValue>>): void {
    for (const [path, v] of Object.entries(fields)) this.set(obj, path, v);
    if (obj.type === 'task_struct') this.taskDefaults(obj, fields);
  }

  /** The object of an id. */
  object(id: string): KernelObject {
    const o = this.ids.get(id);
    if (o === undefined) throw new ModelError(`no object with this id (objects: ${[...this.ids.keys()].join(', ') || 'none'})`, { object: id });
    return o;
  }

  /** The id an object was created with, if any. */
  idOf(obj: KernelObject): string | undefined {
    return this.names.get(obj);
  }

  /**
   * The tasks of the model in pid order: those the user created, or (when none was) the world's init
   * task and the default current task.
   */
  tasks(): KernelObject[] {
    const list = this.created.length > 0 ? [...this.created] : [this.world.initTask, this.world.currentTask];
    return list.sort((a, b) => Number(a.get('pid') - b.get('pid')));
  }

  /** A task's simulated user memory (the current task's by default). */
  userMemory(task: KernelObject = this.current): UserMemory {
    return this.world.userMemory(task);
  }

  /** A NUL-terminated kernel string (what a `const char *` member points to); its address. */
  kernelString(s: string): bigint {
    const enc = new TextEncoder().encode(s);
    const bytes = new Uint8Array(enc.length + 1);
    bytes.set(enc);
    const r = this.world.kernel.space.map('kernel-object', bytes, PERM_R, `kernel string "${s.slice(0, 24)}"`);
    this.strings.push(r);
    return r.base;
  }

  /** Set the field at `path` of `obj` (creating the objects its pointer steps need). */
  set(obj: KernelObject, path: string, value: ModelValue): void {
    const place = this.locate(obj, path, true)!;
    this.write(place, value, this.idOf(obj) ?? typeText(obj.type), path);
    // a qstr's name keeps its length (d_path and the dcache read `len`, not the NUL)
    const dot = path.lastIndexOf('.');
    if (typeof value === 'string' && path.slice(dot + 1) === 'name') {
      const owner = dot < 0 ? undefined : this.locate(obj, path.slice(0, dot), false);
      const ownerType = owner === undefined ? this.types.idOf(typeText(obj.type)) : owner.type;
      const t = this.types.btf.type(this.types.btf.resolve(ownerType));
      if (t.kind === 'STRUCT' && t.name === 'qstr') this.set(obj, dot < 0 ? 'len' : `${path.slice(0, dot)}.len`, new TextEncoder().encode(value).length);
    }
  }

  /** The integer at `path` (0 where a pointer on the way is NULL, as a probe read of NULL would give). */
  get(obj: KernelObject, path: string): bigint {
    const p = this.locate(obj, path, false);
    if (p === undefined) return 0n;
    if (p.bitSize > 0) return readBits(p.object.bytes, p.bitOffset, p.bitSize);
    const size = this.types.sizeOf(p.type);
    if (![1, 2, 4, 8].includes(size)) throw new ModelError(`is ${this.types.textOf(p.type)}, not an integer or pointer`, { object: this.idOf(obj), field: path });
    return readInt(p.object.dv, p.offset, size);
  }

  /** The string at `path`: a char array's bytes up to the NUL, or the string a `char *` points to. */
  getString(obj: KernelObject, path: string): string {
    const p = this.locate(obj, path, false);
    if (p === undefined) return '';
    const btf = this.types.btf;
    const t = btf.type(btf.resolve(p.type));
    let bytes: Uint8Array;
    if (t.kind === 'ARRAY') bytes = p.object.bytes.subarray(p.offset, p.offset + this.types.sizeOf(p.type));
    else if (t.kind === 'PTR') {
      const addr = readInt(p.object.dv, p.offset, 8);
      if (addr === 0n) return '';
      bytes = this.world.kernel.space.readCString(addr, 4096).bytes;
    } else throw new ModelError(`is ${this.types.textOf(p.type)}, not a string`, { object: this.idOf(obj), field: path });
    const end = bytes.indexOf(0);
    return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
  }

  /** An object a value names: the object itself, or the object of a `{ $ref }`. */
  resolveRef(v: KernelObject | ModelRef): KernelObject {
    return isRef(v) ? this.object(refId(v)) : v;
  }

  /** Walk `path` from `obj`; `create` makes the objects NULL pointers on the way should point to. */
  private locate(obj: KernelObject, path: string, create: boolean): Place | undefined {
    const btf = this.types.btf;
    const where = { object: this.idOf(obj) ?? typeText(obj.type), field: path };
    let place: Place = { object: obj, offset: 0, type: this.types.idOf(typeText(obj.type)), bitOffset: 0, bitSize: 0 };
    for (const name of path.split('.')) {
      let t = btf.type(btf.resolve(place.type));
      if (t.kind === 'PTR') {
        // a step through a pointer member: follow it, or create what it points to
        const pointee = btf.resolve(t.type);
        const pk = btf.type(pointee);
        if (pk.kind !== 'STRUCT' && pk.kind !== 'UNION') throw new ModelError(`'${name}': ${this.types.textOf(place.type)} points to no struct`, where);
        const addr = readInt(place.object.dv, place.offset, 8);
        let target = addr === 0n ? undefined : this.world.heap.windowAt(addr);
        if (target === undefined) {
          if (!create) return undefined;
          const made = this.world.heap.create(pk.kind === 'UNION' ? `union ${pk.name}` : pk.name);
          this.objectDefaults(made);
          if (pk.kind === 'STRUCT' && pk.name === 'task_struct') this.taskDefaults(made, {});
          writeInt(place.object.dv, place.offset, 8, made.home.region.base);
          target = { window: made.home, offset: 0 };
        }
        place = { object: target.window.object, offset: target.offset, type: pointee, bitOffset: target.offset * 8, bitSize: 0 };
        t = pk;
      }
      if (t.kind !== 'STRUCT' && t.kind !== 'UNION') throw new ModelError(`'${name}': ${this.types.textOf(place.type)} has no members`, where);
      const m = this.types.member(place.type, name);
      if (m === undefined) throw new ModelError(`${this.types.textOf(btf.resolve(place.type))} has no member '${name}'`, where);
      place = { object: place.object, offset: place.offset + m.offset, type: m.type, bitOffset: place.offset * 8 + m.bitOffset, bitSize: m.bitSize };
    }
    return place;
  }

  private write(p: Place, value: ModelValue, object: string, field: string): void {
    const btf = this.types.btf;
    const t = btf.type(btf.resolve(p.type));
    const size = this.types.sizeOf(p.type);
    const bytes = p.object.bytes;
    const fail = (why: string): never => {
      throw new ModelError(`${this.types.textOf(p.type)} cannot hold ${why}`, { object, field });
    };
    if (value instanceof Uint8Array) {
      if (value.length > size) fail(`${value.length} bytes`);
      bytes.set(value, p.offset);
      return;
    }
    if (typeof value === 'string') {
      const enc = new TextEncoder().encode(value);
      if (t.kind === 'ARRAY') {
        const elem = btf.type(btf.resolve(t.type));
        if (elem.kind !== 'INT' || elem.size !== 1) fail(`a string (its elements are not chars)`);
        bytes.fill(0, p.offset, p.offset + size);
        bytes.set(enc.subarray(0, size - 1), p.offset);
        return;
      }
      if (t.kind === 'PTR') {
        writeInt(p.object.dv, p.offset, 8, this.kernelString(value));
        return;
      }
      fail('a string');
    }
    if (isPathValue(value)) return this.writePath(p, t, value.$path, fail);
    if (value !== null && typeof value === 'object') {
      if (t.kind !== 'PTR') fail('a pointer to an object');
      writeInt(p.object.dv, p.offset, 8, this.resolveRef(value).home.region.base);
      return;
    }
    const v = value === null ? 0n : typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value);
    if (p.bitSize > 0) return writeBits(bytes, p.bitOffset, p.bitSize, v);
    if (![1, 2, 4, 8].includes(size) || (t.kind !== 'INT' && t.kind !== 'ENUM' && t.kind !== 'ENUM64' && t.kind !== 'PTR')) {
      // an integer into a struct wrapping one (kuid_t, atomic_t, refcount_t): its first member
      const sub = t.kind === 'STRUCT' && t.members.length === 1 ? t.members[0]! : undefined;
      if (sub === undefined) fail('a number');
      return this.write({ ...p, offset: p.offset + sub!.bitOffset / 8, type: sub!.type, bitOffset: p.bitOffset + sub!.bitOffset }, value, object, field);
    }
    writeInt(p.object.dv, p.offset, size, v);
  }

  /** A `{ $path }` value: by the member's type, a struct path, a file, a dentry, an inode or a path object. */
  private writePath(p: Place, t: ReturnType<KernelTypes['btf']['type']>, path: string, fail: (why: string) => never): void {
    const btf = this.types.btf;
    const mp = this.vfs.lookup(path);
    const structName = (id: number): string | undefined => {
      const s = btf.type(btf.resolve(id));
      return s.kind === 'STRUCT' ? s.name : undefined;
    };
    if (t.kind === 'STRUCT' && t.name === 'path') {
      writeInt(p.object.dv, p.offset + this.types.member('struct path', 'mnt')!.offset, 8, mp.mnt);
      writeInt(p.object.dv, p.offset + this.types.member('struct path', 'dentry')!.offset, 8, mp.dentry.home.region.base);
      return;
    }
    if (t.kind !== 'PTR') return fail('a path');
    let target: KernelObject;
    switch (structName(t.type)) {
      case 'file': target = this.vfs.file(path); break;
      case 'dentry': target = mp.dentry; break;
      case 'inode': target = mp.inode; break;
      case 'path': target = this.create('struct path'); this.vfs.setPath(target, '', mp); break;
      default: return fail('a path (a struct path, or a pointer to a file, dentry, inode or path)');
    }
    writeInt(p.object.dv, p.offset, 8, target.home.region.base);
  }

  /** What objects of some types have in every kernel: a dentry is hashed (in the dcache), a task has its stack. */
  private objectDefaults(obj: KernelObject): void {
    if (obj.type === 'dentry') obj.set('d_hash.pprev', obj.home.region.base + BigInt(obj.field('d_hash').offset));
    if (obj.type === 'cgroup') obj.set('self.flags', obj.get('self.flags') | CSS_ONLINE);
    // a socket is refcounted (its owner holds sk_refcnt)
    const sk = sockPath(obj);
    if (sk !== undefined) obj.set(sk === '' ? '__sk_common.skc_refcnt' : `${sk}.__sk_common.skc_refcnt`, 1);
  }

  /** What every task has unless the user set it: a cred, a parent, a group leader, a css_set. */
  private taskDefaults(task: KernelObject, fields: Readonly<Record<string, ModelValue>>): void {
    const given = (m: string): boolean => Object.keys(fields).some((p) => p === m || p.startsWith(`${m}.`));
    if (!given('cred')) {
      const cred = this.world.heap.create('cred', { init: credIds({ uid: 0, gid: 0 }) });
      task.set('cred', cred.home.region.base);
    }
    if (!given('real_cred')) task.set('real_cred', task.get('cred'));
    if (!given('real_parent')) task.set('real_parent', this.world.initTask.home.region.base);
    if (!given('parent')) task.set('parent', task.get('real_parent'));
    if (!given('group_leader')) task.set('group_leader', task.home.region.base);
    if (!given('cgroups')) task.set('cgroups', this.world.cssSet.home.region.base);
    if (!given('stack_refcount')) task.set('stack_refcount.refs.counter', 1);
  }
}

function bareType(type: string): string {
  const t = type.replace(/\s+/g, ' ').trim();
  if (t.startsWith('union ')) return t;
  return t.replace(/^struct /, '');
}

export function isPathValue(v: unknown): v is ModelPathValue {
  return typeof v === 'object' && v !== null && typeof (v as { $path?: unknown }).$path === 'string';
}

export function isRef(v: unknown): v is ModelRef {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && (typeof (v as { $ref?: unknown }).$ref === 'string' || typeof (v as { $task?: unknown }).$task === 'string');
}

function refId(v: ModelRef): string {
  return v.$ref ?? (v as unknown as { $task: string }).$task;
}
