#!/usr/bin/env node
// The data symbols of a System.map as bpfvm's kallsyms table (kallsyms-6.1.gz):
//
//   node kernel-sim/data/kallsyms.mjs SYSTEM_MAP OUT.gz
//
// Keeps every symbol that is not text (types other than t/T/w/W): what typeless `__ksym` externs name;
// functions come from the vmlinux BTF's FUNCs. One line per symbol, sorted by address:
// `<hex delta from the previous address> <type letter> <name>`, gzip'd reproducibly (no name, no time).
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [map, out] = process.argv.slice(2);
if (map === undefined || out === undefined) {
  console.error('usage: kallsyms.mjs SYSTEM_MAP OUT.gz');
  process.exit(2);
}
const rows = [];
for (const line of readFileSync(map, 'latin1').split('\n')) {
  const parts = line.trim().split(/\s+/);
  if (parts.length !== 3 || 'tTwW'.includes(parts[1])) continue;
  rows.push({ addr: BigInt('0x' + parts[0]), type: parts[1], name: parts[2] });
}
rows.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
let prev = 0n;
const text = rows.map((r) => {
  const line = `${(r.addr - prev).toString(16)} ${r.type} ${r.name}\n`;
  prev = r.addr;
  return line;
}).join('');
writeFileSync(out, gzipSync(Buffer.from(text, 'latin1'), { level: 9 }));
