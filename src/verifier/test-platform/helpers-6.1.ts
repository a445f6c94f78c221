/**
 * Linux 6.1 helper facts as data, restated from the kernel sources: helper ids and names
 * (include/uapi/linux/bpf.h __BPF_FUNC_MAPPER), the `struct bpf_func_proto` definitions, and which
 * prototype each program type's get_func_proto returns (case lists and fallbacks). A conditional
 * case is `[proto, 1]`. `BASE_TIER`: 0 always, 1 needs bpf_capable, 2 needs perfmon_capable.
 */
/* eslint-disable */
export const HELPER_NAMES: readonly string[] = ["unspec", "map_lookup_elem", "map_update_elem", "map_delete_elem", "probe_read", "ktime_get_ns", "trace_printk", "get_prandom_u32", "get_smp_processor_id", "skb_store_bytes", "l3_csum_replace", "l4_csum_replace", "tail_call", "clone_redirect", "get_current_pid_tgid", "get_current_uid_gid", "get_current_comm", "get_cgroup_classid", "skb_vlan_push", "skb_vlan_pop", "skb_get_tunnel_key", "skb_set_tunnel_key", "perf_event_read", "redirect", "get_route_realm", "perf_event_output", "skb_load_bytes", "get_stackid", "csum_diff", "skb_get_tunnel_opt", "skb_set_tunnel_opt", "skb_change_proto", "skb_change_type", "skb_under_cgroup", "get_hash_recalc", "get_current_task", "probe_write_user", "current_task_under_cgroup", "skb_change_tail", "skb_pull_data", "csum_update", "set_hash_invalid", "get_numa_node_id", "skb_change_head", "xdp_adjust_head", "probe_read_str", "get_socket_cookie", "get_socket_uid", "set_hash", "setsockopt", "skb_adjust_room", "redirect_map", "sk_redirect_map", "sock_map_update", "xdp_adjust_meta", "perf_event_read_value", "perf_prog_read_value", "getsockopt", "override_return", "sock_ops_cb_flags_set", "msg_redirect_map", "msg_apply_bytes", "msg_cork_bytes", "msg_pull_data", "bind", "xdp_adjust_tail", "skb_get_xfrm_state", "get_stack", "skb_load_bytes_relative", "fib_lookup", "sock_hash_update", "msg_redirect_hash", "sk_redirect_hash", "lwt_push_encap", "lwt_seg6_store_bytes", "lwt_seg6_adjust_srh", "lwt_seg6_action", "rc_repeat", "rc_keydown", "skb_cgroup_id", "get_current_cgroup_id", "get_local_storage", "sk_select_reuseport", "skb_ancestor_cgroup_id", "sk_lookup_tcp", "sk_lookup_udp", "sk_release", "map_push_elem", "map_pop_elem", "map_peek_elem", "msg_push_data", "msg_pop_data", "rc_pointer_rel", "spin_lock", "spin_unlock", "sk_fullsock", "tcp_sock", "skb_ecn_set_ce", "get_listener_sock", "skc_lookup_tcp", "tcp_check_syncookie", "sysctl_get_name", "sysctl_get_current_value", "sysctl_get_new_value", "sysctl_set_new_value", "strtol", "strtoul", "sk_storage_get", "sk_storage_delete", "send_signal", "tcp_gen_syncookie", "skb_output", "probe_read_user", "probe_read_kernel", "probe_read_user_str", "probe_read_kernel_str", "tcp_send_ack", "send_signal_thread", "jiffies64", "read_branch_records", "get_ns_current_pid_tgid", "xdp_output", "get_netns_cookie", "get_current_ancestor_cgroup_id", "sk_assign", "ktime_get_boot_ns", "seq_printf", "seq_write", "sk_cgroup_id", "sk_ancestor_cgroup_id", "ringbuf_output", "ringbuf_reserve", "ringbuf_submit", "ringbuf_discard", "ringbuf_query", "csum_level", "skc_to_tcp6_sock", "skc_to_tcp_sock", "skc_to_tcp_timewait_sock", "skc_to_tcp_request_sock", "skc_to_udp6_sock", "get_task_stack", "load_hdr_opt", "store_hdr_opt", "reserve_hdr_opt", "inode_storage_get", "inode_storage_delete", "d_path", "copy_from_user", "snprintf_btf", "seq_printf_btf", "skb_cgroup_classid", "redirect_neigh", "per_cpu_ptr", "this_cpu_ptr", "redirect_peer", "task_storage_get", "task_storage_delete", "get_current_task_btf", "bprm_opts_set", "ktime_get_coarse_ns", "ima_inode_hash", "sock_from_file", "check_mtu", "for_each_map_elem", "snprintf", "sys_bpf", "btf_find_by_name_kind", "sys_close", "timer_init", "timer_set_callback", "timer_start", "timer_cancel", "get_func_ip", "get_attach_cookie", "task_pt_regs", "get_branch_snapshot", "trace_vprintk", "skc_to_unix_sock", "kallsyms_lookup_name", "find_vma", "loop", "strncmp", "get_func_arg", "get_func_ret", "get_func_arg_cnt", "get_retval", "set_retval", "xdp_get_buff_len", "xdp_load_bytes", "xdp_store_bytes", "copy_from_user_task", "skb_set_tstamp", "ima_file_hash", "kptr_xchg", "map_lookup_percpu_elem", "skc_to_mptcp_sock", "dynptr_from_mem", "ringbuf_reserve_dynptr", "ringbuf_submit_dynptr", "ringbuf_discard_dynptr", "dynptr_read", "dynptr_write", "dynptr_data", "tcp_raw_gen_syncookie_ipv4", "tcp_raw_gen_syncookie_ipv6", "tcp_raw_check_syncookie_ipv4", "tcp_raw_check_syncookie_ipv6", "ktime_get_tai_ns", "user_ringbuf_drain", "x"];

export interface RawProto { ret: string | null; args: (string | null)[]; gpl?: 1; pkt?: 1; btf?: Record<string, string>; retBtf?: string; size?: Record<string, string> }

