/**
 * Facts about attach targets that bpf_check_attach_target asks beyond BTF: whether a function is on the
 * error-injection list (within_error_injection_list: fmod_ret and sleepable fentry/fexit need it), and
 * which LSM hooks a sleepable LSM program may attach to (bpf_lsm.c's sleepable_lsm_hooks, 6.1). The
 * error-injection list exists only with CONFIG_FUNCTION_ERROR_INJECTION, which Debian's 6.1 does not set:
 * on the reference kernel no function is on it.
 */
import { referenceConfig } from './kconfig.js';

/** bpf_lsm.c's sleepable_lsm_hooks of 6.1 (without the `bpf_lsm_` prefix), with the option each group needs. */
const SLEEPABLE_LSM_HOOKS: readonly { config?: string; hooks: readonly string[] }[] = [
  {
    hooks: [
      'bpf', 'bpf_map', 'bpf_map_alloc_security', 'bpf_map_free_security', 'bpf_prog', 'bprm_check_security',
      'bprm_committed_creds', 'bprm_committing_creds', 'bprm_creds_for_exec', 'bprm_creds_from_file', 'capget', 'capset',
      'cred_prepare', 'file_ioctl', 'file_lock', 'file_open', 'file_receive',
    ],
  },
  { config: 'CONFIG_SECURITY_NETWORK', hooks: ['inet_conn_established'] },
  {
    hooks: [
      'inode_create', 'inode_free_security', 'inode_getattr', 'inode_getxattr', 'inode_mknod', 'inode_need_killpriv',
      'inode_post_setxattr', 'inode_readlink', 'inode_rename', 'inode_rmdir', 'inode_setattr', 'inode_setxattr',
      'inode_symlink', 'inode_unlink', 'kernel_module_request', 'kernel_read_file', 'kernfs_init_security',
    ],
  },
  { config: 'CONFIG_KEYS', hooks: ['key_free'] },
  {
    hooks: [
      'mmap_file', 'netlink_send', 'path_notify', 'release_secctx', 'sb_alloc_security', 'sb_eat_lsm_opts',
      'sb_kern_mount', 'sb_mount', 'sb_remount', 'sb_set_mnt_opts', 'sb_show_options', 'sb_statfs', 'sb_umount', 'settime',
    ],
  },
  {
    config: 'CONFIG_SECURITY_NETWORK',
    hooks: [
      'socket_accept', 'socket_bind', 'socket_connect', 'socket_create', 'socket_getpeername', 'socket_getpeersec_dgram',
      'socket_getsockname', 'socket_getsockopt', 'socket_listen', 'socket_post_create', 'socket_recvmsg', 'socket_sendmsg',
      'socket_shutdown', 'socket_socketpair',
    ],
  },
  {
    hooks: [
      'syslog', 'task_alloc', 'current_getsecid_subj', 'task_getsecid_obj', 'task_prctl', 'task_setscheduler', 'userns_create',
    ],
  },
];

/** bpf_lsm_is_sleepable_hook for hook `name` (`bprm_committed_creds` or `bpf_lsm_bprm_committed_creds`). */
export function isSleepableLsmHook(name: string, config: ReadonlyMap<string, string> = referenceConfig()): boolean {
  const hook = name.replace(/^bpf_lsm_/, '');
  return SLEEPABLE_LSM_HOOKS.some((g) => (g.config === undefined || config.get(g.config) === 'y') && g.hooks.includes(hook));
}

/**
 * The functions marked ALLOW_ERROR_INJECTION, which are on the list when CONFIG_FUNCTION_ERROR_INJECTION is
 * set. Not modelled (empty): the reference kernel does not set the option, so its list is empty anyway.
 */
const ALLOW_ERROR_INJECTION: ReadonlySet<string> = new Set();

/** within_error_injection_list for function `name`. */
export function isErrorInjectable(name: string, config: ReadonlyMap<string, string> = referenceConfig()): boolean {
  return config.get('CONFIG_FUNCTION_ERROR_INJECTION') === 'y' && ALLOW_ERROR_INJECTION.has(name);
}
