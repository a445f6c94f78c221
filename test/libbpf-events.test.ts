/**
 * The libbpf-style fixtures' tracing programs run against the concrete events of
 * test/fixtures/libbpf/events.json: the model state before the event (current task, other tasks, user
 * memory, clock, .rodata, map contents), the event (arguments, return value, tracepoint fields), and
 * what the C code implies the program leaves: return value, bpf_printk lines, ring-buffer records, map
 * contents, seq_file text. Through the library (`program.trigger`) and the CLI (`bpfvm run --event
 * --kernel-model`).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObject, type Collection } from '../src/api/collection.js';
import type { Btf } from '../src/btf/index.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import type { ModelValue } from '../kernel-sim/model/model.js';
import type { TriggerEvent } from '../kernel-sim/model/event-context.js';

const OBJECTS = join(import.meta.dirname, 'fixtures', 'libbpf');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, Json>;
interface RecordExpect { type: string; size: number; fields: Obj; offsets?: Record<string, number>; unset?: string[] }
interface EventEntry {
  id: string;
  object: string;
  program: string;
  rodata?: Record<string, number>;
  current?: Obj;
  tasks?: Record<string, Obj>;
  clock?: { ktime_get_ns: number };
  mapsBefore?: Record<string, Obj>;
  packet?: unknown;
  event?: Obj;
  expect: { retval?: number; printk?: string[]; maps?: Record<string, Obj>; ringbuf?: Record<string, RecordExpect[]>; seq?: string };
}

const FILE = JSON.parse(readFileSync(join(OBJECTS, 'events.json'), 'utf8')) as { events: EventEntry[] };
const EVENTS = FILE.events.filter((e) => e.packet === undefined);

/** The struct layouts the ring-buffer expectations give (`offsets`), by record type. */
const RECORD_OFFSETS = new Map<string, Record<string, number>>();
for (const e of FILE.events) for (const recs of Object.values(e.expect.ringbuf ?? {})) for (const r of recs) if (r.offsets) RECORD_OFFSETS.set(r.type, r.offsets);

/** `{"cstr": S}` and `{"padded": S, "size": N}` as bytes. */
function stringBytes(v: Json): Uint8Array | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  if (typeof v.cstr === 'string') return Uint8Array.from([...Buffer.from(v.cstr), 0]);
  if (typeof v.padded === 'string') {
    const b = new Uint8Array(v.size as number);
    b.set(Buffer.from(v.padded));
    return b;
  }
  return undefined;
}

/** A model object's fields from the events file: userMemory aside, `{"$task": id}` references kept. */
function modelFields(o: Obj): Record<string, ModelValue> {
  const out: Record<string, ModelValue> = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'userMemory') out[k] = v as ModelValue;
  return out;
}

/** Set up the model of an event: its tasks (by key), its current task, the current task's user memory. */
function buildModel(col: Collection, e: EventEntry): void {
  const m = col.model;
  for (const [id, fields] of Object.entries(e.tasks ?? {})) m.create('struct task_struct', modelFields(fields), { id });
  if (e.current === undefined) return;
  const cur = typeof e.current.$task === 'string' ? m.object(e.current.$task) : m.create('struct task_struct', modelFields(e.current), { id: 'current' });
  m.current = cur;
  const user = e.current.userMemory as Record<string, Obj> | undefined;
  for (const [addr, spec] of Object.entries(user ?? {})) {
    const bytes = new Uint8Array((spec.mappedBytes as number | undefined) ?? 0);
    const s = stringBytes(spec)!;
    bytes.set(s);
    m.userMemory(cur).map(BigInt(addr), bytes.length >= s.length ? bytes : s);
  }
}

/** The members of a map value's BTF struct, for encoding `{field: value}` entries. */
function encodeValue(btf: Btf, typeId: number, v: Json, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  if (typeof v === 'number') {
    if (size === 8) dv.setBigUint64(0, BigInt(v), true);
    else dv.setUint32(0, v, true);
    return out;
  }
  const t = btf.type(btf.resolve(typeId));
  if (t.kind !== 'STRUCT') throw new Error(`cannot encode into ${t.kind}`);
  for (const [name, fv] of Object.entries(v as Obj)) {
    const m = t.members.find((x) => x.name === name)!;
    const off = m.bitOffset / 8;
    const s = stringBytes(fv);
    if (s !== undefined) out.set(s, off);
    else if (btf.sizeOf(m.type) === 8) dv.setBigUint64(off, BigInt(fv as number), true);
    else dv.setUint32(off, fv as number, true);
  }
  return out;
}

