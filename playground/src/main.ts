/**
 * bpfvm's browser playground: assembler text, bytecode hex or an ELF object in; the verifier's log linked to
 * the instructions; a test run on a packet; a debugger over a recorded run; the whole state in the URL.
 * Everything below calls bpfvm's core as it is (src/, vm/, kernel-sim/), in the page.
 */
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { tags as t } from '@lezer/highlight';

import { assemble } from '../../src/asm/assemble.js';
import { disassembleLines } from '../../src/asm/disassemble.js';
import { decode, type Insn } from '../../src/isa/insn.js';
import { BpfError } from '../../src/errors.js';
import { loadObject, loadProgram, type Collection, type Program, type ProgramRunResult } from '../../src/api/collection.js';
import { consumeRingbufs, mapContents } from '../../src/api/trigger.js';
import { retvalName } from '../../src/uapi/retcodes.js';
import { ALL_CAPS, type Capability } from '../../src/platform/caps.js';
import { parseNullInject } from '../../kernel-sim/kfuncs/null-inject.js';
import { ASSEMBLE_NAMES, KERNEL_NAMES } from '../../src/cli/names.js';
import { decodeValue } from '../../src/cli/btf-value.js';
import type { BpfMap } from '../../kernel-sim/maps/index.js';
import type { ProgramLineInfo } from '../../src/object/types.js';

import { bpfAsm } from './asm-language.js';
import { kernelData } from './kernel-data.js';
import { parseLog, type ParsedLog } from './verifier-log.js';
import { buildFrame, DEFAULT_FRAME, FieldError, fromHex, PRESETS, toHex, type FrameFields, type L4 } from './packet.js';
import { record, type Recording } from './trace.js';
import { decodeShared, encodeShared, fromBase64, toBase64, type Shared } from './share.js';
import { EXAMPLES } from './examples.js';

