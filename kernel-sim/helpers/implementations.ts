/**
 * The helpers the simulated kernel implements, keyed by the prototype variant they implement (a helper id
 * with several variants may have several implementations, or one shared). Only what is really
 * implemented is here: a variant missing from this table is offered by the catalogue but not callable.
 */
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { loop, tailCall } from './control.js';
import { packetEventOutput, perfEventOutput, spinLock, spinUnlock } from './events.js';
import * as M from './maps.js';
import * as P from './packet-helpers.js';
import { seqPrintf, seqWrite, snprintf, tracePrintk, traceVprintk } from './printk.js';
import { probeRead, probeReadStr, probeReadUser, probeReadUserStr } from './probe-read.js';
import type { ProtoName } from './protos-6.1.js';
import * as R from './ringbuf.js';
import * as D from './dynptr.js';
import * as B from './skb-helpers.js';
import * as S from './system.js';
import * as K from './sockets.js';
import { getRetval, setRetval } from './cgroup-retval.js';
import { sockOpsCbFlagsSet } from './sock-ops.js';
import { sysctlGetCurrentValue, sysctlGetName, sysctlGetNewValue, sysctlSetNewValue } from './sysctl.js';
import * as X from './strtox.js';
import { redirectMap } from './redirect-map.js';
import { getStackid } from './stackid.js';
import * as MH from './model-helpers.js';

type Make = (k: Kernel) => HelperFn;
const plain = (fn: HelperFn): Make => () => fn;

