/**
 * Kernel functions of the simulated vmlinux that TRACING programs attach to (fentry/fexit/fmod_ret, and the
 * iterator functions of TRACE_ITER) and the LSM hooks LSM programs attach to, with their 6.1 prototypes as C type texts: btf_ctx_access types a
 * context load from them (a pointer to a struct argument is PTR_TO_BTF_ID). `nullable` lists the context
 * offsets an iterator target declares PTR_TO_BTF_ID_OR_NULL (its ctx_arg_info).
 */
export interface TraceTarget {
  ret: string;
  params: readonly string[];
  nullable?: readonly number[];
}

const file = 'struct file *';
const path = 'const struct path *';

export const TRACE_TARGETS: Readonly<Record<string, TraceTarget>> = {
  // net/bpf/test_run.c: what BPF_PROG_TEST_RUN of a tracing program calls
  bpf_fentry_test1: { ret: 'int', params: ['int'] },
  bpf_fentry_test2: { ret: 'int', params: ['int', 'u64'] },
  bpf_fentry_test3: { ret: 'int', params: ['char', 'int', 'u64'] },
  bpf_fentry_test4: { ret: 'int', params: ['void *', 'char', 'int', 'u64'] },
  bpf_fentry_test5: { ret: 'int', params: ['u64', 'void *', 'short', 'int', 'u64'] },
  bpf_fentry_test6: { ret: 'int', params: ['u64', 'void *', 'short', 'int', 'void *', 'u64'] },
  bpf_fentry_test7: { ret: 'int', params: ['struct bpf_fentry_test_t *'] },
  bpf_fentry_test8: { ret: 'int', params: ['struct bpf_fentry_test_t *'] },
  bpf_modify_return_test: { ret: 'int', params: ['int', 'int *'] },
  // the VFS functions bpf_d_path may be called from (btf_allowlist_d_path), and d_path itself
  d_path: { ret: 'char *', params: [path, 'char *', 'int'] },
  dentry_open: { ret: file, params: [path, 'int', 'const struct cred *'] },
  vfs_truncate: { ret: 'long', params: [path, 'long long'] },
  vfs_fallocate: { ret: 'int', params: [file, 'int', 'long long', 'long long'] },
  vfs_getattr: { ret: 'int', params: [path, 'struct kstat *', 'u32', 'unsigned int'] },
  filp_close: { ret: 'int', params: [file, 'void *'] },
  security_file_permission: { ret: 'int', params: [file, 'int'] },
  security_inode_getattr: { ret: 'int', params: [path] },
  security_file_open: { ret: 'int', params: [file] },
  security_path_truncate: { ret: 'int', params: [path] },
  // LSM hooks (bpf_lsm_<hook>, include/linux/lsm_hook_defs.h)
  bpf_lsm_bpf: { ret: 'int', params: ['int', 'union bpf_attr *', 'unsigned int'] },
  bpf_lsm_task_alloc: { ret: 'int', params: ['struct task_struct *', 'unsigned long'] },
  // DEFINE_BPF_ITER_FUNC(task, struct bpf_iter_meta *meta, struct task_struct *task)
  bpf_iter_task: { ret: 'int', params: ['struct bpf_iter_meta *', 'struct task_struct *'], nullable: [8] },
};

/** What a load of a u64 context slot of this type is: a struct pointer's struct, or a scalar. */
export function ctxSlotType(text: string): { struct: string } | 'scalar' | 'not_pointer' {
  const t = text.replace(/\bconst\s+/g, '').trim();
  const ptr = /^(.*?)\s*\*$/.exec(t);
  if (ptr === null) return /^(struct|union)\s/.test(t) || !/[*[]/.test(t) ? 'scalar' : 'not_pointer';
  const to = ptr[1]!.trim();
  const m = /^(?:struct|union)\s+(\w+)$/.exec(to);
  // pointers to void, to integers and to pointers (no further walking) load as scalars
  return m === null ? 'scalar' : { struct: m[1]! };
}
