/**
 * Callbacks (bpf_loop, bpf_for_each_map_elem, timers, bpf_find_vma, bpf_user_ringbuf_drain) and global
 * functions, against the real Linux 6.1 verifier: test/oracle/callbacks/manifest (gen-manifest.mjs) holds raw
 * programs with their BTF and func_info, expected.jsonl what 6.1 answered (../shared/oracle run-batch.sh).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBtf } from '../src/btf/index.js';
import { decode } from '../src/isa/insn.js';
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
 * A log as compared: map addresses of ld_imm64 masked, statistics lines left out (bpfvm prints the stack depth
 * at level 1 too). Where the kernel backtracked precision (`last_idx …`, bpfvm has no backtracking yet), the
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
      // A rejected program's log (every level) and a level-2 log are the kernel's, line for line.
      if (k.verdict === 'rejected' || l.keys.log === '2') expect(comparable(r.log, k.verifier_log)).toBe(comparable(k.verifier_log, k.verifier_log));
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
