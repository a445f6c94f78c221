/**
 * What the model's parts (the VFS, the task state) need of the model: its world and a way to create and
 * set objects, so they take the model as this interface and the model owns them without a cycle. Also the
 * values a field may be set to, and the kernel flags the model and the iterators both read.
 */
import type { KernelObject } from '../objects/heap.js';
import type { KernelWorld } from '../objects/world.js';

/** A reference to a model object by its id (`{"$ref": "bash"}` in JSON; `$task` is the same). */
export interface ModelRef {
  $ref: string;
}

/**
 * A file system path (`{"$path": "/usr/bin/bash"}`): for a `struct path` member its mount and dentry,
 * for a `struct file *` a new file open on it, for a `struct dentry *` / `struct inode *` / `struct path *`
 * the path's dentry, inode or a new struct path.
 */
export interface ModelPathValue {
  $path: string;
}

/** What a field may be set to. */
export type ModelValue = number | bigint | boolean | string | null | Uint8Array | KernelObject | ModelRef | ModelPathValue;

/** CSS_ONLINE (include/linux/cgroup-defs.h): the model marks its cgroups online; the cgroup iterator skips the others. */
export const CSS_ONLINE = 1n << 1n;

/** The model as its parts see it. */
export interface ModelObjects {
  readonly world: KernelWorld;
  create(type: string, fields?: Readonly<Record<string, ModelValue>>, opts?: { id?: string }): KernelObject;
  set(obj: KernelObject, path: string, value: ModelValue): void;
}
