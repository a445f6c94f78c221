/**
 * Linux 6.1 net/netfilter/nf_conntrack_bpf.c and nf_nat_bpf.c over the simulated conntrack table:
 * option-struct validation and errno results as the sources have them (the errno goes to opts->error
 * when opts__sz covers it, and the kfunc returns NULL). Registered for xdp and sched_cls programs.
 */
import { ERRNO } from '../../maps/errno.js';
import type { KernelObject } from '../../objects/heap.js';
import {
  AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, IPS, changeCtStatus, changeCtTimeout, invertTuple, isConfirmed,
  msecsToJiffies, setCtTimeout, type CtTuple,
} from '../../objects/conntrack.js';
import { defineKfunc as k, kfuncSet } from '../define.js';
import { idFlags, type KfuncCall } from '../types.js';

const { EINVAL, EPROTO, EAFNOSUPPORT, ENONET, ENOENT, ENOMEM } = ERRNO;
/** NF_BPF_CT_OPTS_SZ. */
const NF_BPF_CT_OPTS_SZ = 12;
/** BPF_F_CURRENT_NETNS. */
const CURRENT_NETNS = -1;
/** sizeof(bpf_tuple->ipv4), sizeof(bpf_tuple->ipv6). */
const IPV4_TUPLE = 12, IPV6_TUPLE = 36;

/** struct bpf_ct_opts as the program passed it (args 3 and 4: opts, opts__sz). */
interface Opts {
  bytes: Uint8Array;
  len: number;
}

function optsOf(c: KfuncCall): Opts {
  return { bytes: c.mem(3), len: Number(c.scalar(4)) };
}

/** bpf_nf_ct_tuple_parse: the tuple as seen in direction `dir`, or -errno. */
function parseTuple(t: Uint8Array, len: number, protonum: number, dir: 0 | 1): CtTuple | number {
  if (protonum !== IPPROTO_TCP && protonum !== IPPROTO_UDP) return -EPROTO;
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const addr = len === IPV4_TUPLE ? 4 : len === IPV6_TUPLE ? 16 : 0;
  if (addr === 0) return -EAFNOSUPPORT;
  const pad = (b: Uint8Array) => { const a = new Uint8Array(16); a.set(b); return a; };
  const tuple: CtTuple = {
    l3num: addr === 4 ? AF_INET : AF_INET6, protonum,
    src: pad(t.subarray(0, addr)), dst: pad(t.subarray(addr, 2 * addr)),
    sport: dv.getUint16(2 * addr, true), dport: dv.getUint16(2 * addr + 2, true),
  };
  return dir === 0 ? tuple : invertTuple(tuple);
}

/** The checks shared by alloc and lookup; returns netns_id and l4proto, or -errno. */
function checkOpts(o: Opts): { netns: number; l4proto: number } | number {
  if (o.bytes[10] !== 0 || o.bytes[11] !== 0 || o.len !== NF_BPF_CT_OPTS_SZ) return -EINVAL;
  const dv = new DataView(o.bytes.buffer, o.bytes.byteOffset, o.bytes.byteLength);
  return { netns: dv.getInt32(0, true), l4proto: o.bytes[8]! };
}

/** bpf_ct_opts_result: an errno goes to opts->error (when opts__sz covers it) and the result is NULL. */
function result(o: Opts, r: KernelObject | { object: KernelObject; type: string } | number) {
  if (typeof r !== 'number') return r;
  if (o.len >= 8) new DataView(o.bytes.buffer, o.bytes.byteOffset).setInt32(4, r, true);
  return null;
}

function allocEntry(c: KfuncCall) {
  const o = optsOf(c);
  const tupleLen = Number(c.scalar(2));
  const checked = checkOpts(o);
  if (typeof checked === 'number') return result(o, checked);
  if (checked.netns < CURRENT_NETNS) return result(o, -EINVAL);
  const orig = parseTuple(c.mem(1), tupleLen, checked.l4proto, 0);
  if (typeof orig === 'number') return result(o, orig);
  if (checked.netns >= 0) return result(o, -ENONET);
  const ct = c.world.conntrack.alloc(orig, 10 * 250); // __nf_ct_set_timeout(ct, 10 * HZ)
  return result(o, { object: ct, type: 'nf_conn___init' });
}

function lookup(c: KfuncCall) {
  const o = optsOf(c);
  const tupleLen = Number(c.scalar(2));
  const checked = checkOpts(o);
  if (typeof checked === 'number') return result(o, checked);
  if (checked.l4proto !== IPPROTO_TCP && checked.l4proto !== IPPROTO_UDP) return result(o, -EPROTO);
  if (checked.netns < CURRENT_NETNS) return result(o, -EINVAL);
  const tuple = parseTuple(c.mem(1), tupleLen, checked.l4proto, 0);
  if (typeof tuple === 'number') return result(o, tuple);
  if (checked.netns >= 0) return result(o, -ENONET);
  const found = c.world.conntrack.findGet(tuple);
  if (found === null) return result(o, -ENOENT);
  o.bytes[9] = found.dir; // opts->dir
  return found.ct;
}

