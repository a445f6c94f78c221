/**
 * The prototypes that carry an `allowed` callback in Linux 6.1: besides the program type, they depend on the
 * function a tracing or LSM program attaches to. A prototype that refuses the program makes the verifier print
 * "helper call is not allowed in probe".
 */
import type { ProgInfo } from '../../src/platform/platform.js';
import type { ProtoName } from './protos-6.1.js';

/** btf_allowlist_d_path (the CONFIG_SECURITY and CONFIG_SECURITY_PATH entries included). */
const D_PATH_ALLOWLIST: ReadonlySet<string> = new Set([
  'security_file_permission', 'security_inode_getattr', 'security_file_open', 'security_path_truncate',
  'vfs_truncate', 'vfs_fallocate', 'dentry_open', 'vfs_getattr', 'filp_close',
]);

/** sleepable_lsm_hooks: the LSM hooks bpf_lsm_is_sleepable_hook accepts (without the `bpf_lsm_` prefix). */
const SLEEPABLE_LSM_HOOKS: ReadonlySet<string> = new Set([
  'bpf', 'bpf_map', 'bpf_map_alloc_security', 'bpf_map_free_security', 'bpf_prog', 'bprm_check_security',
  'bprm_committed_creds', 'bprm_committing_creds', 'bprm_creds_for_exec', 'bprm_creds_from_file', 'capget', 'capset',
  'cred_prepare', 'file_ioctl', 'file_lock', 'file_open', 'file_receive', 'inet_conn_established', 'inode_create',
  'inode_free_security', 'inode_getattr', 'inode_getxattr', 'inode_mknod', 'inode_need_killpriv', 'inode_post_setxattr',
  'inode_readlink', 'inode_rename', 'inode_rmdir', 'inode_setattr', 'inode_setxattr', 'inode_symlink', 'inode_unlink',
  'kernel_module_request', 'kernel_read_file', 'kernfs_init_security', 'key_free', 'mmap_file', 'netlink_send',
  'path_notify', 'release_secctx', 'sb_alloc_security', 'sb_eat_lsm_opts', 'sb_kern_mount', 'sb_mount', 'sb_remount',
  'sb_set_mnt_opts', 'sb_show_options', 'sb_statfs', 'sb_umount', 'settime', 'socket_accept', 'socket_bind',
  'socket_connect', 'socket_create', 'socket_getpeername', 'socket_getpeersec_dgram', 'socket_getsockname',
  'socket_getsockopt', 'socket_listen', 'socket_post_create', 'socket_recvmsg', 'socket_sendmsg', 'socket_shutdown',
  'socket_socketpair', 'syslog', 'task_alloc', 'current_getsecid_subj', 'task_getsecid_obj', 'task_prctl',
  'task_setscheduler', 'userns_create',
]);

function sleepableLsmHook(prog: ProgInfo): boolean {
  const hook = (prog.attachTo ?? '').replace(/^bpf_lsm_/, '');
  return SLEEPABLE_LSM_HOOKS.has(hook);
}

/** bpf_d_path_allowed: iterators, sleepable LSM hooks, and tracing of the allowlisted VFS functions. */
function dPathAllowed(prog: ProgInfo): boolean {
  if (prog.type === 'TRACING' && prog.expectedAttachType === 'TRACE_ITER') return true;
  if (prog.type === 'LSM') return sleepableLsmHook(prog);
  return D_PATH_ALLOWLIST.has(prog.attachTo ?? '');
}

/** bpf_sk_storage_tracing_allowed: not from a program that traces the sk_storage functions themselves. */
function skStorageTracingAllowed(prog: ProgInfo): boolean {
  if (prog.type === 'EXT') return false; // a program with a dst_prog
  switch (prog.expectedAttachType) {
    case 'TRACE_ITER': case 'TRACE_RAW_TP':
      return true;
    case 'TRACE_FENTRY': case 'TRACE_FEXIT':
      return !(prog.attachTo ?? '').startsWith('bpf_sk_storage');
    default:
      return false;
  }
}

const ALLOWED: Partial<Record<ProtoName, (prog: ProgInfo) => boolean>> = {
  bpf_d_path_proto: dPathAllowed,
  bpf_ima_inode_hash_proto: sleepableLsmHook,
  bpf_ima_file_hash_proto: sleepableLsmHook,
  bpf_sk_storage_get_tracing_proto: skStorageTracingAllowed,
  bpf_sk_storage_delete_tracing_proto: skStorageTracingAllowed,
};

/** Whether prototype `proto` lets program `prog` call it (true for every prototype without an `allowed` callback). */
export function protoAllowed(proto: ProtoName, prog: ProgInfo): boolean {
  const rule = ALLOWED[proto];
  return rule === undefined || rule(prog);
}
