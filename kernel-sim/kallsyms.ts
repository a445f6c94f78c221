/**
 * The reference kernel's kallsyms for the symbols vmlinux BTF does not describe: its data symbols
 * (`bpf_link_fops`, `__start_BTF`, `init_net`…), from the System.map of Debian's 6.1.176 build
 * (`data/kallsyms-6.1.gz`, made by data/kallsyms.mjs; see PROVENANCE.json). libbpf resolves a typeless
 * `extern const void x __ksym;` through /proc/kallsyms; bpfvm through this table (functions through the
 * BTF's FUNCs). Read once, the first time such an extern is resolved; under a browser there is no packaged
 * file and only BTF symbols resolve.
 */
import { readPackagedData } from './data-file.js';

export interface KallsymsEntry {
  /** The address System.map gives (the kernel as linked, before KASLR). */
  readonly address: bigint;
  /** nm's type letter: d/D data, b/B bss, r/R read-only data, A absolute, V weak object. */
  readonly type: string;
}

/** A name System.map lists more than once (static symbols of several files) is ambiguous to libbpf. */
export type KallsymsLookup = KallsymsEntry | { readonly ambiguous: readonly bigint[] } | undefined;

let table: Map<string, KallsymsEntry | bigint[]> | null | undefined;

/** Parses the table's text: `<hex delta> <type> <name>` per line, addresses ascending. */
export function parseKallsyms(text: string): Map<string, KallsymsEntry | bigint[]> {
  const out = new Map<string, KallsymsEntry | bigint[]>();
  let addr = 0n;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(' ');
    const b = line.indexOf(' ', a + 1);
    if (a < 0 || b < 0) continue;
    addr += BigInt('0x' + line.slice(0, a));
    const name = line.slice(b + 1);
    const prev = out.get(name);
    if (prev === undefined) out.set(name, { address: addr, type: line.slice(a + 1, b) });
    else if (Array.isArray(prev)) prev.push(addr);
    else if (prev.address !== addr) out.set(name, [prev.address, addr]);
  }
  return out;
}

function load(): Map<string, KallsymsEntry | bigint[]> | null {
  const bytes = readPackagedData('kallsyms-6.1.gz');
  return bytes === undefined ? null : parseKallsyms(new TextDecoder('latin1').decode(bytes));
}

/** The reference kernel's kallsyms entry for a data symbol, if it has one. */
export function kallsymsLookup(name: string): KallsymsLookup {
  if (table === undefined) table = load();
  const e = table?.get(name);
  if (e === undefined) return undefined;
  return Array.isArray(e) ? { ambiguous: e } : e;
}

/** Whether the packaged table could be read (false under a browser or in a stripped installation). */
export function kallsymsAvailable(): boolean {
  if (table === undefined) table = load();
  return table !== null;
}
