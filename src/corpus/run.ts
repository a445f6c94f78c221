/**
 * The run side of the corpus: an accepted case's `runs` executed on the interpreter in a simulated
 * kernel that holds the case's fixup maps as real maps (pre-filled as the harness fills them) and its
 * prog arrays with the harness's dummy programs, as BPF_PROG_TEST_RUN would run them.
 */
import type { Insn } from '../isa/insn.js';
import { loadProgram, type Program } from '../api/collection.js';
import { Kernel } from '../../kernel-sim/kernel.js';
import { createMap, type BpfMap, type SimulatedMapType } from '../../kernel-sim/maps/index.js';
import { MAP_TYPE_NAMES } from '../../kernel-sim/maps/types.js';
import { decode } from '../isa/insn.js';
import type { StateEscape } from '../api/check-states.js';
import type { RecordedStates } from '../verifier/record.js';
import type { TierName } from '../../vm/wasm/select.js';
import { kptrIsRef, kptrPointee, type CorpusCase, type FixupSpec } from './case.js';
import { defaultRegistry } from '../../kernel-sim/kfuncs/index.js';

/** Linux 6.1's test_verifier runs with the loader's capabilities restored: all of priv's. */
const RUN_CAPS = ['CAP_NET_ADMIN', 'CAP_PERFMON', 'CAP_BPF', 'CAP_SYS_BOOT'] as const;

export interface RunOutcome {
  ok: boolean;
  /** Why not: the first mismatch or violation. */
  detail?: string;
  /** Every run's return value (null when a violation stopped it). */
  retvals: (number | null)[];
  violations: string[];
  /** With states: concrete values outside the verifier's recorded states (all runs). */
  escapes: StateEscape[];
  /** The tier that ran each run ('interp' or 'wasm'). */
  tiers: string[];
}

function hexBytes(h: string, pad = 0): Uint8Array {
  const out = new Uint8Array(Math.max(pad, h.length / 2));
  for (let i = 0; i < h.length / 2; i++) out[i] = parseInt(h.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** A map of test_verifier's fixups (its own declaration format, not an object's MapSpec). */
type FixupMap = FixupSpec['maps'][string];

function makeMap(kernel: Kernel, kind: string, spec: FixupMap): BpfMap {
  const typeName = MAP_TYPE_NAMES[spec.map_type.value] as SimulatedMapType;
  const inner = spec.inner_map ? makeMap(kernel, `${kind}.inner`, { ...spec.inner_map, map_flags: { value: 0 }, btf: null } as FixupMap) : undefined;
  const lock = (spec.special_fields ?? []).find((f) => f.kind === 'bpf_spin_lock');
  const map = createMap(kernel.maps, {
    type: typeName, name: kind.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 15), keySize: spec.key_size, valueSize: spec.value_size,
    maxEntries: spec.max_entries, flags: typeof spec.map_flags === 'number' ? spec.map_flags : spec.map_flags.value, innerMap: inner,
    ...(lock ? { spinLockOff: lock.offset } : {}),
  });
  const kptrs = (spec.special_fields ?? []).filter((f) => f.kind.startsWith('kptr'));
  if (kptrs.length) {
    const world = kernel.world(defaultRegistry().types);
    world.kptrs.install(map, kptrs.map((f) => ({ off: f.offset, ref: kptrIsRef(f), btfName: kptrPointee(f) })));
  }
  if (spec.prefill) {
    const err = map.updateSys(u32(spec.prefill.key_u32), hexBytes(spec.prefill.value_hex, spec.value_size).slice(0, spec.value_size));
    if (err < 0) throw new Error(`prefill of ${kind}: errno ${-err}`);
  }
  return map;
}

