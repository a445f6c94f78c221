/**
 * Callbacks (bpf_loop, bpf_for_each_map_elem, timers, bpf_find_vma, bpf_user_ringbuf_drain) and global
 * functions, against the real Linux 6.1 verifier: test/oracle/callbacks/manifest (gen-manifest.mjs) holds raw
 * programs with their BTF and func_info, expected.jsonl what 6.1 answered (../shared/oracle run-batch.sh).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BtfBuilder, parseBtf } from '../src/btf/index.js';
import { decode, encode } from '../src/isa/insn.js';
import { assemble } from '../src/asm/index.js';
import { parseCaps } from '../src/platform/caps.js';
import { verify } from '../src/verifier/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { loadObject, loadProgram } from '../src/api/collection.js';
import type { FixupSpec } from '../src/corpus/runner.js';
import { announceMissing, sharedPath } from './shared.js';
import { lastMessage, readAnswers, readManifest, verifyLine } from './oracle/callbacks/harness.js';

const DIR = resolve(import.meta.dirname, 'oracle', 'callbacks');
const lines = readManifest(resolve(DIR, 'manifest'));
const kernel = readAnswers(resolve(DIR, 'expected.jsonl'));
const fixupsPath = sharedPath('verifier-corpus', 'fixup-maps-6.1.json');
const PKT = '00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002';

/**
 * A log as compared: map addresses of ld_imm64 masked, statistics lines left out (their counts follow pruning,
 * compared by the corpus). Where the kernel backtracked precision (`last_idx …`, bpfvm has no backtracking yet), the
 * instruction trace differs in precision marks (`P`), so only the other lines (messages) are compared.
 */
function comparable(log: string, kernelLog: string): string {
  const traceToo = !/^last_idx /m.test(kernelLog) && !/=P/.test(kernelLog);
  return log.replace(/(\(18\) r\d+ = )0x[0-9a-f]+ */g, '$1X ').split('\n')
    .filter((l) => !/^(verification time|stack depth|processed )/.test(l))
    .filter((l) => traceToo || !/^(\d+:| R\d| frame\d|last_idx |regs=|parent |from \d+ to )/.test(l)).join('\n');
}