export const PROTOS: Record<string, RawProto> = {
"bpf_override_return_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_read_user_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_read_user_str_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_read_kernel_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_read_kernel_str_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_read_compat_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_read_compat_str_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_probe_write_user_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
],
"gpl": 1
},
"bpf_trace_printk_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
],
"gpl": 1
},
"bpf_trace_vprintk_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_seq_printf_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1,
"btf": {
"1": "seq_file"
}
},
"bpf_seq_write_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1,
"btf": {
"1": "seq_file"
}
},
"bpf_seq_printf_btf_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1,
"btf": {
"1": "seq_file"
}
},
"bpf_perf_event_read_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_perf_event_read_value_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
],
"gpl": 1
},
"bpf_perf_event_output_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_get_current_task_proto": {
"ret": "RET_INTEGER",
"args": [],
"gpl": 1
},
"bpf_get_current_task_btf_proto": {
"ret": "RET_PTR_TO_BTF_ID",
"args": [],
"gpl": 1,
"retBtf": "tracing"
},
"bpf_task_pt_regs_proto": {
"ret": "RET_PTR_TO_BTF_ID",
"args": [
"ARG_PTR_TO_BTF_ID"
],
"gpl": 1,
"btf": {
"1": "tracing"
},
"retBtf": "bpf_task_pt_regs_ids[0]"
},
"bpf_current_task_under_cgroup_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
]
},
"bpf_send_signal_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING"
]
},
"bpf_send_signal_thread_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING"
]
},
"bpf_d_path_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE_OR_ZERO"
],
"btf": {
"1": "bpf_d_path"
}
},
"bpf_snprintf_btf_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_get_func_ip_proto_tracing": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
],
"gpl": 1
},
"bpf_get_func_ip_proto_kprobe": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
],
"gpl": 1
},
"bpf_get_func_ip_proto_kprobe_multi": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_attach_cookie_proto_kmulti": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_attach_cookie_proto_trace": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_attach_cookie_proto_pe": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_attach_cookie_proto_tracing": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_branch_snapshot_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_get_func_arg_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"
],
"size": {
"3": "sizeof(u64)"
}
},
"bpf_get_func_ret_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"
],
"size": {
"2": "sizeof(u64)"
}
},
"bpf_get_func_arg_cnt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_perf_event_output_proto_tp": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_get_stackid_proto_tp": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_get_stack_proto_tp": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_perf_prog_read_value_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
],
"gpl": 1
},
"bpf_read_branch_records_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM_OR_NULL",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_perf_event_output_proto_raw_tp": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_get_stackid_proto_raw_tp": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_get_stack_proto_raw_tp": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_inode_storage_get_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MAP_VALUE_OR_NULL",
"ARG_ANYTHING"
],
"btf": {
"2": "bpf_inode_storage"
}
},
"bpf_inode_storage_delete_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID"
],
"btf": {
"2": "bpf_inode_storage"
}
},
"bpf_for_each_map_elem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_FUNC",
"ARG_PTR_TO_STACK_OR_NULL",
"ARG_ANYTHING"
]
},
"bpf_loop_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_PTR_TO_FUNC",
"ARG_PTR_TO_STACK_OR_NULL",
"ARG_ANYTHING"
]
},
"bpf_get_stackid_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_get_stackid_proto_pe": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
]
},
"bpf_get_stack_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_get_task_stack_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"btf": {
"1": "tracing"
}
},
"bpf_get_stack_proto_pe": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_ringbuf_reserve_proto": {
"ret": "RET_PTR_TO_ALLOC_MEM_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_CONST_ALLOC_SIZE_OR_ZERO",
"ARG_ANYTHING"
]
},
"bpf_ringbuf_submit_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_ALLOC_MEM | OBJ_RELEASE",
"ARG_ANYTHING"
]
},
"bpf_ringbuf_discard_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_ALLOC_MEM | OBJ_RELEASE",
"ARG_ANYTHING"
]
},
"bpf_ringbuf_output_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
]
},
"bpf_ringbuf_query_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
]
},
"bpf_ringbuf_reserve_dynptr_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | MEM_UNINIT | MEM_WRITE"
]
},
"bpf_ringbuf_submit_dynptr_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE",
"ARG_ANYTHING"
]
},
"bpf_ringbuf_discard_dynptr_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_RINGBUF | OBJ_RELEASE",
"ARG_ANYTHING"
]
},
"bpf_user_ringbuf_drain_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_FUNC",
"ARG_PTR_TO_STACK_OR_NULL",
"ARG_ANYTHING"
]
},
"bpf_tail_call_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
]
},
"bpf_find_vma_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_ANYTHING",
"ARG_PTR_TO_FUNC",
"ARG_PTR_TO_STACK_OR_NULL",
"ARG_ANYTHING"
],
"btf": {
"1": "tracing"
}
},
"bpf_bprm_opts_set_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_ANYTHING"
],
"btf": {
"1": "bpf_bprm_opts_set"
}
},
"bpf_ima_inode_hash_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
],
"btf": {
"1": "bpf_ima_inode_hash"
}
},
"bpf_ima_file_hash_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
],
"btf": {
"1": "bpf_ima_file_hash"
}
},
"bpf_get_attach_cookie_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_map_lookup_elem_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY"
],
"pkt": 1
},
"bpf_map_update_elem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_PTR_TO_MAP_VALUE",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_map_delete_elem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY"
],
"pkt": 1
},
"bpf_map_push_elem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_VALUE",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_map_pop_elem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE"
]
},
"bpf_map_peek_elem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE"
]
},
"bpf_map_lookup_percpu_elem_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_get_prandom_u32_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_smp_processor_id_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_numa_node_id_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_ktime_get_ns_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_ktime_get_boot_ns_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_ktime_get_coarse_ns_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_ktime_get_tai_ns_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_current_pid_tgid_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_current_uid_gid_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_current_comm_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_spin_lock_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_SPIN_LOCK"
]
},
"bpf_spin_unlock_proto": {
"ret": "RET_VOID",
"args": [
"ARG_PTR_TO_SPIN_LOCK"
]
},
"bpf_jiffies64_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_current_cgroup_id_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_get_current_ancestor_cgroup_id_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING"
]
},
"bpf_strtol_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"
],
"size": {
"4": "sizeof(s64)"
}
},
"bpf_strtoul_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"
],
"size": {
"4": "sizeof(u64)"
}
},
"bpf_strncmp_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE",
"ARG_PTR_TO_CONST_STR"
]
},
"bpf_get_ns_current_pid_tgid_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_get_raw_smp_processor_id_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_event_output_data_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_copy_from_user_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
]
},
"bpf_copy_from_user_task_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING",
"ARG_PTR_TO_BTF_ID",
"ARG_ANYTHING"
],
"gpl": 1,
"btf": {
"4": "tracing"
}
},
"bpf_per_cpu_ptr_proto": {
"ret": "RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY",
"args": [
"ARG_PTR_TO_PERCPU_BTF_ID",
"ARG_ANYTHING"
]
},
"bpf_this_cpu_ptr_proto": {
"ret": "RET_PTR_TO_MEM_OR_BTF_ID | MEM_RDONLY",
"args": [
"ARG_PTR_TO_PERCPU_BTF_ID"
]
},
"bpf_snprintf_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM_OR_NULL",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_PTR_TO_CONST_STR",
"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_timer_init_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_TIMER",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_timer_set_callback_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_TIMER",
"ARG_PTR_TO_FUNC"
],
"gpl": 1
},
"bpf_timer_start_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_TIMER",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_timer_cancel_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_TIMER"
],
"gpl": 1
},
"bpf_kptr_xchg_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_KPTR",
"ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE"
],
"btf": {
"2": "BPF_PTR_POISON"
},
"retBtf": "BPF_PTR_POISON"
},
"bpf_dynptr_from_mem_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING",
"ARG_PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL | MEM_UNINIT | MEM_WRITE"
]
},
"bpf_dynptr_read_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_PTR_TO_DYNPTR",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_dynptr_write_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_DYNPTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
]
},
"bpf_dynptr_data_proto": {
"ret": "RET_PTR_TO_DYNPTR_MEM_OR_NULL",
"args": [
"ARG_PTR_TO_DYNPTR",
"ARG_ANYTHING",
"ARG_CONST_ALLOC_SIZE_OR_ZERO"
]
},
"bpf_sys_bpf_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_sys_close_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING"
]
},
"bpf_kallsyms_lookup_name_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"
],
"size": {
"4": "sizeof(u64)"
}
},
"bpf_btf_find_by_name_kind_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_task_storage_get_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MAP_VALUE_OR_NULL",
"ARG_ANYTHING"
],
"btf": {
"2": "tracing"
}
},
"bpf_task_storage_delete_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID"
],
"btf": {
"2": "tracing"
}
},
"bpf_get_local_storage_proto": {
"ret": "RET_PTR_TO_MAP_VALUE",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
]
},
"bpf_get_retval_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_set_retval_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING"
]
},
"bpf_sysctl_get_name_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_sysctl_get_current_value_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_sysctl_get_new_value_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_sysctl_set_new_value_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_get_netns_cookie_sockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX_OR_NULL"
]
},
"bpf_sock_map_update_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_sk_redirect_map_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_msg_redirect_map_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_sock_hash_update_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_sk_redirect_hash_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_ANYTHING"
]
},
"bpf_msg_redirect_hash_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_ANYTHING"
]
},
"bpf_skb_store_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_skb_load_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_flow_dissector_load_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_skb_load_bytes_relative_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_skb_pull_data_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_sk_fullsock_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_SOCK_COMMON"
]
},
"sk_skb_pull_data_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_l3_csum_replace_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_l4_csum_replace_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_csum_diff_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_csum_update_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_csum_level_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_clone_redirect_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_redirect_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_redirect_peer_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_redirect_neigh_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO",
"ARG_ANYTHING"
]
},
"bpf_msg_apply_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_msg_cork_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_msg_pull_data_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_msg_push_data_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_msg_pop_data_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_get_cgroup_classid_curr_proto": {
"ret": "RET_INTEGER",
"args": []
},
"bpf_skb_cgroup_classid_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_cgroup_classid_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_route_realm_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_hash_recalc_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_set_hash_invalid_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_set_hash_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_skb_vlan_push_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_vlan_pop_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_skb_change_proto_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_change_type_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"sk_skb_adjust_room_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_adjust_room_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_change_tail_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"sk_skb_change_tail_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_change_head_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"sk_skb_change_head_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_xdp_get_buff_len_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_xdp_get_buff_len_trace_proto": {
"ret": null,
"args": [
"ARG_PTR_TO_BTF_ID"
],
"btf": {
"1": "bpf_xdp_get_buff_len_bpf_ids[0]"
}
},
"bpf_xdp_adjust_head_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_xdp_load_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_xdp_store_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_xdp_adjust_tail_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_xdp_adjust_meta_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_xdp_redirect_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_xdp_redirect_map_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_event_output_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_skb_output_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1,
"btf": {
"1": "bpf_skb_output"
}
},
"bpf_skb_get_tunnel_key_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_skb_get_tunnel_opt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_skb_set_tunnel_key_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_skb_set_tunnel_opt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_skb_under_cgroup_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING"
]
},
"bpf_skb_cgroup_id_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_skb_ancestor_cgroup_id_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_sk_cgroup_id_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
]
},
"bpf_sk_ancestor_cgroup_id_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_ANYTHING"
]
},
"bpf_xdp_event_output_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1
},
"bpf_xdp_output_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_CONST_MAP_PTR",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE_OR_ZERO"
],
"gpl": 1,
"btf": {
"1": "bpf_xdp_output"
}
},
"bpf_get_socket_cookie_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_socket_cookie_sock_addr_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_socket_cookie_sock_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_socket_ptr_cookie_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
]
},
"bpf_get_socket_cookie_sock_ops_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_get_netns_cookie_sock_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX_OR_NULL"
]
},
"bpf_get_netns_cookie_sock_addr_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX_OR_NULL"
]
},
"bpf_get_netns_cookie_sock_ops_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX_OR_NULL"
]
},
"bpf_get_netns_cookie_sk_msg_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX_OR_NULL"
]
},
"bpf_get_socket_uid_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_sk_setsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_sk_getsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_unlocked_sk_setsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_unlocked_sk_getsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_sock_addr_setsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_sock_addr_getsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_sock_ops_setsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_sock_ops_getsockopt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"bpf_sock_ops_cb_flags_set_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING"
]
},
"bpf_bind_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_skb_get_xfrm_state_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_xdp_fib_lookup_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_skb_fib_lookup_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
],
"gpl": 1
},
"bpf_skb_check_mtu_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"gpl": 1,
"size": {
"3": "sizeof(u32)"
}
},
"bpf_xdp_check_mtu_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"gpl": 1,
"size": {
"3": "sizeof(u32)"
}
},
"bpf_lwt_in_push_encap_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_lwt_xmit_push_encap_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_lwt_seg6_store_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_lwt_seg6_action_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
]
},
"bpf_lwt_seg6_adjust_srh_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skc_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCK_COMMON_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_sk_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_sk_lookup_udp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_tc_skc_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCK_COMMON_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_tc_sk_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_tc_sk_lookup_udp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_sk_release_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE"
]
},
"bpf_xdp_sk_lookup_udp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_xdp_skc_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCK_COMMON_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_xdp_sk_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"pkt": 1
},
"bpf_sock_addr_skc_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCK_COMMON_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_sock_addr_sk_lookup_tcp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_sock_addr_sk_lookup_udp_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_tcp_sock_proto": {
"ret": "RET_PTR_TO_TCP_SOCK_OR_NULL",
"args": [
"ARG_PTR_TO_SOCK_COMMON"
]
},
"bpf_get_listener_sock_proto": {
"ret": "RET_PTR_TO_SOCKET_OR_NULL",
"args": [
"ARG_PTR_TO_SOCK_COMMON"
]
},
"bpf_skb_ecn_set_ce_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
]
},
"bpf_tcp_check_syncookie_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
],
"gpl": 1,
"pkt": 1
},
"bpf_tcp_gen_syncookie_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE"
],
"gpl": 1,
"pkt": 1
},
"bpf_sk_assign_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_ANYTHING"
]
},
"bpf_sock_ops_load_hdr_opt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_WRITE",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_sock_ops_store_hdr_opt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MEM | MEM_RDONLY",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_sock_ops_reserve_hdr_opt_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_skb_set_tstamp_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
]
},
"bpf_tcp_raw_gen_syncookie_ipv4_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_FIXED_SIZE_MEM",
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE"
],
"gpl": 1,
"pkt": 1,
"size": {
"1": "sizeof(struct iphdr)"
}
},
"bpf_tcp_raw_gen_syncookie_ipv6_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_FIXED_SIZE_MEM",
"ARG_PTR_TO_MEM",
"ARG_CONST_SIZE"
],
"gpl": 1,
"pkt": 1,
"size": {
"1": "sizeof(struct ipv6hdr)"
}
},
"bpf_tcp_raw_check_syncookie_ipv4_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_FIXED_SIZE_MEM",
"ARG_PTR_TO_FIXED_SIZE_MEM"
],
"gpl": 1,
"pkt": 1,
"size": {
"1": "sizeof(struct iphdr)",
"2": "sizeof(struct tcphdr)"
}
},
"bpf_tcp_raw_check_syncookie_ipv6_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_FIXED_SIZE_MEM",
"ARG_PTR_TO_FIXED_SIZE_MEM"
],
"gpl": 1,
"pkt": 1,
"size": {
"1": "sizeof(struct ipv6hdr)",
"2": "sizeof(struct tcphdr)"
}
},
"sk_select_reuseport_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_MAP_KEY",
"ARG_ANYTHING"
]
},
"sk_reuseport_load_bytes_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE"
]
},
"sk_reuseport_load_bytes_relative_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_PTR_TO_UNINIT_MEM",
"ARG_CONST_SIZE",
"ARG_ANYTHING"
]
},
"bpf_sk_lookup_assign_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_SOCKET_OR_NULL",
"ARG_ANYTHING"
]
},
"bpf_skc_to_tcp6_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
],
"retBtf": "tcp6_sock"
},
"bpf_skc_to_tcp_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
],
"retBtf": "tcp_sock"
},
"bpf_skc_to_tcp_timewait_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
],
"retBtf": "tcp_timewait_sock"
},
"bpf_skc_to_tcp_request_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
],
"retBtf": "tcp_request_sock"
},
"bpf_skc_to_udp6_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
],
"retBtf": "udp6_sock"
},
"bpf_skc_to_unix_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
],
"retBtf": "unix_sock"
},
"bpf_skc_to_mptcp_sock_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_SOCK_COMMON"
],
"retBtf": "mptcp_sock"
},
"bpf_sock_from_file_proto": {
"ret": "RET_PTR_TO_BTF_ID_OR_NULL",
"args": [
"ARG_PTR_TO_BTF_ID"
],
"btf": {
"1": "bpf_sock_from_file"
},
"retBtf": "bpf_sock_from_file"
},
"bpf_sk_storage_get_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID_SOCK_COMMON",
"ARG_PTR_TO_MAP_VALUE_OR_NULL",
"ARG_ANYTHING"
]
},
"bpf_sk_storage_get_cg_sock_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_CTX",
"ARG_PTR_TO_MAP_VALUE_OR_NULL",
"ARG_ANYTHING"
]
},
"bpf_sk_storage_delete_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID_SOCK_COMMON"
]
},
"bpf_sk_storage_get_tracing_proto": {
"ret": "RET_PTR_TO_MAP_VALUE_OR_NULL",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID",
"ARG_PTR_TO_MAP_VALUE_OR_NULL",
"ARG_ANYTHING"
],
"btf": {
"2": "sock_common"
}
},
"bpf_sk_storage_delete_tracing_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_CONST_MAP_PTR",
"ARG_PTR_TO_BTF_ID"
],
"btf": {
"2": "sock_common"
}
},
"bpf_tcp_send_ack_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_BTF_ID",
"ARG_ANYTHING"
],
"btf": {
"1": "tcp_sock_id"
}
},
"rc_repeat_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX"
],
"gpl": 1
},
"rc_keydown_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"gpl": 1
},
"rc_pointer_rel_proto": {
"ret": "RET_INTEGER",
"args": [
"ARG_PTR_TO_CTX",
"ARG_ANYTHING",
"ARG_ANYTHING"
],
"gpl": 1
}
};

