import { PERM_R, PERM_RW, PERM_W, type Region, type RegionKind } from '../../vm/address-space.js';
import type { ViolationKind } from '../../src/violations.js';
import type { MapEnv } from './env.js';
import { ERRNO } from './errno.js';
import { MapError } from './error.js';
import { mapObjectBytes } from './map-object.js';
import { describe } from '../../src/options.js';
import { copyValue, SPIN_LOCK_SIZE } from './spin-lock.js';
import { BPF_F, BPF_F_LOCK, MAP_TYPE, type MapTypeName } from './types.js';
import type { Btf } from '../../src/btf/index.js';
import { kptrFieldsOf, valueFieldOffset, type KptrField } from '../../src/object/map-fields.js';
import type { MapDef } from '../../src/platform/platform.js';

/**
 * BPF_MAP_CREATE's attributes (union bpf_attr's map_create part). An object's map declaration (MapSpec) is
 * turned into these by `attrOfSpec` (kernel-sim/maps/from-spec.ts), as libbpf fills them.
 */
export interface MapAttr {
  type: MapTypeName;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  mapExtra?: number;
  /** The template of a map-in-map's inner maps (inner_map_fd). */
  innerMap?: BpfMap;
  /**
   * The BTF the key and value types are in (btf_fd). With it, creation finds the value's special fields
   * (bpf_spin_lock, bpf_timer, kptrs) in `btfValueTypeId` as 6.1's map_check_btf does.
   */
  btf?: Btf;
  /** btf_key_type_id (0 or absent: none). */
  btfKeyTypeId?: number;
  /** btf_value_type_id (0 or absent: none). */
  btfValueTypeId?: number;
  /**
   * Where the value's `struct bpf_spin_lock` is, for a map created without BTF (test_verifier's fixups,
   * tests); with `btf` it is found there and this must be absent.
   */
  spinLockOff?: number;
}

/** The special fields of a map's value (6.1's spin_lock_off, timer_off and kptr_off_tab; null: none). */
export interface ValueSpecialFields {
  spinLockOff: number | null;
  timerOff: number | null;
  kptrs: readonly KptrField[];
}

/** What map_check_btf finds in the attributes' value type (or what a BTF-less creation says). */
export function valueSpecialFields(attr: MapAttr): ValueSpecialFields {
  const id = attr.btfValueTypeId;
  if (attr.btf === undefined || id === undefined || id === 0) return { spinLockOff: attr.spinLockOff ?? null, timerOff: null, kptrs: [] };
  const at = (name: string): number | null => {
    const off = valueFieldOffset(attr.btf, id, name);
    return off < 0 ? null : off;
  };
  return { spinLockOff: at('bpf_spin_lock'), timerOff: at('bpf_timer'), kptrs: kptrFieldsOf(attr.btf, id) };
}

/** What the verifier view is made of: a created map, or the attributes of a map only declared (from-spec.ts). */
export interface MapViewSource extends ValueSpecialFields {
  /** BPF_MAP_TYPE_* number. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** The value has a BTF type. */
  btfValueTypeId: number;
}

/**
 * The one constructor of the verifier's MapDef (a created map's `verifierView()`, a declared map's
 * `declareMap`, a map-in-map's template): `name` '' for a template (bpf_map_meta_alloc copies no name).
 */
export function mapView(m: MapViewSource, name: string, inner?: MapDef): MapDef {
  const def: MapDef = {
    type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags,
    spinLockOff: m.spinLockOff ?? -1, timerOff: m.timerOff ?? -1, hasBtf: m.btfValueTypeId !== 0,
    ...(name !== '' && { name }), ...(m.kptrs.length > 0 && { kptrs: m.kptrs }),
  };
  if (inner !== undefined) def.inner = inner;
  return def;
}

/** Where a value lives: a program's pointer to it is `region.addr(offset)`. */
export interface ValueRef {
  region: Region;
  offset: number;
}

/**
 * Fields of a value that belong to the kernel rather than to its bytes (Linux 6.1's kptrs): whoever knows
 * the value's BTF installs them on the map. copy_map_value leaves them alone, and when a value goes away
 * (element deleted or replaced, map freed) or an array element is overwritten, `free` releases what they
 * hold (bpf_map_free_kptrs).
 */
export interface ValueFields {
  /** [offset, size] of each field a copy into a value must not overwrite. */
  readonly skip: readonly (readonly [number, number])[];
  free(region: Region, offset: number): void;
}

