import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseElf, sectionByName } from '../src/elf/index.js';
import { LoadError } from '../src/errors.js';
import { CallSrc, Op, Pseudo } from '../src/isa/index.js';
import { matchSection, parseObject, type ObjectFile, type ProgramSpec } from '../src/object/index.js';
import { fixture } from './fixtures/paths.js';

const load = (name: string): ObjectFile => parseObject(fixture(name));
const prog = (o: ObjectFile, name: string): ProgramSpec => o.programs.find((p) => p.name === name)!;
const callsAt = (p: ProgramSpec) => p.insns.flatMap((i, k) => (i.opcode === 0x85 && i.src === CallSrc.LOCAL ? [[k, k + i.imm + 1]] : []));

describe('section names (libbpf section_defs)', () => {
  const cases: [string, string, string | undefined, string | undefined, boolean][] = [
    ['socket', 'BPF_PROG_TYPE_SOCKET_FILTER', undefined, undefined, false],
    ['kprobe/do_exit', 'BPF_PROG_TYPE_KPROBE', undefined, 'do_exit', false],
    ['uretprobe.s/libc:malloc', 'BPF_PROG_TYPE_KPROBE', undefined, 'libc:malloc', true],
    ['tp/syscalls/sys_enter_write', 'BPF_PROG_TYPE_TRACEPOINT', undefined, 'syscalls/sys_enter_write', false],
    ['raw_tp.w/foo', 'BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE', undefined, 'foo', false],
    ['fentry.s/do_unlinkat', 'BPF_PROG_TYPE_TRACING', 'BPF_TRACE_FENTRY', 'do_unlinkat', true],
    ['fmod_ret/x', 'BPF_PROG_TYPE_TRACING', 'BPF_MODIFY_RETURN', 'x', false],
    ['lsm.s/file_open', 'BPF_PROG_TYPE_LSM', 'BPF_LSM_MAC', 'file_open', true],
    ['iter/task', 'BPF_PROG_TYPE_TRACING', 'BPF_TRACE_ITER', 'task', false],
    ['syscall', 'BPF_PROG_TYPE_SYSCALL', undefined, undefined, true],
    ['xdp.frags/devmap', 'BPF_PROG_TYPE_XDP', 'BPF_XDP_DEVMAP', undefined, false],
    ['xdp', 'BPF_PROG_TYPE_XDP', 'BPF_XDP', undefined, false],
    ['cgroup_skb/egress', 'BPF_PROG_TYPE_CGROUP_SKB', 'BPF_CGROUP_INET_EGRESS', undefined, false],
    ['cgroup/post_bind4', 'BPF_PROG_TYPE_CGROUP_SOCK', 'BPF_CGROUP_INET4_POST_BIND', undefined, false],
    ['cgroup/getsockname6', 'BPF_PROG_TYPE_CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_GETSOCKNAME', undefined, false],
    ['cgroup/setsockopt', 'BPF_PROG_TYPE_CGROUP_SOCKOPT', 'BPF_CGROUP_SETSOCKOPT', undefined, false],
    ['sk_skb/stream_verdict', 'BPF_PROG_TYPE_SK_SKB', 'BPF_SK_SKB_STREAM_VERDICT', undefined, false],
    ['struct_ops.s/init', 'BPF_PROG_TYPE_STRUCT_OPS', undefined, 'init', true],
    ['sk_lookup', 'BPF_PROG_TYPE_SK_LOOKUP', 'BPF_SK_LOOKUP', undefined, false],
    ['no_such_prefix', 'BPF_PROG_TYPE_UNSPEC', undefined, undefined, false],
  ];
  it.each(cases)('%s', (sec, type, attach, to, sleepable) => {
    const m = matchSection(sec);
    expect([m.type.name, m.attachType?.name, m.attachTo, m.sleepable, m.legacy]).toEqual([type, attach, to, sleepable, false]);
  });

  it('falls back to the pre-1.0 prefix rule, and reads `?` as no autoload', () => {
    expect(matchSection('socket1')).toMatchObject({ type: { name: 'BPF_PROG_TYPE_SOCKET_FILTER', value: 1 }, legacy: true });
    expect(matchSection('xdp_redirect_map')).toMatchObject({ type: { value: 6 }, legacy: true });
    expect(matchSection('kprobe.multi/x')).toMatchObject({ attachType: { name: 'BPF_TRACE_KPROBE_MULTI' }, legacy: false });
    expect(matchSection('?tc')).toMatchObject({ type: { name: 'BPF_PROG_TYPE_SCHED_CLS' }, autoload: false });
  });
});

