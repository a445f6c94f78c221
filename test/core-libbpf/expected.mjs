// Turns libbpf-core's output (libbpf 1.1.2's own debug log of one load per program) into the expected
// CO-RE results: one JSON line per object,
//   {"object", "relos": [[sec, n, func, insn, localSpec, targetSpec|null, outcome]], "loads": {program: [result, [relo refs]]}}
// where outcome is "imm A B" | "off A B" | "off A B memsz X Y" | "imm64 A B" | "poison" | "error: <libbpf's warnings>"
// (a refused relocation: libbpf's warning lines for it, joined by "; ", the last `failed to relocate` or
// `failed to patch insn`),
// a relocation appears once per object (the same record resolves alike in every load; if not, once per outcome)
// and a load lists the relocations it resolved by index into relos.
// With --log (the project's fixtures), each load also carries libbpf's CO-RE log lines: "log": {program: [line]}.
//   node expected.mjs OBJECT_NAME [--log] < log
import { readFileSync } from 'node:fs';

const object = process.argv[2];
const withLog = process.argv.includes('--log');
const logs = {};
const lines = readFileSync(0, 'utf8').split('\n');
const relos = [];
const keyOf = new Map();
const loads = {};
let sec = null;
let pending = []; // warnings that name no relocation, printed since the last line that named one
const reloOf = new Map(); // "func n" -> current relocation of this load
const done = (load) => {
  for (const r of reloOf.values()) {
    const key = JSON.stringify(r.slice(0, 7));
    let i = keyOf.get(key);
    if (i === undefined) { i = relos.length; relos.push(r.slice(0, 7)); keyOf.set(key, i); }
    load[1].push(i);
  }
  reloOf.clear();
};
for (const line of lines) {
  let m = /^R (\S+) (.*)$/.exec(line);
  if (m) {
    if (m[1] === '-') continue;
    const load = [m[2] === 'open' ? m[2] : Number(m[2]), []];
    loads[m[1]] = load;
    done(load);
    continue;
  }
  m = /^P (\S+) (debug|info|warn) libbpf: (.*)$/.exec(line);
  if (!m || m[1] === '-') continue;
  const [, prog, level, text] = m;
  if (withLog && (/^prog '.*?': relo[ #]/.test(text) || text.startsWith('CO-RE relocating '))) (logs[prog] ??= []).push(text);
  let s = /^sec '(.*)': found \d+ CO-RE relocations$/.exec(text);
  if (s) { sec = s[1]; continue; }
  s = /^prog '(.*?)': relo #(\d+): (.*)$/.exec(text);
  if (!s) {
    if (level === 'warn') pending.push(text);
    continue;
  }
  const before = pending;
  pending = [];
  const [, func, n, rest] = s;
  const id = `${func} ${n}`;
  let r = reloOf.get(id);
  if (r === undefined) {
    // first line of a relocation: its local spec (or, when parsing failed, the warning)
    r = [sec, Number(n), func, null, level === 'debug' ? rest : null, null, null];
    reloOf.set(id, r);
    if (level !== 'debug') r[6] = `error: ${[...before, text].join('; ')}`;
    continue;
  }
  let p;
  if ((p = /^matching candidate #\d+ (.*)$/.exec(rest)) && r[5] === null) r[5] = p[1];
  else if ((p = /^patched insn #(\d+) \((ALU\/ALU64|LDX\/ST\/STX|LDIMM64)\) (imm|off|imm64) (\d+) -> (\d+)$/.exec(rest))) {
    r[3] = Number(p[1]);
    r[6] = `${p[3]} ${p[4]} ${p[5]}`;
  } else if ((p = /^patched insn #\d+ \(LDX\/ST\/STX\) mem_sz (\d+) -> (\d+)$/.exec(rest))) r[6] += ` memsz ${p[1]} ${p[2]}`;
  else if ((p = /^substituting insn #(\d+) w\/ invalid insn$/.exec(rest))) {
    if (r[6] !== 'poison') r[3] = Number(p[1]); // ldimm64: the first line names the second slot
    else r[3] = Math.min(r[3], Number(p[1]));
    r[6] = 'poison';
  } else if (level === 'warn') {
    const lines = [...before, text];
    r[6] = r[6] !== null && r[6].startsWith('error: ') ? `${r[6]}; ${lines.join('; ')}` : `error: ${lines.join('; ')}`;
  }
}
process.stdout.write(JSON.stringify({ object, relos, loads, ...(withLog && { log: logs }) }) + '\n');
