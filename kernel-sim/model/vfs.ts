/**
 * Files, paths and dentries of the kernel model, and d_path over them.
 *
 * A path such as `/usr/bin/bash` becomes what the kernel holds: a chain of `struct dentry` objects
 * (each with its `d_name` qstr, `d_parent` and an inode) under the model's root dentry, on the model's
 * root mount (a `struct mount` whose `mnt.mnt_root` is that root dentry and whose parent is itself, as
 * the initial namespace's root mount is). Dentries of one path are shared (`/usr/bin` is one object).
 *
 * `dPath` is fs/d_path.c's d_path for such objects, read through the address space: the walk up the
 * `d_parent` chain and across mounts (`mnt_mountpoint`, `mnt_parent`), the current task's `fs->root`
 * as where the walk stops, " (deleted)" for an unhashed dentry, names copied from the end of the buffer
 * and -ENAMETOOLONG when they do not fit. The model's dentries are hashed (in the dcache) unless the user
 * clears `d_hash.pprev`.
 */
import { MemoryFault, type AddressSpace } from '../../vm/address-space.js';
import type { KernelTypes } from '../btf/kernel-types.js';
import type { KernelObject } from '../objects/heap.js';
import { ModelError } from './errors.js';
import type { ModelObjects } from './model-objects.js';

/** S_IFDIR / S_IFREG with the usual permissions. */
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const ENAMETOOLONG = 36;
const EFAULT = 14;

/** What a model path is: the mount and the dentry, as a `struct path` holds them. */
export interface ModelPath {
  mnt: bigint;
  dentry: KernelObject;
  inode: KernelObject;
}

export class ModelVfs {
  private root: { mount: KernelObject; dentry: KernelObject } | undefined;
  private readonly dentries = new Map<string, KernelObject>();
  private nextIno = 2n;

  constructor(private readonly model: ModelObjects) {}

  /** The root mount and dentry (made on first use). */
  rootOf(): { mount: KernelObject; dentry: KernelObject } {
    if (this.root !== undefined) return this.root;
    const m = this.model;
    const dentry = this.dentry('/', undefined, S_IFDIR);
    const mount = m.create('struct mount');
    m.set(mount, 'mnt.mnt_root', dentry);
    m.set(mount, 'mnt_parent', mount);
    m.set(mount, 'mnt_mountpoint', dentry);
    this.root = { mount, dentry };
    this.dentries.set('/', dentry);
    return this.root;
  }

  /** The address of the root mount's `struct vfsmount` (what `path.mnt` holds). */
  rootMnt(): bigint {
    const { mount } = this.rootOf();
    return mount.home.region.base + BigInt(mount.field('mnt').offset);
  }

  /** The dentry chain of an absolute path (made as needed), on the root mount. */
  lookup(path: string): ModelPath {
    if (!path.startsWith('/')) throw new ModelError(`a path is absolute ("${path}" does not start with "/")`);
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) throw new ModelError(`a path has no ".." ("${path}")`);
    let parent = this.rootOf().dentry;
    let key = '';
    parts.forEach((name, i) => {
      key += `/${name}`;
      let d = this.dentries.get(key);
      if (d === undefined) {
        d = this.dentry(name, parent, i === parts.length - 1 ? S_IFREG : S_IFDIR);
        this.dentries.set(key, d);
      }
      parent = d;
    });
    const inode = parent.heap.windowAt(parent.get('d_inode'))!.window.object;
    return { mnt: this.rootMnt(), dentry: parent, inode };
  }

  /** A new `struct file` open on `path` (f_path, f_inode, f_mode readable). */
  file(path: string): KernelObject {
    const p = this.lookup(path);
    const f = this.model.create('struct file');
    this.setPath(f, 'f_path', p);
    f.set('f_inode', p.inode.home.region.base);
    return f;
  }

  /** Point `obj`'s embedded `struct path` at `field` to a model path. */
  setPath(obj: KernelObject, field: string, p: ModelPath): void {
    obj.set(`${field}.mnt`, p.mnt);
    obj.set(`${field}.dentry`, p.dentry.home.region.base);
  }

  private dentry(name: string, parent: KernelObject | undefined, mode: number): KernelObject {
    const m = this.model;
    const d = m.create('struct dentry', { 'd_name.name': name });
    d.set('d_parent', (parent ?? d).home.region.base);
    const inode = m.create('struct inode', { i_mode: mode, i_ino: this.nextIno++, i_nlink: 1 });
    d.set('d_inode', inode.home.region.base);
    return d;
  }
}

/** The fields d_path reads, by offset (from the kernel's BTF). */
interface Offsets {
  pathMnt: number; pathDentry: number; dParent: number; dName: number; qLen: number; qName: number;
  dHashPprev: number; dOp: number; mntInMount: number; mntRoot: number; mntParent: number; mntMountpoint: number;
  taskFs: number; fsRoot: number;
}

/** A cache, not state: the offsets follow from a type table, which does not change once made. */
const offsetsOf = new WeakMap<KernelTypes, Offsets>();

function offsets(types: KernelTypes): Offsets {
  let o = offsetsOf.get(types);
  if (o !== undefined) return o;
  const off = (t: string, path: string): number => {
    let at = 0;
    let type: string | number = t;
    for (const name of path.split('.')) {
      const m = types.member(type, name);
      if (m === undefined) throw new ModelError(`the kernel's BTF has no ${t}.${path}`);
      at += m.offset;
      type = m.type;
    }
    return at;
  };
  o = {
    pathMnt: off('struct path', 'mnt'), pathDentry: off('struct path', 'dentry'),
    dParent: off('struct dentry', 'd_parent'), dName: off('struct dentry', 'd_name'),
    qLen: off('struct qstr', 'len'), qName: off('struct qstr', 'name'),
    dHashPprev: off('struct dentry', 'd_hash.pprev'), dOp: off('struct dentry', 'd_op'),
    mntInMount: off('struct mount', 'mnt'), mntRoot: off('struct vfsmount', 'mnt_root'),
    mntParent: off('struct mount', 'mnt_parent'), mntMountpoint: off('struct mount', 'mnt_mountpoint'),
    taskFs: off('struct task_struct', 'fs'), fsRoot: off('struct fs_struct', 'root'),
  };
  offsetsOf.set(types, o);
  return o;
}

