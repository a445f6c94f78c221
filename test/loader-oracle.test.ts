/**
 * libbpf's load steps before the verifier, against the real Linux 6.1 kernel (test/oracle/loader, run.sh):
 * `.rodata` and `.kconfig` are filled and frozen, so the verifier reads their constants (bpf_map_direct_read)
 * and checks constant strings (ARG_PTR_TO_CONST_STR); `__kconfig` externs take Debian 6.1's config values
 * and libbpf's virtual LINUX_* externs; a strong extern the config does not set refuses the object. And
 * the attach rules of check_attach_btf_id that need no BTF beyond the target's name: Debian's 6.1 has no
 * CONFIG_FUNCTION_ERROR_INJECTION, so fmod_ret works on `security_*` functions only and sleepable
 * fentry/fexit nowhere; sleepable LSM programs need one of the sleepable hooks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadObject } from '../src/api/collection.js';
import { loadObjectProgram, prepareObject } from '../src/api/verify-object.js';
import { parseObject } from '../src/object/index.js';
import { fillKconfig, type KconfigVar } from '../src/object/kconfig.js';
import { parseCaps } from '../src/platform/caps.js';
import { kernelVersionCode, parseKconfig, referenceConfig } from '../kernel-sim/kconfig.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { defaultRegistry } from '../kernel-sim/kfuncs/index.js';
import { decode } from '../src/isa/insn.js';
import type { ProgTypeName } from '../src/object/bpf-enums.js';
import type { MapDef, ProgInfo } from '../src/platform/platform.js';
import { MAP_TYPE } from '../kernel-sim/maps/index.js';
import { progLoad } from '../src/verifier/verifier.js';

const DIR = join(import.meta.dirname, 'oracle', 'loader');
interface OracleLine { id: string; prog?: string; verdict: string; errno?: number; verifier_log?: string; libbpf_log?: string; test_run?: { retval: number } }
const oracle: OracleLine[] = readFileSync(join(DIR, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleLine);
/** The manifest's program lines by id (key=value pairs, with the `defaults` line before them applied). */
const manifest = new Map<string, Record<string, string>>();
{
  let defaults: Record<string, string> = {};
  for (const line of readFileSync(join(DIR, 'manifest'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const kv = Object.fromEntries(line.split(/\s+/).filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    if (line.startsWith('defaults')) defaults = kv;
    else manifest.set(kv.id!, { ...defaults, ...kv });
  }
}
const PACKET = Uint8Array.from(Buffer.from('00112233445566778899aabb0800450000280000000040010000c0a80001c0a80002000000000000000000000000', 'hex'));

function lastLine(log: string): string {
  return log.split('\n').filter((l) => l !== '' && !/^(processed \d+ insns|verification time|stack depth)/.test(l)).at(-1) ?? '';
}

describe('libbpf\'s load steps agree with Linux 6.1 (oracle)', () => {
  for (const o of oracle.filter((x) => manifest.get(x.id)?.elf !== undefined)) {
    it(`${o.id}: ${o.verdict}`, () => {
      const bytes = new Uint8Array(readFileSync(join(DIR, manifest.get(o.id)!.elf!.replace(/^\/progs\//, ''))));
      const out = loadObjectProgram(prepareObject(parseObject(bytes)), o.prog ?? o.id, { caps: parseCaps('all'), logLevel: 1 });
      if (o.verdict === 'libbpf_error') {
        expect(out.stage).toBe('refused');
        if (out.stage !== 'refused') return;
        expect(out.refusal.step).toBe('externs');
        const libbpf = (o.libbpf_log ?? '').split('\n').map((l) => l.replace(/^libbpf: /, ''));
        expect(libbpf).toContain(out.refusal.error.detail);
        return;
      }
      expect(out.stage).toBe('verified');
      if (out.stage !== 'verified') return;
      const r = out.result;
      expect(r.verdict).toBe(o.verdict);
      expect(r.errno).toBe(o.errno ?? 0);
      expect(r.message).toBe(lastLine(o.verifier_log ?? ''));
      expect(`processed ${r.processed} insns`).toBe(/processed \d+ insns/.exec(o.verifier_log ?? '')?.[0]);
      if (o.test_run !== undefined) {
        const run = loadObject(bytes).program(o.prog ?? o.id).run({ data: PACKET });
        expect(run.violations).toEqual([]);
        expect(run.retval).toBe(o.test_run.retval);
      }
    });
  }
});

describe('raw programs agree with Linux 6.1 (oracle): attach rules (error injection, sleepable hooks and types), gpl_compatible, helper reads of unwritten stack', () => {
  for (const o of oracle.filter((x) => manifest.get(x.id)?.elf === undefined)) {
    const m = manifest.get(o.id)!;
    it(`${o.id}: ${o.verdict} ${lastLine(o.verifier_log ?? '')}`, () => {
      const prog: ProgInfo = {
        type: m.type!.toUpperCase() as ProgTypeName,
        ...(m.attach !== undefined && { expectedAttachType: m.attach.toUpperCase() }),
        ...(m.attach_btf !== undefined && { attachTo: m.attach_btf }),
        ...(m.flags === 'sleepable' && { sleepable: true }),
        ...(m.license !== undefined && { license: m.license }),
      };
      // the oracle's kfunc fixup: a kfunc call's imm i is the BTF id of the i-th name
      const kfuncs = m.kfuncs?.split(',') ?? [];
      const insns = decode(Uint8Array.from(Buffer.from(m.insns!, 'hex'))).map((x) =>
        (x.opcode === 0x85 && x.src === 2 ? { ...x, imm: defaultRegistry().idOf(kfuncs[x.imm]!)! } : x));
      // maps=type:key:value:entries, by the fd (index) the oracle's implicit fixup gives
      const maps: MapDef[] = (m.maps?.split(',') ?? []).map((spec) => {
        const [type, key, value, entries] = spec.split(':');
        return { type: MAP_TYPE[type as 'hash']!, keySize: Number(key), valueSize: Number(value), maxEntries: Number(entries), flags: 0, spinLockOff: -1, timerOff: -1 };
      });
      const r = progLoad(insns, { prog, platform: kernelPlatform({ maps: (fd) => maps[fd] }), caps: parseCaps('all'), logLevel: 1 });
      expect(r.verdict).toBe(o.verdict);
      expect(r.errno).toBe(o.errno ?? 0);
      expect(r.message).toBe(lastLine(o.verifier_log ?? ''));
      expect(`processed ${r.processed} insns`).toBe(/processed \d+ insns/.exec(o.verifier_log ?? '')?.[0]);
    });
  }
});

describe('__kconfig externs as libbpf 1.1 fills them', () => {
  const v = (name: string, type: KconfigVar['type'], size: number, offset = 0, weak = false, signed = false): KconfigVar =>
    ({ name, type, size, offset, weak, signed });
  const fill = (vars: KconfigVar[], text: string, size = 8) =>
    fillKconfig(vars, size, { configText: text, virtual: (n) => (n === 'LINUX_KERNEL_VERSION' ? 0x60100n : undefined) });

  it('reads y/n/m, integers and strings by the extern\'s type', () => {
    const d = fill([v('CONFIG_A', 'bool', 1, 0), v('CONFIG_B', 'tristate', 4, 4), v('CONFIG_C', 'int', 8, 8), v('CONFIG_S', 'char_arr', 4, 16)],
      'CONFIG_A=y\nCONFIG_B=m\nCONFIG_C=0x10\nCONFIG_S="abcdef"\n', 24);
    expect(d[0]).toBe(1);
    expect(new DataView(d.buffer).getUint32(4, true)).toBe(2);
    expect(new DataView(d.buffer).getBigUint64(8, true)).toBe(16n);
    expect([...d.subarray(16, 20)]).toEqual([0x61, 0x62, 0x63, 0]); // truncated to the array, zero-terminated
  });

  it('leaves weak externs the file does not set at zero and refuses strong ones', () => {
    expect([...fill([v('CONFIG_X', 'bool', 1, 0, true)], '# CONFIG_X is not set\n')]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => fill([v('CONFIG_X', 'bool', 1)], '# CONFIG_X is not set\n')).toThrow("extern 'CONFIG_X' (strong): not resolved");
  });

  it('refuses a value of the wrong kind with libbpf\'s message', () => {
    expect(() => fill([v('CONFIG_A', 'bool', 1)], 'CONFIG_A=m\n')).toThrow("extern (kcfg) 'CONFIG_A': value 'm' implies tristate or char type");
    expect(() => fill([v('CONFIG_A', 'int', 4)], 'CONFIG_A=y\n')).toThrow("extern (kcfg) 'CONFIG_A': value 'y' implies bool, tristate, or char type");
    expect(() => fill([v('CONFIG_A', 'int', 1)], 'CONFIG_A=300\n')).toThrow("extern (kcfg) 'CONFIG_A': value '300' doesn't fit in 1 bytes");
    expect(() => fill([v('LINUX_FOO', 'int', 4)], '')).toThrow("extern (kcfg) 'LINUX_FOO': unrecognized virtual extern");
  });

  it('reads the reference kernel\'s config (Debian 6.1) and its version as libbpf reads uname', () => {
    const c = referenceConfig();
    expect(c.get('CONFIG_HZ')).toBe('250');
    expect(c.has('CONFIG_FUNCTION_ERROR_INJECTION')).toBe(false);
    expect(parseKconfig('CONFIG_A=y\n# CONFIG_B is not set\n')).toEqual(new Map([['CONFIG_A', 'y']]));
    expect(kernelVersionCode('6.1.0-50-amd64')).toBe(0x60100n);
    expect(kernelVersionCode('5.15.300')).toBe(0x50fffn);
  });
});
