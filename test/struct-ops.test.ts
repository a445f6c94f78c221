/**
 * STRUCT_OPS programs: `.struct_ops` maps in ELF objects, check_struct_ops_btf_id, arguments typed from the
 * member's prototype, the struct_ops btf_struct_access rules and bpf_dummy_ops test runs; EXT targets for
 * ELF programs; bpf_prog_load_check_attach. Kernel answers: test/oracle/struct-ops (6.1 loading
 * struct_ops_maps.bpf.o with libbpf, and raw programs with and without an expected attach type).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/asm/index.js';
import { loadObject, loadProgram } from '../src/api/collection.js';
import { parseObject } from '../src/object/index.js';
import { bufferIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { LOAD_ATTACH_TYPES, loadAttachAllowed } from '../src/verifier/prog-load.js';
import { fixture } from './fixtures/paths.js';

interface OracleLine {
  id: string;
  prog?: string;
  verdict: string;
  errno?: number;
  verifier_log?: string;
  test_run?: { ok: boolean; retval?: number; errno?: number };
}

const ORACLE: ReadonlyMap<string, OracleLine> = new Map(
  readFileSync(resolve(import.meta.dirname, 'oracle/struct-ops/results.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as OracleLine).map((d) => [d.id, d]),
);
const MANIFEST: ReadonlyMap<string, Record<string, string>> = new Map(
  readFileSync(resolve(import.meta.dirname, 'oracle/struct-ops/manifest'), 'utf8').split('\n')
    .filter((l) => l.startsWith('id='))
    .map((l) => Object.fromEntries(l.split(/\s+/).map((kv) => kv.split('=') as [string, string])))
    .map((kv) => [kv.id!, kv]),
);
const OBJ = fixture('struct_ops_maps.bpf.o');
const hexBytes = (h: string | undefined): Uint8Array | undefined => (h === undefined ? undefined : Uint8Array.from(Buffer.from(h, 'hex')));
const lastLine = (log: string): string => log.trim().split('\n').filter((l) => !l.startsWith('processed ')).at(-1) ?? '';

describe('.struct_ops sections (object parser)', () => {
  it('each variable is a struct_ops map whose function-pointer members name programs', () => {
    const o = parseObject(OBJ);
    expect(o.structOps?.map((s) => [s.name, s.typeName, s.programs.map((p) => `${p.member}=${p.program}`)])).toEqual([
      ['dummy_ok', 'bpf_dummy_ops', ['test_1=state_add', 'test_2=args_mix']],
      ['dummy_bad', 'bpf_dummy_ops', ['test_1=state_overrun']],
      ['fixture_cc', 'tcp_congestion_ops', ['ssthresh=half_cwnd', 'cong_avoid=grow', 'init=bad_write']],
    ]);
    expect(o.programs.find((p) => p.name === 'grow')!.structOps).toEqual({ map: 'fixture_cc', typeName: 'tcp_congestion_ops', member: 'cong_avoid', link: false });
    // the variable's bytes: the name set in C, function pointers left zero
    const cc = o.structOps!.find((s) => s.name === 'fixture_cc')!;
    expect(new TextDecoder().decode(cc.data.subarray(24, 37))).toBe('bpfvm_fixture');
  });
});

describe('struct_ops_maps.bpf.o as 6.1 loads and test-runs it', () => {
  const col = loadObject(OBJ);
  const elfCases = [...MANIFEST.values()].filter((m) => m.elf !== undefined);

  it('the oracle answered every program', () => {
    expect(new Set(elfCases.map((m) => m.prog))).toEqual(new Set(col.programs.keys()));
  });

  it.each(elfCases.map((m) => [m.id!, m] as const))('%s: verdict, message and test run', (id, m) => {
    const k = ORACLE.get(id)!;
    const p = loadObject(OBJ).programs.get(m.prog!)!;
    const v = p.verify({ logLevel: 1 });
    expect(v.verdict).toBe(k.verdict);
    if (k.verdict === 'rejected') {
      expect(v.errno).toBe(k.errno);
      expect(v.message).toBe(lastLine(k.verifier_log!));
      return;
    }
    const r = p.run({ ctx: hexBytes(m.ctxhex) });
    if (k.test_run!.ok) {
      expect(r.retval).toBe(k.test_run!.retval);
      expect(r.kernelErrno).toBeUndefined();
    } else {
      expect(r.kernelErrno).toBe(k.test_run!.errno);
    }
  });

  it('a state argument (data_in) is read and written through its PTR_TO_BTF_ID', () => {
    const ctx = new Uint8Array(8);
    ctx[0] = 1; // non-NULL: the state is data_in
    const r = col.programs.get('state_add')!.run({ ctx, data: Uint8Array.from([37, 0, 0, 0]) });
    expect(r.retval).toBe(42);
    expect([...r.dataOut!]).toEqual([42, 0, 0, 0]);
  });

  it('the tcp_sock argument of a void member: no return value needed, snd_cwnd writable', () => {
    expect(col.programs.get('grow')!.verify().verdict).toBe('accepted');
    const log = col.programs.get('half_cwnd')!.verify({ logLevel: 2 }).log;
    expect(log).toContain('R1_w=ptr_tcp_sock(off=0,imm=0)'); // struct sock promoted to tcp_sock
  });
});

describe('bpfvm run and verify on the object', () => {
  const file = resolve(import.meta.dirname, 'fixtures/struct_ops_maps.bpf.o');
  const last = (args: string[]) => {
    const io = bufferIo();
    const code = main(args, io);
    return { code, json: JSON.parse(io.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
  };

  it('runs a bpf_dummy_ops member with 6.1\'s retval (so_args_mix)', () => {
    const m = MANIFEST.get('so_args_mix')!;
    const r = last(['run', file, '--program', 'args_mix', '--ctx', m.ctxhex!, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.retval).toBe(ORACLE.get('so_args_mix')!.test_run!.retval);
  });

  it('verify gives 6.1\'s verdict for the tcp_congestion_ops member that writes outside tcp_sock\'s writable fields', () => {
    const r = last(['verify', file, '--program', 'bad_write', '--json']);
    expect(r.json).toMatchObject({ verdict: 'rejected', errno: 13, message: lastLine(ORACLE.get('so_bad_write')!.verifier_log!) });
  });
});

describe('check_struct_ops_btf_id and the member prototypes (raw programs: struct_ops/<struct>/<member>)', () => {
  const verify = (type: string, text: string) => loadProgram(assemble(text), type).verify({ logLevel: 1 });

  it('refuses what 6.1 refuses, with its messages', () => {
    const cases: [string, string, number][] = [
      ['struct_ops/bpf_dummy_ops/2', 'attach to invalid member idx 2 of struct bpf_dummy_ops', 22],
      ['struct_ops/tcp_congestion_ops/name', 'attach to invalid member name(@idx 11) of struct tcp_congestion_ops', 22],
      ['struct_ops/tcp_congestion_ops/get_info', 'attach to unsupported member get_info of struct tcp_congestion_ops', 524],
      ['struct_ops/task_struct/0', 'attach_btf_id 0 is not a supported struct', 524],
    ];
    for (const [type, msg, errno] of cases) {
      const v = verify(type, 'r0 = 0\nexit');
      expect(v.errno, type).toBe(errno);
      expect(v.log.split('\n')[0], type).toBe(msg);
    }
  });

  it('types the u64 slots: pointers to structs are PTR_TO_BTF_ID, scalars stay scalars, no slot past the arguments', () => {
    expect(verify('struct_ops/bpf_dummy_ops/test_2', 'r2 = *(u64 *)(r1 + 8)\nr0 = *(u32 *)(r2 + 0)\nexit').message)
      .toBe("R2 invalid mem access 'scalar'");
    expect(verify('struct_ops/bpf_dummy_ops/test_2', 'r0 = *(u64 *)(r1 + 32)\nexit').verdict).toBe('accepted');
    expect(verify('struct_ops/bpf_dummy_ops/test_1', 'r0 = *(u64 *)(r1 + 8)\nexit').message).toBe('invalid bpf_context access off=8 size=8');
    expect(verify('struct_ops/bpf_dummy_ops/test_1', 'r0 = 0\n*(u64 *)(r1 + 0) = r0\nexit').message).toBe('invalid bpf_context access off=0 size=8');
  });

  it('bpf_dummy_ops: accesses only to bpf_dummy_ops_state, writes allowed, no helpers', () => {
    const ok = verify('struct_ops/bpf_dummy_ops/test_1', 'r1 = *(u64 *)(r1 + 0)\nif r1 == 0 goto +2\nr0 = 3\n*(u32 *)(r1 + 0) = r0\nr0 = 0\nexit');
    expect(ok.verdict).toBe('accepted');
    expect(verify('struct_ops/bpf_dummy_ops/test_1', 'call 7\nexit').message).toBe('unknown func bpf_get_prandom_u32#7');
  });

  it('tcp_congestion_ops: void members need no R0, int members do; tcp_sock writes only to the allowed fields', () => {
    const read = 'r1 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r1 + 0)\nexit';
    expect(verify('struct_ops/tcp_congestion_ops/ssthresh', read).verdict).toBe('accepted');
    expect(verify('struct_ops/tcp_congestion_ops/init', 'exit').verdict).toBe('accepted');
    expect(verify('struct_ops/tcp_congestion_ops/ssthresh', 'exit').message).toBe('R0 !read_ok');
    expect(verify('struct_ops/tcp_congestion_ops/pkts_acked', 'r1 = *(u64 *)(r1 + 8)\nr0 = 0\n*(u32 *)(r1 + 0) = r0\nexit').message)
      .toBe('only read is supported');
    // icsk_ack.pending (a member of a named nested struct, u8 at 1248): what bpf_dctcp's cwnd_event writes
    const pending = (size: string, off: number) => `r1 = *(u64 *)(r1 + 0)\nr0 = 0\n*(${size} *)(r1 + ${off}) = r0\nexit`;
    expect(verify('struct_ops/tcp_congestion_ops/cwnd_event', pending('u8', 1248)).verdict).toBe('accepted');
    expect(verify('struct_ops/tcp_congestion_ops/cwnd_event', pending('u16', 1248)).message)
      .toBe('write access at off 1248 with size 2 beyond the member of tcp_sock ended at 1249');
    expect(verify('struct_ops/tcp_congestion_ops/cwnd_event', pending('u8', 1249)).message).toBe('no write support to tcp_sock at off 1249');
  });

  it('tcp_congestion_ops helpers: bpf_setsockopt for every member but release (bpf_tcp_ca_get_func_proto)', () => {
    const call = 'r1 = *(u64 *)(r1 + 0)\nr2 = 6\nr3 = 1\nr4 = r10\nr4 += -8\nr5 = 4\nr0 = 0\n*(u64 *)(r10 - 8) = r0\ncall 49\nexit';
    expect(verify('struct_ops/tcp_congestion_ops/init', call).verdict).toBe('accepted');
    expect(verify('struct_ops/tcp_congestion_ops/release', call).message).toBe('unknown func bpf_setsockopt#49');
  });
});

describe('bpf_prog_load_check_attach (oracle att_* cases)', () => {
  const RET0 = 'r0 = 0\nexit';
  const attCases = [...MANIFEST.values()].filter((m) => m.id!.startsWith('att_') && m.type !== 'syscall');

  it.each(attCases.map((m) => [m.id!, m] as const))('%s', (id, m) => {
    const k = ORACLE.get(id)!;
    const attach = m.attach?.toUpperCase();
    // the uapi name: a section-style one (`sk_lookup`) would imply its attach type as libbpf's section does
    const type = `BPF_PROG_TYPE_${m.type!.toUpperCase()}`;
    const p = loadProgram(assemble(RET0), type, attach === undefined ? {} : { expectedAttachType: attach });
    const v = p.verify();
    expect(v.verdict).toBe(k.verdict);
    if (k.verdict === 'rejected') {
      expect(v.errno).toBe(k.errno);
      expect(v.log).toBe(''); // refused before the verifier: an empty log
    }
  });

  it('SYSCALL takes no expected attach type (att_syscall_1)', () => {
    expect(ORACLE.get('att_syscall_1')!.errno).toBe(22);
    expect(loadAttachAllowed('SYSCALL', 'CGROUP_INET_EGRESS')).toBe(false);
    expect(loadAttachAllowed('SYSCALL', undefined)).toBe(true);
  });

  it('is one table: bpfvm verify refuses as Program load does', () => {
    expect(LOAD_ATTACH_TYPES.CGROUP_SOCKOPT).toEqual(['CGROUP_SETSOCKOPT', 'CGROUP_GETSOCKOPT']);
    const dir = mkdtempSync(join(tmpdir(), 'bpfvm-attach-'));
    const file = join(dir, 'ret0.s');
    writeFileSync(file, `${RET0}\n`);
    const cli = (...args: string[]) => {
      const io = bufferIo();
      main(['verify', file, '--json', ...args], io);
      return JSON.parse(io.stdout.trim().split('\n').at(-1)!) as { verdict: string; errno: number };
    };
    expect(cli('--prog-type', 'cgroup_sockopt')).toMatchObject({ verdict: 'rejected', errno: 22 });
    expect(cli('--prog-type', 'cgroup_sockopt', '--expected-attach-type', 'BPF_CGROUP_SETSOCKOPT').verdict).toBe('accepted');
    expect(cli('--prog-type', 'cgroup/getsockopt').verdict).toBe('accepted');
  });
});

describe('EXT targets for ELF programs', () => {
  const OBJ_CTX = fixture('progtypes_ctx.bpf.o');

  it('loadObject({ extTarget }) checks and runs an extension as its target type', () => {
    const plain = loadObject(OBJ_CTX).programs.get('ext_handler')!;
    const asXdp = loadObject(OBJ_CTX, { extTarget: 'xdp' }).programs.get('ext_handler')!;
    expect(plain.verify().verdict).toBe('accepted');
    // With a target, 6.1 types the extension's entry from its BTF (do_check_common → btf_prepare_func_args):
    // `unsigned long long *ctx` is not the target's context (struct xdp_md *), so it is memory that may be
    // NULL, and ext_handler reads ctx[1] without a check.
    expect(asXdp.verify().message).toBe("R1 invalid mem access 'mem_or_null'");
  });

  it('bpfvm verify --target-prog-type', () => {
    const io = bufferIo();
    main(['verify', resolve(import.meta.dirname, 'fixtures/progtypes_ctx.bpf.o'), '--program', 'ext_handler', '--target-prog-type', 'xdp', '--json'], io);
    expect(JSON.parse(io.stdout.trim().split('\n').at(-1)!)).toMatchObject({ verdict: 'rejected', errno: 13 });
  });
});