type Mode = 'asm' | 'hex' | 'obj';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from the page`);
  return el as T;
};
const h = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v);
  }
  el.append(...kids);
  return el;
};

const PROG_TYPES: readonly [string, string][] = [
  ['xdp', 'XDP'], ['tc', 'TC classifier (sched_cls)'], ['socket', 'socket filter'], ['cgroup_skb', 'cgroup skb'],
  ['sk_skb', 'sk_skb'], ['lwt_in', 'lwt_in'], ['flow_dissector', 'flow dissector'], ['syscall', 'syscall'],
];

/** What the page holds besides the widgets' own values. */
const page = {
  mode: 'asm' as Mode,
  obj: undefined as { bytes: Uint8Array; name: string } | undefined,
  objProgram: undefined as string | undefined,
  breakpoints: new Set<number>(),
  trace: undefined as Recording | undefined,
  tracePos: 0,
  frame: { ...DEFAULT_FRAME } as FrameFields,
};

/** The instruction listing's annotations. */
const marks = {
  states: new Map<number, string>(),
  rejectedAt: undefined as number | undefined,
  rejectNote: '',
  violation: undefined as { insn: number; message: string } | undefined,
  current: undefined as number | undefined,
  linked: undefined as number | undefined,
};

// ---------------------------------------------------------------- status

function status(text: string, kind: '' | 'ok' | 'bad' = ''): void {
  const el = $('status');
  el.textContent = text;
  el.className = `status ${kind}`;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// ---------------------------------------------------------------- the editor

const highlight = HighlightStyle.define([
  { tag: t.comment, color: '#6a9955', fontStyle: 'italic' },
  { tag: t.keyword, color: '#c586c0' },
  { tag: t.special(t.variableName), color: '#9cdcfe' },
  { tag: t.number, color: '#b5cea8' },
  { tag: t.typeName, color: '#4ec9b0' },
  { tag: t.function(t.variableName), color: '#dcdcaa' },
  { tag: t.labelName, color: '#e5c07b' },
  { tag: t.macroName, color: '#d19a66' },
  { tag: t.operator, color: '#d4d4d4' },
  { tag: t.meta, color: '#6b7889' },
  { tag: t.invalid, color: '#f85149', textDecoration: 'underline wavy' },
]);

const editorTheme = EditorView.theme({
  '&': { backgroundColor: '#0e1217', color: '#d8dee7', fontSize: '13px' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: '#fff' },
  '.cm-gutters': { backgroundColor: '#11161c', color: '#56606d', border: 'none' },
  '.cm-activeLine': { backgroundColor: '#161d26' },
  '.cm-activeLineGutter': { backgroundColor: '#161d26' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: '#264f78 !important' },
  '.cm-scroller': { fontFamily: 'var(--mono)' },
}, { dark: true });

let liveTimer: number | undefined;
const editor = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: EXAMPLES[0]!.asm,
    extensions: [
      lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(), lintGutter(),
      keymap.of([
        { key: 'Mod-Enter', run: () => (void verifyNow(), true) },
        { key: 'Mod-Shift-Enter', run: () => (void runNow(), true) },
        indentWithTab, ...defaultKeymap, ...historyKeymap,
      ]),
      bpfAsm, syntaxHighlighting(highlight), editorTheme,
      EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        window.clearTimeout(liveTimer);
        liveTimer = window.setTimeout(() => refreshListing(), 250);
      }),
    ],
  }),
});

/** Marks an assembler error at its line (and column) in the editor. */
function markAsmError(e: BpfError | undefined): void {
  const box = $('asm-error');
  if (e === undefined) {
    editor.dispatch(setDiagnostics(editor.state, []));
    box.hidden = true;
    return;
  }
  const doc = editor.state.doc;
  const diags: Diagnostic[] = [];
  if (e.where.line !== undefined && e.where.line >= 1 && e.where.line <= doc.lines) {
    const line = doc.line(e.where.line);
    const from = Math.min(line.to, line.from + Math.max(0, (e.where.column ?? 1) - 1));
    diags.push({ from, to: line.to > from ? line.to : from, severity: 'error', message: e.detail });
  }
  editor.dispatch(setDiagnostics(editor.state, diags));
  box.hidden = false;
  box.textContent = e.message;
}

// ---------------------------------------------------------------- loading the program

interface Loaded {
  program: Program;
  insns: readonly Insn[];
  maps: BpfMap[];
  lineInfo: readonly ProgramLineInfo[];
  collection?: Collection;
}

/** The checked widgets' capabilities. */
function caps(): Capability[] {
  return [...document.querySelectorAll<HTMLInputElement>('#caps input:checked')].map((i) => i.value as Capability);
}

function loadOptions(): { caps: Capability[]; nullInject: ReturnType<typeof parseNullInject> } {
  return { caps: caps(), nullInject: parseNullInject($<HTMLSelectElement>('nullinject').value) };
}

/** The program's instructions as the input gives them (asm, hex); undefined for an object. Errors are marked. */
function sourceInsns(): Insn[] {
  if (page.mode === 'asm') {
    try {
      const insns = assemble(editor.state.doc.toString(), ASSEMBLE_NAMES);
      markAsmError(undefined);
      return insns;
    } catch (e) {
      if (e instanceof BpfError) markAsmError(e);
      throw e;
    }
  }
  const box = $('hex-error');
  try {
    const insns = decode(fromHex($<HTMLTextAreaElement>('hex').value, 'bytecode'), { strict: false });
    box.hidden = true;
    return insns;
  } catch (e) {
    box.hidden = false;
    box.textContent = errorText(e);
    throw e;
  }
}

function load(): Loaded {
  const opts = loadOptions();
  if (page.mode === 'obj') {
    if (page.obj === undefined) throw new Error('drop an object file (.o) first');
    const collection = loadObject(page.obj.bytes, opts);
    const name = page.objProgram ?? [...collection.programs.keys()][0];
    if (name === undefined) throw new Error(`${page.obj.name} has no programs`);
    const program = collection.program(name);
    return { program, insns: program.insns, maps: [...collection.maps.values()], lineInfo: program.spec?.lineInfo ?? [], collection };
  }
  const insns = sourceInsns();
  const program = loadProgram(insns, $<HTMLSelectElement>('progtype').value, opts);
  return { program, insns, maps: [], lineInfo: [] };
}

// ---------------------------------------------------------------- the instruction listing

let listed: readonly Insn[] = [];

function clearMarks(): void {
  marks.states = new Map();
  marks.rejectedAt = undefined;
  marks.rejectNote = '';
  marks.violation = undefined;
  marks.current = undefined;
  marks.linked = undefined;
}

/** Lists the instructions (kernel syntax, BTF source lines above them), then decorates them. */
function renderListing(insns: readonly Insn[], lineInfo: readonly ProgramLineInfo[], meta: string): void {
  listed = insns;
  const code = $('code');
  code.replaceChildren();
  if (insns.length === 0) {
    code.append(h('div', { class: 'empty', text: 'No instructions.' }));
    return;
  }
  const source = new Map<number, ProgramLineInfo>();
  for (const l of lineInfo) source.set(l.insn, l);
  let lastSource = '';
  for (const line of disassembleLines(insns, { style: 'kernel', ...KERNEL_NAMES })) {
    const m = /^(\d+): \(([0-9a-f]{2})\) (.*)$/.exec(line);
    const idx = m === null ? -1 : Number(m[1]);
    const li = source.get(idx);
    if (li !== undefined && li.source.trim() !== '' && li.source !== lastSource) {
      lastSource = li.source;
      const file = li.fileName.split('/').pop();
      code.append(h('div', { class: 'srcline', title: `${li.fileName}:${li.line}`, text: `; ${li.source.trim()}   ${file}:${li.line}` }));
    }
    const row = h('div', { class: 'insn', 'data-insn': String(idx) },
      h('span', { class: 'bp', title: 'breakpoint', text: '●' }),
      h('span', { class: 'idx', text: `${idx}:` }),
      h('span', { class: 'op', text: m === null ? '' : `(${m[2]})` }),
      h('span', { class: 'text' }, ...tokens(m === null ? line : m[3]!)),
      h('span', { class: 'state' }));
    code.append(row);
  }
  $('code-meta').textContent = meta;
  decorate();
}

/** Light colouring of a listing line. */
function tokens(text: string): Node[] {
  const out: Node[] = [];
  const re = /(\b[rw](?:10|[0-9])\b)|(\b(?:if|goto|call|exit|lock)\b)|(-?\b(?:0x[0-9a-f]+|\d+)\b)|(\bbpf_\w+)/g;
  let at = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
    const cls = m[1] ? 't-reg' : m[2] ? 't-kw' : m[3] ? 't-num' : 't-call';
    out.push(h('span', { class: cls, text: m[0] }));
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

function rowOf(insn: number): HTMLElement | null {
  return document.querySelector<HTMLElement>(`#code .insn[data-insn="${insn}"]`);
}