describe('fixture objects', () => {
  it('socket filter: one program, license, line info with source', () => {
    const o = load('socket_filter.bpf.o');
    expect(o.license).toBe('GPL');
    expect(o.maps).toEqual([]);
    const p = prog(o, 'accept_short');
    expect([p.section, p.type.name, p.insns.at(-1)?.code]).toEqual(['socket', 'BPF_PROG_TYPE_SOCKET_FILTER', Op.EXIT]);
    expect(p.funcInfo).toEqual([{ insn: 0, typeId: expect.any(Number) }]);
    expect(o.btf!.typeName(p.funcInfo[0]!.typeId)).toBe('int accept_short(struct __sk_buff *skb)');
    expect(p.lineInfo[0]!.source).toContain('skb->len');
  });

  it('big-endian object parses to the same program', () => {
    const le = prog(load('socket_filter.bpf.o'), 'accept_short');
    const be = prog(load('socket_filter.bpfeb.o'), 'accept_short');
    expect(be.insns).toEqual(le.insns);
  });

  it('xdp: two programs in one section, found by symbol', () => {
    const o = load('xdp.bpf.o');
    expect(o.license).toBe('Dual MIT/GPL');
    expect(o.programs.map((p) => [p.name, p.section, p.type.name, p.attachType?.name])).toEqual([
      ['xdp_drop_empty', 'xdp', 'BPF_PROG_TYPE_XDP', 'BPF_XDP'], ['xdp_pass', 'xdp', 'BPF_PROG_TYPE_XDP', 'BPF_XDP'],
    ]);
    expect(prog(o, 'xdp_pass').insns).toHaveLength(2);
  });

  it('tc: BTF hash and array maps, lddw relocated to them', () => {
    const o = load('tc_maps.bpf.o');
    expect(o.maps.map((m) => [m.name, m.type.name, m.type.value, m.keySize, m.valueSize, m.maxEntries, m.flags])).toEqual([
      ['config', 'BPF_MAP_TYPE_ARRAY', 2, 4, 4, 4, 0], ['counts', 'BPF_MAP_TYPE_HASH', 1, 4, 8, 1024, 0],
    ]);
    const p = prog(o, 'count_marks');
    expect(p.type.name).toBe('BPF_PROG_TYPE_SCHED_CLS');
    expect(p.mapRefs.map((r) => r.map)).toEqual(['config', 'counts', 'counts']);
    for (const r of p.mapRefs) {
      expect(p.insns[r.insn]).toMatchObject({ code: Op.LDDW, src: Pseudo.MAP_FD, imm: r.mapIndex });
    }
  });

  it('subprograms are appended after each caller, calls fixed up, func info mapped', () => {
    const o = load('subprog.bpf.o');
    expect(o.programs.map((p) => p.name)).toEqual(['uses_subprogs', 'uses_square']);
    const a = prog(o, 'uses_subprogs');
    const starts = a.funcInfo.map((f) => f.insn);
    expect(a.funcInfo.map((f) => o.btf!.type(f.typeId).name)).toEqual(['uses_subprogs', 'sum_squares', 'square']);
    expect(callsAt(a).map(([, target]) => target)).toEqual([starts[1], starts[2], starts[2]]);
    const b = prog(o, 'uses_square');
    expect(b.funcInfo.map((f) => o.btf!.type(f.typeId).name)).toEqual(['uses_square', 'square']);
    expect(callsAt(b).map(([, t]) => t)).toEqual([b.funcInfo[1]!.insn]);
    for (const p of [a, b]) expect(p.insns.every((i) => i.code !== -1)).toBe(true);
  });

  it('global data: .data/.rodata/.bss as array maps, lddw with MAP_VALUE and the offset', () => {
    const o = load('global_data.bpf.o');
    expect(o.maps.map((m) => [m.name, m.valueSize, m.maxEntries, m.flags, m.initialData && [...m.initialData]])).toEqual([
      ['.data', 4, 1, 0x400, [7, 0, 0, 0]], ['.rodata', 4, 1, 0x480, [42, 0, 0, 0]], ['.bss', 8, 1, 0x400, undefined],
    ]);
    const p = prog(o, 'use_globals');
    expect(p.mapRefs.map((r) => r.map).sort()).toEqual(['.bss', '.data', '.rodata']);
    for (const r of p.mapRefs) {
      expect(p.insns[r.insn]).toMatchObject({ code: Op.LDDW, src: Pseudo.MAP_VALUE, imm: r.mapIndex });
      expect(p.insns[r.insn + 1]!.imm).toBe(0);
    }
  });

  it('BTF map with a struct key', () => {
    const o = load('struct_key.bpf.o');
    const flows = o.maps.find((m) => m.name === 'flows')!;
    expect([flows.keySize, flows.valueSize, flows.maxEntries, flows.flags]).toEqual([16, 16, 256, 1]);
    expect(o.btf!.typeName(flows.btfKeyType!)).toBe('struct flow_key');
    expect(o.btf!.member(flows.btfKeyType!, 'dport')).toMatchObject({ bitOffset: 80 });
    expect(prog(o, 'track').type.name).toBe('BPF_PROG_TYPE_SCHED_CLS');
  });

  it('kfunc, ksym and kconfig externs stay symbolic', () => {
    const o = load('kfunc.bpf.o');
    const p = prog(o, 'handle_new_task');
    expect([p.type.name, p.attachType?.name, p.attachTo]).toEqual(['BPF_PROG_TYPE_TRACING', 'BPF_TRACE_RAW_TP', 'task_newtask']);
    expect(p.externs.map((e) => [e.name, e.kind])).toEqual([
      ['bpf_task_acquire', 'kfunc'], ['bpf_task_release', 'kfunc'], ['LINUX_KERNEL_VERSION', 'kconfig'], ['bpf_prog_active', 'ksym'],
    ]);
    const byName = new Map(p.externs.map((e) => [e.name, p.insns[e.insn]!]));
    expect(byName.get('bpf_task_acquire')).toMatchObject({ code: Op.CALL_KFUNC, src: CallSrc.KFUNC, imm: 0 });
    expect(byName.get('bpf_prog_active')).toMatchObject({ code: Op.LDDW, src: Pseudo.BTF_ID, imm: 0 });
    const kconfig = o.maps.findIndex((m) => m.name === '.kconfig');
    expect(byName.get('LINUX_KERNEL_VERSION')).toMatchObject({ code: Op.LDDW, src: Pseudo.MAP_VALUE, imm: kconfig });
  });

  it('CO-RE field accesses are kept as relocation records on the instructions', () => {
    const o = load('core.bpf.o');
    const p = prog(o, 'read_parent_tgid');
    expect([p.type.name, p.attachTo]).toEqual(['BPF_PROG_TYPE_KPROBE', 'do_exit']);
    expect(p.coreRelos.map((r) => [r.insn, r.access, r.kind, o.btf!.typeName(r.typeId)])).toEqual([
      [0, '0:2', 'FIELD_BYTE_OFFSET', 'struct task_struct'], [1, '0:1', 'FIELD_BYTE_OFFSET', 'struct task_struct'],
    ]);
  });
});

