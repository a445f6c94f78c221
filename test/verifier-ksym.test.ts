/**
 * Typed `__ksym` variables: ld_imm64 with src BPF_PSEUDO_BTF_ID naming a VAR of the simulated vmlinux BTF
 * (check_pseudo_btf_id), and the per-CPU conversion helpers bpf_this_cpu_ptr / bpf_per_cpu_ptr.
 * Kernel truth (Linux 6.1 through ../shared/oracle, raw_tracepoint programs; ksym_percpu.bpf.o as ELF):
 *   btf_id 0 / 1 → "pseudo btf_id N in ldimm64 isn't KIND_VAR." (EINVAL); 2147483647 → "ldimm64 insn
 *   specifies invalid btf_id 2147483647." (ENOENT); insn[1].imm = 5 → "invalid module BTF object FD
 *   specified." (EINVAL); `r1 = 0; call bpf_this_cpu_ptr` → "R1 type=scalar expected=percpu_ptr_";
 *   percpu_vars accepted, test run retval 15 (ctx_in 8 zero bytes); percpu_direct "R1 is ptr_rq access percpu memory: off=…"; percpu_unchecked
 *   "R0 invalid mem access 'ptr_or_null_'"; percpu_int_past_end "invalid access to memory, mem_size=4 off=4
 *   size=4" then "R0 min value is outside of the allowed memory range".
 */
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadObject, loadProgram } from '../src/api/collection.js';
import { VerifierError } from '../src/verifier/verifier.js';
import { verify } from '../src/verifier/index.js';
import { defaultRegistry } from '../kernel-sim/kfuncs/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { fixture } from './fixtures/paths.js';

const priv = new Set(['CAP_BPF', 'CAP_PERFMON', 'CAP_NET_ADMIN'] as const);
const vmlinux = defaultRegistry().btf;
const RQ = vmlinux.varId('runqueues')!;
const ACTIVE = vmlinux.varId('bpf_prog_active')!;
const check = (src: string) => verify(assemble(src), { prog: { type: 'RAW_TRACEPOINT' }, platform: kernelPlatform(), caps: priv, logLevel: 1 });

describe('ld_imm64 of a kernel variable (check_pseudo_btf_id)', () => {
  it('the simulated vmlinux lists its per-CPU variables as VARs of .data..percpu', () => {
    expect(RQ).toBeGreaterThan(0);
    expect(vmlinux.btf.type(RQ)).toMatchObject({ kind: 'VAR', name: 'runqueues' });
    const sec = vmlinux.btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.data..percpu');
    expect(sec).toBeDefined();
  });

  const refused: [string, string, string, number][] = [
    ['void is not a VAR', 'r1 = btf_id(0) ll', "pseudo btf_id 0 in ldimm64 isn't KIND_VAR.", 22],
    ['a type is not a VAR', 'r1 = btf_id(1) ll', "pseudo btf_id 1 in ldimm64 isn't KIND_VAR.", 22],
    ['past the last type', 'r1 = btf_id(2147483647) ll', 'ldimm64 insn specifies invalid btf_id 2147483647.', 2],
  ];
  for (const [name, lddw, msg, errno] of refused) {
    it(`${name}: refused before any instruction is processed`, () => {
      const r = check(`${lddw}\nr0 = 0\nexit`);
      expect(r.verdict).toBe('rejected');
      expect(r.message).toBe(msg);
      expect(r.errno).toBe(errno);
      expect(r.log).toContain('processed 0 insns');
    });
  }

  it('a module BTF fd in the second slot: the simulated kernel has none', () => {
    const insns = assemble(`r1 = btf_id(${RQ}) ll\nr0 = 0\nexit`);
    insns[1] = { ...insns[1]!, imm: 5 };
    const r = verify(insns, { prog: { type: 'RAW_TRACEPOINT' }, platform: kernelPlatform(), caps: priv, logLevel: 1 });
    expect(r.message).toBe('invalid module BTF object FD specified.');
  });

  it('a per-CPU variable loads as a percpu pointer that cannot be dereferenced', () => {
    const r = check(`r1 = btf_id(${RQ}) ll\nr0 = *(u32 *)(r1 + 0)\nexit`);
    expect(r.message).toBe('R1 is ptr_rq access percpu memory: off=0');
  });
});