export const xdpCtAlloc = k('struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)', allocEntry);
export const xdpCtLookup = k('struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)', lookup);
export const skbCtAlloc = k('struct nf_conn___init *bpf_skb_ct_alloc(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)', allocEntry);
export const skbCtLookup = k('struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb_ctx, struct bpf_sock_tuple *bpf_tuple, u32 tuple__sz, struct bpf_ct_opts *opts, u32 opts__sz)', lookup);

export const ctInsertEntry = k('struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *nfct_i)', (c) => {
  const ct = c.object(0);
  const table = c.world.conntrack;
  if (!isConfirmed(ct)) ct.set('timeout', (Number(ct.get('timeout')) + table.now()) >>> 0);
  ct.set('status', Number(ct.get('status')) | IPS.CONFIRMED);
  if (table.insert(ct) < 0) {
    c.world.heap.put(ct); // nf_conntrack_free
    return null;
  }
  return { object: ct, type: 'nf_conn' };
}, { onInjectedNull: (c) => c.world.heap.put(c.object(0)) });

export const ctRelease = k('void bpf_ct_release(struct nf_conn *nfct)', (c) => c.world.heap.put(c.object(0)));
export const ctSetTimeout = k('void bpf_ct_set_timeout(struct nf_conn___init *nfct, u32 timeout)',
  (c) => setCtTimeout(c.object(0), msecsToJiffies(Number(c.scalar(1))), c.world.conntrack.now()));
export const ctChangeTimeout = k('int bpf_ct_change_timeout(struct nf_conn *nfct, u32 timeout)',
  (c) => changeCtTimeout(c.object(0), msecsToJiffies(Number(c.scalar(1))), c.world.conntrack.now()));
export const ctSetStatus = k('int bpf_ct_set_status(const struct nf_conn___init *nfct, u32 status)', (c) => changeCtStatus(c.object(0), Number(c.scalar(1))));
export const ctChangeStatus = k('int bpf_ct_change_status(struct nf_conn *nfct, u32 status)', (c) => changeCtStatus(c.object(0), Number(c.scalar(1))));

/** bpf_ct_set_nat_info → nf_nat_setup_info (NF_DROP becomes -ENOMEM). */
export const ctSetNatInfo = k('int bpf_ct_set_nat_info(struct nf_conn___init *nfct, union nf_inet_addr *addr, int port, enum nf_nat_manip_type manip)', (c) => {
  const ct = c.object(0);
  const table = c.world.conntrack;
  const orig = table.readTuple(ct, 0);
  if (orig.l3num !== AF_INET && orig.l3num !== AF_INET6) return -EINVAL;
  const manip = Number(BigInt.asIntN(32, c.scalar(3)));
  if (manip !== 0 && manip !== 1) return -EINVAL;
  if (isConfirmed(ct)) return 0; // NF_ACCEPT: no NAT for a confirmed entry
  const status = Number(ct.get('status'));
  const done = manip === 0 ? IPS.SRC_NAT_DONE : IPS.DST_NAT_DONE;
  if (status & done) return -ENOMEM; // WARN_ON(nf_nat_initialized) → NF_DROP
  const addr = new Uint8Array(16);
  addr.set(c.mem(1).subarray(0, orig.l3num === AF_INET ? 4 : 16));
  const port = Number(BigInt.asIntN(32, c.scalar(2)));
  const curr = invertTuple(table.readTuple(ct, 1));
  const next: CtTuple = manip === 0
    ? { ...curr, src: addr, sport: port > 0 ? swap16(port) : curr.sport }
    : { ...curr, dst: addr, dport: port > 0 ? swap16(port) : curr.dport };
  let bits = done;
  if (!sameTuple(next, curr)) {
    table.writeTuple(ct, 1, invertTuple(next));
    bits |= manip === 0 ? IPS.SRC_NAT : IPS.DST_NAT;
  }
  ct.set('status', status | bits);
  return 0;
});

/** cpu_to_be16 on a little-endian host, as the port is stored. */
function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
}

function sameTuple(a: CtTuple, b: CtTuple): boolean {
  return a.sport === b.sport && a.dport === b.dport && a.src.every((x, i) => x === b.src[i]) && a.dst.every((x, i) => x === b.dst[i]);
}

/** BTF_SET8 nf_ct_kfunc_set. */
export const NF_CT_KFUNC_SET = kfuncSet('net/netfilter/nf_conntrack_bpf.c', [
  idFlags(xdpCtAlloc, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(xdpCtLookup, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(skbCtAlloc, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(skbCtLookup, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(ctInsertEntry, 'KF_ACQUIRE', 'KF_RET_NULL', 'KF_RELEASE'),
  idFlags(ctRelease, 'KF_RELEASE'),
  idFlags(ctSetTimeout, 'KF_TRUSTED_ARGS'),
  idFlags(ctChangeTimeout, 'KF_TRUSTED_ARGS'),
  idFlags(ctSetStatus, 'KF_TRUSTED_ARGS'),
  idFlags(ctChangeStatus, 'KF_TRUSTED_ARGS'),
]);

/** BTF_SET8 nf_nat_kfunc_set. */
export const NF_NAT_KFUNC_SET = kfuncSet('net/netfilter/nf_nat_bpf.c', [idFlags(ctSetNatInfo, 'KF_TRUSTED_ARGS')]);