/** Builds the kernel of one case: its maps by the handle (fd) the verifier saw, and its prog arrays. */
export function caseKernel(c: CorpusCase, fdKinds: ReadonlyMap<number, string>, fixups: FixupSpec):
  { kernel: Kernel; maps: BpfMap[]; progType: string } {
  const kernel = new Kernel({ caps: RUN_CAPS });
  const maps: BpfMap[] = [];
  const progType = c.prog_type.replace(/^BPF_PROG_TYPE_/, '');
  for (const [fd, kind] of fdKinds) {
    const spec = fixups.maps[kind];
    if (spec) {
      maps[fd] = makeMap(kernel, kind, spec);
      continue;
    }
    const pa = fixups.prog_arrays?.[kind];
    if (!pa) throw new Error(`unknown fixup kind ${kind}`);
    const arr = createMap(kernel.maps, { type: 'prog_array', name: kind, keySize: 4, valueSize: 4, maxEntries: pa.max_entries });
    maps[fd] = arr;
    for (const slot of pa.slots) {
      if (slot.program === null || Array.isArray(slot.index)) continue;
      const dummy = fixups.dummy_programs?.[slot.program];
      if (!dummy) continue;
      const hex = dummy.insns ?? dummy.insns_for_slot_1 ?? [];
      const insns = decode(hexBytes(hex.join('')), { strict: false }).map((x, i) => (x.opcode === 0x18 && x.src === 1 && i === 1 ? { ...x, imm: fd } : x));
      const prog = loadProgram(insns, progType, { kernel, maps, verify: false });
      arr.updateSys(u32(slot.index), u32(kernel.maps.idOf(prog)));
    }
  }
  return { kernel, maps, progType };
}

/** Runs an accepted case's expected runs; ok when every return value matches and no violation occurs. */
export function runCase(c: CorpusCase, mode: 'priv' | 'unpriv', insns: readonly Insn[], fdKinds: ReadonlyMap<number, string>,
  fixups: FixupSpec, extraRuns: readonly Uint8Array[] = [], probeMem?: ReadonlySet<number>, states?: RecordedStates, tier?: TierName): RunOutcome {
  const expect = c.expect[mode];
  const out: RunOutcome = { ok: true, retvals: [], violations: [], escapes: [], tiers: [] };
  let prog: Program;
  try {
    const { kernel, maps, progType } = caseKernel(c, fdKinds, fixups);
    // The corpus runner verified it already (with the mode's capabilities); this is the test run.
    prog = loadProgram(insns, progType, {
      kernel, maps, sleepable: c.prog_flags.includes(16), verify: false,
      ...(c.expected_attach_type ? { expectedAttachType: c.expected_attach_type.replace(/^BPF_/, '') } : {}),
    });
  } catch (e) {
    return { ok: false, detail: `load: ${(e as Error).message}`, retvals: [], violations: [], escapes: [], tiers: [] };
  }
  // what the verifier found: loads through kernel pointers run as BPF_PROBE_MEM
  if (probeMem !== undefined) prog.image.probeMem = probeMem;
  const runs: { retval: number | null; data: Uint8Array }[] = (expect?.runs ?? []).map((r) => ({ retval: r.retval, data: hexBytes(r.data_hex, 64) }));
  for (const data of extraRuns) runs.push({ retval: null, data });
  for (const r of runs) {
    let res;
    try {
      res = prog.run({ data: r.data, tier, ...(states !== undefined && { checkStates: true, states }) });
      out.escapes.push(...(res.escapes ?? []));
      out.tiers.push(res.tier);
    } catch (e) {
      out.ok = false;
      out.detail ??= `run: ${(e as Error).message}`;
      out.retvals.push(null);
      continue;
    }
    out.retvals.push(res.retval);
    for (const v of res.violations) out.violations.push(String((v as { message?: string }).message ?? JSON.stringify(v)));
    if (res.violations.length) {
      out.ok = false;
      out.detail ??= `violation: ${out.violations[0]}`;
    } else if (r.retval !== null && res.retval !== (r.retval >>> 0)) {
      out.ok = false;
      out.detail ??= `retval ${res.retval} != ${r.retval >>> 0}`;
    }
  }
  return out;
}