describe('bpf_this_cpu_ptr / bpf_per_cpu_ptr', () => {
  it('a struct variable becomes PTR_TO_BTF_ID (this CPU) or PTR_TO_BTF_ID_OR_NULL (any CPU)', () => {
    expect(check(`r1 = btf_id(${RQ}) ll\ncall 154\nr0 = *(u32 *)(r0 + 0)\nexit`).verdict).toBe('accepted');
    expect(check(`r1 = btf_id(${RQ}) ll\nr2 = 0\ncall 153\nr0 = *(u32 *)(r0 + 0)\nexit`).message)
      .toBe("R0 invalid mem access 'ptr_or_null_'");
    expect(check(`r1 = btf_id(${RQ}) ll\nr2 = 0\ncall 153\nif r0 == 0 goto +1\nr0 = *(u32 *)(r0 + 0)\nexit`).verdict).toBe('accepted');
  });

  it('an int variable becomes read-only memory of sizeof(int)', () => {
    expect(check(`r1 = btf_id(${ACTIVE}) ll\ncall 154\nr0 = *(u32 *)(r0 + 0)\nexit`).verdict).toBe('accepted');
    const past = check(`r1 = btf_id(${ACTIVE}) ll\ncall 154\nr0 = *(u32 *)(r0 + 4)\nexit`);
    expect(past.log).toContain('invalid access to memory, mem_size=4 off=4 size=4\n');
    expect(past.message).toBe('R0 min value is outside of the allowed memory range');
    expect(check(`r1 = btf_id(${ACTIVE}) ll\ncall 154\n*(u32 *)(r0 + 0) = 1\nr0 = 0\nexit`).message).toBe('R0 cannot write into rdonly_mem');
    expect(check(`r1 = btf_id(${ACTIVE}) ll\nr2 = 0\ncall 153\nr0 = *(u32 *)(r0 + 0)\nexit`).message)
      .toBe("R0 invalid mem access 'rdonly_mem_or_null'");
  });

  it('the argument must be a per-CPU variable', () => {
    expect(check('r1 = 0\ncall 154\nexit').message).toBe('R1 type=scalar expected=percpu_ptr_');
  });

  it('at run time: this CPU\'s copy, NULL past the last CPU', () => {
    const p = loadProgram(assemble(`r1 = btf_id(${RQ}) ll\nr2 = 100000\ncall 153\nexit`), 'raw_tracepoint');
    expect(p.run()).toMatchObject({ retval: 0, violations: [] });
    // struct rq of Linux 6.1: nr_running follows the run queue's lock
    const nrRunning = defaultRegistry().types.member('struct rq', 'nr_running')!.offset;
    expect(nrRunning).toBe(4);
    const q = loadProgram(assemble(`r1 = btf_id(${RQ}) ll\ncall 154\nr0 = *(u32 *)(r0 + ${nrRunning})\nexit`), 'raw_tracepoint');
    expect(q.run()).toMatchObject({ retval: 1, violations: [] }); // nr_running: the current task
  });
});

describe('ksym_percpu.bpf.o (clang, typed __ksym runqueues and bpf_prog_active)', () => {
  const col = () => loadObject(fixture('ksym_percpu.bpf.o'));
  const rejection = (name: string): string => {
    try {
      col().program(name).run();
    } catch (e) {
      if (e instanceof VerifierError) return e.result.message;
      throw e;
    }
    return 'accepted';
  };

  it('percpu_vars loads, verifies and runs: every check holds', () => {
    expect(col().program('percpu_vars').run()).toMatchObject({ retval: 15, violations: [] });
  });

  it('the kernel\'s refusals', () => {
    expect(rejection('percpu_direct')).toMatch(/^R1 is ptr_rq access percpu memory: off=\d+$/);
    expect(rejection('percpu_unchecked')).toBe("R0 invalid mem access 'ptr_or_null_'");
    expect(rejection('percpu_int_past_end')).toBe('R0 min value is outside of the allowed memory range');
  });
});
