/**
 * Tracing programs run against events (`program.trigger(event)`): the kernel model's state, an event's
 * arguments, and the context its attach point gives, built from the kernel's BTF (kernel-sim/model).
 * What the run produced — trace_printk lines, seq_file text, ring-buffer records, map contents — is in
 * the result.
 */
import type { Btf } from '../btf/index.js';
import type { Violation } from '../violations.js';
import type { RunWarning } from '../../vm/machine.js';
import type { BpfMap } from '../../kernel-sim/maps/index.js';
import { RingbufMap } from '../../kernel-sim/maps/ringbuf.js';
import { PerfEventArray } from '../../kernel-sim/maps/perf-event-array.js';
import type { TriggerEvent } from '../../kernel-sim/model/event-context.js';
import type { ObjectChange, UserMemoryWrite } from '../../kernel-sim/model/changes.js';
import { LocalStorageMap } from '../../kernel-sim/maps/local-storage.js';
import type { KernelModel } from '../../kernel-sim/model/model.js';
import { ObjectWindow, typeText, type KernelObject } from '../../kernel-sim/objects/heap.js';

export interface TriggerOptions extends TriggerEvent {
  /** The section the program is attached as, for raw programs (an ELF program's own by default). */
  section?: string;
}

/** What one simulated event gave: the attached program's runs, output, records, maps and model changes. */
export interface TriggerResult {
  /** Lines of output past the kernel's outputLimit, not kept (absent when none were dropped). */
  outputDropped?: number;
  /** The program's return value as the C `int` it is (the last run's), or null when a violation stopped it. */
  retval: number | null;
  r0: bigint | null;
  /** How many times the program ran (an iterator runs once per object, then once with NULL). */
  runs: number;
  /** Instructions executed, all runs. */
  insns: number;
  /** bpf_printk / trace_printk lines. */
  output: string[];
  /** What an iterator wrote to its seq_file. */
  seq: string;
  /** Records submitted to each ring buffer (by map name) during the event, consumed as user space would. */
  ringbuf: Record<string, Uint8Array[]>;
  /** bpf_perf_event_output records of each perf event array (by map name), drained from its open slots. */
  perf: Record<string, { cpu: number; data: Uint8Array }[]>;
  /** Each hash or array map's contents after the event (key → value bytes; per-CPU values all CPUs'); read-only and local storage maps (see `storage`) left out. */
  maps: Record<string, { key: Uint8Array; value: Uint8Array }[]>;
  /**
   * The values of each local storage map (sk/inode/task storage, by map name), by owner: the model
   * object's id (or `struct T#serial`), its type and address.
   */
  storage: Record<string, { owner: string; type: string; address: bigint | null; value: Uint8Array }[]>;
  /** The kernel model's objects the run changed (those that existed before the event), field by field. */
  changed: ObjectChange[];
  /** What programs wrote to tasks' user memory (bpf_probe_write_user), in order. */
  userWrites: UserMemoryWrite[];
  violations: Violation[];
  /**
   * The errno Linux 6.1's BPF_PROG_TEST_RUN gives this program (ENOTSUPP 524 for kprobe, tracepoint,
   * perf_event and LSM programs; EFAULT for tp_btf and iterators): the real kernel runs it only at its
   * attach point, not on request. Absent where 6.1 test-runs it (raw_tp; fentry/fexit/fmod_ret, which 6.1
   * runs only attached to its own test functions).
   */
  kernelErrno?: number;
  /** Loads through kernel pointers (BPF_PROBE_MEM) that met NULL or memory the model does not hold: they read 0. */
  warnings?: RunWarning[];
}

/** Records of the ring buffers, consumed. */
export function consumeRingbufs(maps: readonly BpfMap[]): Record<string, Uint8Array[]> {
  const out: Record<string, Uint8Array[]> = {};
  for (const m of maps) if (m instanceof RingbufMap) out[m.name] = m.consume();
  return out;
}

/** The records of the perf event arrays' open slots, drained. */
export function drainPerfArrays(maps: readonly BpfMap[]): TriggerResult['perf'] {
  const out: TriggerResult['perf'] = {};
  for (const m of maps) {
    if (!(m instanceof PerfEventArray)) continue;
    out[m.name] = [];
    for (let i = 0; i < m.maxEntries; i++) out[m.name]!.push(...m.drain(i).map((r) => ({ cpu: r.cpu, data: r.data })));
  }
  return out;
}

/** BPF_F_RDONLY_PROG: a map programs cannot change (.rodata, .kconfig). */
const BPF_F_RDONLY_PROG = 1 << 7;

/** Maps with keys a user can walk (BPF_MAP_GET_NEXT_KEY) that programs can change, with their entries. */
export function mapContents(maps: readonly BpfMap[]): TriggerResult['maps'] {
  const out: TriggerResult['maps'] = {};
  for (const m of maps) {
    if (m instanceof RingbufMap || m instanceof PerfEventArray || m instanceof LocalStorageMap || m.keySize === 0 || (m.flags & BPF_F_RDONLY_PROG) !== 0) continue;
    const entries: { key: Uint8Array; value: Uint8Array }[] = [];
    let key: Uint8Array | null = null;
    for (let n = 0; n <= 1 << 20; n++) {
      const next: Uint8Array | number = m.getNextKey(key);
      if (typeof next === 'number') break;
      const value = m.lookupSys(next);
      if (typeof value !== 'number') entries.push({ key: next.slice(), value });
      key = next;
    }
    out[m.name] = entries;
  }
  return out;
}

/** The struct a program's context argument points to, from its own BTF (the entry's func_info). */
export function programCtxStruct(btf: Btf | undefined, funcInfo: readonly { insn: number; typeId: number }[] | undefined): string | undefined {
  const fi = funcInfo?.find((f) => f.insn === 0);
  if (btf === undefined || fi === undefined) return undefined;
  const f = btf.type(fi.typeId);
  if (f.kind !== 'FUNC') return undefined;
  const proto = btf.type(f.type);
  if (proto.kind !== 'FUNC_PROTO' || proto.params.length === 0) return undefined;
  const p = btf.type(btf.resolve(proto.params[0]!.type));
  if (p.kind !== 'PTR') return undefined;
  const s = btf.type(btf.resolve(p.type));
  return s.kind === 'STRUCT' ? s.name : undefined;
}

/** The local storage maps' values by owner. */
export function storageContents(maps: readonly BpfMap[], model: KernelModel): TriggerResult['storage'] {
  const out: TriggerResult['storage'] = {};
  for (const m of maps) {
    if (!(m instanceof LocalStorageMap)) continue;
    out[m.name] = m.entries().map(({ owner, value }) => {
      if (isObject(owner)) return { owner: model.nameOf(owner), type: typeText(owner.type), address: owner.home.region.base, value };
      const r = owner as { name?: string; base?: bigint; owner?: unknown };
      const w = r.owner instanceof ObjectWindow ? r.owner.object : undefined;
      return w !== undefined
        ? { owner: model.nameOf(w), type: typeText(w.type), address: w.home.region.base, value }
        : { owner: r.name ?? 'a context', type: 'struct bpf_sock', address: r.base ?? null, value };
    });
  }
  return out;
}

function isObject(o: object): o is KernelObject {
  return 'heap' in o && 'serial' in o;
}
