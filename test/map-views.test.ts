/**
 * One path from an object's map declaration to the verifier's view of it (issue 11, "one shape per
 * concept"): MapSpec → createFromSpec → BpfMap → verifierView(), or declareMap for a type the simulated
 * kernel cannot create. `bpfvm verify` (prepareObject) and `Program.verify` (loadObject) read the same
 * views, so their verdicts and logs agree; kptr fields (kf61.o's kmap, `struct prog_test_ref_kfunc
 * __kptr_ref *`) reach both.
 * Kernel truth (../shared/oracle/examples/kfunc-6.1/expected.jsonl): kf_kptr_xchg_store accepted,
 * kf_kptr_xchg_old_leak rejected "Unreleased reference id=5 alloc_insn=18".
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../src/api/collection.js';
import { prepareObject } from '../src/api/verify-object.js';
import { verifyCommand } from '../src/cli/commands/verify.js';
import { bufferIo } from '../src/cli/io.js';
import { parseObject } from '../src/object/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createFromSpec, declareMap, isSimulatedMapType, mapTypeOfSpec } from '../kernel-sim/maps/index.js';
import { fixture } from './fixtures/paths.js';
import { announceMissing, sharedPath } from './shared.js';

const KF61 = sharedPath('oracle', 'examples', 'kfunc-6.1', 'kf61.o');
describe('kptr fields reach the verifier the same way from the CLI and the API', () => {
  if (KF61 === undefined) {
    it('did not run', () => announceMissing('map views of kf61.o (kptr fields)'));
    return;
  }
  const bytes = (): Uint8Array => new Uint8Array(readFileSync(KF61!));

  it('the created map carries its kptr fields into its verifier view, and the CLI path has the same views', () => {
    const col = loadObject(bytes(), { verify: false });
    const kmap = col.map('kmap');
    expect(kmap.kptrs).toEqual([{ off: 0, ref: true, btfName: 'prog_test_ref_kfunc' }]);
    expect(kmap.verifierView()).toMatchObject({ name: 'kmap', hasBtf: true, kptrs: kmap.kptrs });
    const prepared = prepareObject(parseObject(bytes()));
    expect(prepared.maps).toEqual(col.object.maps.map((s) => col.map(s.name).verifierView()));
  });

  it.each(['kf_kptr_xchg_store', 'kf_kptr_xchg_old_leak'])('%s: bpfvm verify and Program.verify give one verdict and log', (name) => {
    const api = loadObject(bytes(), { verify: false }).program(name).verify({ logLevel: 2 });
    const io = bufferIo();
    const code = verifyCommand(io, KF61!, { program: name, json: true, logLevel: 2 });
    const cli = JSON.parse(io.stdout) as Record<string, unknown>;
    expect(cli).toEqual({ verdict: api.verdict, errno: api.errno, message: api.message, processed: api.processed, log: api.log });
    expect(code).toBe(api.verdict === 'accepted' ? 0 : 1);
    if (name === 'kf_kptr_xchg_store') expect(api.verdict).toBe('accepted');
    else expect(api).toMatchObject({ verdict: 'rejected', message: 'Unreleased reference id=5 alloc_insn=18' });
  });
});

describe('declareMap gives a map the view its created map has', () => {
  // every simulated map of these objects: arrays, hashes, map-in-map templates, ringbufs, frozen .rodata, spin locks
  it.each(['maps.bpf.o', 'special_maps.bpf.o', 'global_data.bpf.o', 'tc_maps.bpf.o', 'kfunc.bpf.o'])('%s', (file) => {
    const object = parseObject(fixture(file));
    const simulated = object.maps.filter((s) => isSimulatedMapType(mapTypeOfSpec(s)) && (s.inner === undefined || isSimulatedMapType(mapTypeOfSpec(s.inner))));
    expect(simulated.length).toBeGreaterThan(0);
    for (const spec of simulated) {
      const created = createFromSpec(new Kernel().maps, spec, object.btf).verifierView();
      expect(declareMap(new Kernel().maps, spec, object.btf), spec.name).toEqual(created);
    }
  });

  it('a frozen map\'s view holds its loaded value; a map-in-map\'s its template without a name', () => {
    const object = parseObject(fixture('global_data.bpf.o'));
    const rodata = object.maps.find((s) => s.frozen === true)!;
    const view = createFromSpec(new Kernel().maps, rodata, object.btf).verifierView();
    const want = new Uint8Array(rodata.valueSize);
    want.set(rodata.initialData ?? []);
    expect(view.frozen).toEqual(want);
    const mim = parseObject(fixture('special_maps.bpf.o'));
    const outers = mim.maps.filter((s) => s.inner !== undefined);
    expect(outers.map((s) => s.type.name)).toEqual(['BPF_MAP_TYPE_ARRAY_OF_MAPS', 'BPF_MAP_TYPE_HASH_OF_MAPS']);
    for (const outer of outers) {
      const inner = createFromSpec(new Kernel().maps, outer, mim.btf).verifierView().inner!;
      expect(inner).toMatchObject({ type: outer.inner!.type.value, keySize: outer.inner!.keySize, valueSize: outer.inner!.valueSize });
      expect('name' in inner).toBe(false);
    }
  });
});
