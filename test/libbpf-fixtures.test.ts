/**
 * Programs written the way libbpf-bootstrap and libbpf-tools write them (test/fixtures/src/libbpf/*.bpf.c:
 * `#include "vmlinux.h"` generated from Linux 6.1's own BTF, BPF_CORE_READ, BPF_KPROBE / BPF_PROG /
 * BPF_KSYSCALL, tracepoints, tp_btf, tc, XDP, LSM, a task iterator, uprobes), each object as clang
 * compiled it and as `bpftool gen object` links it, held to what Linux 6.1 said about them.
 *
 * The kernel's answers are test/oracle/libbpf/results.jsonl: the 6.1 oracle (../shared/oracle, Debian
 * linux-image-6.1.0-50-amd64, the build kernel-sim/data/vmlinux-6.1.btf.gz comes from) loading every
 * program of test/oracle/libbpf/cases.ts with libbpf at log level 1 and test-running it with the case's
 * packet or context. For each program: the verdict, errno, last log line and processed count
 * (`loadObject` + `verify`, and `bpfvm verify --json`), and the test run's retval / data_out / errno.
 *
 * test/fixtures/libbpf/events.json says what each program does for a concrete event; the packet programs'
 * events are run here; the tracing ones run against their events in test/libbpf-events.test.ts (program.trigger).
 */
import { TestRunError } from '../kernel-sim/progtypes/errors.js';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadObject, type Collection } from '../src/api/collection.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import * as PACKETS from './oracle/libbpf/cases.js';
import { CASES, type LibbpfCase } from './oracle/libbpf/cases.js';

const OBJECTS = join(import.meta.dirname, 'fixtures', 'libbpf');
const ORACLE = join(import.meta.dirname, 'oracle', 'libbpf');
const KERNEL_RELEASE = '6.1.0-50-amd64';

interface OracleLine {
  id: string;
  kernel: string;
  verdict: string;
  errno?: number;
  verifier_log?: string;
  test_run?: { ok: true; retval: number; data_out: string } | { ok: false; errno: number };
}