export const FUNC_PROTO_FNS: Record<string, { c: Record<string, string | [string | null, number] | null>; f: string | null }> = {
"bpf_tracing_func_proto": {
"c": {
"map_lookup_elem": "bpf_map_lookup_elem_proto",
"map_update_elem": "bpf_map_update_elem_proto",
"map_delete_elem": "bpf_map_delete_elem_proto",
"map_push_elem": "bpf_map_push_elem_proto",
"map_pop_elem": "bpf_map_pop_elem_proto",
"map_peek_elem": "bpf_map_peek_elem_proto",
"map_lookup_percpu_elem": "bpf_map_lookup_percpu_elem_proto",
"ktime_get_ns": "bpf_ktime_get_ns_proto",
"ktime_get_boot_ns": "bpf_ktime_get_boot_ns_proto",
"tail_call": "bpf_tail_call_proto",
"get_current_pid_tgid": "bpf_get_current_pid_tgid_proto",
"get_current_task": "bpf_get_current_task_proto",
"get_current_task_btf": "bpf_get_current_task_btf_proto",
"task_pt_regs": "bpf_task_pt_regs_proto",
"get_current_uid_gid": "bpf_get_current_uid_gid_proto",
"get_current_comm": "bpf_get_current_comm_proto",
"trace_printk": "bpf_trace_printk_proto",
"get_smp_processor_id": "bpf_get_smp_processor_id_proto",
"get_numa_node_id": "bpf_get_numa_node_id_proto",
"perf_event_read": "bpf_perf_event_read_proto",
"current_task_under_cgroup": "bpf_current_task_under_cgroup_proto",
"get_prandom_u32": "bpf_get_prandom_u32_proto",
"probe_write_user": [
"bpf_probe_write_user_proto",
1
],
"probe_read_user": "bpf_probe_read_user_proto",
"probe_read_kernel": [
"bpf_probe_read_kernel_proto",
1
],
"probe_read_user_str": "bpf_probe_read_user_str_proto",
"probe_read_kernel_str": [
"bpf_probe_read_kernel_str_proto",
1
],
"probe_read": [
null,
1
],
"probe_read_str": [
null,
1
],
"get_current_cgroup_id": "bpf_get_current_cgroup_id_proto",
"get_current_ancestor_cgroup_id": "bpf_get_current_ancestor_cgroup_id_proto",
"send_signal": "bpf_send_signal_proto",
"send_signal_thread": "bpf_send_signal_thread_proto",
"perf_event_read_value": "bpf_perf_event_read_value_proto",
"get_ns_current_pid_tgid": "bpf_get_ns_current_pid_tgid_proto",
"ringbuf_output": "bpf_ringbuf_output_proto",
"ringbuf_reserve": "bpf_ringbuf_reserve_proto",
"ringbuf_submit": "bpf_ringbuf_submit_proto",
"ringbuf_discard": "bpf_ringbuf_discard_proto",
"ringbuf_query": "bpf_ringbuf_query_proto",
"jiffies64": "bpf_jiffies64_proto",
"get_task_stack": "bpf_get_task_stack_proto",
"copy_from_user": "bpf_copy_from_user_proto",
"copy_from_user_task": "bpf_copy_from_user_task_proto",
"snprintf_btf": "bpf_snprintf_btf_proto",
"per_cpu_ptr": "bpf_per_cpu_ptr_proto",
"this_cpu_ptr": "bpf_this_cpu_ptr_proto",
"task_storage_get": "bpf_task_storage_get_proto",
"task_storage_delete": "bpf_task_storage_delete_proto",
"for_each_map_elem": "bpf_for_each_map_elem_proto",
"snprintf": "bpf_snprintf_proto",
"get_func_ip": "bpf_get_func_ip_proto_tracing",
"get_branch_snapshot": "bpf_get_branch_snapshot_proto",
"find_vma": "bpf_find_vma_proto",
"trace_vprintk": "bpf_trace_vprintk_proto"
},
"f": "bpf_base_func_proto"
},
"kprobe_prog_func_proto": {
"c": {
"perf_event_output": "bpf_perf_event_output_proto",
"get_stackid": "bpf_get_stackid_proto",
"get_stack": "bpf_get_stack_proto",
"override_return": "bpf_override_return_proto",
"get_func_ip": [
null,
1
],
"get_attach_cookie": [
"bpf_get_attach_cookie_proto",
1
]
},
"f": "bpf_tracing_func_proto"
},
"tp_prog_func_proto": {
"c": {
"perf_event_output": "bpf_perf_event_output_proto_tp",
"get_stackid": "bpf_get_stackid_proto_tp",
"get_stack": "bpf_get_stack_proto_tp",
"get_attach_cookie": "bpf_get_attach_cookie_proto_trace"
},
"f": "bpf_tracing_func_proto"
},
"pe_prog_func_proto": {
"c": {
"perf_event_output": "bpf_perf_event_output_proto_tp",
"get_stackid": "bpf_get_stackid_proto_pe",
"get_stack": "bpf_get_stack_proto_pe",
"perf_prog_read_value": "bpf_perf_prog_read_value_proto",
"read_branch_records": "bpf_read_branch_records_proto",
"get_attach_cookie": "bpf_get_attach_cookie_proto_pe"
},
"f": "bpf_tracing_func_proto"
},
"raw_tp_prog_func_proto": {
"c": {
"perf_event_output": "bpf_perf_event_output_proto_raw_tp",
"get_stackid": "bpf_get_stackid_proto_raw_tp",
"get_stack": "bpf_get_stack_proto_raw_tp"
},
"f": "bpf_tracing_func_proto"
},
"tracing_prog_func_proto": {
"c": {
"skb_output": "bpf_skb_output_proto",
"xdp_output": "bpf_xdp_output_proto",
"skc_to_tcp6_sock": "bpf_skc_to_tcp6_sock_proto",
"skc_to_tcp_sock": "bpf_skc_to_tcp_sock_proto",
"skc_to_tcp_timewait_sock": "bpf_skc_to_tcp_timewait_sock_proto",
"skc_to_tcp_request_sock": "bpf_skc_to_tcp_request_sock_proto",
"skc_to_udp6_sock": "bpf_skc_to_udp6_sock_proto",
"skc_to_unix_sock": "bpf_skc_to_unix_sock_proto",
"skc_to_mptcp_sock": "bpf_skc_to_mptcp_sock_proto",
"sk_storage_get": "bpf_sk_storage_get_tracing_proto",
"sk_storage_delete": "bpf_sk_storage_delete_tracing_proto",
"sock_from_file": "bpf_sock_from_file_proto",
"get_socket_cookie": "bpf_get_socket_ptr_cookie_proto",
"xdp_get_buff_len": "bpf_xdp_get_buff_len_trace_proto",
"seq_printf": [
"bpf_seq_printf_proto",
1
],
"seq_write": [
"bpf_seq_write_proto",
1
],
"seq_printf_btf": [
"bpf_seq_printf_btf_proto",
1
],
"d_path": "bpf_d_path_proto",
"get_func_arg": [
"bpf_get_func_arg_proto",
1
],
"get_func_ret": [
"bpf_get_func_ret_proto",
1
],
"get_func_arg_cnt": [
"bpf_get_func_arg_cnt_proto",
1
],
"get_attach_cookie": [
"bpf_get_attach_cookie_proto",
1
]
},
"f": null
},
"bpf_iter_get_func_proto": {
"c": {},
"f": null
},
"bpf_lsm_func_proto": {
"c": {
"inode_storage_get": "bpf_inode_storage_get_proto",
"inode_storage_delete": "bpf_inode_storage_delete_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"spin_lock": "bpf_spin_lock_proto",
"spin_unlock": "bpf_spin_unlock_proto",
"bprm_opts_set": "bpf_bprm_opts_set_proto",
"ima_inode_hash": "bpf_ima_inode_hash_proto",
"ima_file_hash": "bpf_ima_file_hash_proto",
"get_attach_cookie": [
"bpf_get_attach_cookie_proto",
1
],
"setsockopt": [
null,
1
],
"getsockopt": [
null,
1
]
},
"f": "tracing_prog_func_proto"
},
"bpf_base_func_proto": {
"c": {
"map_lookup_elem": "bpf_map_lookup_elem_proto",
"map_update_elem": "bpf_map_update_elem_proto",
"map_delete_elem": "bpf_map_delete_elem_proto",
"map_push_elem": "bpf_map_push_elem_proto",
"map_pop_elem": "bpf_map_pop_elem_proto",
"map_peek_elem": "bpf_map_peek_elem_proto",
"map_lookup_percpu_elem": "bpf_map_lookup_percpu_elem_proto",
"get_prandom_u32": "bpf_get_prandom_u32_proto",
"get_smp_processor_id": "bpf_get_raw_smp_processor_id_proto",
"get_numa_node_id": "bpf_get_numa_node_id_proto",
"tail_call": "bpf_tail_call_proto",
"ktime_get_ns": "bpf_ktime_get_ns_proto",
"ktime_get_boot_ns": "bpf_ktime_get_boot_ns_proto",
"ktime_get_tai_ns": "bpf_ktime_get_tai_ns_proto",
"ringbuf_output": "bpf_ringbuf_output_proto",
"ringbuf_reserve": "bpf_ringbuf_reserve_proto",
"ringbuf_submit": "bpf_ringbuf_submit_proto",
"ringbuf_discard": "bpf_ringbuf_discard_proto",
"ringbuf_query": "bpf_ringbuf_query_proto",
"strncmp": "bpf_strncmp_proto",
"strtol": "bpf_strtol_proto",
"strtoul": "bpf_strtoul_proto",
"spin_lock": "bpf_spin_lock_proto",
"spin_unlock": "bpf_spin_unlock_proto",
"jiffies64": "bpf_jiffies64_proto",
"per_cpu_ptr": "bpf_per_cpu_ptr_proto",
"this_cpu_ptr": "bpf_this_cpu_ptr_proto",
"timer_init": "bpf_timer_init_proto",
"timer_set_callback": "bpf_timer_set_callback_proto",
"timer_start": "bpf_timer_start_proto",
"timer_cancel": "bpf_timer_cancel_proto",
"kptr_xchg": "bpf_kptr_xchg_proto",
"for_each_map_elem": "bpf_for_each_map_elem_proto",
"loop": "bpf_loop_proto",
"user_ringbuf_drain": "bpf_user_ringbuf_drain_proto",
"ringbuf_reserve_dynptr": "bpf_ringbuf_reserve_dynptr_proto",
"ringbuf_submit_dynptr": "bpf_ringbuf_submit_dynptr_proto",
"ringbuf_discard_dynptr": "bpf_ringbuf_discard_dynptr_proto",
"dynptr_from_mem": "bpf_dynptr_from_mem_proto",
"dynptr_read": "bpf_dynptr_read_proto",
"dynptr_write": "bpf_dynptr_write_proto",
"dynptr_data": "bpf_dynptr_data_proto",
"trace_printk": "bpf_trace_printk_proto",
"get_current_task": "bpf_get_current_task_proto",
"get_current_task_btf": "bpf_get_current_task_btf_proto",
"probe_read_user": "bpf_probe_read_user_proto",
"probe_read_kernel": [
"bpf_probe_read_kernel_proto",
1
],
"probe_read_user_str": "bpf_probe_read_user_str_proto",
"probe_read_kernel_str": [
"bpf_probe_read_kernel_str_proto",
1
],
"snprintf_btf": "bpf_snprintf_btf_proto",
"snprintf": "bpf_snprintf_proto",
"task_pt_regs": "bpf_task_pt_regs_proto",
"trace_vprintk": "bpf_trace_vprintk_proto"
},
"f": null
},
"syscall_prog_func_proto": {
"c": {
"sys_bpf": [
"bpf_sys_bpf_proto",
1
],
"btf_find_by_name_kind": "bpf_btf_find_by_name_kind_proto",
"sys_close": "bpf_sys_close_proto",
"kallsyms_lookup_name": "bpf_kallsyms_lookup_name_proto"
},
"f": "tracing_prog_func_proto"
},
"cgroup_dev_func_proto": {
"c": {
"perf_event_output": "bpf_event_output_data_proto"
},
"f": "bpf_base_func_proto"
},
"sysctl_func_proto": {
"c": {
"sysctl_get_name": "bpf_sysctl_get_name_proto",
"sysctl_get_current_value": "bpf_sysctl_get_current_value_proto",
"sysctl_get_new_value": "bpf_sysctl_get_new_value_proto",
"sysctl_set_new_value": "bpf_sysctl_set_new_value_proto",
"ktime_get_coarse_ns": "bpf_ktime_get_coarse_ns_proto",
"perf_event_output": "bpf_event_output_data_proto"
},
"f": "bpf_base_func_proto"
},
"cg_sockopt_func_proto": {
"c": {
"get_netns_cookie": "bpf_get_netns_cookie_sockopt_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"setsockopt": [
"bpf_sk_setsockopt_proto",
1
],
"getsockopt": [
"bpf_sk_getsockopt_proto",
1
],
"tcp_sock": "bpf_tcp_sock_proto",
"perf_event_output": "bpf_event_output_data_proto"
},
"f": "bpf_base_func_proto"
},
"cgroup_common_func_proto": {
"c": {
"get_local_storage": "bpf_get_local_storage_proto",
"get_retval": "bpf_get_retval_proto",
"set_retval": "bpf_set_retval_proto"
},
"f": null
},
"cgroup_current_func_proto": {
"c": {
"get_current_uid_gid": "bpf_get_current_uid_gid_proto",
"get_current_pid_tgid": "bpf_get_current_pid_tgid_proto",
"get_current_comm": "bpf_get_current_comm_proto",
"get_current_cgroup_id": "bpf_get_current_cgroup_id_proto",
"get_current_ancestor_cgroup_id": "bpf_get_current_ancestor_cgroup_id_proto",
"get_cgroup_classid": "bpf_get_cgroup_classid_curr_proto"
},
"f": null
},
"sock_filter_func_proto": {
"c": {
"get_socket_cookie": "bpf_get_socket_cookie_sock_proto",
"get_netns_cookie": "bpf_get_netns_cookie_sock_proto",
"perf_event_output": "bpf_event_output_data_proto",
"sk_storage_get": "bpf_sk_storage_get_cg_sock_proto",
"ktime_get_coarse_ns": "bpf_ktime_get_coarse_ns_proto"
},
"f": "bpf_base_func_proto"
},
"sock_addr_func_proto": {
"c": {
"bind": "bpf_bind_proto",
"get_socket_cookie": "bpf_get_socket_cookie_sock_addr_proto",
"get_netns_cookie": "bpf_get_netns_cookie_sock_addr_proto",
"perf_event_output": "bpf_event_output_data_proto",
"sk_lookup_tcp": "bpf_sock_addr_sk_lookup_tcp_proto",
"sk_lookup_udp": "bpf_sock_addr_sk_lookup_udp_proto",
"sk_release": "bpf_sk_release_proto",
"skc_lookup_tcp": "bpf_sock_addr_skc_lookup_tcp_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"setsockopt": "bpf_sock_addr_setsockopt_proto",
"getsockopt": "bpf_sock_addr_getsockopt_proto"
},
"f": "bpf_sk_base_func_proto"
},
"sk_filter_func_proto": {
"c": {
"skb_load_bytes": "bpf_skb_load_bytes_proto",
"skb_load_bytes_relative": "bpf_skb_load_bytes_relative_proto",
"get_socket_cookie": "bpf_get_socket_cookie_proto",
"get_socket_uid": "bpf_get_socket_uid_proto",
"perf_event_output": "bpf_skb_event_output_proto"
},
"f": "bpf_sk_base_func_proto"
},
"cg_skb_func_proto": {
"c": {
"sk_fullsock": "bpf_sk_fullsock_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"perf_event_output": "bpf_skb_event_output_proto",
"skb_cgroup_id": "bpf_skb_cgroup_id_proto",
"skb_ancestor_cgroup_id": "bpf_skb_ancestor_cgroup_id_proto",
"sk_cgroup_id": "bpf_sk_cgroup_id_proto",
"sk_ancestor_cgroup_id": "bpf_sk_ancestor_cgroup_id_proto",
"sk_lookup_tcp": "bpf_sk_lookup_tcp_proto",
"sk_lookup_udp": "bpf_sk_lookup_udp_proto",
"sk_release": "bpf_sk_release_proto",
"skc_lookup_tcp": "bpf_skc_lookup_tcp_proto",
"tcp_sock": "bpf_tcp_sock_proto",
"get_listener_sock": "bpf_get_listener_sock_proto",
"skb_ecn_set_ce": "bpf_skb_ecn_set_ce_proto"
},
"f": "sk_filter_func_proto"
},
"tc_cls_act_func_proto": {
"c": {
"skb_store_bytes": "bpf_skb_store_bytes_proto",
"skb_load_bytes": "bpf_skb_load_bytes_proto",
"skb_load_bytes_relative": "bpf_skb_load_bytes_relative_proto",
"skb_pull_data": "bpf_skb_pull_data_proto",
"csum_diff": "bpf_csum_diff_proto",
"csum_update": "bpf_csum_update_proto",
"csum_level": "bpf_csum_level_proto",
"l3_csum_replace": "bpf_l3_csum_replace_proto",
"l4_csum_replace": "bpf_l4_csum_replace_proto",
"clone_redirect": "bpf_clone_redirect_proto",
"get_cgroup_classid": "bpf_get_cgroup_classid_proto",
"skb_vlan_push": "bpf_skb_vlan_push_proto",
"skb_vlan_pop": "bpf_skb_vlan_pop_proto",
"skb_change_proto": "bpf_skb_change_proto_proto",
"skb_change_type": "bpf_skb_change_type_proto",
"skb_adjust_room": "bpf_skb_adjust_room_proto",
"skb_change_tail": "bpf_skb_change_tail_proto",
"skb_change_head": "bpf_skb_change_head_proto",
"skb_get_tunnel_key": "bpf_skb_get_tunnel_key_proto",
"skb_set_tunnel_key": "bpf_skb_set_tunnel_key_proto",
"skb_get_tunnel_opt": "bpf_skb_get_tunnel_opt_proto",
"skb_set_tunnel_opt": "bpf_skb_set_tunnel_opt_proto",
"redirect": "bpf_redirect_proto",
"redirect_neigh": "bpf_redirect_neigh_proto",
"redirect_peer": "bpf_redirect_peer_proto",
"get_route_realm": "bpf_get_route_realm_proto",
"get_hash_recalc": "bpf_get_hash_recalc_proto",
"set_hash_invalid": "bpf_set_hash_invalid_proto",
"set_hash": "bpf_set_hash_proto",
"perf_event_output": "bpf_skb_event_output_proto",
"get_smp_processor_id": "bpf_get_smp_processor_id_proto",
"skb_under_cgroup": "bpf_skb_under_cgroup_proto",
"get_socket_cookie": "bpf_get_socket_cookie_proto",
"get_socket_uid": "bpf_get_socket_uid_proto",
"fib_lookup": "bpf_skb_fib_lookup_proto",
"check_mtu": "bpf_skb_check_mtu_proto",
"sk_fullsock": "bpf_sk_fullsock_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"skb_get_xfrm_state": "bpf_skb_get_xfrm_state_proto",
"skb_cgroup_classid": "bpf_skb_cgroup_classid_proto",
"skb_cgroup_id": "bpf_skb_cgroup_id_proto",
"skb_ancestor_cgroup_id": "bpf_skb_ancestor_cgroup_id_proto",
"sk_lookup_tcp": "bpf_tc_sk_lookup_tcp_proto",
"sk_lookup_udp": "bpf_tc_sk_lookup_udp_proto",
"sk_release": "bpf_sk_release_proto",
"tcp_sock": "bpf_tcp_sock_proto",
"get_listener_sock": "bpf_get_listener_sock_proto",
"skc_lookup_tcp": "bpf_tc_skc_lookup_tcp_proto",
"tcp_check_syncookie": "bpf_tcp_check_syncookie_proto",
"skb_ecn_set_ce": "bpf_skb_ecn_set_ce_proto",
"tcp_gen_syncookie": "bpf_tcp_gen_syncookie_proto",
"sk_assign": "bpf_sk_assign_proto",
"skb_set_tstamp": "bpf_skb_set_tstamp_proto",
"tcp_raw_gen_syncookie_ipv4": "bpf_tcp_raw_gen_syncookie_ipv4_proto",
"tcp_raw_gen_syncookie_ipv6": "bpf_tcp_raw_gen_syncookie_ipv6_proto",
"tcp_raw_check_syncookie_ipv4": "bpf_tcp_raw_check_syncookie_ipv4_proto",
"tcp_raw_check_syncookie_ipv6": "bpf_tcp_raw_check_syncookie_ipv6_proto"
},
"f": "bpf_sk_base_func_proto"
},
"xdp_func_proto": {
"c": {
"perf_event_output": "bpf_xdp_event_output_proto",
"get_smp_processor_id": "bpf_get_smp_processor_id_proto",
"csum_diff": "bpf_csum_diff_proto",
"xdp_adjust_head": "bpf_xdp_adjust_head_proto",
"xdp_adjust_meta": "bpf_xdp_adjust_meta_proto",
"redirect": "bpf_xdp_redirect_proto",
"redirect_map": "bpf_xdp_redirect_map_proto",
"xdp_adjust_tail": "bpf_xdp_adjust_tail_proto",
"xdp_get_buff_len": "bpf_xdp_get_buff_len_proto",
"xdp_load_bytes": "bpf_xdp_load_bytes_proto",
"xdp_store_bytes": "bpf_xdp_store_bytes_proto",
"fib_lookup": "bpf_xdp_fib_lookup_proto",
"check_mtu": "bpf_xdp_check_mtu_proto",
"sk_lookup_udp": "bpf_xdp_sk_lookup_udp_proto",
"sk_lookup_tcp": "bpf_xdp_sk_lookup_tcp_proto",
"sk_release": "bpf_sk_release_proto",
"skc_lookup_tcp": "bpf_xdp_skc_lookup_tcp_proto",
"tcp_check_syncookie": "bpf_tcp_check_syncookie_proto",
"tcp_gen_syncookie": "bpf_tcp_gen_syncookie_proto",
"tcp_raw_gen_syncookie_ipv4": "bpf_tcp_raw_gen_syncookie_ipv4_proto",
"tcp_raw_gen_syncookie_ipv6": "bpf_tcp_raw_gen_syncookie_ipv6_proto",
"tcp_raw_check_syncookie_ipv4": "bpf_tcp_raw_check_syncookie_ipv4_proto",
"tcp_raw_check_syncookie_ipv6": "bpf_tcp_raw_check_syncookie_ipv6_proto"
},
"f": "bpf_sk_base_func_proto"
},
"sock_ops_func_proto": {
"c": {
"setsockopt": "bpf_sock_ops_setsockopt_proto",
"getsockopt": "bpf_sock_ops_getsockopt_proto",
"sock_ops_cb_flags_set": "bpf_sock_ops_cb_flags_set_proto",
"sock_map_update": "bpf_sock_map_update_proto",
"sock_hash_update": "bpf_sock_hash_update_proto",
"get_socket_cookie": "bpf_get_socket_cookie_sock_ops_proto",
"perf_event_output": "bpf_event_output_data_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"get_netns_cookie": "bpf_get_netns_cookie_sock_ops_proto",
"load_hdr_opt": "bpf_sock_ops_load_hdr_opt_proto",
"store_hdr_opt": "bpf_sock_ops_store_hdr_opt_proto",
"reserve_hdr_opt": "bpf_sock_ops_reserve_hdr_opt_proto",
"tcp_sock": "bpf_tcp_sock_proto"
},
"f": "bpf_sk_base_func_proto"
},
"sk_msg_func_proto": {
"c": {
"msg_redirect_map": "bpf_msg_redirect_map_proto",
"msg_redirect_hash": "bpf_msg_redirect_hash_proto",
"msg_apply_bytes": "bpf_msg_apply_bytes_proto",
"msg_cork_bytes": "bpf_msg_cork_bytes_proto",
"msg_pull_data": "bpf_msg_pull_data_proto",
"msg_push_data": "bpf_msg_push_data_proto",
"msg_pop_data": "bpf_msg_pop_data_proto",
"perf_event_output": "bpf_event_output_data_proto",
"get_current_uid_gid": "bpf_get_current_uid_gid_proto",
"get_current_pid_tgid": "bpf_get_current_pid_tgid_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"get_netns_cookie": "bpf_get_netns_cookie_sk_msg_proto",
"get_current_cgroup_id": "bpf_get_current_cgroup_id_proto",
"get_current_ancestor_cgroup_id": "bpf_get_current_ancestor_cgroup_id_proto",
"get_cgroup_classid": "bpf_get_cgroup_classid_curr_proto"
},
"f": "bpf_sk_base_func_proto"
},
"sk_skb_func_proto": {
"c": {
"skb_store_bytes": "bpf_skb_store_bytes_proto",
"skb_load_bytes": "bpf_skb_load_bytes_proto",
"skb_pull_data": "sk_skb_pull_data_proto",
"skb_change_tail": "sk_skb_change_tail_proto",
"skb_change_head": "sk_skb_change_head_proto",
"skb_adjust_room": "sk_skb_adjust_room_proto",
"get_socket_cookie": "bpf_get_socket_cookie_proto",
"get_socket_uid": "bpf_get_socket_uid_proto",
"sk_redirect_map": "bpf_sk_redirect_map_proto",
"sk_redirect_hash": "bpf_sk_redirect_hash_proto",
"perf_event_output": "bpf_skb_event_output_proto",
"sk_lookup_tcp": "bpf_sk_lookup_tcp_proto",
"sk_lookup_udp": "bpf_sk_lookup_udp_proto",
"sk_release": "bpf_sk_release_proto",
"skc_lookup_tcp": "bpf_skc_lookup_tcp_proto"
},
"f": "bpf_sk_base_func_proto"
},
"flow_dissector_func_proto": {
"c": {
"skb_load_bytes": "bpf_flow_dissector_load_bytes_proto"
},
"f": "bpf_sk_base_func_proto"
},
"lwt_out_func_proto": {
"c": {
"skb_load_bytes": "bpf_skb_load_bytes_proto",
"skb_pull_data": "bpf_skb_pull_data_proto",
"csum_diff": "bpf_csum_diff_proto",
"get_cgroup_classid": "bpf_get_cgroup_classid_proto",
"get_route_realm": "bpf_get_route_realm_proto",
"get_hash_recalc": "bpf_get_hash_recalc_proto",
"perf_event_output": "bpf_skb_event_output_proto",
"get_smp_processor_id": "bpf_get_smp_processor_id_proto",
"skb_under_cgroup": "bpf_skb_under_cgroup_proto"
},
"f": "bpf_sk_base_func_proto"
},
"lwt_in_func_proto": {
"c": {
"lwt_push_encap": "bpf_lwt_in_push_encap_proto"
},
"f": "lwt_out_func_proto"
},
"lwt_xmit_func_proto": {
"c": {
"skb_get_tunnel_key": "bpf_skb_get_tunnel_key_proto",
"skb_set_tunnel_key": "bpf_skb_set_tunnel_key_proto",
"skb_get_tunnel_opt": "bpf_skb_get_tunnel_opt_proto",
"skb_set_tunnel_opt": "bpf_skb_set_tunnel_opt_proto",
"redirect": "bpf_redirect_proto",
"clone_redirect": "bpf_clone_redirect_proto",
"skb_change_tail": "bpf_skb_change_tail_proto",
"skb_change_head": "bpf_skb_change_head_proto",
"skb_store_bytes": "bpf_skb_store_bytes_proto",
"csum_update": "bpf_csum_update_proto",
"csum_level": "bpf_csum_level_proto",
"l3_csum_replace": "bpf_l3_csum_replace_proto",
"l4_csum_replace": "bpf_l4_csum_replace_proto",
"set_hash_invalid": "bpf_set_hash_invalid_proto",
"lwt_push_encap": "bpf_lwt_xmit_push_encap_proto"
},
"f": "lwt_out_func_proto"
},
"lwt_seg6local_func_proto": {
"c": {
"skb_pull_data": [
"bpf_skb_pull_data_proto",
1
],
"lwt_seg6_store_bytes": "bpf_lwt_seg6_store_bytes_proto",
"lwt_seg6_action": "bpf_lwt_seg6_action_proto",
"lwt_seg6_adjust_srh": "bpf_lwt_seg6_adjust_srh_proto"
},
"f": "lwt_out_func_proto"
},
"sk_reuseport_func_proto": {
"c": {
"sk_select_reuseport": "sk_select_reuseport_proto",
"skb_load_bytes": "sk_reuseport_load_bytes_proto",
"skb_load_bytes_relative": "sk_reuseport_load_bytes_relative_proto",
"get_socket_cookie": "bpf_get_socket_ptr_cookie_proto",
"ktime_get_coarse_ns": "bpf_ktime_get_coarse_ns_proto"
},
"f": "bpf_base_func_proto"
},
"sk_lookup_func_proto": {
"c": {
"perf_event_output": "bpf_event_output_data_proto",
"sk_assign": "bpf_sk_lookup_assign_proto",
"sk_release": "bpf_sk_release_proto"
},
"f": "bpf_sk_base_func_proto"
},
"bpf_sk_base_func_proto": {
"c": {
"skc_to_tcp6_sock": "bpf_skc_to_tcp6_sock_proto",
"skc_to_tcp_sock": "bpf_skc_to_tcp_sock_proto",
"skc_to_tcp_timewait_sock": "bpf_skc_to_tcp_timewait_sock_proto",
"skc_to_tcp_request_sock": "bpf_skc_to_tcp_request_sock_proto",
"skc_to_udp6_sock": "bpf_skc_to_udp6_sock_proto",
"skc_to_unix_sock": "bpf_skc_to_unix_sock_proto",
"skc_to_mptcp_sock": "bpf_skc_to_mptcp_sock_proto",
"ktime_get_coarse_ns": "bpf_ktime_get_coarse_ns_proto"
},
"f": "bpf_base_func_proto"
},
"bpf_iter_unix_get_func_proto": {
"c": {
"setsockopt": "bpf_sk_setsockopt_proto",
"getsockopt": "bpf_sk_getsockopt_proto"
},
"f": null
},
"bpf_iter_tcp_get_func_proto": {
"c": {
"setsockopt": "bpf_sk_setsockopt_proto",
"getsockopt": "bpf_sk_getsockopt_proto"
},
"f": null
},
"bpf_tcp_ca_get_func_proto": {
"c": {
"tcp_send_ack": "bpf_tcp_send_ack_proto",
"sk_storage_get": "bpf_sk_storage_get_proto",
"sk_storage_delete": "bpf_sk_storage_delete_proto",
"setsockopt": [
"bpf_sk_setsockopt_proto",
1
],
"getsockopt": [
"bpf_sk_getsockopt_proto",
1
],
"ktime_get_coarse_ns": "bpf_ktime_get_coarse_ns_proto"
},
"f": "bpf_base_func_proto"
}
};

