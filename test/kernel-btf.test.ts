import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadProgram } from '../src/api/collection.js';
import { LoadError } from '../src/errors.js';
import { defaultKernelBtf, loadKernelBtf } from '../kernel-sim/btf/kernel-btf.js';
import { attachProto } from '../kernel-sim/btf/attach-targets.js';
import { defaultRegistry } from '../kernel-sim/kfuncs/index.js';
import { kernelPlatform } from '../kernel-sim/platform.js';
import { BpfRegType, BpfTypeFlag } from '../src/uapi/reg-types.js';
import { btfStructAccess } from '../src/verifier/btf-walk.js';

const btf = defaultKernelBtf();

describe('the packaged Linux 6.1 vmlinux BTF', () => {
  it('is the real kernel\'s: its type count and a few well-known layouts', () => {
    // Debian linux-image-6.1.0-50-amd64 (kernel-sim/data/PROVENANCE.json)
    expect(btf.count).toBe(100643);
    const types = defaultRegistry().types;
    expect(types.sizeOf('struct __sk_buff')).toBe(192);
    expect(types.member('struct __sk_buff', 'data')!.offset).toBe(76);
    expect(types.member('struct xdp_md', 'data_end')!.offset).toBe(4);
    expect(types.sizeOf('struct ethhdr')).toBe(14);
    expect(types.member('struct iphdr', 'ttl')!.offset).toBe(8);
    // a bitfield: iphdr's ihl:4 / version:4 share byte 0
    expect(types.member('struct iphdr', 'ihl')).toMatchObject({ offset: 0, bitSize: 4 });
    expect(types.sizeOf(types.member('struct task_struct', 'comm')!.type)).toBe(16);
  });

  it('another vmlinux BTF can stand in (raw or gzip); a file that is not BTF is a clear LoadError', () => {
    const gz = gzipSync(Buffer.from('not btf at all'));
    expect(() => loadKernelBtf(gz, 'my.btf')).toThrow(LoadError);
    expect(() => loadKernelBtf(gz, { file: 'my.btf' })).toThrow('my.btf: not a BTF file: it starts with 6e 6f 74 20, not the BTF magic 9f eb');
    expect(() => loadKernelBtf(new Uint8Array([1, 2]), 'x')).toThrow(/not a BTF file/);
  });

  it('every kfunc the catalogue registers that vmlinux defines has vmlinux\'s prototype', () => {
    const r = defaultRegistry();
    const types = r.types;
    let checked = 0;
    for (const k of r.list()) {
      const fid = btf.idByName(k.name, 'FUNC');
      if (fid === undefined) continue; // a module's (nf_conntrack is =m in Debian's 6.1)
      expect(k.btfId).toBe(fid);
      const proto = btf.type((btf.type(fid) as { type: number }).type);
      if (proto.kind !== 'FUNC_PROTO') throw new Error('not a proto');
      const def = r.byId(fid)!.def;
      expect(def.params.length, k.name).toBe(proto.params.length);
      def.params.forEach((p, i) => {
        expect(types.textOf(types.btf.resolve(types.idOf(p.type))), `${k.name} arg ${i}`).toBe(types.textOf(btf.resolve(proto.params[i]!.type)));
      });
      expect(types.textOf(types.btf.resolve(types.idOf(def.ret))), `${k.name} return`).toBe(types.textOf(btf.resolve(proto.returnType)));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(30);
  });
});

describe('attach targets and contexts from BTF', () => {
  it('fentry/fexit args and the return slot follow the target\'s prototype', () => {
    const p = attachProto(btf, 'TRACING', 'TRACE_FEXIT', 'do_unlinkat')!;
    expect(p.args.map((a) => [a.name, a.off])).toEqual([['dfd', 0], ['name', 8]]);
    const plat = kernelPlatform();
    const prog = { type: 'TRACING' as const, expectedAttachType: 'TRACE_FEXIT', attachTo: 'do_unlinkat' };
    expect(plat.ctxAccess(prog, 0, 8, false)).toEqual({ regType: BpfRegType.SCALAR_VALUE });
    expect(plat.ctxAccess(prog, 8, 8, false)).toEqual({ regType: BpfRegType.PTR_TO_BTF_ID, btfName: 'filename' });
    expect(plat.ctxAccess(prog, 16, 8, false)).toEqual({ regType: BpfRegType.SCALAR_VALUE }); // the int return value
    expect(plat.ctxAccess(prog, 24, 8, false)).toBeUndefined();
  });

  it('tp_btf skips btf_trace_<event>\'s first void *; iterators mark what may be NULL; map iterators hand out buffers', () => {
    const sw = attachProto(btf, 'TRACING', 'TRACE_RAW_TP', 'sched_switch')!;
    // (bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
    expect(sw.args.map((a) => [btf.typeName(a.type), a.off])).toEqual([['bool', 0], ['struct task_struct *', 8], ['struct task_struct *', 16], ['unsigned int', 24]]);
    const plat = kernelPlatform();
    expect(plat.ctxAccess({ type: 'TRACING', expectedAttachType: 'TRACE_RAW_TP', attachTo: 'sched_switch' }, 8, 8, false))
      .toEqual({ regType: BpfRegType.PTR_TO_BTF_ID, btfName: 'task_struct' });
    const iter = { type: 'TRACING' as const, expectedAttachType: 'TRACE_ITER', attachTo: 'bpf_map_elem' };
    expect(plat.ctxAccess(iter, 8, 8, false)).toEqual({ regType: BpfRegType.PTR_TO_BTF_ID, btfName: 'bpf_map' });
    expect(plat.ctxAccess(iter, 16, 8, false)).toEqual({ regType: BpfRegType.PTR_TO_BUF | BpfTypeFlag.MEM_RDONLY | BpfTypeFlag.PTR_MAYBE_NULL });
    expect(plat.ctxAccess(iter, 24, 8, false)).toEqual({ regType: BpfRegType.PTR_TO_BUF | BpfTypeFlag.PTR_MAYBE_NULL });
  });

  it('btf_struct_walk: pointers inside anonymous unions, arrays, and the kernel\'s refusals', () => {
    const meta = btf.idByName('bpf_iter_meta', 'STRUCT')!;
    // seq sits in an anonymous union at offset 0
    expect(btfStructAccess(btf, meta, 0, 8)).toMatchObject({ kind: 'ptr', struct: 'seq_file' });
    // the walk is inside the anonymous union by then, so the struct's name is empty, as the kernel prints it
    expect(btfStructAccess(btf, meta, 0, 4)).toEqual({ kind: 'error', errno: 13, message: 'cannot access ptr member seq with moff 0 in struct  with off 0 size 4\n' });
    const task = btf.idByName('task_struct', 'STRUCT')!;
    const size = btf.sizeOf(task);
    expect(btfStructAccess(btf, task, size, 4)).toEqual({ kind: 'error', errno: 13, message: `access beyond struct task_struct at off ${size} size 4\n` });
    const comm = defaultRegistry().types.member('struct task_struct', 'comm')!.offset;
    expect(btfStructAccess(btf, task, comm + 3, 1)).toEqual({ kind: 'scalar' });
  });
});

describe('loads through kernel pointers run as BPF_PROBE_MEM', () => {
  it('a NULL argument reads 0 with a warning naming the instruction, as the kernel\'s exception table makes it', () => {
    // tp_btf/sched_switch: prev (arg 1) is a struct task_struct *; the run's args are zero
    const pid = defaultRegistry().types.member('struct task_struct', 'pid')!.offset;
    const p = loadProgram(assemble(`r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + ${pid})\nexit`), 'tp_btf/sched_switch');
    const r = p.run();
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe(0n);
    expect(r.kernelErrno).toBe(14); // 6.1's bpf_prog_test_run_tracing has no run for tp_btf: EFAULT
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings![0]).toMatchObject({ insn: 1, message: expect.stringContaining(`BPF_PROBE_MEM load of 4 bytes at 0x${pid.toString(16)}`) });
  });

  it('without the verifier there is no PROBE_MEM: the same load is a violation', () => {
    const p = loadProgram(assemble('r1 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r1 + 0)\nexit'), 'tp_btf/sched_switch', { verify: false });
    expect(p.run().violations[0]).toMatchObject({ insn: 1 });
  });
});

