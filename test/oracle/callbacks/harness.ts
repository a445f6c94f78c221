/**
 * Loads a line of test/oracle/callbacks/manifest (raw instructions, program BTF, func_info, maps) for
 * bpfvm's verifier, as ../shared/oracle's loader passes it to BPF_PROG_LOAD.
 */
import { readFileSync } from 'node:fs';
import { parseBtf } from '../../../src/btf/index.js';
import { decode } from '../../../src/isa/insn.js';
import { parseCaps } from '../../../src/platform/caps.js';
import type { MapDef } from '../../../src/platform/platform.js';
import { mapDef, type FixupSpec } from '../../../src/corpus/runner.js';
import type { ProgTypeName } from '../../../src/object/bpf-enums.js';
import { verify, type VerifierResult } from '../../../src/verifier/index.js';
import { lastMessage } from '../../../src/verifier/log.js';
import { kernelPlatform } from '../../../kernel-sim/platform.js';

export interface ManifestLine {
  id: string;
  keys: Record<string, string>;
}

export interface KernelAnswer {
  id: string;
  verdict: 'accepted' | 'rejected';
  errno?: number;
  verifier_log: string;
  test_run?: { retval: number };
}

const TYPES: Record<string, ProgTypeName> = { socket_filter: 'SOCKET_FILTER', sched_cls: 'SCHED_CLS', kprobe: 'KPROBE', xdp: 'XDP' };
const bytes = (hex: string): Uint8Array => Uint8Array.from((hex.match(/../g) ?? []).map((b) => parseInt(b, 16)));

export function readManifest(path: string): ManifestLine[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.startsWith('id=')).map((l) => {
    const keys = Object.fromEntries(l.split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    return { id: keys.id!, keys };
  });
}

export function readAnswers(path: string): Map<string, KernelAnswer> {
  const out = new Map<string, KernelAnswer>();
  for (const l of readFileSync(path, 'utf8').split('\n')) {
    if (l.trim() === '') continue;
    const a = JSON.parse(l) as KernelAnswer;
    out.set(a.id, a);
  }
  return out;
}

/** A map of the manifest (`type:key:value:entries` or a test_verifier preset) as the verifier sees it. */
function mapOf(spec: string, fixups: FixupSpec): MapDef {
  if (spec === 'prog1') return { type: 3, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, spinLockOff: -1, timerOff: -1 };
  const preset = fixups.maps[spec];
  if (preset !== undefined) return mapDef(preset);
  const [t, k, v, n] = spec.split(':');
  const type = t === 'user_ringbuf' ? 31 : Number(t);
  return { type, keySize: Number(k), valueSize: Number(v), maxEntries: Number(n), flags: 0, spinLockOff: -1, timerOff: -1 };
}

/** The line verified by bpfvm (all capabilities, as the oracle's default). */
export function verifyLine(line: ManifestLine, fixups: FixupSpec): VerifierResult {
  const k = line.keys;
  const maps = (k.maps ?? '').split(',').filter((s) => s !== '').map((s) => mapOf(s, fixups));
  const btf = k.btfhex !== undefined ? parseBtf(bytes(k.btfhex)) : undefined;
  const funcInfo = (k.func_info ?? '').split(',').filter((s) => s !== '').map((r) => {
    const [insn, typeId] = r.split(':').map(Number);
    return { insn: insn!, typeId: typeId! };
  });
  return verify(decode(bytes(k.insns!), { strict: false }), {
    prog: { type: TYPES[k.type!]! }, platform: kernelPlatform({ maps: (fd) => maps[fd] }), caps: parseCaps('all'),
    logLevel: Number(k.log ?? 1), ...(btf !== undefined ? { btf, funcInfo } : {}),
  });
}

export { lastMessage };
