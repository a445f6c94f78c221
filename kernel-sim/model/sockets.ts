/**
 * Sockets of the kernel model: any object of a struct that embeds `struct sock` at its start (tcp_sock,
 * udp_sock, unix_sock, inet_sock…, or a bare sock), found by the first-member chain the kernel's casts
 * (`tcp_sk(sk)`, `inet_sk(sk)`) rely on. Which iterators see which socket goes by that type and by the
 * socket's family and protocol.
 */
import type { KernelObject } from '../objects/heap.js';

/** The member path from an object to its embedded `struct sock` ('' for a sock itself), or undefined. */
export function sockPath(obj: KernelObject): string | undefined {
  const types = obj.heap.types;
  const btf = types.btf;
  let id = btf.resolve(types.idOf(obj.type.startsWith('union ') ? obj.type : `struct ${obj.type}`));
  const path: string[] = [];
  for (let depth = 0; depth < 8; depth++) {
    const t = btf.type(id);
    if (t.kind !== 'STRUCT') return undefined;
    if (t.name === 'sock') return path.join('.');
    const first = t.members[0];
    if (first === undefined || first.bitOffset !== 0 || first.name === '') return undefined;
    path.push(first.name);
    id = btf.resolve(first.type);
  }
  return undefined;
}

/** A field of an object's embedded sock (`__sk_common.skc_family`…). */
export function sockField(obj: KernelObject, field: string): bigint | undefined {
  const p = sockPath(obj);
  return p === undefined ? undefined : obj.get(p === '' ? field : `${p}.${field}`);
}