describe('malformed objects', () => {
  const expectLoadErrorOrResult = (bytes: Uint8Array) => {
    try {
      parseObject(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(LoadError);
    }
  };
  const objects = ['tc_maps.bpf.o', 'subprog.bpf.o', 'kfunc.bpf.o', 'global_data.bpf.o'].map(fixture);

  it('every truncation is a LoadError', () => {
    for (const obj of objects) {
      for (let cut = 0; cut < obj.length; cut += 7) {
        expect(() => parseObject(obj.subarray(0, cut))).toThrow(LoadError);
      }
    }
  });

  it('every byte flip is a LoadError or a result (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...objects), fc.nat(), fc.integer({ min: 0, max: 255 }), (obj, at, v) => {
      const b = obj.slice();
      b[at % b.length] = v;
      expectLoadErrorOrResult(b);
    }), { numRuns: 3000 });
  });

  it('a relocation on an instruction that is no call or lddw names section, symbol and instruction', () => {
    const obj = fixture('tc_maps.bpf.o');
    const o = parseObject(obj);
    const insn = prog(o, 'count_marks').mapRefs[0]!.insn;
    const b = obj.slice();
    b[sectionByName(parseElf(obj), 'tc')!.offset + insn * 8] = 0xb7; // mov r?, imm
    try {
      parseObject(b);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LoadError);
      expect((e as LoadError).where).toMatchObject({ section: 'tc', symbol: 'count_marks', insn });
    }
  });
});