/** An errno (negative) or a result. */
export type Result<T> = T | number;

/**
 * The common part of every map: its definition, the kernel object a program's map pointer points at, the
 * program-side operations (what the helpers call; by default the answers of a map type that lacks them),
 * the syscall-side copies, and the retirement of element memory. `verifierView()` is what the verifier
 * is told of it (the MapDef of src/platform).
 */
export abstract class BpfMap {
  readonly name: string;
  readonly typeName: MapTypeName;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: number;
  /** Offset of the value's `struct bpf_spin_lock`, or null. */
  readonly spinLockOff: number | null;
  /** Offset of the value's `struct bpf_timer`, or null. */
  readonly timerOff: number | null;
  /**
   * The value's kptr fields (kptr_off_tab): found in its BTF at creation, or declared by the kernel's
   * kptr table (KptrTable.install) for a map made without BTF.
   */
  kptrs: readonly KptrField[];
  /** The BTF of key and value (btf_fd, btf_key_type_id, btf_value_type_id); ids 0 when none. */
  readonly btf: Btf | undefined;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** BPF_MAP_FREEZE was called (`freeze()`): a read-only program map's value is then a constant to the verifier. */
  frozen = false;
  readonly env: MapEnv;
  /** `struct bpf_map`: its address is the map pointer (ld_imm64 of a map fd); its owner is this map. */
  readonly object: Region;
  /** The user-space id (what map-in-map values and map_get_fd_by_id name). */
  readonly id: number;
  /** Special fields of the values (kptrs), or null. */
  valueFields: ValueFields | null = null;
  /** Set by `free`: the map is gone. */
  freed = false;
  /** The bytes of the kernel's memory this map holds (its allocation at creation, elements added since). */
  memoryCharged = 0;
  /** Values freed while a program may still hold pointers to them; unmapped by `reclaim`. */
  private readonly retired: Region[] = [];

  constructor(env: MapEnv, attr: MapAttr) {
    this.env = env;
    this.name = attr.name;
    this.typeName = attr.type;
    this.type = MAP_TYPE[attr.type];
    this.keySize = attr.keySize;
    this.valueSize = attr.valueSize;
    this.maxEntries = attr.maxEntries;
    this.flags = attr.flags ?? 0;
    this.mapExtra = attr.mapExtra ?? 0;
    const special = valueSpecialFields(attr);
    this.spinLockOff = special.spinLockOff;
    this.timerOff = special.timerOff;
    this.kptrs = special.kptrs;
    this.btf = attr.btf;
    this.btfKeyTypeId = attr.btf === undefined ? 0 : attr.btfKeyTypeId ?? 0;
    this.btfValueTypeId = attr.btf === undefined ? 0 : attr.btfValueTypeId ?? 0;
    // the map type's ops table (never read by programs: only its address is visible)
    const ops = env.space.map('kernel-object', new Uint8Array(8), 0, `bpf_map_ops of ${attr.type}`);
    const image = (id: number) => mapObjectBytes({ ...this, type: this.type, id, ops: ops.base });
    const bytes = image(0);
    this.object = env.space.map('kernel-object', bytes, PERM_R, `map "${this.name}"`, this);
    this.id = env.idOf(this);
    bytes.set(image(this.id));
  }

  /**
   * The map as the verifier sees it (what check_map_func_compatibility, check_map_access and friends read
   * of struct bpf_map): sizes, flags, special fields, name, a frozen map's value, a map-in-map's template.
   * A fresh object each call; the value of a frozen map is copied now.
   */
  verifierView(): MapDef {
    const def = mapView(this, this.name);
    if (this.frozen) {
      const ref = this.valueRef(new Uint8Array(this.keySize));
      def.frozen = ref === null ? new Uint8Array(this.valueSize) : ref.region.bytes.slice(ref.offset, ref.offset + this.valueSize);
    }
    return def;
  }

  /** BPF_MAP_FREEZE: the map's contents no longer change from user space (libbpf freezes `.rodata`, `.kconfig`). */
  freeze(): void {
    this.frozen = true;
  }

  // ---- program side (the helpers) ----

  /** bpf_map_lookup_elem: the value's place, or null (NULL). */
  lookupElem(_key: Uint8Array): ValueRef | null {
    return null;
  }

