/**
 * A simulated keyring for the 6.1 key kfuncs. User keys have serials (what bpf_lookup_user_key takes);
 * system keyrings are the ids 0 (builtin), 1 (secondary), 2 (platform) of include/linux/verification.h.
 * Real PKCS#7 is out of scope: a *simulated* signature is the bytes `SIMPKCS7`, the signing key's serial
 * (u32 little-endian) and a 32-byte digest of the data (FNV-1a-based, see `simDigest`); `signSimulated`
 * makes one. Verification checks the format, that the key is in the trusted keyring, and the digest.
 */
export const VERIFY_USE_SECONDARY_KEYRING = 1;
export const VERIFY_USE_PLATFORM_KEYRING = 2;
/** KEY_LOOKUP_CREATE | KEY_LOOKUP_PARTIAL. */
export const KEY_LOOKUP_ALL = 0x03;

const MAGIC = new TextEncoder().encode('SIMPKCS7');
const EBADMSG = 74;
const ENOKEY = 126;
const EKEYREJECTED = 129;
const EKEYREVOKED = 128;

export interface SimKey {
  serial: number;
  description: string;
  revoked: boolean;
}

export class Keyring {
  private readonly keys = new Map<number, SimKey>();
  /** System keyring id → the serials of the keys it holds. */
  private readonly system = new Map<number, Set<number>>([[0, new Set()], [1, new Set()], [2, new Set()]]);
  private nextSerial = 0x1000;

  /** Add a user key (optionally also to system keyrings); returns its serial. */
  addKey(description: string, opts: { systemKeyrings?: number[] } = {}): number {
    const serial = this.nextSerial++;
    this.keys.set(serial, { serial, description, revoked: false });
    for (const id of opts.systemKeyrings ?? []) this.system.get(id)?.add(serial);
    return serial;
  }

  revoke(serial: number): void {
    const k = this.keys.get(serial);
    if (k !== undefined) k.revoked = true;
  }

  userKey(serial: number): SimKey | undefined {
    return this.keys.get(serial);
  }

  /** system_keyring_id_check. */
  isSystemKeyring(id: bigint): boolean {
    return id >= 0n && id <= BigInt(VERIFY_USE_PLATFORM_KEYRING);
  }

  /**
   * verify_pkcs7_signature against a user key (`{ serial }`) or a system keyring (`{ system }`; the
   * secondary keyring includes the builtin one): 0 or -errno.
   */
  verify(data: Uint8Array, sig: Uint8Array, trusted: { serial: number } | { system: number }): number {
    if (sig.length !== MAGIC.length + 4 + 32 || !MAGIC.every((b, i) => sig[i] === b)) return -EBADMSG;
    const signer = new DataView(sig.buffer, sig.byteOffset).getUint32(MAGIC.length, true);
    const key = this.keys.get(signer);
    if (key === undefined || !this.trusts(trusted, signer)) return -ENOKEY;
    if (key.revoked) return -EKEYREVOKED;
    const digest = simDigest(data);
    return digest.every((b, i) => sig[MAGIC.length + 4 + i] === b) ? 0 : -EKEYREJECTED;
  }

  private trusts(trusted: { serial: number } | { system: number }, signer: number): boolean {
    if ('serial' in trusted) return trusted.serial === signer;
    const ids = trusted.system === VERIFY_USE_SECONDARY_KEYRING ? [0, 1] : [trusted.system];
    return ids.some((id) => this.system.get(id)?.has(signer));
  }
}

/** A simulated signature of `data` by key `serial`. */
export function signSimulated(serial: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAGIC.length + 4 + 32);
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(MAGIC.length, serial, true);
  out.set(simDigest(data), MAGIC.length + 4);
  return out;
}

/** 32 bytes: FNV-1a over the data with eight different seeds. Not cryptographic; a stand-in. */
export function simDigest(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  for (let k = 0; k < 8; k++) {
    let h = (0x811c9dc5 ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0;
    for (const b of data) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    dv.setUint32(k * 4, h, true);
  }
  return out;
}