export const PROG_TYPE_PROTO_FN: Record<string, string> = {
"SOCKET_FILTER": "sk_filter_func_proto",
"SCHED_CLS": "tc_cls_act_func_proto",
"SCHED_ACT": "tc_cls_act_func_proto",
"XDP": "xdp_func_proto",
"CGROUP_SKB": "cg_skb_func_proto",
"CGROUP_SOCK": "sock_filter_func_proto",
"CGROUP_SOCK_ADDR": "sock_addr_func_proto",
"LWT_IN": "lwt_in_func_proto",
"LWT_OUT": "lwt_out_func_proto",
"LWT_XMIT": "lwt_xmit_func_proto",
"LWT_SEG6LOCAL": "lwt_seg6local_func_proto",
"SOCK_OPS": "sock_ops_func_proto",
"SK_SKB": "sk_skb_func_proto",
"SK_MSG": "sk_msg_func_proto",
"FLOW_DISSECTOR": "flow_dissector_func_proto",
"KPROBE": "kprobe_prog_func_proto",
"TRACEPOINT": "tp_prog_func_proto",
"PERF_EVENT": "pe_prog_func_proto",
"RAW_TRACEPOINT": "raw_tp_prog_func_proto",
"RAW_TRACEPOINT_WRITABLE": "raw_tp_prog_func_proto",
"TRACING": "tracing_prog_func_proto",
"CGROUP_DEVICE": "cgroup_dev_func_proto",
"CGROUP_SYSCTL": "sysctl_func_proto",
"CGROUP_SOCKOPT": "cg_sockopt_func_proto",
"SK_REUSEPORT": "sk_reuseport_func_proto",
"SK_LOOKUP": "sk_lookup_func_proto",
"LSM": "bpf_lsm_func_proto",
"SYSCALL": "syscall_prog_func_proto"
};