  /**
   * The value's place without a lookup's side effects (an LRU map's ref bit): how the kernel's own
   * iterators (bpf_for_each_map_elem) reach elements.
   */
  valueRef(key: Uint8Array): ValueRef | null {
    return this.lookupElem(key);
  }

  /** bpf_map_update_elem: 0 or -errno. */
  updateElem(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -ERRNO.EINVAL;
  }

  /** bpf_map_delete_elem: 0 or -errno. */
  deleteElem(_key: Uint8Array): number {
    return -ERRNO.EINVAL;
  }

  /** BPF_MAP_GET_NEXT_KEY: the key after `key` (the first when `key` is null or absent), or -errno. */
  getNextKey(_key: Uint8Array | null): Result<Uint8Array> {
    return -ERRNO.EINVAL;
  }

  /** bpf_map_push_elem. */
  pushElem(_value: Uint8Array, _flags: number): number {
    return -ERRNO.EOPNOTSUPP;
  }

  /** bpf_map_pop_elem: 0 with the value in `out`, or -errno. */
  popElem(_out: Uint8Array): number {
    return -ERRNO.EOPNOTSUPP;
  }

  /**
   * bpf_map_peek_elem: 0 or -errno. Queues and stacks write the value into `buf`; a bloom filter reads
   * the value to test from it.
   */
  peekElem(_buf: Uint8Array): number {
    return -ERRNO.EOPNOTSUPP;
  }

  // ---- syscall side (user space) ----

  /** BPF_MAP_LOOKUP_ELEM: a copy of the value (all CPUs' for per-CPU maps), or -errno. */
  lookupSys(key: Uint8Array, flags = 0): Result<Uint8Array> {
    this.checkSysArgs('lookup', key, undefined, flags);
    if (this.flags & BPF_F.WRONLY) return -ERRNO.EPERM;
    const err = this.checkLockFlag(flags, true);
    if (err !== 0) return err;
    const v = this.copyOut(key);
    if (typeof v === 'number') return v;
    // check_and_init_map_value: a copy never shows lock state.
    if (this.spinLockOff !== null) v.fill(0, this.spinLockOff, this.spinLockOff + SPIN_LOCK_SIZE);
    return v;
  }

  /** BPF_MAP_UPDATE_ELEM. */
  updateSys(key: Uint8Array, value: Uint8Array, flags = 0): number {
    this.checkSysArgs('update', key, value, flags);
    if (this.flags & BPF_F.RDONLY) return -ERRNO.EPERM;
    const err = this.checkLockFlag(flags, false);
    return err !== 0 ? err : this.copyIn(key, value, flags);
  }

  /** BPF_MAP_DELETE_ELEM. */
  deleteSys(key: Uint8Array): number {
    this.checkSysArgs('delete', key, undefined, 0);
    return this.flags & BPF_F.RDONLY ? -ERRNO.EPERM : this.deleteElem(key);
  }

  /**
   * The syscall's buffers as user space hands them over: a key of key_size bytes (anything, or nothing, when
   * key_size is 0: the kernel reads none), a value of the syscall's value size, flags a u32. Anything else is
   * a MapError (EINVAL) naming the map, never a JavaScript exception from deeper down. A bloom filter's
   * lookup takes the value to test where other maps take the key.
   */
  private checkSysArgs(op: 'lookup' | 'update' | 'delete', key: unknown, value: unknown, flags: unknown): void {
    if (op === 'lookup' && this.typeName === 'bloom_filter') this.checkBuffer('value', key, this.valueSize);
    else if (this.keySize !== 0 || key !== undefined && key !== null) this.checkBuffer('key', key, this.keySize);
    if (op === 'update') this.checkBuffer('value', value, this.sysValueSize);
    this.hostU32('flags', flags);
  }

