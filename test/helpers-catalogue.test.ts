import { readFileSync, existsSync } from 'node:fs';
import { announceNotRun } from './shared.js';
import { describe, expect, it } from 'vitest';
import {
  availableHelpers, helperId, helperName, helperProto, helperVariants, MAX_HELPER_ID_6_1, VARIANTS_6_1,
} from '../kernel-sim/helpers/index.js';
import { ALL_CAPS, type Capability } from '../src/platform/caps.js';

const ALL = new Set<Capability>(ALL_CAPS);
const NONE = new Set<Capability>();
// The Linux 6.1 sources (`apt-get download linux-source-6.1`, unpacked, named by BPFVM_LINUX_SRC); optional:
// checked when given.
const LINUX_SRC = process.env.BPFVM_LINUX_SRC;
const BPF_H = LINUX_SRC === undefined ? '(BPFVM_LINUX_SRC not set)' : `${LINUX_SRC}/include/uapi/linux/bpf.h`;

describe('catalogue', () => {
  it('covers every id of 6.1\'s __BPF_FUNC_MAPPER', () => {
    expect(MAX_HELPER_ID_6_1).toBe(209);
    for (let id = 1; id <= MAX_HELPER_ID_6_1; id++) expect(helperVariants(id).length, helperName(id)).toBeGreaterThan(0);
    expect(helperName(210)).toBeUndefined();
  });

  it('names match the uapi header in order', () => {
    if (LINUX_SRC === undefined || !existsSync(BPF_H)) {
      announceNotRun('helper names vs the Linux 6.1 sources', LINUX_SRC === undefined ? 'BPFVM_LINUX_SRC is not set' : `${BPF_H} not found`);
      return;
    }
    const m = /#define __BPF_FUNC_MAPPER\(FN\)([\s\S]*?)\/\* \*\//.exec(readFileSync(BPF_H, 'utf8'))!;
    const names = [...m[1]!.matchAll(/FN\((\w+)\)/g)].map((x) => `bpf_${x[1]}`);
    expect(names.map((_, id) => helperName(id))).toEqual(names);
  });

  it.each([
    ['bpf_map_lookup_elem_proto', 1, { type: 'RET_PTR_TO_MAP_VALUE', flags: ['PTR_MAYBE_NULL'] },
      [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_PTR_TO_MAP_KEY' }]],
    ['bpf_tail_call_proto', 12, { type: 'RET_VOID' }, [{ type: 'ARG_PTR_TO_CTX' }, { type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_ANYTHING' }]],
    ['bpf_ringbuf_reserve_proto', 131, { type: 'RET_PTR_TO_ALLOC_MEM', flags: ['PTR_MAYBE_NULL', 'MEM_ALLOC'] },
      [{ type: 'ARG_CONST_MAP_PTR' }, { type: 'ARG_CONST_ALLOC_SIZE_OR_ZERO' }, { type: 'ARG_ANYTHING' }]],
    ['bpf_ringbuf_submit_proto', 132, { type: 'RET_VOID' }, [{ type: 'ARG_PTR_TO_ALLOC_MEM', flags: ['OBJ_RELEASE'] }, { type: 'ARG_ANYTHING' }]],
    ['bpf_sk_release_proto', 86, { type: 'RET_INTEGER' }, [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', flags: ['OBJ_RELEASE'] }]],
    ['bpf_get_current_task_btf_proto', 158, { type: 'RET_PTR_TO_BTF_ID', btfType: 'task_struct' }, []],
    ['bpf_skc_to_tcp_sock_proto', 137, { type: 'RET_PTR_TO_BTF_ID', flags: ['PTR_MAYBE_NULL'], btfType: 'tcp_sock' },
      [{ type: 'ARG_PTR_TO_BTF_ID_SOCK_COMMON' }]],
  ] as const)('%s matches the 6.1 sources', (proto, id, ret, args) => {
    const p = VARIANTS_6_1.get(proto)!;
    expect(p.id).toBe(id);
    expect(p.ret).toEqual(ret);
    expect(p.args).toEqual(args);
  });

  it('keeps per-program-type variants and flags', () => {
    expect(helperVariants(helperId('get_stack')!).map((v) => v.proto).sort()).toEqual(['bpf_get_stack_proto', 'bpf_get_stack_proto_pe', 'bpf_get_stack_proto_raw_tp', 'bpf_get_stack_proto_tp']);
    expect(VARIANTS_6_1.get('bpf_csum_diff_proto')!.pktAccess).toBe(true);
    expect(VARIANTS_6_1.get('bpf_copy_from_user_proto')!.mightSleep).toBe(true);
    expect(VARIANTS_6_1.get('bpf_trace_printk_proto')!.gplOnly).toBe(true);
    expect(VARIANTS_6_1.get('bpf_tcp_raw_gen_syncookie_ipv4_proto')!.args[0]).toEqual(
      { type: 'ARG_PTR_TO_MEM', flags: ['MEM_FIXED_SIZE'], size: 20 });
  });
});

describe('availability per program type', () => {
  const proto = (t: Parameters<typeof helperProto>[0], name: string, caps = ALL, q = {}) =>
    helperProto(t, helperId(name)!, caps, q)?.proto;

  it.each([
    ['SOCKET_FILTER', 'map_lookup_elem', 'bpf_map_lookup_elem_proto'],
    ['SOCKET_FILTER', 'get_current_pid_tgid', undefined],
    ['SOCKET_FILTER', 'skb_load_bytes', 'bpf_skb_load_bytes_proto'],
    ['SOCKET_FILTER', 'skb_store_bytes', undefined],
    ['SCHED_CLS', 'skb_store_bytes', 'bpf_skb_store_bytes_proto'],
    ['SCHED_CLS', 'redirect', 'bpf_redirect_proto'],
    ['XDP', 'redirect', 'bpf_xdp_redirect_proto'],
    ['XDP', 'skb_load_bytes', undefined],
    ['KPROBE', 'get_stack', 'bpf_get_stack_proto'],
    ['RAW_TRACEPOINT', 'get_stack', 'bpf_get_stack_proto_raw_tp'],
    ['KPROBE', 'probe_read_kernel', 'bpf_probe_read_kernel_proto'],
    ['TRACING', 'get_func_arg', undefined],
    ['LSM', 'get_current_pid_tgid', 'bpf_get_current_pid_tgid_proto'],
    ['SYSCALL', 'sys_bpf', 'bpf_sys_bpf_proto'],
    ['CGROUP_SOCK_ADDR', 'bind', undefined],
    ['UNSPEC', 'map_lookup_elem', undefined],
    ['EXT', 'map_lookup_elem', undefined],
  ] as const)('%s: %s → %s', (t, name, expected) => {
    expect(proto(t, name)).toBe(expected);
  });

  it('applies bpf_capable / perfmon_capable gates', () => {
    expect(proto('SOCKET_FILTER', 'loop', NONE)).toBeUndefined();
    expect(proto('SOCKET_FILTER', 'loop', new Set(['CAP_BPF']))).toBe('bpf_loop_proto');
    expect(proto('SOCKET_FILTER', 'trace_printk', new Set(['CAP_BPF']))).toBeUndefined();
    expect(proto('SOCKET_FILTER', 'trace_printk', new Set(['CAP_BPF', 'CAP_PERFMON']))).toBe('bpf_trace_printk_proto');
    expect(proto('XDP', 'skc_to_tcp_sock', new Set(['CAP_BPF']))).toBeUndefined();
    expect(proto('KPROBE', 'probe_write_user', new Set(['CAP_PERFMON', 'CAP_BPF']))).toBeUndefined();
    expect(proto('KPROBE', 'probe_write_user', ALL)).toBe('bpf_probe_write_user_proto');
  });

  it('follows attach types, hooks and extension targets', () => {
    expect(proto('TRACING', 'get_func_arg', ALL, { attachType: 'TRACE_FENTRY' })).toBe('bpf_get_func_arg_proto');
    expect(proto('KPROBE', 'get_func_ip', ALL, { attachType: 'TRACE_KPROBE_MULTI' })).toBe('bpf_get_func_ip_proto_kprobe_multi');
    expect(proto('CGROUP_SOCK_ADDR', 'bind', ALL, { attachType: 'CGROUP_INET4_CONNECT' })).toBe('bpf_bind_proto');
    expect(proto('CGROUP_SKB', 'get_retval', ALL, { attachType: 'CGROUP_INET_INGRESS' })).toBeUndefined();
    expect(proto('CGROUP_SOCK', 'get_retval', ALL, { attachType: 'CGROUP_INET_SOCK_CREATE' })).toBe('bpf_get_retval_proto');
    expect(proto('LSM', 'setsockopt', ALL, { attachType: 'LSM_CGROUP', lsmHook: 'bpf_lsm_socket_post_create' }))
      .toBe('bpf_unlocked_sk_setsockopt_proto');
    expect(proto('TRACING', 'seq_printf', ALL, { attachType: 'TRACE_ITER' })).toBe('bpf_seq_printf_proto');
    expect(proto('STRUCT_OPS', 'setsockopt', ALL, { structOpsMember: 'release' })).toBeUndefined();
    expect(proto('EXT', 'skb_load_bytes', ALL, { extTarget: 'SCHED_CLS' })).toBe('bpf_skb_load_bytes_proto');
  });

  it('never offers id 0 or ids past the last', () => {
    expect(helperProto('KPROBE', 0, ALL)).toBeUndefined();
    expect(helperProto('KPROBE', 999, ALL)).toBeUndefined();
    expect(availableHelpers('SOCKET_FILTER', NONE).length).toBeLessThan(availableHelpers('SOCKET_FILTER', ALL).length);
  });
});