export const IMPLEMENTATIONS: Partial<Record<ProtoName, Make>> = {
  bpf_map_lookup_elem_proto: plain(M.mapLookupElem),
  bpf_sock_ops_cb_flags_set_proto: plain(sockOpsCbFlagsSet),
  bpf_get_retval_proto: getRetval,
  bpf_set_retval_proto: setRetval,
  sk_reuseport_load_bytes_proto: plain(P.skbLoadBytes),
  bpf_sysctl_get_name_proto: plain(sysctlGetName),
  bpf_sysctl_get_current_value_proto: plain(sysctlGetCurrentValue),
  bpf_sysctl_get_new_value_proto: plain(sysctlGetNewValue),
  bpf_sysctl_set_new_value_proto: plain(sysctlSetNewValue),
  bpf_map_update_elem_proto: plain(M.mapUpdateElem),
  bpf_map_delete_elem_proto: plain(M.mapDeleteElem),
  bpf_map_push_elem_proto: plain(M.mapPushElem),
  bpf_map_pop_elem_proto: plain(M.mapPopElem),
  bpf_map_peek_elem_proto: plain(M.mapPeekElem),
  bpf_map_lookup_percpu_elem_proto: plain(M.mapLookupPercpuElem),
  bpf_for_each_map_elem_proto: plain(M.forEachMapElem),
  bpf_ringbuf_output_proto: plain(R.ringbufOutput),
  bpf_ringbuf_reserve_proto: plain(R.ringbufReserve),
  bpf_ringbuf_submit_proto: plain(R.ringbufSubmit),
  bpf_ringbuf_discard_proto: plain(R.ringbufDiscard),
  bpf_ringbuf_query_proto: plain(R.ringbufQuery),
  bpf_dynptr_from_mem_proto: plain(D.dynptrFromMem),
  bpf_dynptr_read_proto: plain(D.dynptrRead),
  bpf_dynptr_write_proto: plain(D.dynptrWrite),
  bpf_dynptr_data_proto: plain(D.dynptrData),
  bpf_ringbuf_reserve_dynptr_proto: plain(D.ringbufReserveDynptr),
  bpf_ringbuf_submit_dynptr_proto: plain(D.ringbufSubmitDynptr),
  bpf_ringbuf_discard_dynptr_proto: plain(D.ringbufDiscardDynptr),
  bpf_tail_call_proto: plain(tailCall),
  bpf_loop_proto: plain(loop),
  bpf_ktime_get_ns_proto: S.ktimeGetNs,
  bpf_ktime_get_boot_ns_proto: S.ktimeGetBootNs,
  bpf_ktime_get_coarse_ns_proto: S.ktimeGetCoarseNs,
  bpf_get_prandom_u32_proto: S.getPrandomU32,
  bpf_get_raw_smp_processor_id_proto: S.getSmpProcessorId,
  bpf_get_smp_processor_id_proto: S.getSmpProcessorId,
  bpf_get_numa_node_id_proto: plain(S.getNumaNodeId),
  bpf_get_current_pid_tgid_proto: S.getCurrentPidTgid,
  bpf_get_current_uid_gid_proto: S.getCurrentUidGid,
  bpf_get_current_comm_proto: S.getCurrentComm,
  bpf_get_current_task_proto: S.getCurrentTask,
  bpf_get_current_task_btf_proto: S.getCurrentTask,
  bpf_get_current_cgroup_id_proto: S.getCurrentCgroupId,
  bpf_get_current_ancestor_cgroup_id_proto: S.getCurrentAncestorCgroupId,
  bpf_per_cpu_ptr_proto: S.perCpuPtr,
  bpf_this_cpu_ptr_proto: plain(S.thisCpuPtr),
  bpf_trace_printk_proto: tracePrintk,
  bpf_trace_vprintk_proto: traceVprintk,
  bpf_seq_printf_proto: seqPrintf,
  bpf_seq_write_proto: seqWrite,
  bpf_snprintf_proto: plain(snprintf),
  bpf_probe_read_kernel_proto: plain(probeRead),
  bpf_probe_read_user_proto: probeReadUser,
  bpf_probe_read_compat_proto: plain(probeRead),
  bpf_probe_read_kernel_str_proto: plain(probeReadStr),
  bpf_probe_read_user_str_proto: probeReadUserStr,
  bpf_probe_read_compat_str_proto: plain(probeReadStr),
  bpf_perf_event_output_proto: plain(perfEventOutput),
  bpf_perf_event_output_proto_tp: plain(perfEventOutput),
  bpf_perf_event_output_proto_raw_tp: plain(perfEventOutput),
  bpf_skb_event_output_proto: plain(packetEventOutput),
  bpf_xdp_event_output_proto: plain(packetEventOutput),
  bpf_spin_lock_proto: spinLock,
  bpf_spin_unlock_proto: spinUnlock,
  bpf_skb_load_bytes_proto: plain(P.skbLoadBytes),
  bpf_skb_store_bytes_proto: plain(P.skbStoreBytes),
  bpf_l3_csum_replace_proto: plain(P.l3CsumReplace),
  bpf_l4_csum_replace_proto: plain(P.l4CsumReplace),
  bpf_csum_diff_proto: plain(P.csumDiff),
  bpf_xdp_adjust_head_proto: plain(P.xdpAdjustHead),
  bpf_xdp_adjust_tail_proto: plain(P.xdpAdjustTail),
  bpf_xdp_adjust_meta_proto: plain(P.xdpAdjustMeta),
  bpf_redirect_proto: P.redirectTc,
  bpf_xdp_redirect_proto: P.redirectXdp,
  bpf_xdp_redirect_map_proto: plain(redirectMap),
  bpf_get_stackid_proto: plain(getStackid),
  bpf_get_stackid_proto_pe: plain(getStackid),
  bpf_get_stackid_proto_raw_tp: plain(getStackid),
  bpf_get_stackid_proto_tp: plain(getStackid),
  bpf_sk_lookup_tcp_proto: plain(K.skLookup),
  bpf_sock_addr_sk_lookup_tcp_proto: plain(K.skLookup),
  bpf_tc_sk_lookup_tcp_proto: plain(K.skLookup),
  bpf_xdp_sk_lookup_tcp_proto: plain(K.skLookup),
  bpf_sk_lookup_udp_proto: plain(K.skLookup),
  bpf_sock_addr_sk_lookup_udp_proto: plain(K.skLookup),
  bpf_tc_sk_lookup_udp_proto: plain(K.skLookup),
  bpf_xdp_sk_lookup_udp_proto: plain(K.skLookup),
  bpf_skc_lookup_tcp_proto: plain(K.skLookup),
  bpf_sock_addr_skc_lookup_tcp_proto: plain(K.skLookup),
  bpf_tc_skc_lookup_tcp_proto: plain(K.skLookup),
  bpf_xdp_skc_lookup_tcp_proto: plain(K.skLookup),
  bpf_sk_release_proto: plain(K.skRelease),
  bpf_sk_fullsock_proto: plain(K.skFullsock),
  bpf_tcp_sock_proto: plain(K.tcpSock),
  bpf_get_listener_sock_proto: plain(K.getListenerSock),
  bpf_strtol_proto: plain(X.strtol),
  bpf_strtoul_proto: plain(X.strtoul),
  bpf_strncmp_proto: plain(X.strncmp),
  bpf_csum_update_proto: plain(X.csumUpdate),
  bpf_get_local_storage_proto: plain(M.getLocalStorage),
  bpf_sk_storage_get_proto: K.skStorageGet,
  bpf_sk_storage_get_cg_sock_proto: K.skStorageGet,
  bpf_sk_storage_get_tracing_proto: K.skStorageGet,
  bpf_sk_storage_delete_proto: K.skStorageDelete,
  bpf_sk_storage_delete_tracing_proto: K.skStorageDelete,
  bpf_skb_vlan_push_proto: plain(B.skbVlanPush),
  bpf_skb_vlan_pop_proto: plain(B.skbVlanPop),
  bpf_skb_change_head_proto: plain(B.skbChangeHead),
  bpf_skb_pull_data_proto: plain(B.skbPullData),
  sk_skb_pull_data_proto: plain(B.skSkbPullData),
  sk_skb_change_head_proto: plain(B.skbChangeHead),
  bpf_get_hash_recalc_proto: plain(B.getHashRecalc),
  bpf_skb_fib_lookup_proto: plain(B.fibLookup),
  bpf_d_path_proto: MH.dPath,
  bpf_get_ns_current_pid_tgid_proto: MH.getNsCurrentPidTgid,
  bpf_task_pt_regs_proto: MH.taskPtRegs,
  bpf_get_task_stack_proto: MH.getTaskStack,
  bpf_get_stack_proto: plain(MH.getStack),
  bpf_get_stack_proto_pe: plain(MH.getStack),
  bpf_get_stack_proto_raw_tp: plain(MH.getStack),
  bpf_get_stack_proto_tp: plain(MH.getStack),
  bpf_task_storage_get_proto: MH.taskStorageGet,
  bpf_task_storage_delete_proto: MH.taskStorageDelete,
  bpf_inode_storage_get_proto: MH.inodeStorageGet,
  bpf_inode_storage_delete_proto: MH.inodeStorageDelete,
  bpf_probe_write_user_proto: MH.probeWriteUser,
  bpf_xdp_fib_lookup_proto: plain(B.fibLookup),
};
