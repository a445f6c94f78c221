/**
 * Linux 6.1 kernel/trace/bpf_trace.c key kfuncs (BTF_SET8 key_sig_kfunc_set, tracing hook) over the
 * simulated keyring. A `struct bpf_key` is a kernel object: `key` is the user key's object (has_ref = 1)
 * or the system keyring id itself (has_ref = 0), as the kernel stores it.
 */
import { KEY_LOOKUP_ALL } from '../../objects/keyring.js';
import { defineKfunc as k, kfuncSet } from '../define.js';
import { idFlags, type KfuncCall } from '../types.js';

const EKEYREVOKED = 128;
/** DYNPTR_SIZE_MASK. */
const DYNPTR_SIZE_MASK = 0xffffff;

export const lookupUserKey = k('struct bpf_key *bpf_lookup_user_key(u32 serial, u64 flags)', (c) => {
  if (c.scalar(1) & ~BigInt(KEY_LOOKUP_ALL)) return null;
  const serial = Number(c.scalar(0));
  if (c.world.keyring.userKey(serial) === undefined) return null;
  const key = c.world.heap.create('key', { init: { serial } });
  const bkey = c.world.heap.create('bpf_key', { init: { key: key.home.region.base, has_ref: 1 } });
  c.world.bpfKeys.set(bkey, { serial });
  return bkey;
});

export const lookupSystemKey = k('struct bpf_key *bpf_lookup_system_key(u64 id)', (c) => {
  const id = c.scalar(0);
  if (!c.world.keyring.isSystemKeyring(id)) return null;
  const bkey = c.world.heap.create('bpf_key', { init: { key: id, has_ref: 0 } });
  c.world.bpfKeys.set(bkey, { system: Number(id) });
  return bkey;
});

export const keyPut = k('void bpf_key_put(struct bpf_key *bkey)', (c) => {
  const bkey = c.object(0);
  c.world.heap.put(bkey);
  if (bkey.freed) c.world.bpfKeys.delete(bkey);
});

/** The bytes a struct bpf_dynptr_kern describes (6.1 reads `data` without adding `offset`). */
function dynptrData(c: KfuncCall, i: number): Uint8Array {
  const d = c.mem(i);
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const data = dv.getBigUint64(0, true);
  const size = dv.getUint32(8, true) & DYNPTR_SIZE_MASK;
  return c.kernel.space.readBytes(data, size);
}

export const verifyPkcs7 = k('int bpf_verify_pkcs7_signature(struct bpf_dynptr_kern *data_ptr, struct bpf_dynptr_kern *sig_ptr, struct bpf_key *trusted_keyring)', (c) => {
  const bkey = c.object(2);
  const target = c.world.bpfKeys.get(bkey);
  if (target === undefined) throw new Error('bpf_key without a target');
  if ('serial' in target && c.world.keyring.userKey(target.serial)?.revoked) return -EKEYREVOKED; // key_validate
  return c.world.keyring.verify(dynptrData(c, 0), dynptrData(c, 1), target);
});

export const KEY_SIG_KFUNC_SET = kfuncSet('kernel/trace/bpf_trace.c', [
  idFlags(lookupUserKey, 'KF_ACQUIRE', 'KF_RET_NULL', 'KF_SLEEPABLE'),
  idFlags(lookupSystemKey, 'KF_ACQUIRE', 'KF_RET_NULL'),
  idFlags(keyPut, 'KF_RELEASE'),
  idFlags(verifyPkcs7, 'KF_SLEEPABLE'),
]);