describe('--kernel-btf and kernelBtf: another vmlinux BTF', () => {
  const data = new URL('../kernel-sim/data/vmlinux-6.1.btf.gz', import.meta.url).pathname;
  const fixture = new URL('./fixtures/libbpf/fentry.bpf.o', import.meta.url).pathname;

  it('bpfvm verify takes a vmlinux BTF file (here a second copy of 6.1\'s, parsed apart)', async () => {
    const { main } = await import('../src/cli/main.js');
    const { bufferIo } = await import('../src/cli/io.js');
    const io = bufferIo();
    expect(main(['verify', fixture, '--program', 'do_unlinkat', '--kernel-btf', data, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout.trim().split('\n').pop()!)).toMatchObject({ verdict: 'accepted', processed: 10 });
    const bad = bufferIo();
    expect(main(['verify', fixture, '--program', 'do_unlinkat', '--kernel-btf', new URL('../package.json', import.meta.url).pathname, '--json'], bad)).toBe(2);
    expect(JSON.parse(bad.stdout.trim())).toEqual({ error: { kind: 'load', message: 'package.json: not a BTF file: it starts with 7b 0a 20 20, not the BTF magic 9f eb' } });
  });

  it('loadObject({ kernelBtf }) resolves CO-RE and kfunc ids against the BTF given', async () => {
    const { readFileSync } = await import('node:fs');
    const { loadObject } = await import('../src/api/collection.js');
    const other = loadKernelBtf(readFileSync(data), 'copy');
    expect(other).not.toBe(btf);
    const col = loadObject(readFileSync(fixture), { kernelBtf: other });
    expect(col.program('do_unlinkat').verify().verdict).toBe('accepted');
  });
});

describe('attach targets as libbpf finds them (libbpf_find_attach_btf_id)', () => {
  const fixture = new URL('./fixtures/libbpf/fentry.bpf.o', import.meta.url).pathname;
  /** The fentry fixture with its section renamed to a function the 6.1 BTF lacks (same length). */
  const renamed = async (): Promise<Uint8Array> => {
    const { readFileSync } = await import('node:fs');
    const bytes = new Uint8Array(readFileSync(fixture));
    const from = new TextEncoder().encode('fentry/do_unlinkat'), to = new TextEncoder().encode('fentry/no_such_fn_');
    for (let i = 0; i + from.length <= bytes.length; i++) {
      if (from.every((b, j) => bytes[i + j] === b)) bytes.set(to, i);
    }
    return bytes;
  };

  it('a missing fentry target is refused before the verifier with -ESRCH, in the library and the CLI', async () => {
    const { loadObject } = await import('../src/api/collection.js');
    const { LoadError } = await import('../src/errors.js');
    const col = loadObject(await renamed());
    expect(() => col.program('do_unlinkat').verify()).toThrow(LoadError);
    expect(() => col.program('do_unlinkat').verify()).toThrow("prog 'do_unlinkat': failed to find kernel BTF type ID of 'no_such_fn_': -3");
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'bpfvm-')), 'missing.o');
    writeFileSync(file, await renamed());
    const { main } = await import('../src/cli/main.js');
    const { bufferIo } = await import('../src/cli/io.js');
    const io = bufferIo();
    expect(main(['verify', file, '--program', 'do_unlinkat', '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout.trim()).error.message).toMatch(/failed to find kernel BTF type ID of 'no_such_fn_': -3$/);
  });

  it('targets are looked up by the prefix and kind of their attach type', async () => {
    const { findAttachBtfId } = await import('../kernel-sim/btf/attach-targets.js');
    expect(findAttachBtfId(btf, 'TRACE_RAW_TP', 'sched_switch')).toBe(btf.idByName('btf_trace_sched_switch', 'TYPEDEF'));
    expect(findAttachBtfId(btf, 'LSM_MAC', 'file_open')).toBe(btf.idByName('bpf_lsm_file_open', 'FUNC'));
    expect(findAttachBtfId(btf, 'TRACE_ITER', 'task')).toBe(btf.idByName('bpf_iter_task', 'FUNC'));
    expect(findAttachBtfId(btf, 'TRACE_FENTRY', 'do_unlinkat')).toBe(btf.idByName('do_unlinkat', 'FUNC'));
    expect(findAttachBtfId(btf, 'TRACE_FENTRY', 'sched_switch')).toBeUndefined();
    expect(findAttachBtfId(btf, 'TRACE_ITER', 'no_such_iter')).toBeUndefined();
  });
});