const RESULTS: OracleLine[] = readFileSync(join(ORACLE, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleLine);
const RESULT = new Map(RESULTS.map((r) => [r.id, r]));
const result = (id: string): OracleLine => {
  const r = RESULT.get(id);
  if (r === undefined) throw new Error(`no oracle result for ${id}`);
  return r;
};

interface Verdict { verdict: string; errno: number; message: string; processed: number }

/** The kernel's verdict in the shape of bpfvm's VerifierResult: last non-statistics line ('' when accepted). */
function kernelVerdict(r: OracleLine): Verdict {
  const lines = (r.verifier_log ?? '').split('\n').filter((l) => l.trim() !== '');
  const stats = /^processed (\d+) insns/;
  const processed = Number(lines.map((l) => stats.exec(l)?.[1]).find((n) => n !== undefined) ?? NaN);
  const message = r.verdict === 'accepted' ? '' : (lines.filter((l) => !stats.test(l)).at(-1) ?? '');
  return { verdict: r.verdict, errno: r.errno ?? 0, message, processed };
}

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const object = (name: string): Uint8Array => new Uint8Array(readFileSync(join(OBJECTS, name)));
const load = (c: Pick<LibbpfCase, 'object'>): Collection => loadObject(object(c.object));

/** One entry per program (several cases test-run the same program with different packets). */
const PROGRAMS: LibbpfCase[] = CASES.filter((c, i) => CASES.findIndex((d) => d.object === c.object && d.prog === c.prog) === i);

describe('the oracle batch (test/oracle/libbpf)', () => {
  it(`has one answer per case, all from ${KERNEL_RELEASE}`, () => {
    expect(RESULTS.map((r) => r.id)).toEqual(CASES.map((c) => c.id));
    expect(new Set(RESULTS.map((r) => r.kernel))).toEqual(new Set([KERNEL_RELEASE]));
  });

  it('the kernel gave every case of one program the same verdict and count, and the linked object the same as the compiled one', () => {
    for (const c of CASES) {
      const first = PROGRAMS.find((p) => p.object === c.object && p.prog === c.prog)!;
      expect(kernelVerdict(result(c.id)), c.id).toEqual(kernelVerdict(result(first.id)));
      if (c.id.startsWith('linked.')) expect(kernelVerdict(result(c.id)), c.id).toEqual(kernelVerdict(result(c.id.slice('linked.'.length))));
    }
  });

  it('6.1 accepts every fixture and rejects the two mistakes', () => {
    const rejected = PROGRAMS.filter((c) => result(c.id).verdict !== 'accepted').map((c) => `${c.object} ${c.prog}`);
    expect(rejected).toEqual([
      'mistakes.bpf.o kprobe_deref', 'mistakes.bpf.o tc_no_bounds',
      'mistakes.linked.bpf.o kprobe_deref', 'mistakes.linked.bpf.o tc_no_bounds',
    ]);
  });
});

describe('verification as Linux 6.1 (loadObject + verify)', () => {
  for (const c of PROGRAMS) {
    const k = kernelVerdict(result(c.id));
    const title = `${c.object} ${c.prog}: ${k.verdict}${k.message ? ` '${k.message}'` : ''}, processed ${k.processed}`;
    it(title, () => {
      const r = load(c).program(c.prog).verify();
      expect({ verdict: r.verdict, errno: r.errno, message: r.message, processed: r.processed }).toEqual(k);
    });
  }
});

describe('bpfvm verify --json gives the same', () => {
  for (const c of PROGRAMS.filter((p) => !p.object.includes('.linked.'))) {
    it(`bpfvm verify ${c.object} --program ${c.prog}`, () => {
      const io = bufferIo();
      const code = main(['verify', join(OBJECTS, c.object), '--program', c.prog, '--json'], io);
      const k = kernelVerdict(result(c.id));
      expect(io.stderr).toBe('');
      // exactly one line; the verifier log is a field of it
      expect(io.stdout.trim().split('\n')).toHaveLength(1);
      const { log, ...verdict } = JSON.parse(io.stdout) as Record<string, unknown>;
      expect(verdict).toEqual(k);
      expect(log).toMatch(/processed \d+ insns/);
      expect(code).toBe(k.verdict === 'accepted' ? 0 : 1);
    });
  }
});

describe('test runs as Linux 6.1', () => {
  for (const c of CASES) {
    const tr = result(c.id).test_run;
    if (tr === undefined) continue;
    const title = tr.ok ? `${c.id}: retval ${tr.retval}${tr.data_out ? ' and data_out' : ''}` : `${c.id}: the test run fails with errno ${tr.errno}`;
    it(title, () => {
      const go = () => load(c).program(c.prog).run({
        ...(c.pkt !== undefined && { data: bytes(c.pkt) }),
        ...(c.ctx !== undefined && { ctx: bytes(c.ctx) }),
      });
      if (!tr.ok) {
        expect(refusedErrno(go)).toBe(tr.errno);
        return;
      }
      const r = go();
      expect(r.violations).toEqual([]);
      expect({ retval: r.retval, dataOut: hex(r.dataOut) }).toEqual({ retval: tr.retval, dataOut: tr.data_out });
    });
  }
});

/**
 * The errno of a test run the kernel refuses: bpfvm either refuses it too (a TestRunError: the input is
 * one the kernel rejects, e.g. a frame too short for its EtherType) or runs it anyway and reports the
 * kernel's answer as kernelErrno (a program type or attach type 6.1 cannot test-run).
 */
function refusedErrno(run: () => { kernelErrno?: number }): number | undefined {
  try {
    return run().kernelErrno;
  } catch (e) {
    if (e instanceof TestRunError) return e.errno;
    throw e;
  }
}

// ---- events.json ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface EventEntry {
  id: string;
  object: string;
  program: string;
  packet?: { name: string; about: string; runs?: number };
  cpu?: number;
  expect: {
    retval?: number;
    testRunErrno?: number;
    dataOut?: string;
    printk?: string[];
    maps?: Record<string, Record<string, Json>>;
  };
}

