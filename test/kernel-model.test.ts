/**
 * The kernel model (kernel-sim/model): objects of Linux 6.1's real BTF types set by field paths through
 * embedded structs and pointers, strings, the current task the helpers read, per-task user memory, the
 * JSON form, and the errors bad input gets.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { assemble } from '../src/asm/index.js';
import { kernelModelOf, loadObject, loadProgram } from '../src/api/collection.js';
import { Kernel } from '../kernel-sim/kernel.js';
import { createMap } from '../kernel-sim/maps/index.js';
import type { PerfEventArray } from '../kernel-sim/maps/perf-event-array.js';
import { BpfError } from '../src/errors.js';

const OBJECTS = join(import.meta.dirname, 'fixtures', 'libbpf');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(OBJECTS, name)));

describe('building the model by field paths', () => {
  const col = loadObject(fixture('minimal.bpf.o'));
  const m = col.model;

  it('a path through a NULL pointer creates the pointed-to object; a second path follows it', () => {
    const t = m.create('struct task_struct', { pid: 42, tgid: 42, comm: 'bash', 'real_parent.tgid': 7 });
    m.set(t, 'real_parent.pid', 8);
    expect(m.get(t, 'real_parent.tgid')).toBe(7n);
    expect(m.get(t, 'real_parent.pid')).toBe(8n);
    const parent = col.kernel.space.regionAt(m.get(t, 'real_parent'));
    expect(parent?.kind).toBe('kernel-object');
    expect(m.getString(t, 'comm')).toBe('bash');
  });

  it('a task gets a cred, the init task as parent, itself as group leader when its fields leave them out', () => {
    const t = m.create('task_struct', { pid: 50, tgid: 50 });
    expect(m.get(t, 'real_parent.pid')).toBe(1n);
    expect(m.get(t, 'group_leader')).toBe(t.home.region.base);
    expect(m.get(t, 'cred.uid.val')).toBe(0n);
    m.set(t, 'cred.uid', 1000); // kuid_t: a struct of one member takes the number
    expect(m.get(t, 'cred.uid.val')).toBe(1000n);
  });

  it('strings: char arrays cut to fit with a NUL, `const char *` members point to kernel strings', () => {
    const t = m.create('struct task_struct', { comm: 'a-very-long-command-name', 'mm.exe_file.f_path.dentry.d_name.name': '/usr/bin/bash' });
    expect(m.getString(t, 'comm')).toBe('a-very-long-com');
    expect(m.getString(t, 'mm.exe_file.f_path.dentry.d_name.name')).toBe('/usr/bin/bash');
    const f = m.create('struct filename', { name: 'old-notes.txt' });
    expect(col.kernel.space.readCString(m.get(f, 'name'), 64).bytes).toEqual(new TextEncoder().encode('old-notes.txt'));
  });

  it('unions and objects by reference', () => {
    const a = m.create('union bpf_attr', { map_type: 2 });
    expect(m.get(a, 'map_type')).toBe(2n);
    const parent = m.create('struct task_struct', { pid: 3 }, { id: 'p3' });
    const child = m.create('struct task_struct', { pid: 4, real_parent: { $ref: 'p3' } });
    expect(m.get(child, 'real_parent')).toBe(parent.home.region.base);
    expect(m.object('p3')).toBe(parent);
  });

  it('bad paths and values are typed errors naming the object and field', () => {
    const t = m.create('struct task_struct', {}, { id: 'x' });
    const err = (f: () => unknown): BpfError => {
      try {
        f();
      } catch (e) {
        return e as BpfError;
      }
      throw new Error('no error');
    };
    const e1 = err(() => m.set(t, 'no_such_member', 1));
    expect(e1).toBeInstanceOf(BpfError);
    expect(e1.kind).toBe('input');
    expect(e1.message).toContain('object "x" field "no_such_member": struct task_struct has no member \'no_such_member\'');
    expect(err(() => m.set(t, 'pid', 'bash')).message).toContain('cannot hold a string');
    expect(err(() => m.set(t, 'pid.x', 1)).message).toContain('has no members');
    expect(err(() => m.create('struct no_such_struct')).message).toContain('no type struct no_such_struct');
    expect(err(() => m.object('nobody')).message).toContain('object "nobody": no object with this id');
    expect(err(() => { m.current = m.create('struct file'); }).message).toContain('current must be a struct task_struct');
  });
});

describe('helpers read the current task of the model', () => {
  it('loadObject(…, { task }) still sets the default current task', () => {
    const col = loadObject(fixture('minimal.bpf.o'), { task: { pid: 7, tgid: 7, comm: 'x' } });
    expect(col.program('handle_tp').trigger({}).output).toEqual(['BPF triggered from PID 7.']);
  });

  it('get_current_uid_gid (the ids of the task cred) and get_current_comm', () => {
    const prog = loadProgram(assemble([
      'call 15', 'r6 = r0',
      'r1 = r10', 'r1 += -16', 'r2 = 16', 'call 16',
      'r0 = *(u8 *)(r10 - 16)', 'r0 <<= 56', 'r0 |= r6',
      'exit',
    ].join('\n')), 'kprobe');
    const m = prog.model;
    m.current = m.create('struct task_struct', { pid: 5, tgid: 5, comm: 'zsh', 'cred.uid.val': 1000, 'cred.gid.val': 100 });
    const r = prog.trigger({ section: 'kprobe/do_unlinkat' });
    expect(r.violations).toEqual([]);
    // uid in the low half, gid above it; 'z' (the comm's first byte) in the top byte
    expect(r.r0).toBe((BigInt('z'.charCodeAt(0)) << 56n) | (100n << 32n) | 1000n);
  });

  it('get_current_cgroup_id and get_current_ancestor_cgroup_id follow task->cgroups->dfl_cgrp', () => {
    const prog = loadProgram(assemble([
      'call 80', 'r6 = r0', 'r1 = 0', 'call 123', 'r0 <<= 32', 'r0 |= r6', 'exit',
    ].join('\n')), 'kprobe');
    const m = prog.model;
    m.create('struct cgroup', { level: 0, 'kn.id': 5 }, { id: 'root' });
    m.create('struct cgroup', { level: 1, 'kn.id': 77, 'self.parent': { $ref: 'root' } }, { id: 'child' });
    m.current = m.create('struct task_struct', { pid: 9, tgid: 9, 'cgroups.dfl_cgrp': { $ref: 'child' } });
    const r = prog.trigger({ section: 'kprobe/do_unlinkat' });
    expect(r.violations).toEqual([]);
    expect(r.r0).toBe((5n << 32n) | 77n);
  });

  it('probe_read_user_str reads the user memory of the current task; unmapped addresses are -EFAULT', () => {
    const src = (addr: string): string => ['r1 = r10', 'r1 += -16', 'r2 = 16', `r3 = ${addr} ll`, 'call 114', 'exit'].join('\n');
    const mapped = loadProgram(assemble(src('0x7f0000001000')), 'kprobe');
    mapped.model.userMemory().map(0x7f0000001000n, Uint8Array.from([...Buffer.from('world'), 0]));
    expect(mapped.trigger({ section: 'kprobe/do_unlinkat' }).retval).toBe(6);
    const unmapped = loadProgram(assemble(src('0x7f0000002000')), 'kprobe');
    expect(unmapped.trigger({ section: 'kprobe/do_unlinkat' }).retval).toBe(-14);
  });

  it('a task iterator, when the user made no task, walks the init task and the default current task', () => {
    const col = loadObject(fixture('task_iter.bpf.o'));
    const r = col.program('dump_task').trigger({});
    expect(r.runs).toBe(3);
    expect(r.seq).toBe('    tgid      pid comm\n       1        1 systemd\n    1234     1234 bpfvm\n=== END ===\n');
  });
});

describe('the model as JSON (loadObject model option)', () => {
  it('objects refer to each other in any order; user memory and current', () => {
    const col = loadObject(fixture('minimal.bpf.o'), {
      model: {
        objects: [
          { id: 'child', type: 'struct task_struct', fields: { pid: 43, tgid: 42, comm: 'bash', real_parent: { $ref: 'parent' } }, userMemory: { '0x7f0000001000': { string: 'hi', size: 64 } } },
          { id: 'parent', type: 'struct task_struct', fields: { pid: 1, tgid: 1, comm: 'init' } },
        ],
        current: 'child',
      },
    });
    const m = col.model;
    expect(m.current).toBe(m.object('child'));
    expect(m.get(m.current, 'real_parent')).toBe(m.object('parent').home.region.base);
    expect(m.userMemory().read(0x7f0000001000n, 3)).toEqual(Uint8Array.from([104, 105, 0]));
    expect(col.program('handle_tp').trigger({}).output).toEqual(['BPF triggered from PID 42.']);
  });

  it('bad JSON models are input errors', () => {
    expect(() => loadObject(fixture('minimal.bpf.o'), { model: { objects: [{ type: 'struct task_struct', fields: { pid: { x: 1 } } }] } }))
      .toThrow(/kernel model: object "#0" field "pid": a field is a number/);
    expect(() => loadObject(fixture('minimal.bpf.o'), { model: { objects: [], current: 'nobody' } })).toThrow(/no object with this id/);
    expect(() => loadObject(fixture('minimal.bpf.o'), { model: { objects: [{ type: 'struct task_struct', userMemory: { '0x10': { string: 'x', size: 1 } } }] } }))
      .toThrow(/size 1 is smaller than its 2 bytes/);
  });
});

describe('event contexts', () => {
  it('raw_tp: the arguments of btf_trace_<event> in prototype order (sched_switch: preempt, prev, next, prev_state)', () => {
    const prog = loadProgram(assemble('r0 = *(u64 *)(r1 + 24)\nexit'), 'raw_tp');
    expect(prog.trigger({ section: 'raw_tp/sched_switch', args: { prev_state: 130, preempt: 1 } }).r0).toBe(130n);
  });

  it('kretsyscall: the return value in ax of the wrapper\'s pt_regs; ksyscall: di points to the user regs', () => {
    const ret = loadProgram(assemble('r0 = *(u64 *)(r1 + 80)\nexit'), 'kprobe');
    expect(ret.trigger({ section: 'kretsyscall/kill', ret: -3 }).retval).toBe(-3);
    // the user regs' r10 (offset 56) holds a syscall's fourth argument
    const fourth = loadProgram(assemble([
      'r3 = *(u64 *)(r1 + 112)', 'r3 += 56', 'r1 = r10', 'r1 += -8', 'r2 = 8', 'call 113', 'r0 = *(u64 *)(r10 - 8)', 'exit',
    ].join('\n')), 'kprobe');
    expect(fourth.trigger({ section: 'ksyscall/rt_sigaction', args: [1, 0, 0, 8] }).r0).toBe(8n);
    expect(() => ret.trigger({ section: 'ksyscall/no_such_call' })).toThrow(/the kernel's BTF has no __x64_sys_no_such_call/);
  });

  it('uprobe: a string argument is placed in the task\'s user memory', () => {
    const col = loadObject(fixture('uprobe.bpf.o'));
    expect(col.program('uprobe_greet').trigger({ args: ['world', 2] }).output).toEqual(['uprobed_greet ENTRY: name = world, times = 2']);
  });
});

describe('events: bad input', () => {
  const col = loadObject(fixture('bootstrap.bpf.o'));
  it('a tracepoint field the record does not have', () => {
    expect(() => col.program('handle_exec').trigger({ fields: { nope: 1 } })).toThrow(/tracepoint sched\/sched_process_exec \(struct trace_event_raw_sched_process_exec\): no field 'nope'/);
  });
  it('a section no event can trigger, and a missing attach target', () => {
    const tc = loadObject(fixture('tc.bpf.o'));
    expect(() => tc.program('tc_ingress').trigger({})).toThrow(/section "tc" is not a tracing attach point/);
    const fentry = loadObject(fixture('fentry.bpf.o'));
    expect(() => fentry.program('do_unlinkat').trigger({ target: 'no_such_function' })).toThrow(/the kernel's BTF has no attach target no_such_function/);
  });
});

describe('bpfvm run --event: bad input', () => {
  const run = (args: string[]): { code: number; out: string; err: string } => {
    const io = bufferIo();
    const code = main(['run', join(OBJECTS, 'kprobe.bpf.o'), '--program', 'do_unlinkat', ...args], io);
    return { code, out: io.stdout, err: io.stderr };
  };
  const dir = mkdtempSync(join(tmpdir(), 'bpfvm-event-bad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('--kernel-model needs --event; --event takes no --data', () => {
    const model = file('m.json', '[]');
    expect(run(['--kernel-model', model])).toMatchObject({ code: 2, err: expect.stringContaining('--kernel-model is the state an --event runs against') });
    expect(run(['--event', file('e0.json', '{}'), '--data', '00'])).toMatchObject({ code: 2, err: expect.stringContaining('--event builds the context itself') });
  });

  it('a file that is not JSON, an unknown reference, a map entry that is not hex', () => {
    expect(run(['--event', file('e1.json', '{ nope')]).err).toMatch(/--event .*e1\.json: not JSON/);
    const r = run(['--event', file('e2.json', '{"args": {"name": {"$ref": "ghost"}}}'), '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out.trim()).error.message).toContain('object "ghost": no object with this id');
    expect(run(['--event', file('e3.json', '{"maps": {".rodata": {"zz": "00"}}}')]).err).toContain('"zz" is not hex bytes');
  });
});

describe('tracepoint records', () => {
  it('an event defined from a class (sched_process_exit: sched_process_template) has its class record; common_pid defaults to current', () => {
    // r0 = ctx->pid (offset 24 of trace_event_raw_sched_process_template) << 32 | ent.pid (offset 4, which
    // programs may not load directly: read with bpf_probe_read_kernel)
    const prog = loadProgram(assemble([
      'r6 = r1', 'r1 = r10', 'r1 += -8', 'r2 = 4', 'r3 = r6', 'r3 += 4', 'call 113',
      'r0 = *(u32 *)(r6 + 24)', 'r0 <<= 32', 'r2 = *(u32 *)(r10 - 8)', 'r0 |= r2', 'exit',
    ].join('\n')), 'tracepoint');
    prog.model.current = prog.model.create('struct task_struct', { pid: 77, tgid: 77 });
    expect(prog.trigger({ section: 'tp/sched/sched_process_exit', fields: { pid: 9, comm: 'x' } }).r0).toBe((9n << 32n) | 77n);
  });
});

describe('perf_event', () => {
  it('bpf_perf_event_data: the sampled registers, sample_period and addr', () => {
    const prog = loadProgram(assemble('r2 = *(u64 *)(r1 + 128)\nr0 = *(u64 *)(r1 + 168)\nr0 += r2\nr2 = *(u64 *)(r1 + 176)\nr0 += r2\nexit'), 'perf_event');
    expect(prog.trigger({ section: 'perf_event', regs: { ip: '0xffffffff81000000' }, sample_period: 100, addr: 5 }).r0).toBe(0xffffffff81000000n + 105n);
  });
});

describe('a model built before loading', () => {
  it('kernelModelOf(kernel) is the model loadObject(…, { kernel }) programs run against', () => {
    const kernel = new Kernel();
    const m = kernelModelOf(kernel);
    m.current = m.create('struct task_struct', { pid: 11, tgid: 10, comm: 'sh' });
    const col = loadObject(fixture('minimal.bpf.o'), { kernel });
    expect(col.model).toBe(m);
    expect(col.program('handle_tp').trigger({}).output).toEqual(['BPF triggered from PID 10.']);
  });
});

describe('iter/bpf_map_elem', () => {
  it('walks the event\'s map: key and value pointers per element, then NULL', () => {
    const kernel = new Kernel();
    const map = createMap(kernel.maps, { type: 'hash', name: 'counts', keySize: 4, valueSize: 8, maxEntries: 8, flags: 0 });
    for (const [k, v] of [[1, 10n], [2, 20n]] as const) {
      expect(map.updateSys(new Uint8Array(new Uint32Array([k]).buffer), new Uint8Array(new BigUint64Array([v]).buffer))).toBe(0);
    }
    // printk("%d", *key + *value) for each element (raw program: no attach target to verify against)
    const prog = loadProgram(assemble([
      'r6 = r1', 'r2 = *(u64 *)(r6 + 16)', 'if r2 == 0 goto out', 'r3 = *(u32 *)(r2 + 0)', 'r4 = *(u64 *)(r6 + 24)',
      'r4 = *(u64 *)(r4 + 0)', 'r3 += r4', '*(u32 *)(r10 - 8) = 25637', 'r1 = r10', 'r1 += -8', 'r2 = 3', 'call 6',
      'out:', 'r0 = 0', 'exit',
    ].join('\n')), 'iter', { kernel, maps: [map], verify: false });
    const r = prog.trigger({ section: 'iter/bpf_map_elem', map: 'counts' });
    expect(r.violations).toEqual([]);
    expect(r.runs).toBe(3);
    expect([...r.output].sort()).toEqual(['11', '22']);
    expect(() => prog.trigger({ section: 'iter/bpf_map_elem', map: 'nope' })).toThrow(/no map "nope" to walk \(maps: counts\)/);
  });
});

describe('perf records in the result', () => {
  it('bpf_perf_event_output records of the event, drained from the open slots', () => {
    const kernel = new Kernel();
    const events = createMap(kernel.maps, { type: 'perf_event_array', name: 'events', keySize: 4, valueSize: 4, maxEntries: 1, flags: 0 }) as PerfEventArray;
    events.openAll();
    const prog = loadProgram(assemble([
      'r6 = r1', 'r2 = 0x1234', '*(u64 *)(r10 - 8) = r2', 'r1 = r6', 'r2 = map_fd(0) ll', 'r3 = 0xffffffff ll',
      'r4 = r10', 'r4 += -8', 'r5 = 8', 'call 25', 'exit',
    ].join('\n')), 'kprobe', { kernel, maps: [events] });
    const r = prog.trigger({ section: 'kprobe/do_unlinkat' });
    expect(r.violations).toEqual([]);
    expect(r.retval).toBe(0);
    expect(r.perf).toEqual({ events: [{ cpu: 0, data: Uint8Array.from([0x34, 0x12, 0, 0, 0, 0, 0, 0]) }] });
  });
});

describe('walks that meet NULL', () => {
  it('a NULL argument read through (fentry name->name) reads 0 and the trigger result carries the warning', () => {
    const col = loadObject(fixture('fentry.bpf.o'), { task: { pid: 3, tgid: 3 } });
    const r = col.program('do_unlinkat').trigger({ args: { dfd: 1, name: null } });
    expect(r.violations).toEqual([]);
    expect(r.output).toEqual(['fentry: pid = 3, filename = ']);
    expect(r.warnings?.map((w) => w.insn)).toEqual([2]);
  });
});