function mapSpec(col: Collection, name: string) {
  const spec = col.object.maps.find((s) => s.name === name)!;
  return { spec, btf: col.object.btf! };
}

function keyBytes(size: number, k: string): Uint8Array {
  const b = new Uint8Array(size);
  new DataView(b.buffer).setUint32(0, Number(k), true);
  return b;
}

function fillMaps(col: Collection, before: Record<string, Obj>): void {
  for (const [name, entries] of Object.entries(before)) {
    const { spec, btf } = mapSpec(col, name);
    for (const [k, v] of Object.entries(entries)) {
      expect(col.map(name).updateSys(keyBytes(spec.keySize, k), encodeValue(btf, spec.btfValueType!, v, spec.valueSize))).toBe(0);
    }
  }
}

/** The event's arguments as trigger takes them (the events file's own shape). */
function triggerEvent(e: EventEntry): TriggerEvent {
  const ev = e.event ?? {};
  return {
    ...(ev.args !== undefined && { args: ev.args as TriggerEvent['args'] }),
    ...(typeof ev.ret === 'number' && { ret: ev.ret }),
    ...(ev.fields !== undefined && { fields: ev.fields as TriggerEvent['fields'] }),
  };
}

function load(e: EventEntry): Collection {
  return loadObject(new Uint8Array(readFileSync(join(OBJECTS, e.object))), {
    ...(e.rodata !== undefined && { globals: e.rodata }),
    ...(e.clock !== undefined && { clockStartNs: BigInt(e.clock.ktime_get_ns), clockStepNs: 0n }),
  });
}

/** Check one ring-buffer record against its expectation (fields at their offsets; unset bytes not compared). */
function checkRecord(rec: Uint8Array, want: RecordExpect, where: string): void {
  expect(rec.length, where).toBe(want.size);
  const offsets = want.offsets ?? RECORD_OFFSETS.get(want.type)!;
  const padding = (want.unset ?? []).map((u) => /^bytes (\d+)\.\.(\d+)/.exec(u)).filter((m) => m !== null).map((m) => [Number(m![1]), Number(m![2])]);
  const starts = Object.values(offsets).concat(want.size).sort((a, b) => a - b);
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  for (const [name, v] of Object.entries(want.fields)) {
    const off = offsets[name]!;
    const s = stringBytes(v);
    if (s !== undefined) {
      expect(Buffer.from(rec.subarray(off, off + s.length)).toString('latin1'), `${where}.${name}`).toBe(Buffer.from(s).toString('latin1'));
      continue;
    }
    let width = Math.min(8, starts.find((x) => x > off)! - off);
    for (const [a] of padding) if (a! > off && a! < off + width) width = a! - off;
    const got = width === 8 ? dv.getBigUint64(off, true) : width === 4 ? BigInt(dv.getUint32(off, true)) : BigInt(rec[off]!);
    expect(got, `${where}.${name}`).toBe(BigInt(typeof v === 'boolean' ? Number(v) : (v as number)));
  }
}

function checkMaps(col: Collection, maps: TriggerMaps, want: Record<string, Obj>, where: string): void {
  for (const [name, entries] of Object.entries(want)) {
    const { spec, btf } = mapSpec(col, name);
    const got = new Map((maps[col.map(name).name] ?? []).map((x) => [Buffer.from(x.key).toString('hex'), Buffer.from(x.value).toString('hex')]));
    const exp = new Map(Object.entries(entries).map(([k, v]) => [Buffer.from(keyBytes(spec.keySize, k)).toString('hex'), Buffer.from(encodeValue(btf, spec.btfValueType!, v, spec.valueSize)).toString('hex')]));
    expect(got, `${where}: map ${name}`).toEqual(exp);
  }
}
type TriggerMaps = Record<string, { key: Uint8Array; value: Uint8Array }[]>;

