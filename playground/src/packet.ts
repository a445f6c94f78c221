/** Test packets built from their header fields: Ethernet, IPv4, then TCP, UDP or ICMP, with checksums. */
export type L4 = 'tcp' | 'udp' | 'icmp' | 'none';

export interface FrameFields {
  ethDst: string;
  ethSrc: string;
  /** 0x0800 for IPv4; any other EtherType gives an Ethernet header and the payload alone. */
  ethType: number;
  ipSrc: string;
  ipDst: string;
  ttl: number;
  l4: L4;
  srcPort: number;
  dstPort: number;
  /** TCP flags by letter: S A F R P U. */
  tcpFlags: string;
  payload: string;
}

export const DEFAULT_FRAME: FrameFields = {
  ethDst: '00:11:22:33:44:55', ethSrc: '66:77:88:99:aa:bb', ethType: 0x0800,
  ipSrc: '192.168.0.1', ipDst: '192.168.0.2', ttl: 64, l4: 'tcp', srcPort: 40000, dstPort: 80, tcpFlags: 'S', payload: 'hello',
};

export const PRESETS: Readonly<Record<string, Partial<FrameFields>>> = {
  'IPv4 / TCP SYN': { l4: 'tcp', dstPort: 80, tcpFlags: 'S', payload: '' },
  'IPv4 / UDP DNS': { l4: 'udp', srcPort: 53000, dstPort: 53, payload: 'query' },
  'IPv4 / ICMP echo': { l4: 'icmp', payload: 'ping' },
  'ARP (not IPv4)': { ethType: 0x0806, l4: 'none', payload: '' },
};

export class FieldError extends Error {}

function mac(text: string, what: string): number[] {
  const parts = text.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new FieldError(`${what}: expected a MAC address like 00:11:22:33:44:55, got '${text}'`);
  return parts.map((p) => parseInt(p, 16));
}

function ipv4(text: string, what: string): number[] {
  const parts = text.trim().split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw new FieldError(`${what}: expected an IPv4 address like 10.0.0.1, got '${text}'`);
  return parts.map(Number);
}

function int(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new FieldError(`${what}: expected an integer from 0 to ${max}, got '${v}'`);
  return v;
}

const be16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** The Internet checksum (RFC 1071) of the bytes. */
export function inetChecksum(bytes: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const TCP_FLAG_BITS: Readonly<Record<string, number>> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };

/** The frame's bytes. Each bad field is a FieldError naming it. */
export function buildFrame(f: FrameFields): Uint8Array {
  const payload = [...new TextEncoder().encode(f.payload)];
  const eth = [...mac(f.ethDst, 'Ethernet destination'), ...mac(f.ethSrc, 'Ethernet source'), ...be16(int(f.ethType, 0xffff, 'EtherType'))];
  if (f.ethType !== 0x0800) return new Uint8Array([...eth, ...payload]);
  const src = ipv4(f.ipSrc, 'IPv4 source');
  const dst = ipv4(f.ipDst, 'IPv4 destination');
  let l4: number[] = payload;
  let proto = 0xff;
  if (f.l4 === 'tcp' || f.l4 === 'udp') {
    const sp = int(f.srcPort, 0xffff, 'source port');
    const dp = int(f.dstPort, 0xffff, 'destination port');
    if (f.l4 === 'udp') {
      proto = 17;
      l4 = [...be16(sp), ...be16(dp), ...be16(8 + payload.length), 0, 0, ...payload];
    } else {
      proto = 6;
      let flags = 0;
      for (const c of f.tcpFlags.toUpperCase().replace(/\s/g, '')) {
        const bit = TCP_FLAG_BITS[c];
        if (bit === undefined) throw new FieldError(`TCP flags: '${c}' is none of S A F R P U`);
        flags |= bit;
      }
      l4 = [...be16(sp), ...be16(dp), ...be32(1), ...be32(0), 0x50, flags, ...be16(65535), 0, 0, 0, 0, ...payload];
    }
    const pseudo = [...src, ...dst, 0, proto, ...be16(l4.length), ...l4];
    const sum = inetChecksum(pseudo);
    const at = f.l4 === 'udp' ? 6 : 16;
    [l4[at], l4[at + 1]] = be16(f.l4 === 'udp' && sum === 0 ? 0xffff : sum);
  } else if (f.l4 === 'icmp') {
    proto = 1;
    l4 = [8, 0, 0, 0, ...be16(1), ...be16(1), ...payload];
    [l4[2], l4[3]] = be16(inetChecksum(l4));
  }
  const total = 20 + l4.length;
  if (total > 0xffff) throw new FieldError('payload: the IPv4 packet is longer than 65535 bytes');
  const ip = [0x45, 0, ...be16(total), ...be16(1), 0x40, 0, int(f.ttl, 255, 'TTL'), proto, 0, 0, ...src, ...dst];
  [ip[10], ip[11]] = be16(inetChecksum(ip));
  return new Uint8Array([...eth, ...ip, ...l4]);
}

export const toHex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

/** Hex text (spaces, newlines, `0x` and `\x` prefixes and commas allowed) to bytes; a FieldError otherwise. */
export function fromHex(text: string, what: string): Uint8Array {
  const clean = text.replace(/0x|\\x|[\s,]/gi, '');
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new FieldError(`${what}: not hex (${JSON.stringify(/[^0-9a-fA-F]/.exec(clean)![0])})`);
  if (clean.length % 2 !== 0) throw new FieldError(`${what}: an odd number of hex digits (${clean.length})`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
