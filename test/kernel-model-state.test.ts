/**
 * Helpers over the kernel model's state and what a tracing run reports (test/fixtures/src/libbpf/model.bpf.c,
 * compiled against Linux 6.1's vmlinux.h): bpf_d_path over the model's dentries and mounts, pid namespaces,
 * task pt_regs and stacks, task/inode/socket local storage kept on the model's objects, bpf_probe_write_user,
 * the iterators beyond iter/task, the objects a run changed, and 6.1's test-run errno of each trigger.
 * The verdicts are the 6.1 oracle's (test/oracle/model/results.jsonl).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObject, type Collection } from '../src/api/collection.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { defaultKernelBtf } from '../kernel-sim/btf/kernel-btf.js';

const OBJECT = join(import.meta.dirname, 'fixtures', 'libbpf', 'model.bpf.o');
const bytes = (): Uint8Array => new Uint8Array(readFileSync(OBJECT));
const load = (opts: Parameters<typeof loadObject>[1] = {}): Collection => loadObject(bytes(), opts);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface OracleLine { id: string; verdict: string; errno?: number; test_run?: { ok: boolean; errno?: number } }
const ORACLE: OracleLine[] = readFileSync(join(import.meta.dirname, 'oracle', 'model', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleLine);

describe('the fixture verifies as Linux 6.1 says', () => {
  it('every program, verdict and errno', () => {
    expect(ORACLE.length).toBe(12);
    const col = load();
    for (const o of ORACLE) {
      const r = col.program(o.id.replace(/^model\./, '')).verify({ logLevel: 1 });
      expect({ id: o.id, verdict: r.verdict, errno: r.errno }).toEqual({ id: o.id, verdict: o.verdict, errno: o.errno ?? 0 });
    }
  });

  it('a trigger reports the errno 6.1\'s BPF_PROG_TEST_RUN gave each program (none where it ran)', () => {
    const col = load();
    for (const o of ORACLE) {
      const r = col.program(o.id.replace(/^model\./, '')).trigger({});
      expect({ id: o.id, kernelErrno: r.kernelErrno }).toEqual({ id: o.id, kernelErrno: o.test_run?.ok === false ? o.test_run.errno : undefined });
    }
  });
});

describe('bpf_d_path', () => {
  it('the path of a file of the model, its length with the NUL', () => {
    const col = load();
    col.model.file('/etc/passwd', {}, { id: 'passwd' });
    const r = col.program('close_path').trigger({ args: { file: { $ref: 'passwd' } } });
    expect(r.output).toEqual(['close /etc/passwd (12)']);
    expect(r.kernelErrno).toBeUndefined(); // fentry: 6.1 test-runs it (on its own test functions)
  });

  it('an unhashed (unlinked) dentry ends in " (deleted)"; a path longer than the buffer is -ENAMETOOLONG', () => {
    const col = load();
    const m = col.model;
    const f = m.file('/srv/gone', {}, { id: 'gone' });
    m.set(f, 'f_path.dentry.d_hash.pprev', 0);
    expect(col.program('close_path').trigger({ args: [{ $ref: 'gone' }] }).output).toEqual(['close /srv/gone (deleted) (20)']);
    m.file(`/${'d'.repeat(70)}`, {}, { id: 'long' });
    expect(col.program('close_path').trigger({ args: [{ $ref: 'long' }] }).output[0]).toMatch(/\(-36\)$/);
  });

  it('{ $path } as a field value: a task\'s exe_file open on a path', () => {
    const col = load();
    const t = col.model.create('struct task_struct', { pid: 5, 'mm.exe_file': { $path: '/usr/bin/bash' } });
    expect(col.program('close_path').trigger({ args: [col.model.get(t, 'mm.exe_file')] }).output).toEqual(['close /usr/bin/bash (14)']);
  });

  it('bad files, paths and mappings are typed errors', () => {
    const m = load().model;
    const t = m.create('struct task_struct', { pid: 6 });
    expect(() => m.file('etc/passwd')).toThrow(/kernel model: a path is absolute/);
    expect(() => m.openFile(t, -1, '/x')).toThrow(/fd -1 is not a descriptor number/);
    m.taskState.addVma(t, { vm_start: 0x1000, vm_end: 0x3000 });
    expect(() => m.taskState.addVma(t, { vm_start: 0x2000, vm_end: 0x4000 })).toThrow(/overlaps another/);
    expect(() => m.create('struct task_struct', { pid: { $path: '/x' } })).toThrow(/cannot hold a path/);
  });

  it('a mount crossed on the way up: the mountpoint\'s path, then the mounted dentries', () => {
    const col = load();
    const m = col.model;
    const point = m.vfs.lookup('/mnt/usb');
    const root = m.create('struct dentry', { 'd_name.name': '/' });
    m.set(root, 'd_parent', root);
    const mount = m.create('struct mount', { 'mnt.mnt_root': root, mnt_parent: m.objects().find((o) => o.type === 'mount')!, mnt_mountpoint: point.dentry });
    const file = m.create('struct dentry', { 'd_name.name': 'photo.jpg', d_parent: root });
    const f = m.create('struct file', { 'f_path.dentry': file }, { id: 'photo' });
    f.set('f_path.mnt', mount.home.region.base + BigInt(mount.field('mnt').offset));
    expect(col.program('close_path').trigger({ args: [{ $ref: 'photo' }] }).output).toEqual(['close /mnt/usb/photo.jpg (19)']);
  });
});

describe('bpf_get_ns_current_pid_tgid', () => {
  const model = (ino: number) => load({
    globals: { ns_dev: 4, ns_ino: ino },
    model: {
      objects: [
        { id: 'container', type: 'struct pid_namespace', fields: { 'ns.inum': 0xf0000001, level: 1 } },
        { id: 'init', type: 'struct task_struct', fields: { pid: 4242, tgid: 4242, comm: 'init' }, pids: [{ nr: 4242 }, { nr: 1, ns: { $ref: 'container' } }] },
      ],
      current: 'init',
    },
  });
  it('the pid and tgid in the task\'s own namespace; another namespace is -EINVAL with the info zeroed', () => {
    const r = model(0xf0000001).program('ns_pids').trigger({});
    expect(r.output).toEqual(['ns pid 1 tgid 1 (0)']);
    expect(r.kernelErrno).toBe(524); // kprobe: no BPF_PROG_TEST_RUN in 6.1 (ENOTSUPP)
    expect(model(0xeffffffc).program('ns_pids').trigger({}).output).toEqual(['ns pid 0 tgid 0 (-22)']);
  });
  it('a task without a struct pid is in the initial namespace with its own pid', () => {
    expect(load({ globals: { ns_dev: 4, ns_ino: 0xeffffffc } }).program('ns_pids').trigger({}).output).toEqual(['ns pid 1234 tgid 1234 (0)']);
  });
});

describe('task storage, task_pt_regs, get_task_stack', () => {
  it('a value per task, created once; the task\'s bpf_storage now points to its storage; a user-mode pt_regs; an empty stack', () => {
    const col = load();
    const m = col.model;
    m.create('struct task_struct', { pid: 10, tgid: 10, comm: 'a' }, { id: 'a' });
    const first = col.program('count_switch').trigger({ args: { prev: { $ref: 'a' }, next: { $ref: 'a' } } });
    expect(first.output).toEqual(['pid 10 switched in 1 times, cs 33, stack 0']);
    expect(first.storage.switches!.map((s) => [s.owner, s.type, hex(s.value)])).toEqual([['a', 'struct task_struct', '0100000000000000']]);
    expect(first.changed.map((c) => [c.object, c.fields.map((f) => f.field)])).toEqual([['a', ['bpf_storage']]]);
    expect(first.kernelErrno).toBe(14); // tp_btf: bpf_prog_test_run_tracing answers EFAULT
    const second = col.program('count_switch').trigger({ args: { prev: { $ref: 'a' }, next: { $ref: 'a' } } });
    expect(second.output).toEqual(['pid 10 switched in 2 times, cs 33, stack 0']);
    expect(second.changed).toEqual([]);
    expect(second.maps.switches).toBeUndefined(); // no key walk (notsupp_get_next_key): shown under storage
  });
});

describe('inode and socket storage', () => {
  it('an LSM hook counts opens per inode; an fentry keeps a socket\'s port in its storage', () => {
    const col = load();
    const m = col.model;
    m.file('/etc/passwd', {}, { id: 'passwd' });
    const r1 = col.program('count_open').trigger({ args: { file: { $ref: 'passwd' } } });
    col.program('count_open').trigger({ args: { file: { $ref: 'passwd' } } });
    expect(r1.kernelErrno).toBe(524);
    const inode = m.get(m.object('passwd'), 'f_inode');
    const r = col.program('tcp_closing').trigger({
      args: { sk: { type: 'struct tcp_sock', fields: { 'inet_conn.icsk_inet.sk.__sk_common.skc_num': 22 } } },
    });
    expect(r.storage.opens!.map((s) => [s.address, hex(s.value)])).toEqual([[inode, '02000000']]);
    expect(r.storage.seen!.map((s) => [s.type, hex(s.value)])).toEqual([['struct tcp_sock', '16000000']]);
  });

  it('a socket in TIME_WAIT is not a full socket: no storage', () => {
    const col = load();
    const r = col.program('tcp_closing').trigger({ args: [{ type: 'struct tcp_sock', fields: { 'inet_conn.icsk_inet.sk.__sk_common.skc_state': 6 } }, 0] });
    expect(r.storage.seen).toEqual([]);
  });
});

describe('bpf_probe_write_user', () => {
  it('writes the current task\'s user memory (reported as a user-memory write); unmapped memory is -EFAULT', () => {
    const col = load();
    col.model.userMemory().map(0x7f0000001000n, Uint8Array.from(Buffer.from('/srv/x\0')));
    const r = col.program('rewrite_path').trigger({ args: [0, '0x7f0000001000'] });
    expect(r.output).toEqual(['write 0']);
    expect(r.userWrites.map((w) => [w.task, w.address, hex(w.before), hex(w.after)])).toEqual([['struct task_struct#' + col.model.current.serial, 0x7f0000001000n, '2f', '58']]);
    expect(col.model.userMemory().read(0x7f0000001000n, 6)).toEqual(Uint8Array.from(Buffer.from('Xsrv/x')));
    expect(col.program('rewrite_path').trigger({ args: [0, '0x7f0000009000'] }).output).toEqual(['write -14']);
  });
});

describe('iterators over the model', () => {
  const col = load({
    model: {
      objects: [
        { id: 'passwd', type: 'struct file', path: '/etc/passwd' },
        {
          id: 'sh', type: 'struct task_struct', fields: { pid: 10, tgid: 10, comm: 'sh' },
          files: { 0: '/dev/null', 3: { $ref: 'passwd' }, 100: '/var/log/syslog' },
          vmas: [{ vm_start: '0x400000', vm_end: '0x401000', file: '/usr/bin/sh' }, { vm_start: '0x7ff000', vm_end: '0x800000' }],
        },
        { id: 'thread', type: 'struct task_struct', fields: { pid: 11, tgid: 10, group_leader: { $ref: 'sh' } } },
        { id: 'cg', type: 'struct cgroup', fields: { level: 1, 'kn.id': 77 } },
        { id: 'ssh', type: 'struct tcp_sock', fields: { 'inet_conn.icsk_inet.sk.__sk_common.skc_num': 22, 'inet_conn.icsk_inet.sk.__sk_common.skc_state': 10, 'inet_conn.icsk_inet.sk.sk_uid': 0 } },
        { id: 'conn', type: 'struct tcp_sock', fields: { 'inet_conn.icsk_inet.sk.__sk_common.skc_num': 40000, 'inet_conn.icsk_inet.sk.__sk_common.skc_state': 1, 'inet_conn.icsk_inet.sk.sk_uid': 1000 } },
        { id: 'x11', type: 'struct unix_sock', fields: { 'sk.sk_uid': 1000 } },
      ],
    },
  });
  const m = col.model;
  m.set(m.object('cg'), 'self.parent', m.world.rootCgroup);
  // the thread shares its leader's files_struct
  m.set(m.object('thread'), 'files', m.get(m.object('sh'), 'files'));

  it('task_file: each process\'s open files by fd (d_path of each), a thread sharing them skipped, then NULL', () => {
    const r = col.program('dump_files').trigger({});
    expect(r.seq).toBe('10 0 /dev/null\n10 3 /etc/passwd\n10 100 /var/log/syslog\nend\n');
    expect(r.runs).toBe(4);
    expect(r.kernelErrno).toBe(14);
  });
  it('task_vma: the mappings in address order', () => {
    expect(col.program('dump_vmas').trigger({}).seq).toBe('10 400000-401000 f\n10 7ff000-800000 -\n');
  });
  it('bpf_map: every map of the kernel by id', () => {
    expect(col.program('dump_maps').trigger({}).seq).toBe([...col.maps.values()].map((x) => `map ${x.id}\n`).sort().join(''));
  });
  it('cgroup: descendants pre-order from the root by default, ancestors up from a start, then NULL', () => {
    expect(col.program('dump_cgroups').trigger({}).seq).toBe('cgroup 1 level 0\ncgroup 77 level 1\ndone\n');
    expect(col.program('dump_cgroups').trigger({ cgroup: 'cg', order: 'ancestors_up' }).seq).toBe('cgroup 77 level 1\ncgroup 1 level 0\ndone\n');
    expect(col.program('dump_cgroups').trigger({ cgroup: 77, order: 'self_only' }).seq).toBe('cgroup 77 level 1\ndone\n');
    expect(() => col.program('dump_cgroups').trigger({ order: 'sideways' })).toThrow(/order "sideways" is none of/);
  });
  it('tcp: listening sockets first, with their owner\'s uid; unix sockets', () => {
    expect(col.program('dump_tcp').trigger({}).seq).toBe('tcp port 22 state 10 uid 0\ntcp port 40000 state 1 uid 1000\n');
    expect(col.program('dump_unix').trigger({}).seq).toBe('unix uid 1000\n');
  });
});

describe('the kfunc objects are objects of their real types', () => {
  it('prog_test_ref_kfunc and nf_conn have the sizes of Linux 6.1\'s BTF', () => {
    const col = load();
    const btf = defaultKernelBtf();
    const size = (n: string) => btf.sizeOf(btf.idByName(n, 'STRUCT')!);
    expect(col.model.world.progTestStruct.bytes.length).toBe(size('prog_test_ref_kfunc'));
    const ct = col.model.world.conntrack.alloc({ l3num: 2, protonum: 6, src: new Uint8Array(16), dst: new Uint8Array(16), sport: 1, dport: 2 }, 100);
    expect(ct.bytes.length).toBe(size('nf_conn'));
    expect(ct.type).toBe('nf_conn');
  });
});

describe('bpfvm run --event --json: storage, changed objects and the kernel errno', () => {
  it('a tp_btf run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfvm-model-state-'));
    try {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ objects: [{ id: 'a', type: 'struct task_struct', fields: { pid: 10, tgid: 10 } }] }));
      writeFileSync(join(dir, 'event.json'), JSON.stringify({ args: { prev: { $ref: 'a' }, next: { $ref: 'a' } } }));
      const io = bufferIo();
      const code = main(['run', OBJECT, '--program', 'count_switch', '--event', join(dir, 'event.json'), '--kernel-model', join(dir, 'model.json'), '--json'], io);
      expect(code).toBe(0);
      const out = JSON.parse(io.stdout.trim()) as Record<string, unknown>;
      expect(out.kernelErrno).toBe(14);
      expect(out.storage).toEqual({ switches: [{ owner: 'a', type: 'struct task_struct', address: expect.stringMatching(/^0x/), value: '0100000000000000' }], opens: [], seen: [] });
      expect((out.changed as { object: string; fields: { field: string }[] }[]).map((c) => [c.object, c.fields.map((f) => f.field)])).toEqual([['a', ['bpf_storage']]]);
      expect(out.userWrites).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
