/**
 * A kernel model as data (the CLI's `--kernel-model FILE.json`, the library's `loadObject(…, { model })`):
 *
 *   { "objects": [ { "id": "bash", "type": "struct task_struct",
 *                    "fields": { "pid": 42, "tgid": 42, "comm": "bash", "real_parent": { "$ref": "init" },
 *                                "mm.exe_file.f_path.dentry.d_name.name": "/bin/bash" },
 *                    "userMemory": { "0x7f0000001000": { "string": "world", "size": 4096 } } } ],
 *     "current": "bash" }
 *
 * (a bare list is the objects alone). Objects refer to each other by id (`{"$ref": id}`) in any order;
 * a field may name a file system path (`{"$path": "/usr/bin/bash"}`, see KernelModel.set). A `struct file`
 * may give its `path` (`{"type": "struct file", "path": "/etc/passwd"}`); a task its open files
 * (`"files": {"3": {"$ref": "passwd"}}` or a path), its memory mappings (`"vmas": [{"vm_start": …,
 * "vm_end": …, "vm_flags": …, "file": "/usr/bin/bash"}]`) and its pid in nested namespaces
 * (`"pids": [{"nr": 4242}, {"nr": 1, "ns": {"$ref": "container"}}]`, a namespace being a
 * `struct pid_namespace` object with its `ns.inum`);
 * numbers may be strings (`"0x7f0000001000"`) where JSON cannot hold them; user memory is a string (with
 * its NUL, zero-padded to `size`) or hex bytes (`{"hex": "dead…"}`).
 */
import { ModelError } from './errors.js';
import type { KernelModel, ModelValue } from './model.js';

/** One kernel object of a model specification: its BTF type and field values by path. */
export interface ModelObjectSpec {
  id?: string;
  type: string;
  fields?: Readonly<Record<string, unknown>>;
  userMemory?: Readonly<Record<string, unknown>>;
  /** A struct file's path. */
  path?: string;
  /** A task's open files: descriptor → a file's id (`{"$ref": id}`) or a path. */
  files?: Readonly<Record<string, unknown>>;
  /** A task's memory mappings. */
  vmas?: readonly Readonly<Record<string, unknown>>[];
  /** A task's pid in each namespace, from the initial one down. */
  pids?: readonly Readonly<Record<string, unknown>>[];
}

/** A kernel model as data (JSON): objects, the current task, and what `applyModelSpec` builds from them. */
export interface KernelModelSpec {
  objects?: readonly ModelObjectSpec[];
  /** The id of the current task. */
  current?: string;
  /** The nsfs device (what bpf_get_ns_current_pid_tgid's dev must be; 4 by default). */
  nsfsDev?: number | string;
}

function asSpec(json: unknown): KernelModelSpec {
  if (Array.isArray(json)) return { objects: json as ModelObjectSpec[] };
  if (typeof json !== 'object' || json === null) throw new ModelError('a model is an object {"objects": […], "current": id} or a list of objects');
  return json as KernelModelSpec;
}

/** Numbers in strings become bigints; everything else is passed as it is. */
function value(v: unknown, where: { object: string; field: string }): ModelValue {
  if (typeof v === 'string' && /^-?(0x[0-9a-f]+|\d+)$/i.test(v)) return v.startsWith('-') ? -BigInt(v.slice(1)) : BigInt(v);
  if (v === null || ['number', 'bigint', 'boolean', 'string'].includes(typeof v)) return v as ModelValue;
  if (typeof v === 'object' && (typeof (v as { $ref?: unknown }).$ref === 'string' || typeof (v as { $task?: unknown }).$task === 'string')) return v as ModelValue;
  if (typeof v === 'object' && typeof (v as { $path?: unknown }).$path === 'string') return v as ModelValue;
  throw new ModelError('a field is a number, a string, a boolean, null, {"$ref": id} or {"$path": path}', where);
}

