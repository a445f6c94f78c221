import { LoadError } from '../errors.js';

/**
 * A test of the BPF conformance suite (`.data`): sections introduced by `-- name` lines.
 * `asm` is the program, `mem` optional input bytes (hex), `result` the expected r0, `raw` the program
 * as 64-bit words; other sections (`c`, `no register offset`) are informational.
 */
export interface DataFile {
  asm: string;
  /** 1-based line of the first line of the asm section, so assembler errors point into the file. */
  asmLine: number;
  mem?: Uint8Array;
  result?: bigint;
  raw?: bigint[];
  /** Every section's text by name. */
  sections: ReadonlyMap<string, string>;
}

/** Parses a conformance `.data` file; a malformed one raises LoadError naming the file and line. */
export function parseDataFile(text: string, file?: string): DataFile {
  const sections = new Map<string, string>();
  const starts = new Map<string, number>();
  let current: string | undefined;
  let buf: string[] = [];
  const lines = text.split(/\r?\n/);
  const flush = () => {
    if (current !== undefined) sections.set(current, buf.join('\n'));
  };
  lines.forEach((line, i) => {
    const m = /^--\s*(.*?)\s*$/.exec(line);
    if (m !== null) {
      flush();
      current = m[1]!;
      starts.set(current, i + 2);
      buf = [];
    } else if (current !== undefined) {
      buf.push(line);
    }
  });
  flush();
  const where = (section: string) => ({ file, section, line: starts.get(section) });
  const asm = sections.get('asm');
  if (asm === undefined) throw new LoadError('no "-- asm" section', { file });
  const out: DataFile = { asm, asmLine: starts.get('asm')!, sections };
  const mem = sections.get('mem');
  if (mem !== undefined) out.mem = parseHexBytes(stripComments(mem), where('mem'));
  const result = sections.get('result');
  if (result !== undefined) {
    const t = stripComments(result).trim();
    if (t !== '') {
      try {
        out.result = BigInt.asUintN(64, BigInt(t));
      } catch {
        throw new LoadError(`result "${t}" is not a number`, where('result'));
      }
    }
  }
  const raw = sections.get('raw');
  if (raw !== undefined) {
    out.raw = stripComments(raw).split(/\s+/).filter((w) => w !== '').map((w) => {
      try {
        return BigInt.asUintN(64, BigInt(w));
      } catch {
        throw new LoadError(`raw word "${w}" is not a number`, where('raw'));
      }
    });
  }
  return out;
}

function stripComments(s: string): string {
  return s.split('\n').map((l) => l.replace(/#.*$/, '')).join('\n');
}

/**
 * Hex bytes: contiguous digits or separated by whitespace, an optional `0x` prefix. Used for `-- mem`
 * and the CLI's `--mem`.
 */
export function parseHexBytes(s: string, where: { file?: string; section?: string; line?: number } = {}): Uint8Array {
  let t = s.replace(/\s+/g, '');
  if (/^0x/i.test(t)) t = t.slice(2);
  if (!/^[0-9a-fA-F]*$/.test(t)) {
    const bad = /[^0-9a-fA-F]/.exec(t)!;
    throw new LoadError(`invalid hex digit '${bad[0]}' at position ${bad.index}`, where);
  }
  if (t.length % 2 !== 0) throw new LoadError(`odd number of hex digits (${t.length})`, where);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(i * 2, i * 2 + 2), 16);
  return out;
}
