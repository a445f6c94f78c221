/**
 * What Linux 6.1 says about programs of the socket, cgroup, lirc, reuseport and writable-tracepoint types
 * (context reads and writes, pointer fields, return codes), as an oracle batch: `gen-manifest.ts` writes
 * `manifest`, `../shared/oracle/run-batch.sh 6.1 test/oracle/progtypes-ctx results.jsonl` answers it,
 * and test/progtypes-ctx.test.ts holds bpfvm's verifier to every verdict and last log line of
 * `results.jsonl` (Debian 6.1.0-56). Each case is loaded with a 64-byte packet so the kernel also says
 * whether BPF_PROG_TEST_RUN exists for the type (6.1: ENOTSUPP for all of them).
 */
export interface CtxCase {
  id: string;
  /** bpfvm's type name (a libbpf SEC() name, which also fixes the expected attach type). */
  type: string;
  /** The oracle's type and expected attach type (libbpf names). */
  oracleType: string;
  oracleAttach?: string;
  asm: string;
}

const sock = (id: string, attach: string, sec: string, asm: string): CtxCase =>
  ({ id, type: sec, oracleType: 'cgroup_sock', oracleAttach: attach, asm });
const CREATE = ['cgroup_inet_sock_create', 'cgroup/sock_create'] as const;
const POST4 = ['cgroup_inet4_post_bind', 'cgroup/post_bind4'] as const;
const POST6 = ['cgroup_inet6_post_bind', 'cgroup/post_bind6'] as const;

const ops = (id: string, asm: string): CtxCase => ({ id, type: 'sockops', oracleType: 'sock_ops', oracleAttach: 'cgroup_sock_ops', asm });
const dev = (id: string, asm: string): CtxCase => ({ id, type: 'cgroup/dev', oracleType: 'cgroup_device', oracleAttach: 'cgroup_device', asm });
const lirc = (id: string, asm: string): CtxCase => ({ id, type: 'lirc_mode2', oracleType: 'lirc_mode2', oracleAttach: 'lirc_mode2', asm });
const reuse = (id: string, asm: string): CtxCase => ({ id, type: 'sk_reuseport', oracleType: 'sk_reuseport', oracleAttach: 'sk_reuseport_select', asm });
const sysctl = (id: string, asm: string): CtxCase => ({ id, type: 'cgroup/sysctl', oracleType: 'cgroup_sysctl', oracleAttach: 'cgroup_sysctl', asm });
const getopt = (id: string, asm: string): CtxCase => ({ id, type: 'cgroup/getsockopt', oracleType: 'cgroup_sockopt', oracleAttach: 'cgroup_getsockopt', asm });
const setopt = (id: string, asm: string): CtxCase => ({ id, type: 'cgroup/setsockopt', oracleType: 'cgroup_sockopt', oracleAttach: 'cgroup_setsockopt', asm });
const rtw = (id: string, asm: string): CtxCase => ({ id, type: 'raw_tp.w', oracleType: 'raw_tracepoint_writable', asm });

const RET1 = 'r0 = 1\nexit';