function userBytes(v: unknown, where: { object: string; field: string }): Uint8Array {
  const o = (typeof v === 'string' ? { string: v } : v) as { string?: unknown; hex?: unknown; size?: unknown };
  let bytes: Uint8Array;
  if (typeof o.string === 'string') bytes = Uint8Array.from([...new TextEncoder().encode(o.string), 0]);
  else if (typeof o.hex === 'string' && /^([0-9a-f]{2})*$/i.test(o.hex)) bytes = Uint8Array.from(o.hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  else throw new ModelError('user memory is a string, {"string": S, "size": N} or {"hex": H, "size": N}', where);
  const size = typeof o.size === 'number' ? o.size : bytes.length;
  if (size < bytes.length) throw new ModelError(`size ${size} is smaller than its ${bytes.length} bytes`, where);
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

/** Build a model's objects (declared first, so references go either way), user memory and current task. */
export function applyModelSpec(model: KernelModel, json: unknown): void {
  const spec = asSpec(json);
  const objects = spec.objects ?? [];
  if (!Array.isArray(objects)) throw new ModelError('"objects" is a list');
  const made = objects.map((o, i) => {
    if (typeof o !== 'object' || o === null || typeof o.type !== 'string') throw new ModelError(`object #${i} has no "type"`);
    if (o.path !== undefined) {
      if (typeof o.path !== 'string' || !/^(struct\s+)?file$/.test(o.type.trim())) throw new ModelError('"path" is a string, for a struct file', { object: o.id ?? `#${i}` });
      return model.file(o.path, {}, o.id === undefined ? {} : { id: o.id });
    }
    return model.declare(o.type, o.id);
  });
  objects.forEach((o, i) => {
    const name = o.id ?? `#${i}`;
    const fields: Record<string, ModelValue> = {};
    for (const [k, v] of Object.entries(o.fields ?? {})) fields[k] = value(v, { object: name, field: k });
    model.fill(made[i]!, fields);
    for (const [addr, v] of Object.entries(o.userMemory ?? {})) {
      const where = { object: name, field: `userMemory ${addr}` };
      if (!/^(0x[0-9a-f]+|\d+)$/i.test(addr)) throw new ModelError('a user address is a number', where);
      try {
        model.userMemory(made[i]!).map(BigInt(addr), userBytes(v, where));
      } catch (e) {
        if (e instanceof RangeError) throw new ModelError(e.message, where);
        throw e;
      }
    }
  });
  objects.forEach((o, i) => taskExtras(model, made[i]!, o, o.id ?? `#${i}`));
  if (spec.nsfsDev !== undefined) model.taskState.nsfsDev = BigInt(spec.nsfsDev);
  if (spec.current !== undefined) model.current = model.object(spec.current);
}

/** A task's files, VMAs and pids from its spec. */
function taskExtras(model: KernelModel, obj: ReturnType<KernelModel['object']>, o: ModelObjectSpec, name: string): void {
  if (o.files === undefined && o.vmas === undefined && o.pids === undefined) return;
  if (obj.type !== 'task_struct') throw new ModelError('"files", "vmas" and "pids" are a task\'s', { object: name });
  const objectOf = (v: unknown, field: string) => {
    if (typeof v === 'object' && v !== null && typeof (v as { $ref?: unknown }).$ref === 'string') return model.object((v as { $ref: string }).$ref);
    throw new ModelError('is {"$ref": id}', { object: name, field });
  };
  const num = (v: unknown, field: string): bigint => {
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return BigInt(v);
    throw new ModelError('is a number', { object: name, field });
  };
  for (const [fd, f] of Object.entries(o.files ?? {})) {
    const field = `files ${fd}`;
    if (!/^\d+$/.test(fd)) throw new ModelError('a descriptor is a number', { object: name, field });
    model.openFile(obj, Number(fd), typeof f === 'string' ? f : objectOf(f, field));
  }
  (o.vmas ?? []).forEach((v, i) => {
    const field = `vmas ${i}`;
    const file = v.file === undefined ? undefined : typeof v.file === 'string' ? v.file : objectOf(v.file, `${field} file`);
    model.taskState.addVma(obj, {
      vm_start: num(v.vm_start, `${field} vm_start`), vm_end: num(v.vm_end, `${field} vm_end`),
      ...(v.vm_flags !== undefined && { vm_flags: num(v.vm_flags, `${field} vm_flags`) }),
      ...(v.vm_pgoff !== undefined && { vm_pgoff: num(v.vm_pgoff, `${field} vm_pgoff`) }),
      ...(file !== undefined && { file }),
    });
  });
  if (o.pids !== undefined) {
    model.taskState.setPids(obj, o.pids.map((p, i) => ({
      nr: Number(num(p.nr, `pids ${i} nr`)), ...(p.ns !== undefined && { ns: objectOf(p.ns, `pids ${i} ns`) }),
    })));
  }
}
