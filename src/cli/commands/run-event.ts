/**
 * `bpfvm run obj.o --program P --event EVENT.json [--kernel-model MODEL.json]`: a tracing program run
 * for one event against a kernel model (program.trigger). The event file holds the event (`args`, `ret`,
 * tracepoint `fields`, `target`, `record`, `section` for raw programs) and optionally `globals`
 * (.rodata values set before load) and `maps` (entries before the event: `{"name": {"keyhex": "valuehex"}}`); the model file the kernel's objects, the current task and `clock`
 * (`{"ktime_get_ns": N}`: what bpf_ktime_get_ns returns during the event).
 */
import type { TriggerOptions, TriggerResult } from '../../api/trigger.js';
import { BpfError, UsageError } from '../../errors.js';
import type { BpfMap } from '../../../kernel-sim/maps/index.js';
import { PerfEventArray } from '../../../kernel-sim/maps/perf-event-array.js';
import { readInput } from '../input.js';
import { EXIT, hex64, type Io } from '../io.js';

export interface EventFiles {
  event: TriggerOptions & { globals?: Record<string, number>; maps?: Record<string, Record<string, string>> };
  model?: { clock?: { ktime_get_ns?: number | string } } & Record<string, unknown>;
}

function readJson(flag: string, file: string): unknown {
  const text = new TextDecoder().decode(readInput(file));
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BpfError('input', `${flag} ${file}: not JSON (${(e as Error).message})`);
  }
}

/** The event and model files of a run. */
export function readEventFiles(eventFile: string, modelFile: string | undefined): EventFiles {
  const event = readJson('--event', eventFile);
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new UsageError(`--event ${eventFile}: an event is a JSON object ({"args": …, "ret": …})`);
  const model = modelFile === undefined ? undefined : readJson('--kernel-model', modelFile);
  if (model !== undefined && (typeof model !== 'object' || model === null)) throw new UsageError(`--kernel-model ${modelFile}: a model is a JSON object or list`);
  return { event: event as EventFiles['event'], ...(model !== undefined && { model: model as EventFiles['model'] }) };
}

/** Load options the files imply: globals, the model, a fixed clock. */
export function eventLoadOptions(files: EventFiles): Record<string, unknown> {
  const ktime = files.model !== undefined && !Array.isArray(files.model) ? files.model.clock?.ktime_get_ns : undefined;
  return {
    ...(files.event.globals !== undefined && { globals: files.event.globals }),
    ...(files.model !== undefined && { model: files.model }),
    ...(ktime !== undefined && { clockStartNs: BigInt(ktime), clockStepNs: 0n }),
  };
}

function hexBytes(text: string, where: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new UsageError(`--event: ${where}: "${text}" is not hex bytes`);
  return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** The event file's map entries, written before the event (BPF_MAP_UPDATE_ELEM from user space). */
export function fillEventMaps(files: EventFiles, mapOf: (name: string) => BpfMap): void {
  for (const [name, entries] of Object.entries(files.event.maps ?? {})) {
    const m = mapOf(name);
    for (const [k, v] of Object.entries(entries)) {
      const err = m.updateSys(hexBytes(k, `map ${name}`), hexBytes(v, `map ${name}`));
      if (err < 0) throw new BpfError('input', `--event: map ${name}: key ${k}: the update fails with errno ${-err}`);
    }
  }
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Perf event arrays get a perf event on every CPU before the event, as libbpf's perf_buffer__new opens them. */
export function openPerfBuffers(mapOf: Iterable<BpfMap>): void {
  for (const m of mapOf) if (m instanceof PerfEventArray) m.openAll();
}

/** A trigger's result as the CLI prints it. */
export function printTrigger(io: Io, r: TriggerResult, json: boolean): number {
  const maps: Record<string, Record<string, string>> = {};
  for (const [name, entries] of Object.entries(r.maps)) maps[name] = Object.fromEntries(entries.map((e) => [hex(e.key), hex(e.value)]));
  const ringbuf: Record<string, string[]> = {};
  for (const [name, recs] of Object.entries(r.ringbuf)) ringbuf[name] = recs.map(hex);
  const perf: Record<string, { cpu: number; data: string }[]> = {};
  for (const [name, recs] of Object.entries(r.perf)) perf[name] = recs.map((x) => ({ cpu: x.cpu, data: hex(x.data) }));
  const storage: Record<string, { owner: string; type: string; address: string | null; value: string }[]> = {};
  for (const [name, vs] of Object.entries(r.storage)) {
    storage[name] = vs.map((v) => ({ owner: v.owner, type: v.type, address: v.address === null ? null : hex64(v.address), value: hex(v.value) }));
  }
  const changed = r.changed.map((c) => ({
    object: c.object, type: c.type, address: hex64(c.address),
    fields: c.fields.map((f) => ({ field: f.field, offset: f.offset, size: f.size, before: hex(f.before), after: hex(f.after) })),
  }));
  const userWrites = r.userWrites.map((w) => ({ task: w.task, address: hex64(w.address), before: hex(w.before), after: hex(w.after) }));
  if (json) {
    io.out(JSON.stringify({
      retval: r.retval, r0: r.r0 === null ? null : hex64(r.r0), runs: r.runs, insns: r.insns, output: r.output, ...(r.outputDropped === undefined ? {} : { outputDropped: r.outputDropped }),
      ...(r.seq !== '' && { seq: r.seq }), ringbuf, ...(Object.keys(perf).length > 0 && { perf }), maps,
      ...(Object.keys(storage).length > 0 && { storage }), changed, userWrites, violations: r.violations,
      ...(r.warnings !== undefined && { warnings: r.warnings }),
      ...(r.kernelErrno !== undefined && { kernelErrno: r.kernelErrno }),
    }) + '\n');
  } else {
    for (const line of r.output) io.out(`trace_printk: ${line}\n`);
    if (r.seq !== '') io.out(r.seq.endsWith('\n') ? r.seq : `${r.seq}\n`);
    for (const [name, recs] of Object.entries(ringbuf)) for (const rec of recs) io.out(`ringbuf ${name}: ${rec}\n`);
    for (const [name, recs] of Object.entries(perf)) for (const rec of recs) io.out(`perf ${name} cpu ${rec.cpu}: ${rec.data}\n`);
    for (const [name, vs] of Object.entries(storage)) for (const v of vs) io.out(`storage ${name} of ${v.owner}: ${v.value}\n`);
    for (const c of changed) for (const f of c.fields) io.out(`changed ${c.object}.${f.field}: ${f.before} -> ${f.after}\n`);
    for (const w of userWrites) io.out(`user memory of ${w.task} at ${w.address}: ${w.before} -> ${w.after}\n`);
    if (r.retval !== null) io.out(`retval = ${r.retval}${r.runs > 1 ? ` (last of ${r.runs} runs)` : ''}\n`);
    io.out(`${r.insns} instructions executed\n`);
    for (const v of r.violations) io.err(`violation [${v.kind}]: ${v.message}\n`);
    for (const w of r.warnings ?? []) io.err(`warning: ${w.message}\n`);
    if (r.kernelErrno !== undefined) io.err(`note: Linux 6.1's BPF_PROG_TEST_RUN refuses this program (errno ${r.kernelErrno}); it runs only at its attach point\n`);
  }
  return r.violations.length > 0 ? EXIT.REJECTED : EXIT.OK;
}