export const PROG_TYPE_ACCESS_FN: Record<string, string> = {
"SOCKET_FILTER": "sk_filter_is_valid_access",
"SCHED_CLS": "tc_cls_act_is_valid_access",
"SCHED_ACT": "tc_cls_act_is_valid_access",
"XDP": "xdp_is_valid_access",
"CGROUP_SKB": "cg_skb_is_valid_access",
"CGROUP_SOCK": "sock_filter_is_valid_access",
"CGROUP_SOCK_ADDR": "sock_addr_is_valid_access",
"LWT_IN": "lwt_is_valid_access",
"LWT_OUT": "lwt_is_valid_access",
"LWT_XMIT": "lwt_is_valid_access",
"LWT_SEG6LOCAL": "lwt_is_valid_access",
"SOCK_OPS": "sock_ops_is_valid_access",
"SK_SKB": "sk_skb_is_valid_access",
"SK_MSG": "sk_msg_is_valid_access",
"FLOW_DISSECTOR": "flow_dissector_is_valid_access",
"KPROBE": "kprobe_prog_is_valid_access",
"TRACEPOINT": "tp_prog_is_valid_access",
"PERF_EVENT": "pe_prog_is_valid_access",
"RAW_TRACEPOINT": "raw_tp_prog_is_valid_access",
"RAW_TRACEPOINT_WRITABLE": "raw_tp_writable_prog_is_valid_access",
"TRACING": "tracing_prog_is_valid_access",
"CGROUP_DEVICE": "cgroup_dev_is_valid_access",
"CGROUP_SYSCTL": "sysctl_is_valid_access",
"CGROUP_SOCKOPT": "cg_sockopt_is_valid_access",
"SK_REUSEPORT": "sk_reuseport_is_valid_access",
"SK_LOOKUP": "sk_lookup_is_valid_access",
"LSM": "btf_ctx_access",
"SYSCALL": "syscall_prog_is_valid_access"
};