describe('tracing events run by program.trigger (events.json)', () => {
  it('covers every tracing event of the file', () => {
    expect(EVENTS.length).toBe(29);
  });
  for (const e of EVENTS) {
    it(`${e.id}: retval ${e.expect.retval}, printk ${JSON.stringify(e.expect.printk ?? [])}`, () => {
      const col = load(e);
      buildModel(col, e);
      fillMaps(col, e.mapsBefore ?? {});
      const r = col.program(e.program).trigger(triggerEvent(e));
      expect(r.violations).toEqual([]);
      expect(r.retval).toBe(e.expect.retval);
      expect(r.output).toEqual(e.expect.printk ?? []);
      if (e.expect.seq !== undefined) expect(r.seq).toBe(e.expect.seq);
      for (const [name, recs] of Object.entries(e.expect.ringbuf ?? {})) {
        const got = r.ringbuf[col.map(name).name] ?? [];
        expect(got.length, `${name} records`).toBe(recs.length);
        recs.forEach((want, i) => checkRecord(got[i]!, want, `${name}[${i}]`));
      }
      checkMaps(col, r.maps, e.expect.maps ?? {}, e.id);
    });
  }
});

/** The events file's entry as the CLI's two files: the kernel model and the event (with globals and maps before). */
function cliFiles(col: Collection, e: EventEntry): { model: Obj; event: Obj } {
  const objects: Obj[] = Object.entries(e.tasks ?? {}).map(([id, fields]) => ({ id, type: 'struct task_struct', fields: modelFields(fields) as Obj }));
  let current: string | undefined;
  if (e.current !== undefined) {
    if (typeof e.current.$task === 'string') current = e.current.$task;
    else {
      current = 'current';
      const user = Object.fromEntries(Object.entries((e.current.userMemory ?? {}) as Record<string, Obj>)
        .map(([addr, m]) => [addr, { string: m.cstr as string, ...(m.mappedBytes !== undefined && { size: m.mappedBytes }) }]));
      objects.push({ id: 'current', type: 'struct task_struct', fields: modelFields(e.current) as Obj, userMemory: user });
    }
  }
  const maps: Obj = {};
  for (const [name, entries] of Object.entries(e.mapsBefore ?? {})) {
    const { spec, btf } = mapSpec(col, name);
    maps[name] = Object.fromEntries(Object.entries(entries).map(([k, v]) => [hex(keyBytes(spec.keySize, k)), hex(encodeValue(btf, spec.btfValueType!, v, spec.valueSize))]));
  }
  const ev = e.event ?? {};
  return {
    model: { objects, ...(current !== undefined && { current }), ...(e.clock !== undefined && { clock: e.clock }) },
    event: {
      ...(ev.args !== undefined && { args: ev.args }), ...(typeof ev.ret === 'number' && { ret: ev.ret }),
      ...(ev.fields !== undefined && { fields: ev.fields }), ...(e.rodata !== undefined && { globals: e.rodata }), maps,
    },
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('the same events through the CLI (bpfvm run --event --kernel-model --json)', () => {
  for (const e of EVENTS) {
    it(`bpfvm run ${e.object} --program ${e.program} --event <${e.id}>`, () => {
      const col = load(e);
      const { model, event } = cliFiles(col, e);
      const dir = mkdtempSync(join(tmpdir(), 'bpfvm-event-'));
      try {
        writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
        writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
        const io = bufferIo();
        const code = main(['run', join(OBJECTS, e.object), '--program', e.program, '--event', join(dir, 'event.json'), '--kernel-model', join(dir, 'model.json'), '--json'], io);
        expect(io.stderr).toBe('');
        expect(code).toBe(0);
        const out = JSON.parse(io.stdout.trim()) as { retval: number; output: string[]; seq?: string; ringbuf: Record<string, string[]>; maps: Record<string, Record<string, string>>; violations: unknown[] };
        expect(out.violations).toEqual([]);
        expect(out.retval).toBe(e.expect.retval);
        expect(out.output).toEqual(e.expect.printk ?? []);
        if (e.expect.seq !== undefined) expect(out.seq).toBe(e.expect.seq);
        for (const [name, recs] of Object.entries(e.expect.ringbuf ?? {})) {
          const got = out.ringbuf[col.map(name).name] ?? [];
          expect(got.length).toBe(recs.length);
          recs.forEach((want, i) => checkRecord(Uint8Array.from(Buffer.from(got[i]!, 'hex')), want, `${name}[${i}]`));
        }
        const asMaps: TriggerMaps = Object.fromEntries(Object.entries(out.maps).map(([n, kv]) => [n, Object.entries(kv).map(([k, v]) => ({ key: Buffer.from(k, 'hex'), value: Buffer.from(v, 'hex') }))]));
        checkMaps(col, asMaps, e.expect.maps ?? {}, e.id);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