describe('callbacks and global functions against Linux 6.1 (test/oracle/callbacks)', () => {
  if (fixupsPath === undefined) {
    it('are not available here', () => announceMissing('verifier-callbacks (shared/verifier-corpus/fixup-maps-6.1.json)'));
    return;
  }
  const fixups = JSON.parse(readFileSync(fixupsPath, 'utf8')) as FixupSpec;
  it('has the kernel answer of every manifest line', () => {
    expect(lines.length).toBeGreaterThan(50);
    for (const l of lines) expect(kernel.has(l.id), l.id).toBe(true);
  });
  for (const l of lines) {
    it(`${l.id}: verdict, errno and message as 6.1`, () => {
      const k = kernel.get(l.id)!;
      const r = verifyLine(l, fixups);
      expect(r.verdict).toBe(k.verdict);
      expect(r.errno).toBe(k.errno ?? 0);
      expect(r.message).toBe(k.verdict === 'accepted' ? '' : lastMessage(k.verifier_log));
      // A rejected program's log (every level) and a level-2 log are the kernel's, line for line. (A program
      // refused after do_check, e.g. for its stack depth, has a log the kernel emptied at level 1 when do_check
      // succeeded, where bpfvm keeps the trace: only its message is compared.)
      const traced = /^\d+: \(/m.test(k.verifier_log) || !/^\d+: \(/m.test(r.log);
      if ((k.verdict === 'rejected' && traced) || l.keys.log === '2') {
        expect(comparable(r.log, k.verifier_log)).toBe(comparable(k.verifier_log, k.verifier_log));
      }
    });
  }

  it('names the kernel messages it covers', () => {
    const all = [...kernel.values()].map((k) => k.verifier_log).join('\n');
    for (const m of [
      'At callback return the register R0 has value (0x2; 0x0) should have been in (0x0; 0x1)',
      'At callback return the register R0 has unknown scalar value should have been in (0x0; 0x1)',
      'At async callback the register R0 has value (0x1; 0x0) should have been in (0x0; 0x0)',
      'R0 not a scalar value', 'missing btf func_info', 'callback function not allowed for map',
      "off 8 doesn't point to 'struct bpf_timer' that is at 0", 'Caller passes invalid args into func#1',
      "Global function f() doesn't return scalar. Only those are supported.", 'Arg#0 type STRUCT in f() is not supported yet.',
      "number of funcs in func_info doesn't match number of subprogs", 'tail_call is not allowed in subprogs without BTF',
      "tail_call is only allowed in functions that return 'int'.", 'Validating f() func#1...', 'Func#1 is global and valid. Skipping.',
      'Func#1 is safe for any args that match its prototype', 'caller:\n', 'callee:\n', 'returning from callee:\n',
      'callback function cannot be the main program', 'Unreleased reference id=2 alloc_insn=14',
    ]) {
      expect(all, m).toContain(m);
    }
  });
});

describe('accepted callback and global-function programs run with the kernel\'s return value', () => {
  const pkt = Uint8Array.from(PKT.match(/../g)!.map((b) => parseInt(b, 16)));
  for (const l of lines) {
    const k = kernel.get(l.id);
    if (k === undefined || k.verdict !== 'accepted' || l.keys.maps !== undefined || l.keys.type !== 'socket_filter') continue;
    it(l.id, () => {
      const bytes = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
      const funcInfo = (l.keys.func_info ?? '').split(',').filter((s) => s !== '').map((r) => {
        const [insn, typeId] = r.split(':').map(Number);
        return { insn: insn!, typeId: typeId! };
      });
      const btf = l.keys.btfhex !== undefined ? parseBtf(bytes(l.keys.btfhex)) : undefined;
      const prog = loadProgram(decode(bytes(l.keys.insns!)), 'socket_filter', btf !== undefined ? { btf, funcInfo } : {});
      expect(prog.verify().verdict).toBe('accepted');
      const r = prog.run({ data: pkt });
      expect(r.violations).toEqual([]);
      expect(r.retval).toBe(k.test_run!.retval);
    });
  }
});

/**
 * test/fixtures/src/callbacks.bpf.c: a bpf_loop callback and two global functions (one taking a nullable
 * struct pointer, one the context). Linux 6.1 (../shared/oracle, elf=callbacks.bpf.o, the packet above)
 * accepted both programs — `processed 53 insns` and `processed 13 insns` — and ran them to 68 and 99.
 */
describe('C fixture: bpf_loop callback and global functions through loadObject', () => {
  const KERNEL = { loop_global: { processed: 53, retval: 68 }, global_null: { processed: 13, retval: 99 } };
  const pkt = Uint8Array.from(PKT.match(/../g)!.map((b) => parseInt(b, 16)));
  for (const [name, k] of Object.entries(KERNEL)) {
    it(`${name}: verified as 6.1 verifies it and runs to the kernel's retval`, () => {
      const col = loadObject(readFileSync(resolve(import.meta.dirname, 'fixtures', 'callbacks.bpf.o')));
      const prog = col.program(name);
      const v = prog.verify({ logLevel: 2 });
      expect(v.verdict).toBe('accepted');
      expect(v.processed).toBe(k.processed);
      // The global functions are verified first, on their own, then skipped at each call.
      expect(v.log).toContain('Validating combine() func#');
      expect(v.log).toMatch(/Func#\d is global and valid\. Skipping\./);
      const r = prog.run({ data: pkt });
      expect(r.violations).toEqual([]);
      expect(r.retval).toBe(k.retval);
    });
  }
});

/**
 * The same programs written with the assembler and the BTF builder (as a library user writes them): their
 * bytes are those of the manifest lines the kernel answered, so the kernel's verdict and message apply.
 */
describe('assembler programs with BTF func_info (library)', () => {
  const INT = { kind: 'INT', name: 'int', size: 4, encoding: 1, bitOffset: 0, bits: 32 } as const;
  /** BTF: int, void *, struct pair { int a, b; }, struct pair *, unsigned int, then one FUNC per function. */
  function programBtf(funcs: { name: string; global?: boolean; params: number[] }[]) {
    const b = new BtfBuilder();
    const int = b.add(INT);
    const voidp = b.add({ kind: 'PTR', name: '', type: 0 });
    const pair = b.add({
      kind: 'STRUCT', name: 'pair', size: 8, kindFlag: false,
      members: [{ name: 'a', type: int, bitOffset: 0, bitSize: 0 }, { name: 'b', type: int, bitOffset: 32, bitSize: 0 }],
    });
    const pairp = b.add({ kind: 'PTR', name: '', type: pair });
    const uint = b.add({ kind: 'INT', name: 'unsigned int', size: 4, encoding: 0, bitOffset: 0, bits: 32 });
    const ids = funcs.map((f) => {
      const proto = b.add({ kind: 'FUNC_PROTO', name: '', returnType: int, params: f.params.map((t, i) => ({ name: `a${i}`, type: t })) });
      return b.add({ kind: 'FUNC', name: f.name, type: proto, linkage: f.global ? 1 : 0 });
    });
    return { btf: parseBtf(b.build()), ids, t: { int, voidp, pair, pairp, uint } };
  }
  const hexOf = (insns: ReturnType<typeof assemble>) => Array.from(encode(insns), (x) => x.toString(16).padStart(2, '0')).join('');
  const check = (id: string, text: string, funcs: { name: string; global?: boolean; params: (t: Record<string, number>) => number[] }[], starts: number[]) => {
    const insns = assemble(text);
    const line = lines.find((l) => l.id === id)!;
    expect(hexOf(insns)).toBe(line.keys.insns);
    const probe = programBtf(funcs.map((f) => ({ ...f, params: [] })));
    const { btf, ids } = programBtf(funcs.map((f) => ({ name: f.name, global: f.global, params: f.params(probe.t) })));
    const r = verify(insns, {
      prog: { type: 'SOCKET_FILTER' }, platform: kernelPlatform(), caps: parseCaps('all'), logLevel: 1,
      btf, funcInfo: starts.map((insn, i) => ({ insn, typeId: ids[i]! })),
    });
    const k = kernel.get(id)!;
    expect(r.verdict).toBe(k.verdict);
    expect(r.message).toBe(k.verdict === 'accepted' ? '' : lastMessage(k.verifier_log));
    return r;
  };

  it('bpf_loop: a callback returning 2 is refused at its exit', () => {
    const r = check('loop_ret2', `
      *(u64 *)(r10 - 8) = 0
      r1 = 4
      r2 = func(7) ll
      r3 = r10
      r3 += -8
      r4 = 0
      call 181
      r0 = 0
      exit
      r0 = 2
      exit`, [{ name: 'main', params: (t) => [t.voidp!] }, { name: 'cb', params: (t) => [t.uint!, t.voidp!] }], [0, 10]);
    expect(r.message).toBe('At callback return the register R0 has value (0x2; 0x0) should have been in (0x0; 0x1)');
    expect(r.log).toContain('caller:\n R10=fp0 fp-8_w=00000000\ncallee:\n frame1: R1=scalar() R2_w=fp-8 R10=fp0 cb\n');
  });

  it('global function: a struct pointer argument may be NULL', () => {
    const r = check('glob_ptr_nocheck', `
      *(u64 *)(r10 - 8) = 0
      r1 = r10
      r1 += -8
      call f
      exit
      f: r0 = *(u32 *)(r1 + 0)
      exit`, [{ name: 'main', params: (t) => [t.voidp!] }, { name: 'f', global: true, params: (t) => [t.pairp!] }], [0, 5]);
    // Verified first, alone: the argument is PTR_TO_MEM_OR_NULL of sizeof(struct pair), numbered twice as 6.1 does.
    expect(r.log.split('\n').slice(0, 4)).toEqual([
      'Validating f() func#1...', '5: R1=mem_or_null(id=2,off=0,imm=0) R10=fp0', '5: (61) r0 = *(u32 *)(r1 +0)',
      "R1 invalid mem access 'mem_or_null'",
    ]);
    expect(r.message).toBe("R1 invalid mem access 'mem_or_null'");
  });
});