export const BASE_TIER: Record<string, number> = {"map_lookup_elem": 0, "map_update_elem": 0, "map_delete_elem": 0, "map_push_elem": 0, "map_pop_elem": 0, "map_peek_elem": 0, "map_lookup_percpu_elem": 0, "get_prandom_u32": 0, "get_smp_processor_id": 0, "get_numa_node_id": 0, "tail_call": 0, "ktime_get_ns": 0, "ktime_get_boot_ns": 0, "ktime_get_tai_ns": 0, "ringbuf_output": 0, "ringbuf_reserve": 0, "ringbuf_submit": 0, "ringbuf_discard": 0, "ringbuf_query": 0, "strncmp": 0, "strtol": 0, "strtoul": 0, "spin_lock": 1, "spin_unlock": 1, "jiffies64": 1, "per_cpu_ptr": 1, "this_cpu_ptr": 1, "timer_init": 1, "timer_set_callback": 1, "timer_start": 1, "timer_cancel": 1, "kptr_xchg": 1, "for_each_map_elem": 1, "loop": 1, "user_ringbuf_drain": 1, "ringbuf_reserve_dynptr": 1, "ringbuf_submit_dynptr": 1, "ringbuf_discard_dynptr": 1, "dynptr_from_mem": 1, "dynptr_read": 1, "dynptr_write": 1, "dynptr_data": 1, "trace_printk": 2, "get_current_task": 2, "get_current_task_btf": 2, "probe_read_user": 2, "probe_read_kernel": 2, "probe_read_user_str": 2, "probe_read_kernel_str": 2, "snprintf_btf": 2, "snprintf": 2, "task_pt_regs": 2, "trace_vprintk": 2};
