/**
 * Typeless `__ksym` externs resolve through the reference kernel's kallsyms (kernel-sim/data/kallsyms-6.1.gz,
 * the data symbols of Debian 6.1.176's System.map), as libbpf resolves them through /proc/kallsyms.
 * Kernel truth: Linux 6.1's test_ksyms.bpf.o is accepted by the 6.1 kernel (../shared/realworld).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../src/api/collection.js';
import { kallsymsLookup, parseKallsyms } from '../kernel-sim/kallsyms.js';
import { announceMissing, sharedPath } from './shared.js';

const provenance = JSON.parse(readFileSync(new URL('../kernel-sim/data/PROVENANCE.json', import.meta.url), 'utf8')) as { btf: { bytes: number } };

describe('the packaged kallsyms table', () => {
  it('has the data symbols BTF lacks, at their System.map addresses', () => {
    expect(kallsymsLookup('bpf_link_fops')).toEqual({ address: 0xffffffff82031740n, type: 'd' });
    expect(kallsymsLookup('__start_BTF')).toMatchObject({ type: 'R' });
    expect(kallsymsLookup('no_such_symbol_here')).toBeUndefined();
    // functions are not in it: they come from the BTF's FUNCs
    expect(kallsymsLookup('bpf_prog_load')).toBeUndefined();
  });

  it('spans the vmlinux BTF between __start_BTF and __stop_BTF: its size is the packaged BTF\'s', () => {
    const start = kallsymsLookup('__start_BTF');
    const stop = kallsymsLookup('__stop_BTF');
    if (start === undefined || stop === undefined || !('address' in start) || !('address' in stop)) throw new Error('missing');
    expect(stop.address - start.address).toBe(BigInt(provenance.btf.bytes));
  });

  it('keeps every address of a name listed more than once (libbpf: ambiguous)', () => {
    const t = parseKallsyms('10 d a\n8 d b\n8 d a\n0 d c\n0 d c\n');
    expect(t.get('a')).toEqual([0x10n, 0x20n]);
    expect(t.get('b')).toEqual({ address: 0x18n, type: 'd' });
    // the same address twice is one symbol
    expect(t.get('c')).toEqual({ address: 0x20n, type: 'd' });
  });
});

describe('test_ksyms.bpf.o (Linux 6.1 selftest): typeless ksyms', () => {
  const obj = sharedPath('realworld', 'objects', 'selftests-6.1', 'test_ksyms.bpf.o');
  if (obj === undefined) {
    it('did not run', () => announceMissing('test_ksyms.bpf.o of ../shared/realworld'));
    return;
  }
  it('loads, verifies and runs: bpf_link_fops\'s address, a weak missing symbol 0, the BTF size from __start/__stop_BTF', () => {
    const col = loadObject(readFileSync(obj));
    const r = col.program('handler').run({ ctx: new Uint8Array(8) });
    expect(r.violations).toEqual([]);
    const data = col.map('.data').lookupSys(new Uint8Array(4));
    if (typeof data === 'number') throw new Error(`.data lookup failed: ${data}`);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const outs = [0, 8, 16, 24].map((o) => dv.getBigUint64(o, true));
    expect(outs).toEqual([0xffffffff82031740n, 0n, BigInt(provenance.btf.bytes), 0n]);
  });
});
