/**
 * check_map_func_compatibility by name (src/uapi names helpers and map types once): the tables against
 * 6.1's source in both directions when the sources are given, the helper list against the simulated
 * kernel's catalogue, and the rows that used to be wrong (cgroup array → bpf_skb_under_cgroup, perf event
 * array → bpf_skb_output) through the verifier.
 */
import { existsSync, readFileSync } from 'node:fs';
import { announceNotRun } from './shared.js';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { BPF_FUNC, HELPER_NAMES } from '../src/uapi/index.js';
import { MAP_FUNC_COMPAT } from '../src/verifier/check-call.js';
import { helperName, MAX_HELPER_ID_6_1 } from '../kernel-sim/helpers/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap } from '../kernel-sim/maps/index.js';

const LINUX_SRC = process.env.BPFVM_LINUX_SRC;
const VERIFIER_C = LINUX_SRC === undefined ? '(BPFVM_LINUX_SRC not set)' : `${LINUX_SRC}/kernel/bpf/verifier.c`;

describe('uapi helper names', () => {
  it('are the simulated kernel\'s catalogue, id by id', () => {
    expect(HELPER_NAMES.length).toBe(MAX_HELPER_ID_6_1 + 1);
    for (let id = 1; id <= MAX_HELPER_ID_6_1; id++) expect(`bpf_${HELPER_NAMES[id]}`).toBe(helperName(id));
  });
});

describe('check_map_func_compatibility', () => {
  it('matches 6.1\'s verifier.c in both directions', () => {
    if (LINUX_SRC === undefined || !existsSync(VERIFIER_C)) {
      announceNotRun('map/helper compatibility vs the Linux 6.1 sources', LINUX_SRC === undefined ? 'BPFVM_LINUX_SRC is not set' : `${VERIFIER_C} not found`);
      return;
    }
    const src = readFileSync(VERIFIER_C, 'utf8');
    const body = /static int check_map_func_compatibility\([\s\S]*?\n}\n/.exec(src)![0];
    const [mapSide, funcSide] = body.split('/* ... and second from the function itself. */');
    const table = (text: string, caseRe: RegExp, itemRe: RegExp): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      for (const block of text!.split(/break;/)) {
        const keys = [...block.matchAll(caseRe)].map((m) => m[1]!);
        const items = [...block.matchAll(itemRe)].map((m) => m[1]!);
        if (keys.length > 0 && items.length > 0) for (const k of keys) out[k] = items;
      }
      return out;
    };
    const mapHelpers = table(mapSide!, /case BPF_MAP_TYPE_(\w+):/g, /func_id != BPF_FUNC_(\w+)/g);
    const helperMaps = table(funcSide!, /case BPF_FUNC_(\w+):/g, /map->map_type != BPF_MAP_TYPE_(\w+)/g);
    // the uapi spells two map types longer than the verifier's case labels do
    const norm = (t: Record<string, readonly string[]>): Record<string, string[]> =>
      Object.fromEntries(Object.entries(t).map(([k, v]) => [k, [...v].sort()]));
    expect(norm(MAP_FUNC_COMPAT.mapHelpers)).toEqual(norm(mapHelpers));
    expect(norm(MAP_FUNC_COMPAT.helperMaps)).toEqual(norm(helperMaps));
  });

  const verdict = (type: 'cgroup_array' | 'perf_event_array', call: string, progType: string): string => {
    const kernel = new Kernel();
    const map = createMap(kernel.maps, { type, name: 'm', keySize: 4, valueSize: 4, maxEntries: 4 });
    const p = loadProgram(assemble(`r2 = map_fd(0) ll\nr3 = 0\n${call}\nr0 = 0\nexit`), progType, { kernel, maps: [map] });
    const r = p.verify({ logLevel: 1 });
    return r.verdict === 'accepted' ? 'accepted' : r.message;
  };

  it('a tc program may test a cgroup array with bpf_skb_under_cgroup (6.1 accepts it)', () => {
    expect(verdict('cgroup_array', `call ${BPF_FUNC.skb_under_cgroup}`, 'sched_cls')).toBe('accepted');
    expect(verdict('cgroup_array', `r1 = r2\nr2 = r10\nr2 += -8\n*(u64 *)(r10 - 8) = r3\ncall ${BPF_FUNC.map_lookup_elem}`, 'sched_cls'))
      .toBe('cannot pass map_type 8 into func bpf_map_lookup_elem#1');
  });

  it('bpf_skb_output takes a perf event array, and only that', () => {
    expect(verdict('perf_event_array', `r1 = *(u64 *)(r1 + 0)\nr4 = r10\nr4 += -8\n*(u64 *)(r10 - 8) = r3\nr5 = 8\ncall ${BPF_FUNC.skb_output}`, 'tp_btf/kfree_skb')).toBe('accepted');
    expect(verdict('cgroup_array', `r1 = *(u64 *)(r1 + 0)\nr4 = r10\nr4 += -8\n*(u64 *)(r10 - 8) = r3\nr5 = 8\ncall ${BPF_FUNC.skb_output}`, 'tp_btf/kfree_skb')).toBe('cannot pass map_type 8 into func bpf_skb_output#111');
  });
});
