/**
 * Socket helpers over the simulated kernel's sockets. The only socket a program can hold is the dummy one
 * bpf_prog_test_run_skb attaches to the test skb (skb->sk, seen as a struct bpf_sock): socket lookups find
 * nothing (the simulated kernel has no socket tables), and the casts answer from the socket's own fields
 * as Linux 6.1 does (sk_fullsock: not TIME_WAIT / NEW_SYN_RECV; tcp_sock: a TCP stream socket;
 * get_listener_sock: a listening TCP socket). The socket storage helpers also take the kernel model's
 * sockets (tracing programs' BTF-typed `struct sock` pointers).
 */
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { SkStorageMap } from '../maps/sk-storage.js';
import { KernelObject, ObjectWindow } from '../objects/heap.js';
import { storageAdded, storageRemoved } from '../model/storage-owner.js';
import { sockPath } from '../model/sockets.js';
import { errno, ERRNO, mapOfKind, ret } from './args.js';
import { BPF_SOCK } from '../progtypes/layouts-cgroup.js';
import { fieldByName } from '../progtypes/layouts.js';

/** struct bpf_sock offsets (type, protocol, state) and the values the casts test. */
const SK_TYPE = fieldByName(BPF_SOCK, 'type').off;
const SK_PROTOCOL = fieldByName(BPF_SOCK, 'protocol').off;
const SK_STATE = fieldByName(BPF_SOCK, 'state').off;
const SOCK_STREAM = 1n;
const IPPROTO_TCP = 6n;
const TCP_TIME_WAIT = 6n;
const TCP_LISTEN = 10n;
const TCP_NEW_SYN_RECV = 12n;

/** bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp (every variant): no socket matches; NULL. */
export const skLookup: HelperFn = () => 0n;

/** bpf_sk_release: puts a refcounted socket; the lookups never hand one out, so nothing to put. */
export const skRelease: HelperFn = () => 0n;

/** bpf_sk_fullsock(sk): sk unless it is a request or timewait socket. */
export const skFullsock: HelperFn = (ctx, sk) => {
  const state = ctx.space.read(sk + BigInt(SK_STATE), 4);
  return state === TCP_TIME_WAIT || state === TCP_NEW_SYN_RECV ? 0n : sk;
};

const isTcp = (ctx: Parameters<HelperFn>[0], sk: bigint): boolean =>
  ctx.space.read(sk + BigInt(SK_PROTOCOL), 4) === IPPROTO_TCP && ctx.space.read(sk + BigInt(SK_TYPE), 4) === SOCK_STREAM;

/** bpf_tcp_sock(sk): sk when it is a full TCP stream socket, else NULL. */
export const tcpSock: HelperFn = (ctx, sk) => (skFullsock(ctx, sk, 0n, 0n, 0n, 0n) !== 0n && isTcp(ctx, sk) ? sk : 0n);

/** bpf_get_listener_sock(sk): sk when it is a listening TCP socket, else NULL. */
export const getListenerSock: HelperFn = (ctx, sk) =>
  (isTcp(ctx, sk) && ctx.space.read(sk + BigInt(SK_STATE), 4) === TCP_LISTEN ? sk : 0n);

/** BPF_SK_STORAGE_GET_F_CREATE. */
const SK_STORAGE_GET_F_CREATE = 1n;

/** TCPF_TIME_WAIT | TCPF_NEW_SYN_RECV: the states sk_fullsock refuses. */
const NOT_FULL = (1n << TCP_TIME_WAIT) | (1n << TCP_NEW_SYN_RECV);

/**
 * The owner behind a socket pointer when it is a full socket, or undefined: a `struct sock` of the kernel
 * model (any struct embedding one: tcp_sock, unix_sock…), judged by its `skc_state`, with whether it is
 * refcounted (`skc_refcnt`); or a test run's `struct bpf_sock`, by its own fields.
 */
function fullSocket(ctx: Parameters<HelperFn>[0], sk: bigint): { owner: object; live: boolean } | undefined {
  if (sk === 0n) return undefined;
  const r = ctx.space.regionAt(sk);
  if (r?.owner instanceof ObjectWindow) {
    const obj = r.owner.object;
    const path = sockPath(obj);
    if (path === undefined) return undefined;
    const at = path === '' ? '' : `${path}.`;
    if (((1n << obj.get(`${at}__sk_common.skc_state`)) & NOT_FULL) !== 0n) return undefined;
    return { owner: obj, live: obj.get(`${at}__sk_common.skc_refcnt`) !== 0n };
  }
  if (skFullsock(ctx, sk, 0n, 0n, 0n, 0n) === 0n || r === undefined) return undefined;
  return { owner: r, live: true };
}

/** bpf_sk_storage_get(map, sk, value, flags): the socket's storage, created from `value` (or zeroed) with F_CREATE. */
export const skStorageGet = (k: Kernel): HelperFn => (ctx, map, sk, value, flags) => {
  const m = mapOfKind(ctx, 'bpf_sk_storage_get', 1, map, SkStorageMap, 'a socket storage map');
  const sock = fullSocket(ctx, sk);
  if (sock === undefined || flags > SK_STORAGE_GET_F_CREATE) return 0n;
  const have = m.storageOf(sock.owner, false, null);
  if (have !== null) return have.region.addr(have.offset);
  if (flags !== SK_STORAGE_GET_F_CREATE || !sock.live) return 0n;
  const init = value === 0n ? null : ctx.space.readBytes(value, m.valueSize);
  const ref = m.storageOf(sock.owner, true, init, 'socket storage')!;
  if (sock.owner instanceof KernelObject) storageAdded(k.world(sock.owner.heap.types), sock.owner);
  return ref.region.addr(ref.offset);
};

/** bpf_sk_storage_delete(map, sk): 0, -ENOENT without storage, -EINVAL for a socket that is not full. */
export const skStorageDelete = (k: Kernel): HelperFn => (ctx, map, sk) => {
  const m = mapOfKind(ctx, 'bpf_sk_storage_delete', 1, map, SkStorageMap, 'a socket storage map');
  const sock = fullSocket(ctx, sk);
  if (sock === undefined) return errno(ERRNO.EINVAL);
  if (!sock.live) return errno(ERRNO.ENOENT);
  const r = m.deleteOf(sock.owner);
  if (r === 0 && sock.owner instanceof KernelObject) storageRemoved(k.world(sock.owner.heap.types), sock.owner);
  return ret(r);
};