export const CASES: readonly CtxCase[] = [
  // ---- CGROUP_SOCK (struct bpf_sock) ----
  sock('cs_family', ...CREATE, 'r0 = *(u32 *)(r1 + 4)\nr0 &= 1\nexit'),
  sock('cs_family_byte', ...CREATE, 'r0 = *(u8 *)(r1 + 4)\nr0 &= 1\nexit'),
  sock('cs_write_mark_create', ...CREATE, 'r2 = 7\n*(u32 *)(r1 + 16) = r2\n' + RET1),
  sock('cs_write_mark_post_bind', ...POST4, 'r2 = 7\n*(u32 *)(r1 + 16) = r2\n' + RET1),
  sock('cs_read_priority_post_bind', ...POST4, 'r0 = *(u32 *)(r1 + 20)\nr0 = 1\nexit'),
  sock('cs_write_mark_half', ...CREATE, 'r2 = 7\n*(u16 *)(r1 + 16) = r2\n' + RET1),
  sock('cs_src_ip4_create', ...CREATE, 'r2 = *(u32 *)(r1 + 24)\n' + RET1),
  sock('cs_src_ip4_post_bind4', ...POST4, 'r2 = *(u32 *)(r1 + 24)\n' + RET1),
  sock('cs_src_ip4_post_bind6', ...POST6, 'r2 = *(u32 *)(r1 + 24)\n' + RET1),
  sock('cs_src_ip6_post_bind6', ...POST6, 'r2 = *(u8 *)(r1 + 31)\n' + RET1),
  sock('cs_src_port_post_bind6', ...POST6, 'r2 = *(u16 *)(r1 + 44)\n' + RET1),
  sock('cs_dst_port_u32', ...CREATE, 'r2 = *(u32 *)(r1 + 48)\n' + RET1),
  sock('cs_dst_port_byte1', ...CREATE, 'r2 = *(u8 *)(r1 + 49)\n' + RET1),
  sock('cs_dst_port_pad', ...CREATE, 'r2 = *(u16 *)(r1 + 50)\n' + RET1),
  sock('cs_write_family', ...CREATE, 'r2 = 2\n*(u32 *)(r1 + 4) = r2\n' + RET1),
  sock('cs_state_dword', ...CREATE, 'r2 = *(u64 *)(r1 + 72)\n' + RET1),
  sock('cs_past_end', ...CREATE, 'r2 = *(u32 *)(r1 + 80)\n' + RET1),
  sock('cs_state_byte1', ...CREATE, 'r2 = *(u8 *)(r1 + 73)\n' + RET1),
  sock('cs_family_half_hi', ...CREATE, 'r2 = *(u16 *)(r1 + 6)\n' + RET1),
  sock('cs_rx_queue_byte', ...CREATE, 'r2 = *(u8 *)(r1 + 76)\n' + RET1),
  sock('cs_dst_ip4_byte3', ...CREATE, 'r2 = *(u8 *)(r1 + 55)\n' + RET1),
  sock('cs_src_port_byte1_post_bind4', ...POST4, 'r2 = *(u8 *)(r1 + 45)\n' + RET1),
  sock('cs_dst_ip6_dword', ...CREATE, 'r2 = *(u64 *)(r1 + 56)\n' + RET1),
  sock('cs_ret_2', ...CREATE, 'r0 = 2\nexit'),
  sock('cs_ret_ctx', ...CREATE, 'r0 = r1\nexit'),

  // ---- SOCK_OPS (struct bpf_sock_ops) ----
  ops('so_op', 'r0 = *(u32 *)(r1 + 0)\nr0 &= 1\nexit'),
  ops('so_op_byte', 'r0 = *(u8 *)(r1 + 0)\nexit'),
  ops('so_write_reply', 'r2 = 5\n*(u32 *)(r1 + 4) = r2\n' + RET1),
  ops('so_write_args1', 'r2 = 5\n*(u32 *)(r1 + 8) = r2\n' + RET1),
  ops('so_write_txhash', 'r2 = 5\n*(u32 *)(r1 + 164) = r2\n' + RET1),
  ops('so_write_family', 'r2 = 5\n*(u32 *)(r1 + 20) = r2\n' + RET1),
  ops('so_bytes_received', 'r0 = *(u64 *)(r1 + 168)\nr0 &= 1\nexit'),
  ops('so_bytes_received_u32', 'r0 = *(u32 *)(r1 + 168)\nexit'),
  ops('so_tcp_flags_byte', 'r0 = *(u8 *)(r1 + 212)\nr0 &= 1\nexit'),
  ops('so_tcp_flags_byte1', 'r0 = *(u8 *)(r1 + 213)\nr0 &= 1\nexit'),
  ops('so_replylong_read', 'r0 = *(u32 *)(r1 + 12)\nr0 &= 1\nexit'),
  ops('so_remote_ip6_dword', 'r0 = *(u64 *)(r1 + 32)\nr0 &= 1\nexit'),
  ops('so_bytes_acked_hi', 'r0 = *(u32 *)(r1 + 180)\nr0 &= 1\nexit'),
  ops('so_sk_null_checked', 'r2 = *(u64 *)(r1 + 184)\nr0 = 0\nif r2 == 0 goto out\nr0 = *(u32 *)(r2 + 4)\nr0 &= 1\nout:\nexit'),
  ops('so_sk_unchecked', 'r2 = *(u64 *)(r1 + 184)\nr0 = *(u32 *)(r2 + 4)\nexit'),
  ops('so_sk_u32', 'r2 = *(u32 *)(r1 + 184)\n' + RET1),
  ops('so_skb_data', 'r2 = *(u64 *)(r1 + 192)\nr3 = *(u64 *)(r1 + 200)\nr4 = r2\nr4 += 20\nr0 = 0\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 13)\nr0 &= 1\nout:\nexit'),
  ops('so_skb_data_write', 'r2 = *(u64 *)(r1 + 192)\nr3 = *(u64 *)(r1 + 200)\nr4 = r2\nr4 += 20\nr0 = 0\nif r4 > r3 goto out\n*(u8 *)(r2 + 13) = r0\nout:\nexit'),
  ops('so_ret_any', 'r0 = *(u32 *)(r1 + 0)\nr0 += 7\nexit'),

  // ---- CGROUP_DEVICE (struct bpf_cgroup_dev_ctx) ----
  dev('cd_access_type_half', 'r2 = *(u16 *)(r1 + 2)\nr0 = 1\nif r2 != 2 goto out\nr0 = 0\nout:\nexit'),
  dev('cd_access_type_byte3', 'r0 = *(u8 *)(r1 + 3)\nr0 &= 1\nexit'),
  dev('cd_major', 'r0 = *(u32 *)(r1 + 4)\nr0 &= 1\nexit'),
  dev('cd_major_half', 'r0 = *(u16 *)(r1 + 4)\nr0 &= 1\nexit'),
  dev('cd_write_minor', 'r2 = 1\n*(u32 *)(r1 + 8) = r2\n' + RET1),
  dev('cd_past_end', 'r2 = *(u32 *)(r1 + 12)\n' + RET1),
  dev('cd_ret_minor', 'r0 = *(u32 *)(r1 + 8)\nexit'),

  // ---- LIRC_MODE2 (u32 sample) ----
  lirc('lirc_sample', 'r0 = *(u32 *)(r1 + 0)\nexit'),
  lirc('lirc_sample_byte', 'r0 = *(u8 *)(r1 + 0)\nexit'),
  lirc('lirc_write', 'r2 = 1\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit'),

  // ---- SK_REUSEPORT (struct sk_reuseport_md) ----
  reuse('sr_len', 'r0 = *(u32 *)(r1 + 16)\nr0 &= 1\nexit'),
  reuse('sr_eth_protocol_half', 'r0 = *(u16 *)(r1 + 20)\nr0 &= 1\nexit'),
  reuse('sr_eth_protocol_byte', 'r0 = *(u8 *)(r1 + 20)\nr0 &= 1\nexit'),
  reuse('sr_len_byte1', 'r0 = *(u8 *)(r1 + 17)\nr0 &= 1\nexit'),
  reuse('sr_eth_protocol_half_hi', 'r0 = *(u16 *)(r1 + 22)\nr0 &= 1\nexit'),
  reuse('sr_data_u32', 'r0 = *(u32 *)(r1 + 0)\nr0 &= 1\nexit'),
  reuse('sr_hash_half', 'r0 = *(u16 *)(r1 + 32)\nr0 &= 1\nexit'),
  reuse('sr_data', 'r2 = *(u64 *)(r1 + 0)\nr3 = *(u64 *)(r1 + 8)\nr4 = r2\nr4 += 8\nr0 = 0\nif r4 > r3 goto out\nr0 = *(u8 *)(r2 + 1)\nr0 &= 1\nout:\nexit'),
  reuse('sr_data_write', 'r2 = *(u64 *)(r1 + 0)\nr3 = *(u64 *)(r1 + 8)\nr4 = r2\nr4 += 8\nr0 = 0\nif r4 > r3 goto out\n*(u8 *)(r2 + 1) = r0\nout:\nexit'),
  reuse('sr_sk_family', 'r2 = *(u64 *)(r1 + 40)\nr0 = *(u32 *)(r2 + 4)\nr0 &= 1\nexit'),
  reuse('sr_migrating_unchecked', 'r2 = *(u64 *)(r1 + 48)\nr0 = *(u32 *)(r2 + 4)\nr0 &= 1\nexit'),
  reuse('sr_migrating_checked', 'r2 = *(u64 *)(r1 + 48)\nr0 = 1\nif r2 == 0 goto out\nr0 = *(u32 *)(r2 + 4)\nr0 &= 1\nout:\nexit'),
  reuse('sr_pad', 'r0 = *(u32 *)(r1 + 36)\nr0 &= 1\nexit'),
  reuse('sr_write_hash', 'r2 = 1\n*(u32 *)(r1 + 32) = r2\n' + RET1),

  // ---- CGROUP_SYSCTL (struct bpf_sysctl) ----
  sysctl('sy_write_byte', 'r0 = *(u8 *)(r1 + 0)\nr0 &= 1\nexit'),
  sysctl('sy_store_write', 'r2 = 1\n*(u32 *)(r1 + 0) = r2\n' + RET1),
  sysctl('sy_store_file_pos', 'r2 = 3\n*(u32 *)(r1 + 4) = r2\n' + RET1),
  sysctl('sy_store_file_pos_half', 'r2 = 3\n*(u16 *)(r1 + 4) = r2\n' + RET1),
  sysctl('sy_file_pos_half', 'r0 = *(u16 *)(r1 + 6)\nr0 &= 1\nexit'),
  sysctl('sy_file_pos_byte1', 'r0 = *(u8 *)(r1 + 5)\nr0 &= 1\nexit'),
  sysctl('sy_past_end', 'r0 = *(u32 *)(r1 + 8)\nr0 &= 1\nexit'),
  sysctl('sy_ret_3', 'r0 = 3\nexit'),

  // ---- CGROUP_SOCKOPT (struct bpf_sockopt) ----
  getopt('gs_write_retval', 'r2 = 0\n*(u32 *)(r1 + 36) = r2\n' + RET1),
  setopt('ss_write_retval', 'r2 = 0\n*(u32 *)(r1 + 36) = r2\n' + RET1),
  setopt('ss_read_retval', 'r2 = *(u32 *)(r1 + 36)\n' + RET1),
  setopt('ss_write_optname', 'r2 = 1\n*(u32 *)(r1 + 28) = r2\n' + RET1),
  getopt('gs_write_optname', 'r2 = 1\n*(u32 *)(r1 + 28) = r2\n' + RET1),
  getopt('gs_read_level', 'r2 = *(u32 *)(r1 + 24)\n' + RET1),
  getopt('gs_write_optlen', 'r2 = 4\n*(u32 *)(r1 + 32) = r2\n' + RET1),
  getopt('gs_optval_write', 'r2 = *(u64 *)(r1 + 8)\nr3 = *(u64 *)(r1 + 16)\nr4 = r2\nr4 += 4\nif r4 > r3 goto out\nr5 = 42\n*(u32 *)(r2 + 0) = r5\nout:\n' + RET1),
  getopt('gs_optval_unchecked', 'r2 = *(u64 *)(r1 + 8)\nr5 = 42\n*(u32 *)(r2 + 0) = r5\n' + RET1),
  getopt('gs_sk_family', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 4)\nr0 &= 1\nexit'),
  getopt('gs_optval_u32', 'r2 = *(u32 *)(r1 + 8)\n' + RET1),
  getopt('gs_optlen_half', 'r2 = *(u16 *)(r1 + 32)\n' + RET1),
  setopt('ss_write_optlen', 'r2 = 4\n*(u32 *)(r1 + 32) = r2\n' + RET1),
  setopt('ss_write_level', 'r2 = 4\n*(u32 *)(r1 + 24) = r2\n' + RET1),
  getopt('gs_ret_2', 'r0 = 2\nexit'),

  // ---- RAW_TRACEPOINT_WRITABLE (args, args[0] the tracepoint buffer) ----
  rtw('rw_buf_write', 'r2 = *(u64 *)(r1 + 0)\nr3 = 1\n*(u32 *)(r2 + 0) = r3\nr0 = 0\nexit'),
  rtw('rw_buf_read_far', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 + 64)\nexit'),
  rtw('rw_arg0_u32', 'r2 = *(u32 *)(r1 + 0)\nr0 = 0\nexit'),
  rtw('rw_arg0_write', 'r2 = 0\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit'),
  rtw('rw_arg1', 'r0 = *(u64 *)(r1 + 8)\nexit'),
  rtw('rw_buf_negative', 'r2 = *(u64 *)(r1 + 0)\nr0 = *(u32 *)(r2 - 4)\nexit'),
  rtw('rw_ret_any', 'r0 = 7\nexit'),
];