/** The listing's marks: verifier states, the rejected instruction, a violation, the debugger's pc, breakpoints. */
function decorate(): void {
  for (const row of document.querySelectorAll<HTMLElement>('#code .insn')) {
    const i = Number(row.dataset.insn);
    row.classList.toggle('rejected', marks.rejectedAt === i);
    row.classList.toggle('violation', marks.violation?.insn === i);
    row.classList.toggle('current', marks.current === i);
    row.classList.toggle('linked', marks.linked === i);
    row.classList.toggle('has-bp', page.breakpoints.has(i));
    const state = marks.states.get(i) ?? '';
    const cell = row.querySelector<HTMLElement>('.state')!;
    cell.textContent = state === '' ? '' : `; ${state}`;
    cell.title = state;
    row.querySelector('.note')?.remove();
    const note = marks.rejectedAt === i ? marks.rejectNote : marks.violation?.insn === i ? marks.violation.message : '';
    if (note !== '') row.append(h('div', { class: 'note', text: note }));
  }
}

function reveal(insn: number | undefined): void {
  if (insn === undefined) return;
  rowOf(insn)?.scrollIntoView({ block: 'center' });
}

/** The listing follows the source as it is typed (or an object's chosen program). */
function refreshListing(): void {
  window.clearTimeout(liveTimer);
  if (page.mode === 'obj') return;
  page.trace = undefined;
  clearMarks();
  try {
    const insns = sourceInsns();
    renderListing(insns, [], `${insns.length} slot${insns.length === 1 ? '' : 's'}`);
    status('');
  } catch (e) {
    status(errorText(e), 'bad');
  }
}

$('code').addEventListener('click', (ev) => {
  const target = ev.target as HTMLElement;
  const row = target.closest<HTMLElement>('.insn');
  if (row === null) return;
  const i = Number(row.dataset.insn);
  if (target.classList.contains('bp')) {
    if (page.breakpoints.has(i)) page.breakpoints.delete(i);
    else page.breakpoints.add(i);
  } else {
    $<HTMLInputElement>('dbg-target').value = String(i);
    marks.linked = i;
    for (const l of document.querySelectorAll<HTMLElement>('#log .l')) l.classList.toggle('active', l.dataset.insn === String(i));
  }
  decorate();
});

// ---------------------------------------------------------------- tabs and modes

