/**
 * Every public entry point throws BpfErrors only; the CLI prints one line per error, never a stack trace
 * (an internal bug is named as one, with exit code 3); hex in messages is never negative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfError, hex } from '../src/errors.js';
import { CtxRulesMissingError, loadObject, MapError, ProgTypeError, TestRunError } from '../src/index.js';
import { parseProgType } from '../kernel-sim/progtypes/index.js';
import { bufferIo, EXIT, type Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { createMap } from '../kernel-sim/maps/index.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { sharedPath, announceMissing } from './shared.js';

describe('typed errors', () => {
  it('ProgTypeError, TestRunError, CtxRulesMissingError and MapError are exported BpfErrors with a kind', () => {
    let e: unknown;
    try {
      parseProgType('xdp1');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ProgTypeError);
    expect(e).toBeInstanceOf(BpfError);
    expect((e as BpfError).kind).toBe('usage');
    const t = new TestRunError('EINVAL', 'x');
    expect(t).toBeInstanceOf(BpfError);
    expect(t.kind).toBe('run');
    expect(t.errno).toBe(22);
    expect(new CtxRulesMissingError('UNSPEC')).toBeInstanceOf(BpfError);
    expect(MapError.prototype).toBeInstanceOf(BpfError);
  });

  it('hex never prints a negative number', () => {
    expect(hex(-0x80000000)).toBe('0x80000000');
    expect(hex(-1)).toBe('0xffffffff');
    expect(hex(-(2 ** 40))).toBe('0xffffff0000000000');
    expect(hex(-1n)).toBe('0xffffffffffffffff');
    expect(hex(255)).toBe('0xff');
  });

  it('an unknown map flag in bit 31 is named in unsigned hex', () => {
    const k = new Kernel();
    expect(() => createMap(k.maps, { type: 'array', name: 'a', keySize: 4, valueSize: 4, maxEntries: 1, flags: 0x80000000 | 0 }))
      .toThrow(/flags 0x80000000 are not accepted/);
  });
});

describe('legacy section names (libbpf 0.x prefix rule)', () => {
  const xdp1 = sharedPath('ebpf-samples', 'linux', 'xdp1_kern.o');
  const sock1 = sharedPath('ebpf-samples', 'linux', 'sockex1_kern.o');
  if (xdp1 === undefined || sock1 === undefined) {
    it('DID NOT RUN: shared samples missing', () => announceMissing('legacy section samples'));
    return;
  }

  it('an xdp1 section loads and runs as an XDP program', () => {
    const col = loadObject(new Uint8Array(readFileSync(xdp1!)));
    const [p] = [...col.programs.values()];
    expect(p!.spec?.section).toBe('xdp1');
    expect(p!.type).toBe('XDP');
    const data = new Uint8Array(64);
    data[12] = 0x08; // IPv4
    data[14] = 0x45;
    const r = p!.run({ data });
    expect(r.violations).toEqual([]);
    expect(r.retval).not.toBeNull();
  });

  it('a socket1 section runs as a socket filter', () => {
    const col = loadObject(new Uint8Array(readFileSync(sock1!)));
    const [p] = [...col.programs.values()];
    expect(p!.type).toBe('SOCKET_FILTER');
    const r = p!.run({ data: new Uint8Array(64) });
    expect(r.violations).toEqual([]);
  });
});

describe('CLI error path', () => {
  it('an internal bug is one line naming it as a bpfvm bug, exit 3, stack only when debugging', () => {
    const run = (debug: boolean) => {
      const io: Io & { stderr: string } = {
        stderr: '', code: 0, debug,
        out() { throw new TypeError('boom'); },
        err(s: string) { this.stderr += s; },
      };
      return { code: main(['kfuncs'], io), stderr: io.stderr };
    };
    const quiet = run(false);
    expect(quiet.code).toBe(EXIT.INTERNAL);
    expect(quiet.stderr).toBe('bpfvm: internal error (a bpfvm bug, please report it): TypeError: boom\n');
    const loud = run(true);
    expect(loud.stderr.split('\n').length).toBeGreaterThan(3);
    expect(loud.stderr).toMatch(/at /);
  });

  it('a refused test run of a legacy section is one line, exit 2, and a JSON error', () => {
    const xdp1 = sharedPath('ebpf-samples', 'linux', 'xdp1_kern.o');
    if (xdp1 === undefined) return announceMissing('legacy section samples');
    const io = bufferIo();
    const code = main(['run', xdp1, '--json'], io);
    expect(code).toBe(EXIT.INPUT);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
    expect(io.stderr).toMatch(/^bpfvm: the test run was refused: EINVAL/);
    expect(JSON.parse(io.stdout.trim()).error.kind).toBe('run');
  });
});