/** A buffer filled from its end, as fs/d_path.c's prepend_buffer. */
class Prepend {
  constructor(readonly bytes: Uint8Array, public pos: number, public len: number) {}
  char(c: number): boolean {
    if (this.len > 0) {
      this.len--;
      this.bytes[--this.pos] = c;
      return true;
    }
    this.len = -1;
    return false;
  }
  /** prepend(): the whole string, or as much of its end as fits (then overflowed). */
  str(src: (i: number) => number | undefined, n: number): boolean {
    if (this.len < 0) return false;
    if (this.len < n) {
      const skip = n - this.len;
      this.pos -= this.len;
      copy(this.bytes, this.pos, src, skip, this.len);
      this.len = -1;
      return false;
    }
    this.len -= n;
    this.pos -= n;
    return copy(this.bytes, this.pos, src, 0, n);
  }
}

/** prepend_copy: a name that cannot be read is filled with 'x'. */
function copy(dst: Uint8Array, at: number, src: (i: number) => number | undefined, from: number, n: number): boolean {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const b = src(from + i);
    if (b === undefined) {
      dst.fill(0x78, at, at + n);
      return false;
    }
    out[i] = b;
  }
  dst.set(out, at);
  return true;
}

/**
 * bpf_d_path(path, buf, sz): the path's name written to the start of `buf` (with its NUL), its length
 * with the NUL returned; -ENAMETOOLONG when it does not fit, -EFAULT when the struct path cannot be read.
 * `buf` holds the buffer's bytes before the call and is changed as the kernel changes it.
 */
export function dPath(space: AddressSpace, types: KernelTypes, current: KernelObject | undefined, pathAddr: bigint, buf: Uint8Array): number {
  const sz = buf.length;
  if (sz === 0) return 0;
  const o = offsets(types);
  const rd = (addr: bigint, n: 1 | 2 | 4 | 8): bigint | undefined => {
    try {
      return space.read(addr, n);
    } catch (e) {
      if (e instanceof MemoryFault) return undefined;
      throw e;
    }
  };
  const mnt0 = rd(pathAddr + BigInt(o.pathMnt), 8);
  const dentry0 = rd(pathAddr + BigInt(o.pathDentry), 8);
  if (mnt0 === undefined || dentry0 === undefined) return -EFAULT;
  const ptr = (addr: bigint): bigint => rd(addr, 8) ?? 0n;
  // the root the walk stops at: current->fs->root (none when the task has no fs_struct)
  let rootMnt = 0n;
  let rootDentry = 0n;
  const fs = current === undefined ? 0n : ptr(current.home.region.base + BigInt(o.taskFs));
  if (fs !== 0n) {
    rootMnt = ptr(fs + BigInt(o.fsRoot + o.pathMnt));
    rootDentry = ptr(fs + BigInt(o.fsRoot + o.pathDentry));
  }
  const isRoot = (d: bigint): boolean => ptr(d + BigInt(o.dParent)) === d;
  const b = new Prepend(buf, sz, sz);
  const unhashed = ptr(dentry0 + BigInt(o.dHashPprev)) === 0n;
  if (unhashed && !isRoot(dentry0)) {
    const deleted = new TextEncoder().encode(' (deleted)\0');
    b.str((i) => deleted[i], deleted.length);
  } else b.char(0);
  // prepend_path over a copy of the buffer state, which an escaped walk (error 3) throws away
  const start = { pos: b.pos, len: b.len };
  let dentry = dentry0;
  let mount = mnt0 === 0n ? 0n : mnt0 - BigInt(o.mntInMount);
  let error = 0;
  for (let steps = 0; steps < 4096; steps++) {
    if (dentry === rootDentry && (mount === 0n ? 0n : mount + BigInt(o.mntInMount)) === rootMnt) break;
    const parent = ptr(dentry + BigInt(o.dParent));
    if (mount !== 0n && dentry === ptr(mount + BigInt(o.mntInMount + o.mntRoot))) {
      const m = ptr(mount + BigInt(o.mntParent));
      if (m !== 0n && m !== mount) {
        dentry = ptr(mount + BigInt(o.mntMountpoint));
        mount = m;
        continue;
      }
      error = 1; // the global root
      break;
    }
    // a model path without a mount ends at its top dentry (d_parent itself or NULL)
    if (mount === 0n && (parent === dentry || parent === 0n)) break;
    if (parent === dentry) {
      error = 3; // escaped
      break;
    }
    const name = ptr(dentry + BigInt(o.dName + o.qName));
    const len = Number(rd(dentry + BigInt(o.dName + o.qLen), 4) ?? 0n);
    const at = (i: number): number | undefined => {
      const v = name === 0n ? undefined : rd(name + BigInt(i), 1);
      return v === undefined ? undefined : Number(v);
    };
    if (!(b.str(at, len) && b.char(0x2f))) break;
    if (parent === 0n) break;
    dentry = parent;
  }
  if (error === 3) {
    b.pos = start.pos;
    b.len = start.len;
  }
  if (b.len === start.len) b.char(0x2f);
  if (b.len < 0) return -ENAMETOOLONG;
  const len = sz - b.pos;
  buf.copyWithin(0, b.pos, sz);
  return len;
}