const EVENTS: EventEntry[] = (JSON.parse(readFileSync(join(OBJECTS, 'events.json'), 'utf8')) as { events: EventEntry[] }).events;

function packetOf(name: string): string {
  const p = (PACKETS as unknown as Record<string, unknown>)[name];
  if (typeof p !== 'string') throw new Error(`events.json: no packet ${name} in cases.ts`);
  return p;
}

/** A map value of the events file as bytes, for the struct layouts the fixtures use. */
function datarec(v: Json): Uint8Array {
  const { packets, bytes: n } = v as { packets: number; bytes: number };
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt(packets), true);
  dv.setBigUint64(8, BigInt(n), true);
  return b;
}

describe('events.json (test/fixtures/libbpf)', () => {
  it('names programs of the fixtures, every compiled program at least once, ids unique', () => {
    const programs = new Set(PROGRAMS.filter((c) => !c.object.includes('.linked.') && !c.object.startsWith('mistakes')).map((c) => `${c.object} ${c.prog}`));
    const named = new Set(EVENTS.map((e) => `${e.object} ${e.program}`));
    expect(named).toEqual(programs);
    expect(new Set(EVENTS.map((e) => e.id)).size).toBe(EVENTS.length);
  });

  it('its packet events agree with the kernel\'s test runs of the same packets', () => {
    let checked = 0;
    for (const e of EVENTS) {
      if (e.packet === undefined || (e.packet.runs ?? 1) !== 1) continue;
      const c = CASES.find((x) => x.object === e.object && x.prog === e.program && x.pkt === packetOf(e.packet!.name))!;
      const tr = result(c.id).test_run!;
      if (tr.ok) {
        expect({ retval: e.expect.retval, dataOut: tr.data_out }, e.id).toEqual({ retval: tr.retval, dataOut: packetOf(e.packet.name) });
      } else {
        expect(e.expect.testRunErrno, e.id).toBe(tr.errno);
      }
      checked++;
    }
    expect(checked).toBe(7);
  });
});

describe('packet events run by bpfvm (events.json)', () => {
  for (const e of EVENTS.filter((x) => x.packet !== undefined)) {
    it(`${e.id}: ${e.expect.testRunErrno !== undefined ? `errno ${e.expect.testRunErrno}` : `retval ${e.expect.retval}, printk ${JSON.stringify(e.expect.printk)}`}`, () => {
      const col = load(e);
      const data = bytes(packetOf(e.packet!.name));
      const output: string[] = [];
      let last;
      if (e.expect.testRunErrno !== undefined) {
        expect(refusedErrno(() => col.program(e.program).run({ data }))).toBe(e.expect.testRunErrno);
        return;
      }
      for (let i = 0; i < (e.packet!.runs ?? 1); i++) {
        last = col.program(e.program).run({ data });
        output.push(...last.output);
      }
      if (e.expect.testRunErrno !== undefined) {
        expect(last!.kernelErrno).toBe(e.expect.testRunErrno);
        return;
      }
      expect(last!.violations).toEqual([]);
      expect(last!.retval).toBe(e.expect.retval);
      expect(hex(last!.dataOut)).toBe(hex(data));
      expect(output).toEqual(e.expect.printk ?? []);
      for (const [name, entries] of Object.entries(e.expect.maps ?? {})) {
        expect(name).toBe('proto_stats'); // the one map the packet fixtures fill
        const map = col.map(name);
        const perCpu = map.sysValueSize / 16;
        for (let key = 0; key < 256; key++) {
          const got = map.lookupSys(new Uint8Array(new Uint32Array([key]).buffer));
          expect(got).toBeInstanceOf(Uint8Array);
          const want = new Uint8Array(16 * perCpu);
          const v = entries[String(key)];
          if (v !== undefined) want.set(datarec(v), 16 * (e.cpu ?? 0));
          expect(hex(got as Uint8Array), `${name}[${key}]`).toBe(hex(want));
        }
      }
    });
  }
});