function showTab(name: 'verify' | 'run' | 'step'): void {
  for (const b of document.querySelectorAll<HTMLElement>('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const n of ['verify', 'run', 'step']) $(`tab-${n}`).hidden = n !== name;
}
for (const b of document.querySelectorAll<HTMLElement>('.tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab as 'verify'));

function setMode(mode: Mode): void {
  page.mode = mode;
  for (const b of document.querySelectorAll<HTMLElement>('#modes button')) b.setAttribute('aria-selected', String(b.dataset.mode === mode));
  for (const m of ['asm', 'hex', 'obj'] as const) $(`src-${m}`).hidden = m !== mode;
  $('source-title').textContent = mode === 'asm' ? 'Assembler' : mode === 'hex' ? 'Bytecode' : 'Object file';
  $('progtype-field').hidden = mode === 'obj';
  $('example').parentElement!.hidden = mode === 'obj';
  if (mode === 'obj') showObject();
  else refreshListing();
}
for (const b of document.querySelectorAll<HTMLElement>('#modes button')) {
  b.addEventListener('click', () => {
    const mode = b.dataset.mode as Mode;
    if (mode === 'hex' && page.mode === 'asm' && $<HTMLTextAreaElement>('hex').value.trim() === '') {
      // the assembled program, as bytes, to start from
      try {
        $<HTMLTextAreaElement>('hex').value = hexOfInsns(sourceInsns());
      } catch {
        // an assembler error: the hex box stays empty
      }
    }
    setMode(mode);
  });
}

function hexOfInsns(insns: readonly Insn[]): string {
  const bytes = new Uint8Array(insns.length * 8);
  const dv = new DataView(bytes.buffer);
  insns.forEach((x, i) => {
    dv.setUint8(i * 8, x.code);
    dv.setUint8(i * 8 + 1, (x.dst & 0xf) | ((x.src & 0xf) << 4));
    dv.setInt16(i * 8 + 2, x.off, true);
    dv.setInt32(i * 8 + 4, x.imm, true);
  });
  return [...Array(insns.length).keys()].map((i) => toHex(bytes.subarray(i * 8, i * 8 + 8)).replace(/(..)(?!$)/g, '$1 ')).join('\n');
}

$('hex').addEventListener('input', () => {
  window.clearTimeout(liveTimer);
  liveTimer = window.setTimeout(() => refreshListing(), 250);
});

// ---------------------------------------------------------------- object files

async function openObject(bytes: Uint8Array, name: string, program?: string): Promise<void> {
  page.obj = { bytes, name };
  page.objProgram = program;
  setMode('obj');
}

function showObject(): void {
  const info = $('obj-info');
  info.replaceChildren();
  clearMarks();
  page.trace = undefined;
  if (page.obj === undefined) {
    renderListing([], [], '');
    return;
  }
  void kernelData().then(() => {
    let loaded: Loaded;
    try {
      loaded = load();
    } catch (e) {
      info.append(h('div', { class: 'error-line', text: `${page.obj!.name}: ${errorText(e)}` }));
      renderListing([], [], '');
      status(errorText(e), 'bad');
      return;
    }
    const col = loaded.collection!;
    page.objProgram = loaded.program.name;
    const progs = h('table', { class: 'list', id: 'obj-programs' }, h('tr', {}, h('th', { text: 'program' }), h('th', { text: 'section' }), h('th', { text: 'type' }), h('th', { text: 'insns' })));
    for (const [name, p] of col.programs) {
      const tr = h('tr', { class: `pick${name === page.objProgram ? ' chosen' : ''}`, 'data-program': name },
        h('td', { text: name }), h('td', { text: p.spec?.section ?? '' }), h('td', { text: p.type }), h('td', { text: String(p.insns.length) }));
      tr.addEventListener('click', () => {
        page.objProgram = name;
        showObject();
      });
      progs.append(tr);
    }
    const maps = h('table', { class: 'list', id: 'obj-maps' }, h('tr', {}, h('th', { text: 'map' }), h('th', { text: 'type' }), h('th', { text: 'key' }), h('th', { text: 'value' }), h('th', { text: 'entries' })));
    for (const m of col.maps.values()) maps.append(h('tr', {}, h('td', { text: m.name }), h('td', { text: m.typeName }), h('td', { text: String(m.keySize) }), h('td', { text: String(m.valueSize) }), h('td', { text: String(m.maxEntries) })));
    info.append(h('h3', { text: `${page.obj!.name} — ${col.object.license || 'no'} license` }), progs, h('h3', { text: 'Maps' }), maps);
    const withSource = loaded.lineInfo.length > 0 ? ', BTF source lines' : '';
    renderListing(loaded.insns, loaded.lineInfo, `${loaded.program.name} · ${loaded.program.type} · ${loaded.insns.length} slots${withSource}`);
    status(`Loaded ${page.obj!.name}: ${col.programs.size} program${col.programs.size === 1 ? '' : 's'}, ${col.maps.size} map${col.maps.size === 1 ? '' : 's'}`, 'ok');
  });
}

const drop = $('drop');
$<HTMLInputElement>('file').addEventListener('change', async (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f !== undefined) await openObject(new Uint8Array(await f.arrayBuffer()), f.name);
});
drop.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
// a file dropped anywhere on the page opens it
document.addEventListener('dragover', (ev) => ev.preventDefault());
document.addEventListener('drop', async (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  const f = ev.dataTransfer?.files[0];
  if (f !== undefined) await openObject(new Uint8Array(await f.arrayBuffer()), f.name);
});

// ---------------------------------------------------------------- verify

function renderLog(parsed: ParsedLog): void {
  const log = $('log');
  log.replaceChildren();
  for (const l of parsed.lines) {
    const el = h('div', { class: `l ${l.kind}`, text: l.text === '' ? ' ' : l.text });
    if (l.insn !== undefined) el.dataset.insn = String(l.insn);
    log.append(el);
  }
}

$('log').addEventListener('click', (ev) => {
  const el = (ev.target as HTMLElement).closest<HTMLElement>('.l');
  if (el?.dataset.insn === undefined) return;
  for (const l of document.querySelectorAll<HTMLElement>('#log .l')) l.classList.toggle('active', l === el);
  marks.linked = Number(el.dataset.insn);
  decorate();
  reveal(marks.linked);
});

/** Loads and verifies; shows the log and the states. Undefined when the program did not load. */
async function verifyLoaded(): Promise<{ loaded: Loaded; accepted: boolean } | undefined> {
  window.clearTimeout(liveTimer); // a pending live listing would wipe the verifier's marks
  await kernelData();
  let loaded: Loaded;
  try {
    loaded = load();
  } catch (e) {
    status(errorText(e), 'bad');
    return undefined;
  }
  if (page.mode === 'obj') {
    renderListing(loaded.insns, loaded.lineInfo, $('code-meta').textContent ?? '');
  } else {
    renderListing(loaded.insns, [], `${loaded.insns.length} slot${loaded.insns.length === 1 ? '' : 's'} · ${loaded.program.type}`);
  }
  clearMarks();
  let v;
  try {
    v = loaded.program.verify({ logLevel: Number($<HTMLSelectElement>('loglevel').value) });
  } catch (e) {
    status(errorText(e), 'bad');
    return undefined;
  }
  const parsed = parseLog(v.log, v.verdict === 'rejected', loaded.insns.length);
  marks.states = parsed.states;
  marks.rejectedAt = parsed.rejectedAt;
  marks.rejectNote = v.message;
  renderLog(parsed);
  const verdict = $('verdict');
  if (v.verdict === 'accepted') {
    verdict.textContent = `accepted · ${v.processed} insns processed`;
    verdict.className = 'verdict ok';
  } else {
    verdict.textContent = `rejected (errno ${v.errno}) · ${v.message}`;
    verdict.className = 'verdict bad';
  }
  decorate();
  return { loaded, accepted: v.verdict === 'accepted' };
}

async function verifyNow(): Promise<void> {
  status('Verifying…');
  const r = await verifyLoaded();
  if (r === undefined) return;
  showTab('verify');
  if (r.accepted) status('The verifier accepts the program.', 'ok');
  else {
    status(`Rejected: ${marks.rejectNote}`, 'bad');
    reveal(marks.rejectedAt);
  }
}

// ---------------------------------------------------------------- run

function runInput(): { data: Uint8Array; ctx?: Uint8Array } | undefined {
  const box = $('data-error');
  try {
    const data = fromHex($<HTMLTextAreaElement>('data').value, 'packet');
    const ctxText = $<HTMLInputElement>('ctx').value.trim();
    box.hidden = true;
    return { data, ...(ctxText !== '' && { ctx: fromHex(ctxText, 'context') }) };
  } catch (e) {
    box.hidden = false;
    box.textContent = errorText(e);
    showTab('run');
    status(errorText(e), 'bad');
    return undefined;
  }
}

/**
 * What Run and Step both need first: the run's input and an accepted program. A rejection goes to the
 * verifier tab, its instruction shown; either failure has been reported when this returns undefined.
 */
async function verifiedForRun(): Promise<{ input: NonNullable<ReturnType<typeof runInput>>; r: { loaded: Loaded; accepted: true } } | undefined> {
  const input = runInput();
  if (input === undefined) return undefined;
  const r = await verifyLoaded();
  if (r === undefined) return undefined;
  if (!r.accepted) {
    showTab('verify');
    status(`Not run: the verifier rejects it — ${marks.rejectNote}`, 'bad');
    reveal(marks.rejectedAt);
    return undefined;
  }
  return { input, r: { loaded: r.loaded, accepted: true } };
}

type Entries = Record<string, { key: Uint8Array; value: Uint8Array }[]>;

async function runNow(): Promise<void> {
  status('Running…');
  const ready = await verifiedForRun();
  if (ready === undefined) return;
  const { input, r } = ready;
  const { loaded } = r;
  const before = mapContents(loaded.maps) as Entries;
  let result: ProgramRunResult;
  try {
    result = loaded.program.run({ data: input.data, ...(input.ctx !== undefined && { ctx: input.ctx }) });
  } catch (e) {
    showTab('run');
    $('result').replaceChildren(h('div', { class: 'error-line', text: errorText(e) }));
    status(errorText(e), 'bad');
    return;
  }
  const after = mapContents(loaded.maps) as Entries;
  const rings = consumeRingbufs(loaded.maps);
  showResult(loaded, input.data, result, before, after, rings);
  showTab('run');
}

function hexdump(bytes: Uint8Array, against?: Uint8Array): HTMLElement {
  const pre = h('div', { class: 'hexdump' });
  if (bytes.length === 0 && (against === undefined || against.length === 0)) {
    pre.textContent = '(empty)';
    return pre;
  }
  for (let row = 0; row < bytes.length; row += 16) {
    pre.append(document.createTextNode(row.toString(16).padStart(4, '0') + '  '));
    for (let i = row; i < Math.min(row + 16, bytes.length); i++) {
      const b = bytes[i]!.toString(16).padStart(2, '0');
      const cls = against === undefined ? '' : i >= against.length ? 'add' : against[i] !== bytes[i] ? 'chg' : '';
      pre.append(cls === '' ? document.createTextNode(b) : h('span', { class: cls, title: cls === 'chg' ? `was ${against![i]!.toString(16).padStart(2, '0')}` : 'added', text: b }));
      pre.append(document.createTextNode(i % 8 === 7 ? '  ' : ' '));
    }
    pre.append(document.createTextNode('\n'));
  }
  if (against !== undefined && against.length > bytes.length) pre.append(h('span', { class: 'del', text: `${against.length - bytes.length} bytes removed from the end` }));
  return pre;
}

/** A value's text: BTF-decoded when the object says its type, else hex (and a number when it is ≤ 8 bytes). */
function valueText(bytes: Uint8Array, btfType: number | undefined, collection: Collection | undefined): string {
  const btf = collection?.object.btf;
  if (btf !== undefined && btfType !== undefined && btfType !== 0) {
    try {
      return JSON.stringify(decodeValue(btf, btfType, bytes));
    } catch {
      // a type bpfvm cannot decode: hex below
    }
  }
  const hex = toHex(bytes);
  if (bytes.length === 0 || bytes.length > 8) return hex;
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return `${n} (${hex})`;
}

function showResult(loaded: Loaded, data: Uint8Array, r: ProgramRunResult, before: Entries, after: Entries, rings: Record<string, Uint8Array[]>): void {
  const out = $('result');
  out.replaceChildren();
  const name = r.retval === null ? undefined : retvalName(loaded.program.type, r.retval);
  if (r.retval === null) {
    out.append(h('div', { class: 'retval bad', id: 'retval' }, 'stopped by a violation: ', h('span', { class: 'name', text: 'no return value' })));
  } else {
    out.append(h('div', { class: 'retval', id: 'retval' }, `retval = ${r.retval}`, ...(name === undefined ? [] : [' ', h('span', { class: 'name', text: name })])));
  }
  out.append(h('div', { class: 'kv', text: `${r.insns} instructions · ${r.duration} ns simulated${r.kernelErrno !== undefined ? ` · the real 6.1 kernel would refuse this test run (errno ${r.kernelErrno})` : ''}` }));
  marks.violation = undefined;
  if (r.violations.length > 0) {
    out.append(h('h3', { text: 'Violations' }));
    const v = r.violations[0]!;
    marks.violation = { insn: v.insn, message: `${v.kind}: ${v.message}` };
    for (const x of r.violations) {
      const el = h('div', { class: 'violation-msg', text: `${x.kind} at instruction ${x.insn}: ${x.message}` });
      el.addEventListener('click', () => reveal(x.insn));
      out.append(el);
    }
    reveal(v.insn);
  }
  out.append(h('h3', { text: `Packet out (${r.dataOut.length} bytes; changes against the ${data.length} in)` }), hexdump(r.dataOut, data));
  if (r.ctxOut !== undefined && r.ctxOut.length > 0) out.append(h('h3', { text: 'Context out' }), hexdump(r.ctxOut));
  out.append(h('h3', { text: 'trace_printk' }), h('div', { class: 'printk', id: 'printk', text: r.output.length === 0 ? '(nothing printed)' : r.output.join('\n') + (r.outputDropped ? `\n… ${r.outputDropped} more lines dropped` : '') }));
  for (const [ring, recs] of Object.entries(rings)) {
    out.append(h('h3', { text: `Ring buffer ${ring}: ${recs.length} record${recs.length === 1 ? '' : 's'}` }));
    for (const rec of recs) out.append(hexdump(rec));
  }
  const specs = new Map((loaded.collection?.object.maps ?? []).map((m) => [m.name, m]));
  for (const m of loaded.maps) {
    const b = before[m.name];
    const a = after[m.name];
    if (a === undefined && b === undefined) continue;
    const spec = specs.get(m.name);
    const table = h('table', { class: 'list maps', 'data-map': m.name }, h('tr', {}, h('th', { text: 'key' }), h('th', { text: 'before' }), h('th', { text: 'after' })));
    const keys = new Map<string, Uint8Array>();
    for (const e of [...(b ?? []), ...(a ?? [])]) keys.set(toHex(e.key), e.key);
    for (const [k, key] of keys) {
      const bv = b?.find((e) => toHex(e.key) === k)?.value;
      const av = a?.find((e) => toHex(e.key) === k)?.value;
      const changed = (bv === undefined ? '' : toHex(bv)) !== (av === undefined ? '' : toHex(av));
      table.append(h('tr', {},
        h('td', { text: valueText(key, spec?.btfKeyType, loaded.collection) }),
        h('td', { text: bv === undefined ? '—' : valueText(bv, spec?.btfValueType, loaded.collection) }),
        h('td', { class: changed ? 'after-chg' : '', text: av === undefined ? '—' : valueText(av, spec?.btfValueType, loaded.collection) })));
    }
    if (keys.size === 0) table.append(h('tr', {}, h('td', { text: '(empty before and after)' }), h('td'), h('td')));
    out.append(h('h3', { text: `Map ${m.name} (${m.typeName})` }), table);
  }
  decorate();
  if (r.violations.length > 0) status(`Violation at instruction ${r.violations[0]!.insn}: ${r.violations[0]!.kind}`, 'bad');
  else status(`retval = ${r.retval}${name === undefined ? '' : ` (${name})`}`, 'ok');
}

// ---------------------------------------------------------------- step

async function debugNow(): Promise<void> {
  status('Recording a run…');
  const ready = await verifiedForRun();
  if (ready === undefined) return;
  const { input, r } = ready;
  page.trace = record(r.loaded.program, { data: input.data, ...(input.ctx !== undefined && { ctx: input.ctx }) });
  page.tracePos = 0;
  showTab('step');
  showStep();
  const n = page.trace.steps.length;
  status(`Recorded ${n} step${n === 1 ? '' : 's'}${page.trace.truncated ? ' (the first ones only)' : ''}: step through them.`, 'ok');
}

const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

function showStep(): void {
  const tr = page.trace;
  const where = $('dbg-where');
  const regs = $('regs');
  const stack = $('stack');
  if (tr === undefined || tr.steps.length === 0) {
    where.textContent = tr === undefined ? '' : 'The run executed no instruction.';
    return;
  }
  const pos = page.tracePos;
  const end = pos >= tr.steps.length;
  const step = tr.steps[Math.min(pos, tr.steps.length - 1)]!;
  const prev = pos > 0 ? tr.steps[Math.min(pos, tr.steps.length) - 1] : undefined;
  marks.current = end ? undefined : step.pc;
  if (end) {
    const res = tr.result;
    const v = res?.violations[0];
    where.replaceChildren(h('b', { text: `after the last step (${tr.steps.length})` }), ' — ',
      res === undefined ? `stopped: ${errorText(tr.error)}` : v !== undefined ? `violation at ${v.insn}: ${v.message}` : `exit, r0 = ${res.r0 === null ? '—' : hex64(res.r0)}`);
  } else {
    const text = rowOf(step.pc)?.querySelector('.text')?.textContent ?? '';
    where.replaceChildren(h('b', { text: `step ${pos + 1} / ${tr.steps.length}` }), ` · frame ${step.frame} · next: `, h('span', { id: 'dbg-pc', text: `${step.pc}: ${text}` }));
  }
  // registers before this instruction; marked where the previous instruction changed them
  const shown = end ? tr.steps[tr.steps.length - 1]! : step;
  const before = end ? undefined : prev;
  regs.replaceChildren();
  shown.regs.forEach((v, i) => {
    const changed = before !== undefined && before.regs[i] !== v;
    regs.append(h('tr', { class: changed ? 'changed' : '', 'data-reg': `r${i}` },
      h('td', { class: 'r', text: `r${i}` }), h('td', { class: 'v', text: hex64(v) }),
      h('td', { text: v >= 1n << 63n ? String(v - (1n << 64n)) : v < 1n << 40n ? String(v) : '' }), h('td', { class: 'region', text: shown.regions[i] ?? '' })));
  });
  // the stack: the 8-byte slots that are not all zero, fp-8 first
  stack.replaceChildren();
  const slots: string[] = [];
  for (let off = 8; off <= 512; off += 8) {
    const bytes = shown.stack.subarray(512 - off, 520 - off);
    const old = before?.frame === shown.frame ? before.stack.subarray(512 - off, 520 - off) : undefined;
    if (bytes.every((b) => b === 0) && (old === undefined || old.every((b) => b === 0))) continue;
    const line = `fp-${String(off).padEnd(4)} ${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
    const changed = old !== undefined && toHex(old) !== toHex(bytes);
    stack.append(changed ? h('span', { class: 'chg', text: line }) : document.createTextNode(line), '\n');
    slots.push(line);
  }
  if (slots.length === 0) stack.textContent = '(all zero)';
  $('stack-meta').textContent = `frame ${shown.frame}`;
  decorate();
  if (marks.current !== undefined) reveal(marks.current);
}

function moveTo(pos: number): void {
  if (page.trace === undefined) return void debugNow();
  page.tracePos = Math.max(0, Math.min(pos, page.trace.steps.length));
  showStep();
}

/** The next step whose instruction satisfies `hit`, or the end. */
function nextWhere(hit: (pc: number) => boolean): number {
  const tr = page.trace!;
  for (let i = page.tracePos + 1; i < tr.steps.length; i++) if (hit(tr.steps[i]!.pc)) return i;
  return tr.steps.length;
}

$('dbg-step').addEventListener('click', () => (page.trace === undefined ? void debugNow() : moveTo(page.tracePos + 1)));
$('dbg-back').addEventListener('click', () => moveTo(page.tracePos - 1));
$('dbg-restart').addEventListener('click', () => moveTo(0));
$('dbg-continue').addEventListener('click', () => (page.trace === undefined ? void debugNow() : moveTo(nextWhere((pc) => page.breakpoints.has(pc)))));
$('dbg-runto').addEventListener('click', () => {
  const target = Number($<HTMLInputElement>('dbg-target').value);
  if (page.trace === undefined) return void debugNow();
  moveTo(nextWhere((pc) => pc === target));
});
document.addEventListener('keydown', (ev) => {
  if (page.trace === undefined || $('tab-step').hidden) return;
  if (ev.key === 'F10') {
    ev.preventDefault();
    moveTo(page.tracePos + 1);
  } else if (ev.key === 'F8') {
    ev.preventDefault();
    moveTo(nextWhere((pc) => page.breakpoints.has(pc)));
  }
});

// ---------------------------------------------------------------- packet editor, inputs

function fillFrameForm(): void {
  const form = $<HTMLFormElement>('frame');
  for (const [k, v] of Object.entries(page.frame)) {
    const el = form.elements.namedItem(k) as HTMLInputElement | HTMLSelectElement | null;
    if (el !== null) el.value = k === 'ethType' ? '0x' + (v as number).toString(16).padStart(4, '0') : String(v);
  }
}

function buildPacket(): boolean {
  const form = $<HTMLFormElement>('frame');
  const val = (k: string): string => (form.elements.namedItem(k) as HTMLInputElement).value;
  const f: FrameFields = {
    ethDst: val('ethDst'), ethSrc: val('ethSrc'), ethType: Number(val('ethType')), ipSrc: val('ipSrc'), ipDst: val('ipDst'),
    ttl: Number(val('ttl')), l4: val('l4') as L4, srcPort: Number(val('srcPort')), dstPort: Number(val('dstPort')),
    tcpFlags: val('tcpFlags'), payload: val('payload'),
  };
  const box = $('data-error');
  try {
    $<HTMLTextAreaElement>('data').value = toHex(buildFrame(f)).replace(/(.{32})(?!$)/g, '$1\n').replace(/(..)(?!\n|$)/g, '$1 ');
    page.frame = f;
    box.hidden = true;
    return true;
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    box.hidden = false;
    box.textContent = e.message;
    return false;
  }
}

function applyPreset(name: string): void {
  page.frame = { ...DEFAULT_FRAME, ...PRESETS[name] };
  fillFrameForm();
  buildPacket();
}

for (const name of Object.keys(PRESETS)) {
  const b = h('button', { class: 'btn small', type: 'button', text: name });
  b.addEventListener('click', () => applyPreset(name));
  $('presets').append(b);
}
$('frame').addEventListener('submit', (ev) => {
  ev.preventDefault();
  buildPacket();
});

for (const c of ALL_CAPS) {
  const name = c.replace(/^CAP_/, '').toLowerCase();
  $('caps').append(h('label', { title: c }, h('input', { type: 'checkbox', value: c, checked: '' }), name));
}

for (const [value, label] of PROG_TYPES) $('progtype').append(h('option', { value, text: label }));
EXAMPLES.forEach((ex, i) => $('example').append(h('option', { value: String(i), text: ex.title })));
$<HTMLSelectElement>('example').addEventListener('change', () => {
  const ex = EXAMPLES[Number($<HTMLSelectElement>('example').value)]!;
  $<HTMLSelectElement>('progtype').value = ex.progType;
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: ex.asm } });
  applyPreset(ex.preset);
  setMode('asm');
  refreshListing();
});
$<HTMLSelectElement>('progtype').addEventListener('change', () => refreshListing());

$('verify').addEventListener('click', () => void verifyNow());
$('run').addEventListener('click', () => void runNow());
$('debug').addEventListener('click', () => void debugNow());

// ---------------------------------------------------------------- share

function snapshot(): Shared {
  return {
    mode: page.mode,
    ...(page.mode === 'asm' && { asm: editor.state.doc.toString() }),
    ...(page.mode === 'hex' && { hex: $<HTMLTextAreaElement>('hex').value }),
    ...(page.mode === 'obj' && page.obj !== undefined && { obj: toBase64(page.obj.bytes), objName: page.obj.name, program: page.objProgram }),
    progType: $<HTMLSelectElement>('progtype').value,
    logLevel: Number($<HTMLSelectElement>('loglevel').value),
    data: $<HTMLTextAreaElement>('data').value,
    ctx: $<HTMLInputElement>('ctx').value,
    caps: caps(),
    nullInject: $<HTMLSelectElement>('nullinject').value,
  };
}

async function restore(s: Shared): Promise<void> {
  $<HTMLSelectElement>('progtype').value = s.progType;
  $<HTMLSelectElement>('loglevel').value = String(s.logLevel);
  $<HTMLTextAreaElement>('data').value = s.data;
  $<HTMLInputElement>('ctx').value = s.ctx;
  for (const i of document.querySelectorAll<HTMLInputElement>('#caps input')) i.checked = s.caps.includes(i.value);
  $<HTMLSelectElement>('nullinject').value = s.nullInject;
  if (s.asm !== undefined) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: s.asm } });
  if (s.hex !== undefined) $<HTMLTextAreaElement>('hex').value = s.hex;
  if (s.mode === 'obj' && s.obj !== undefined) await openObject(fromBase64(s.obj), s.objName ?? 'shared.o', s.program);
  else setMode(s.mode);
}

$('share').addEventListener('click', async () => {
  const hash = await encodeShared(snapshot());
  window.history.replaceState(null, '', `#${hash}`);
  try {
    await navigator.clipboard.writeText(location.href);
    status('The link to this program and its inputs is in the address bar, and copied.', 'ok');
  } catch {
    status('The link to this program and its inputs is in the address bar.', 'ok');
  }
});

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  fillFrameForm();
  applyPreset(EXAMPLES[0]!.preset);
  void kernelData().catch((e) => status(`The kernel data did not load (${errorText(e)}): programs that need kernel types will fail.`, 'bad'));
  try {
    const shared = await decodeShared(location.hash);
    if (shared !== undefined) await restore(shared);
    else setMode('asm');
  } catch (e) {
    setMode('asm');
    status(errorText(e), 'bad');
  }
  document.body.dataset.ready = 'true';
}

void start();