  /** A host-side integer argument (a flag word, an index, a CPU): a u32, else a MapError (EINVAL). */
  protected hostU32(what: string, v: unknown): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw this.error(-ERRNO.EINVAL, `${what} must be a u32, got ${describe(v)}`);
    }
    return v;
  }

  private checkBuffer(what: string, v: unknown, size: number): void {
    if (!(v instanceof Uint8Array)) throw this.error(-ERRNO.EINVAL, `${what} must be a Uint8Array of ${size} bytes, got ${describe(v)}`);
    if (v.length !== size && !(what === 'key' && size === 0)) throw this.error(-ERRNO.EINVAL, `${what} must be ${size} bytes, got ${v.length}`);
  }

  /** The syscall's value size: per-CPU maps exchange round_up(value_size, 8) bytes per CPU. */
  get sysValueSize(): number {
    return this.valueSize;
  }

  /** The value copy behind lookupSys. */
  protected copyOut(key: Uint8Array): Result<Uint8Array> {
    const ref = this.lookupElem(key);
    return ref === null ? -ERRNO.ENOENT : ref.region.bytes.slice(ref.offset, ref.offset + this.valueSize);
  }

  /** The update behind updateSys. */
  protected copyIn(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.updateElem(key, value, flags);
  }

  private checkLockFlag(flags: number, lookup: boolean): number {
    if (lookup && (flags & ~BPF_F_LOCK) !== 0) return -ERRNO.EINVAL;
    if ((flags & BPF_F_LOCK) !== 0 && this.spinLockOff === null) return -ERRNO.EINVAL;
    return 0;
  }

  // ---- element memory ----

  /** The permissions a program gets on this map's values (BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG). */
  protected get progPerms(): number {
    return this.flags & BPF_F.RDONLY_PROG ? PERM_R : this.flags & BPF_F.WRONLY_PROG ? PERM_W : PERM_RW;
  }

  /** Region names, one string per kind of region (not one per element). */
  private readonly regionNames = new Map<string, string>();

  /** Map fresh zeroed memory for values (`bytes`: zeroed memory the map provides, e.g. a slab slot). */
  protected newRegion(size: number, what: string, kind: RegionKind = 'map-value', bytes?: Uint8Array): Region {
    let name = this.regionNames.get(what);
    if (name === undefined) this.regionNames.set(what, (name = `${what} of map "${this.name}"`));
    return this.env.space.map(kind, bytes ?? new Uint8Array(size), this.progPerms, name, this);
  }

  /** Copy a value into place (copy_map_value: the lock word and the kernel's fields stay). */
  protected store(dst: Region, offset: number, value: Uint8Array): void {
    const skip = this.valueFields?.skip ?? [];
    const saved = skip.map(([o, n]) => dst.bytes.slice(offset + o, offset + o + n));
    copyValue(dst.bytes, offset, value, 0, this.valueSize, this.spinLockOff);
    skip.forEach(([o], i) => dst.bytes.set(saved[i]!, offset + o));
  }

  /** The values a map frees when it is freed (the map types that may hold kptrs list theirs). */
  protected liveValues(): ValueRef[] {
    return [];
  }

  /**
   * The map is freed (its last reference dropped): what its values hold is released (array_map_free /
   * htab_map_free → bpf_map_free_kptrs). Idempotent.
   */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.env.uncharge(this.memoryCharged);
    this.memoryCharged = 0;
    const f = this.valueFields;
    if (f !== null) for (const v of this.liveValues()) f.free(v.region, v.offset);
  }

  /** Free an element's memory: a later access through an old pointer raises `kind`. */
  protected retire(region: Region, reason: string, kind: ViolationKind = 'use-after-free'): void {
    this.env.space.kill(region, kind, reason);
    this.retired.push(region);
  }

  /**
   * End of an RCU grace period (no program is running): the windows of freed elements become reusable.
   * Call between runs; until then stale pointers keep faulting.
   */
  reclaim(): void {
    for (const r of this.retired) {
      this.env.space.unmap(r);
      this.recycle(r);
    }
    this.retired.length = 0;
  }

  /** A retired region is gone for good (no pointer to it can exist): its memory may be reused. */
  protected recycle(_region: Region): void {}

  /** Hold `bytes` more of the kernel's memory (the caller checked they fit). */
  chargeMemory(bytes: number): void {
    this.env.charge(bytes);
    this.memoryCharged += bytes;
  }

  /** Take `bytes` for an element if they fit the kernel's memory limit: false (ENOMEM) when not. */
  protected tryCharge(bytes: number): boolean {
    if (!this.env.fits(bytes)) return false;
    this.chargeMemory(bytes);
    return true;
  }

  /** Give back an element's `bytes`. */
  protected releaseMemory(bytes: number): void {
    const n = Math.min(bytes, this.memoryCharged);
    this.env.uncharge(n);
    this.memoryCharged -= n;
  }

  /** A test run starts (bpf_test_run): maps with per-run state (cgroup storage) renew it. */
  beginTestRun(): void {}

  /** A typed error naming this map. */
  protected error(errno: number, detail: string): MapError {
    return new MapError(this.name, errno, detail);
  }
}
