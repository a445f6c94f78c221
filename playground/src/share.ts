/**
 * The page's state in its URL: the program (assembler text, bytecode hex or the object's bytes) and every
 * input, as JSON, deflated (CompressionStream) and base64url-encoded in the fragment (`#s=…`), which never
 * reaches a server.
 */
export interface Shared {
  mode: 'asm' | 'hex' | 'obj';
  asm?: string;
  hex?: string;
  /** The object file, base64, and its name. */
  obj?: string;
  objName?: string;
  program?: string;
  progType: string;
  logLevel: number;
  data: string;
  ctx: string;
  caps: string[];
  nullInject: string;
}

const b64url = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

const unb64url = (text: string): Uint8Array => {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
};

export const toBase64 = (b: Uint8Array): string => b64url(b);
export const fromBase64 = (t: string): Uint8Array => unb64url(t);

async function pipe(bytes: Uint8Array, t: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(t);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function encodeShared(s: Shared): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(s));
  return 's=' + b64url(await pipe(json, new CompressionStream('deflate-raw')));
}

/** The state a fragment holds, or undefined when it holds none (or a damaged one: the reason is thrown). */
export async function decodeShared(hash: string): Promise<Shared | undefined> {
  const m = /^#?s=([A-Za-z0-9_-]+)$/.exec(hash);
  if (m === null) return undefined;
  let json: string;
  try {
    json = new TextDecoder().decode(await pipe(unb64url(m[1]!), new DecompressionStream('deflate-raw')));
  } catch {
    throw new Error('the shared link is damaged (it does not decompress)');
  }
  const v = JSON.parse(json) as Partial<Shared>;
  if (typeof v !== 'object' || v === null || !['asm', 'hex', 'obj'].includes(v.mode as string)) throw new Error('the shared link holds no program');
  return {
    mode: v.mode!, asm: str(v.asm), hex: str(v.hex), obj: str(v.obj), objName: str(v.objName), program: str(v.program),
    progType: str(v.progType) ?? 'xdp', logLevel: v.logLevel === 2 ? 2 : 1, data: str(v.data) ?? '', ctx: str(v.ctx) ?? '',
    caps: Array.isArray(v.caps) ? v.caps.filter((c): c is string => typeof c === 'string') : [], nullInject: str(v.nullInject) ?? 'off',
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
