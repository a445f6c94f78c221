import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRealworld } from '../src/corpus/load.js';
import { runRealworld, summarize, type RealworldCase, type RealworldResult } from '../src/corpus/realworld.js';
import type { PreparedObject } from '../src/api/verify-object.js';
import type { BpfError } from '../src/errors.js';
import { main } from '../src/cli/main.js';
import { announceMissing, inChunks, sharedPath } from './shared.js';

const truth = sharedPath('realworld', 'truth-6.1.jsonl');

function capture(argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; }, code: 0 });
  return { code, out, err };
}

describe('realworld yardstick: Linux 6.1 selftest programs against the real kernel\'s verdicts', () => {
  if (!truth) {
    it('did not run', () => announceMissing('realworld truth file'));
    return;
  }
  const { cases, bytesOf } = loadRealworld(truth);

  // Floors already reached: regressions fail, progress is printed.
  const floors = { verdict: 617, lastLine: 137, processed: 595, envRefused: 154 };

  it('verdicts, last lines and processed counts agree with the kernel on at least the floors', async () => {
    const t = Date.now();
    const results: RealworldResult[] = [];
    const prepared = new Map<string, PreparedObject | BpfError>();
    await inChunks(cases, 20, (chunk: readonly RealworldCase[]) => { results.push(...runRealworld(chunk, bytesOf, undefined, prepared)); });
    const s = summarize(results);
    const tt = s.total;
    process.stderr.write(`\n*** realworld (${results.length} programs, ${Date.now() - t} ms): verdict ${tt.verdictAgree}/${tt.judged} ` +
      `(${(100 * tt.verdictAgree / tt.judged).toFixed(1)}%, target 97%), last line ${tt.lastLineAgree}/${tt.rejected} ` +
      `(${(100 * tt.lastLineAgree / tt.rejected).toFixed(1)}%, target 90%), processed ${tt.processedAgree}/${tt.judged}, ` +
      `env refused ${tt.envRefused}/${tt.env} (same step ${tt.envSameStep}), internal errors ${tt.errors}\n` +
      `*** causes: ${s.causes.map(([c, n]) => `${c} ${n}`).join(', ')}\n`);
    expect(results).toHaveLength(cases.length);
    expect(tt.judged + tt.env).toBe(cases.length);
    expect(tt.errors).toBe(0);
    expect(tt.verdictAgree).toBeGreaterThanOrEqual(floors.verdict);
    expect(tt.lastLineAgree).toBeGreaterThanOrEqual(floors.lastLine);
    expect(tt.processedAgree).toBeGreaterThanOrEqual(floors.processed);
    expect(tt.envRefused).toBeGreaterThanOrEqual(floors.envRefused);
    // every disagreement on a verdict or a last line has a cause
    for (const r of results) {
      const headline = r.differs.includes('verdict') || r.differs.includes('message') || r.differs.includes('step');
      expect(r.cause !== undefined, r.id).toBe(headline);
    }
  }, 300_000);

  // Programs whose agreement rests on one load or verifier rule: each agrees with the kernel's answer in full
  // (verdict, errno, last line, processed count).
  const RULES: Record<string, string[]> = {
    'frozen .rodata read as constants (bpf_map_direct_read)': [
      'test_rdonly_maps.bpf.o:skip_loop', 'test_rdonly_maps.bpf.o:part_loop', 'test_skeleton.bpf.o:handler',
      'perfbuf_bench.bpf.o:bench_perfbuf', 'ringbuf_bench.bpf.o:bench_ringbuf', 'strncmp_bench.bpf.o:strncmp_no_helper',
    ],
    'constant strings in frozen maps (ARG_PTR_TO_CONST_STR)': [
      'strncmp_bench.bpf.o:strncmp_helper', 'strncmp_test.bpf.o:strncmp_bad_writable_target',
      'strncmp_test.bpf.o:strncmp_bad_not_null_term_target',
    ],
    '__kconfig externs from the reference kernel\'s config and libbpf\'s LINUX_* externs': [
      'bpf_syscall_macro.bpf.o:prctl_enter', 'test_attach_probe.bpf.o:handle_kprobe_auto', 'test_probe_user.bpf.o:handle_sys_connect',
    ],
    'the reference kernel without CONFIG_FUNCTION_ERROR_INJECTION (fmod_ret, sleepable fentry)': [
      'bpf_mod_race.bpf.o:widen_race', 'lsm.bpf.o:test_sys_setdomainname', 'modify_return.bpf.o:fmod_ret_test',
    ],
    'ring buffers sized by libbpf (adjust_ringbuf_sz)': ['test_ringbuf_multi.bpf.o:test_ringbuf'],
    'kptr rules (untrusted pointers walked stay untrusted; process_kptr_func is EACCES)': [
      'map_kptr_fail.bpf.o:inherit_untrusted_on_walk', 'map_kptr_fail.bpf.o:non_const_var_off_kptr_xchg',
    ],
    'timer callbacks re-entered (async_entry_cnt) are no infinite loop': ['timer.bpf.o:test1'],
    'references a kfunc acquires in a callback belong to the callback': ['cb_refs.bpf.o:nested_cb', 'cb_refs.bpf.o:leak_prog'],
    'sockmap values are sockets (resolve_map_arg_type)': ['test_sockmap_update.bpf.o:copy_sock_map'],
    'context memory of types without convert_ctx_access (syscall) passed to kfuncs': [
      'kfunc_call_fail.bpf.o:kfunc_syscall_test_fail', 'kfunc_call_fail.bpf.o:kfunc_syscall_test_null_fail',
    ],
    'a size that may be 0 where zero is not allowed (check_mem_size_reg)': ['strncmp_test.bpf.o:strncmp_bad_not_const_str_size'],
    'kfunc dynptr arguments: initialised local dynptrs only': [
      'mapfix/test_kfunc_dynptr_param.bpf.o:dynptr_type_not_supp', 'mapfix/test_kfunc_dynptr_param.bpf.o:not_valid_dynptr',
    ],
    'the object\'s licence (gpl_compatible)': ['bpf_tcp_nogpl.bpf.o:nogpltcp_init'],
    'hidden global functions verified as static ones (libbpf\'s mark_btf_static)': [
      'selftests-6.1/test_usdt.bpf.o:usdt0', 'linked/linked_funcs.bpf.o:handler1', 'linked/linked_funcs.bpf.o:handler2',
    ],
    'bpftool-linked objects: relocations of overridden weak functions skipped': ['linked/test_usdt.bpf.o:usdt0', 'linked/test_usdt.bpf.o:usdt_100'],
  };
  for (const [rule, ids] of Object.entries(RULES)) {
    it(`agrees with the kernel where it rests on ${rule}`, () => {
      const picked = ids.map((id) => {
        const c = cases.find((x) => `${x.object}:${x.program}`.endsWith(`/${id}`));
        expect(c, id).toBeDefined();
        return c!;
      });
      for (const r of runRealworld(picked, bytesOf)) expect({ id: r.id, differs: r.differs }).toEqual({ id: r.id, differs: [] });
    }, 60_000);
  }

  it('bpfvm corpus tells a truth file by its lines and prints one JSON line per program and a summary', () => {
    // a small truth file beside a link to the objects: the first object's programs
    const dir = mkdtempSync(join(tmpdir(), 'bpfvm-rw-'));
    symlinkSync(join(truth, '..', 'objects'), join(dir, 'objects'));
    const lines = readFileSync(truth, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const first = (JSON.parse(lines[0]!) as RealworldCase).object;
    const some = lines.filter((l) => (JSON.parse(l) as RealworldCase).object === first);
    writeFileSync(join(dir, 'truth.jsonl'), some.join('\n') + '\n');
    const r = capture(['corpus', join(dir, 'truth.jsonl'), '--json']);
    expect(r.code, r.err).toBe(0);
    const out = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(some.length + 1);
    for (const [i, o] of out.slice(0, -1).entries()) {
      const c = JSON.parse(some[i]!) as RealworldCase;
      expect(o.id).toBe(`${c.object}:${c.program}`);
      expect(Object.keys(o)).toEqual(expect.arrayContaining(['prog_type', 'bpfvm', 'kernel', 'agree', 'differs']));
      expect((o.kernel as { verdict: string }).verdict).toBe(c.category === 'env' ? 'env' : c.kernel_verdict);
    }
    const summary = out.at(-1)!.summary as { total: { judged: number; env: number } };
    expect(summary.total.judged + summary.total.env).toBe(some.length);
    const human = capture(['corpus', join(dir, 'truth.jsonl'), '--causes']);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^total\s/m);
  }, 60_000);
});
