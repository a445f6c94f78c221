// Writes ./manifest: raw programs with callbacks (bpf_loop, bpf_for_each_map_elem, timers, bpf_find_vma,
// bpf_user_ringbuf_drain) and global functions, with their program BTF and func_info, for the real Linux 6.1
// verifier (../shared/oracle run-batch.sh). test/verifier-callbacks.test.ts verifies each line on bpfvm and
// compares with the kernel's answers kept in ./expected.jsonl.
// usage: node gen-manifest.mjs > manifest
const insn = (code, dst = 0, src = 0, off = 0, imm = 0) => ({ code, dst, src, off, imm });
const mov = (d, imm) => insn(0xb7, d, 0, 0, imm);
const movr = (d, s) => insn(0xbf, d, s);
const add = (d, imm) => insn(0x07, d, 0, 0, imm);
const mul = (d, imm) => insn(0x27, d, 0, 0, imm);
const stdw = (d, off, imm) => insn(0x7a, d, 0, off, imm);
const ldxdw = (d, s, off) => insn(0x79, d, s, off);
const ldxw = (d, s, off) => insn(0x61, d, s, off);
const jeq0 = (d, label) => insn(0x15, d, 0, label, 0);
const call = (id) => insn(0x85, 0, 0, 0, id);
const pcall = (label) => insn(0x85, 0, 1, label, 0); // off names the target label; becomes imm
const exit = () => insn(0x95);
const ldmap = (d, i) => [insn(0x18, d, 1, 0, i), insn(0, 0, 0, 0, 0)];
const ldfunc = (d, label) => [insn(0x18, d, 4, label, 0), insn(0, 0, 0, 0, 0)];
const label = (name) => ({ label: name });

function hex(prog) {
  const at = {};
  const code = [];
  for (const x of prog.flat(Infinity)) if (x.label) at[x.label] = code.length; else code.push(x);
  const starts = [];
  const out = code.map((x, pc) => {
    let { off, imm } = x;
    if (typeof off === 'string') {
      const rel = at[off] - pc - 1;
      if ((x.code === 0x85 && x.src === 1) || (x.code === 0x18 && x.src === 4)) {
        imm = rel;
        off = 0;
      } else off = rel;
    }
    const b = Buffer.alloc(8);
    b.writeUInt8(x.code, 0); b.writeUInt8((x.src << 4) | x.dst, 1); b.writeInt16LE(off, 2); b.writeInt32LE(imm, 4);
    return b.toString('hex');
  }).join('');
  for (const [name, pc] of Object.entries(at)) starts.push([name, pc]);
  return { hex: out, at };
}

// A small BTF writer: types as [kind, name, ...]; ids from 1.
const KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, FUNC: 12, FUNC_PROTO: 13 };
function btf(types) {
  const strs = [''];
  const off = (s) => {
    if (s === '') return 0;
    let o = 0;
    for (const x of strs) {
      if (x === s) return o;
      o += Buffer.byteLength(x) + 1;
    }
    strs.push(s);
    return o;
  };
  const words = [];
  for (const t of types) {
    switch (t.kind) {
      case 'INT': words.push(off(t.name), KIND.INT << 24, t.size, (t.signed ? 1 << 24 : 0) | (t.size * 8)); break;
      case 'PTR': words.push(0, KIND.PTR << 24, t.type); break;
      case 'STRUCT':
        words.push(off(t.name), (KIND.STRUCT << 24) | t.members.length, t.size);
        for (const m of t.members) words.push(off(m.name), m.type, m.off * 8);
        break;
      case 'FUNC_PROTO':
        words.push(0, (KIND.FUNC_PROTO << 24) | t.params.length, t.ret);
        for (const p of t.params) words.push(off(p.name), p.type);
        break;
      case 'FUNC': words.push(off(t.name), (KIND.FUNC << 24) | (t.global ? 1 : 0), t.type); break;
    }
  }
  const typeBuf = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => typeBuf.writeUInt32LE(w >>> 0, i * 4));
  const strBuf = Buffer.concat(strs.map((s) => Buffer.from(s + '\0')));
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0); hdr.writeUInt8(1, 2); hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(0, 8); hdr.writeUInt32LE(typeBuf.length, 12); hdr.writeUInt32LE(typeBuf.length, 16); hdr.writeUInt32LE(strBuf.length, 20);
  return Buffer.concat([hdr, typeBuf, strBuf]).toString('hex');
}

// Common BTF: 1 int, 2 void *, 3 struct pair {int a; int b;}, 4 struct pair *, 5 unsigned int,
// 6 struct __sk_buff (empty), 7 struct __sk_buff *; then one FUNC_PROTO + FUNC per function given.
const BASE = [
  { kind: 'INT', name: 'int', size: 4, signed: true },
  { kind: 'PTR', type: 0 },
  { kind: 'STRUCT', name: 'pair', size: 8, members: [{ name: 'a', type: 1, off: 0 }, { name: 'b', type: 1, off: 4 }] },
  { kind: 'PTR', type: 3 },
  { kind: 'INT', name: 'unsigned int', size: 4 },
  { kind: 'STRUCT', name: '__sk_buff', size: 0, members: [] },
  { kind: 'PTR', type: 6 },
];
const INT = 1, VOIDP = 2, PAIR = 3, PAIRP = 4, UINT = 5, SKB = 6, SKBP = 7;
/** funcs: [{ name, label, global, ret, params: [type ids] }] in subprogram order. */
function withBtf(prog, funcs) {
  const types = [...BASE];
  const info = [];
  const { hex: h, at } = hex(prog);
  for (const f of funcs) {
    types.push({ kind: 'FUNC_PROTO', ret: f.ret ?? INT, params: (f.params ?? []).map((t, i) => ({ name: `a${i}`, type: t })) });
    types.push({ kind: 'FUNC', name: f.name, global: !!f.global, type: types.length });
    info.push(`${f.label === undefined ? 0 : at[f.label]}:${types.length}`);
  }
  return `insns=${h} btfhex=${btf(types)} func_info=${info.join(',')}`;
}
const MAIN = { name: 'main', params: [VOIDP] };
const CB2 = (name = 'cb', extra = {}) => ({ name, label: 'cb', params: [UINT, VOIDP], ...extra });

// bpf_loop(4, cb, fp-8, 0) with *(u64 *)(fp-8) = 0; then return 0
const LOOP = [stdw(10, -8, 0), mov(1, 4), ldfunc(2, 'cb'), movr(3, 10), add(3, -8), mov(4, 0), call(181)];
const RET0 = [mov(0, 0), exit()];
const lines = [];
const line = (id, type, body, extra = '') => lines.push(`id=${id} type=${type} ${body}${extra ? ' ' + extra : ''}`);

line('loop_ok', 'socket_filter', withBtf([LOOP, movr(0, 0), exit(), label('cb'), ldxdw(3, 2, 0), add(3, 1), insn(0x7b, 2, 3, 0, 0), mov(0, 0), exit()], [MAIN, CB2()]));
line('loop_ret2', 'socket_filter', withBtf([LOOP, RET0, label('cb'), mov(0, 2), exit()], [MAIN, CB2()]), 'log=1');
line('loop_ret_unknown', 'socket_filter', withBtf([LOOP, RET0, label('cb'), movr(0, 1), exit()], [MAIN, CB2()]), 'log=1');
line('loop_ret_mapptr', 'socket_filter', withBtf([LOOP, RET0, label('cb'), ldmap(0, 0), exit()], [MAIN, CB2()]), 'maps=map_hash_8b log=1');
line('loop_ret_stack', 'socket_filter', withBtf([LOOP, RET0, label('cb'), movr(0, 10), exit()], [MAIN, CB2()]), 'log=1');
line('loop_no_btf', 'socket_filter', `insns=${hex([LOOP, RET0, label('cb'), mov(0, 0), exit()]).hex}`);
line('loop_cb_global', 'socket_filter', withBtf([LOOP, RET0, label('cb'), mov(0, 0), exit()], [MAIN, CB2('cb', { global: true })]));
line('loop_ctx_oob', 'socket_filter', withBtf([LOOP, RET0, label('cb'), stdw(2, 8, 1), mov(0, 0), exit()], [MAIN, CB2()]));
line('loop_ctx_null', 'socket_filter', withBtf([mov(1, 4), ldfunc(2, 'cb'), mov(3, 0), mov(4, 0), call(181), RET0, label('cb'), ldxdw(0, 2, 0), mov(0, 0), exit()], [MAIN, CB2()]));
line('loop_idx_scalar', 'socket_filter', withBtf([LOOP, RET0, label('cb'), ldxw(0, 1, 0), mov(0, 0), exit()], [MAIN, CB2()]));
line('loop_r3_uninit', 'socket_filter', withBtf([LOOP, RET0, label('cb'), movr(0, 3), exit()], [MAIN, CB2()]));
line('loop_r0_after', 'socket_filter', withBtf([LOOP, insn(0x57, 0, 0, 0, 7), exit(), label('cb'), mov(0, 1), exit()], [MAIN, CB2()]));
line('loop_caller_regs', 'socket_filter', withBtf([LOOP, movr(0, 5), exit(), label('cb'), mov(0, 1), exit()], [MAIN, CB2()]));
line('loop_ringbuf_leak', 'socket_filter', withBtf([LOOP, RET0, label('cb'), ldmap(1, 0), mov(2, 8), mov(3, 0), call(131), mov(0, 0), exit()], [MAIN, CB2()]), 'maps=map_ringbuf log=1');
line('loop_ringbuf_ok', 'socket_filter', withBtf([LOOP, RET0, label('cb'), ldmap(1, 0), mov(2, 8), mov(3, 0), call(131), jeq0(0, 'out'), movr(1, 0), mov(2, 0), call(133), label('out'), mov(0, 0), exit()], [MAIN, CB2()]), 'maps=map_ringbuf');

// bpf_for_each_map_elem(map, cb, fp-8, 0); cb(map, key, value, ctx)
const FE = [stdw(10, -8, 0), ldmap(1, 0), ldfunc(2, 'cb'), movr(3, 10), add(3, -8), mov(4, 0), call(164)];
const CB4 = { name: 'cb', label: 'cb', params: [VOIDP, VOIDP, VOIDP, VOIDP] };
line('each_ok', 'socket_filter', withBtf([FE, movr(0, 0), exit(), label('cb'), ldxdw(0, 3, 0), ldxdw(0, 2, 0), ldxdw(0, 4, 0), mov(0, 0), exit()], [MAIN, CB4]), 'maps=map_hash_8b');
line('each_value_oob', 'socket_filter', withBtf([FE, RET0, label('cb'), ldxdw(0, 3, 8), mov(0, 0), exit()], [MAIN, CB4]), 'maps=map_hash_8b log=1');
line('each_key_oob', 'socket_filter', withBtf([FE, RET0, label('cb'), ldxdw(0, 2, 4), mov(0, 0), exit()], [MAIN, CB4]), 'maps=map_hash_8b');
line('each_array_key', 'socket_filter', withBtf([FE, RET0, label('cb'), ldxw(0, 2, 0), ldxdw(0, 3, 40), mov(0, 0), exit()], [MAIN, CB4]), 'maps=map_array_48b');
line('each_ringbuf', 'socket_filter', withBtf([FE, RET0, label('cb'), mov(0, 0), exit()], [MAIN, CB4]), 'maps=map_ringbuf');
line('each_ret_ctx', 'socket_filter', withBtf([FE, RET0, label('cb'), movr(0, 4), exit()], [MAIN, CB4]), 'maps=map_hash_8b');

// timers: value = lookup(map_timer, &0); timer_init(value, map, 0); timer_set_callback(value, cb)
const TIMER = (off = 0) => [
  insn(0x62, 10, 0, -4, 0), ldmap(1, 0), movr(2, 10), add(2, -4), call(1), jeq0(0, 'out'), movr(6, 0),
  movr(1, 6), ldmap(2, 0), mov(3, 0), call(169), movr(1, 6), add(1, off), ldfunc(2, 'cb'), call(170), label('out'), mov(0, 0), exit(),
];
const CB3 = { name: 'cb', label: 'cb', params: [VOIDP, VOIDP, VOIDP] };
line('timer_ok', 'sched_cls', withBtf([TIMER(), label('cb'), ldxw(0, 2, 0), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_timer');
line('timer_value_timer', 'sched_cls', withBtf([TIMER(), label('cb'), ldxdw(0, 3, 8), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_timer');
line('timer_init_wrong_map', 'sched_cls', withBtf([TIMER().map((x, i) => (i === 8 ? ldmap(2, 1) : x)), label('cb'), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_timer,map_timer');
line('timer_ret1', 'sched_cls', withBtf([TIMER(), label('cb'), mov(0, 1), exit()], [MAIN, CB3]), 'maps=map_timer log=1');
line('timer_value_oob', 'sched_cls', withBtf([TIMER(), label('cb'), ldxdw(0, 3, 16), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_timer');
line('timer_bad_off', 'sched_cls', withBtf([TIMER(8), label('cb'), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_timer');
line('timer_no_timer', 'sched_cls', withBtf([TIMER(), label('cb'), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_array_48b');

// bpf_find_vma(task, 0, cb, fp-8, 0) from a kprobe; cb(task, vma, ctx)
const FV = [stdw(10, -8, 0), call(158), movr(1, 0), mov(2, 0), ldfunc(3, 'cb'), movr(4, 10), add(4, -8), mov(5, 0), call(180)];
line('vma_ok', 'kprobe', withBtf([FV, RET0, label('cb'), ldxdw(0, 4 - 1, 0), mov(0, 0), exit()], [MAIN, CB3]));
line('vma_ret3', 'kprobe', withBtf([FV, RET0, label('cb'), mov(0, 3), exit()], [MAIN, CB3]));

// bpf_user_ringbuf_drain(map, cb, fp-8, 0); cb(dynptr, ctx)
const UR = [stdw(10, -8, 0), ldmap(1, 0), ldfunc(2, 'cb'), movr(3, 10), add(3, -8), mov(4, 0), call(209)];
line('uring_ok', 'socket_filter', withBtf([UR, RET0, label('cb'), ldxdw(0, 2, 0), mov(0, 0), exit()], [MAIN, { name: 'cb', label: 'cb', params: [VOIDP, VOIDP] }]), 'maps=user_ringbuf:0:0:4096');
line('uring_ret_ptr', 'socket_filter', withBtf([UR, RET0, label('cb'), movr(0, 1), exit()], [MAIN, { name: 'cb', label: 'cb', params: [VOIDP, VOIDP] }]), 'maps=user_ringbuf:0:0:4096');

// Global functions.
const G = (params, extra = {}) => ({ name: 'f', label: 'f', global: true, params, ...extra });
line('glob_ok', 'socket_filter', withBtf([mov(1, 21), pcall('f'), exit(), label('f'), movr(0, 1), mul(0, 2), exit()], [MAIN, G([INT])]), 'log=1');
line('glob_ptr_nocheck', 'socket_filter', withBtf([stdw(10, -8, 0), movr(1, 10), add(1, -8), pcall('f'), exit(), label('f'), ldxw(0, 1, 0), exit()], [MAIN, G([PAIRP])]), 'log=1');
line('glob_ptr_ok', 'socket_filter', withBtf([stdw(10, -8, 5), movr(1, 10), add(1, -8), pcall('f'), exit(), label('f'), mov(0, 0), jeq0(1, 'ret'), ldxw(0, 1, 4), label('ret'), exit()], [MAIN, G([PAIRP])]));
line('glob_ptr_null', 'socket_filter', withBtf([mov(1, 0), pcall('f'), exit(), label('f'), mov(0, 0), jeq0(1, 'ret'), ldxw(0, 1, 4), label('ret'), exit()], [MAIN, G([PAIRP])]));
line('glob_ptr_small', 'socket_filter', withBtf([insn(0x62, 10, 0, -4, 0), movr(1, 10), add(1, -4), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([PAIRP])]), 'log=1');
line('glob_ptr_to_scalar', 'socket_filter', withBtf([movr(1, 10), add(1, -8), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([INT])]), 'log=1');
line('glob_ctx_ok', 'socket_filter', withBtf([pcall('f'), exit(), label('f'), ldxw(0, 1, 0), exit()], [{ name: 'main', params: [SKBP] }, G([SKBP])]));
line('glob_ctx_mismatch', 'socket_filter', withBtf([stdw(10, -8, 0), movr(1, 10), add(1, -8), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([SKBP])]));
line('glob_ret_ptr', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([INT], { ret: VOIDP })]));
line('glob_struct_arg', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([PAIR])]));
line('glob_void_ptr', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([VOIDP])]));
line('glob_body_bad', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), exit()], [MAIN, G([INT])]), 'log=1');
line('glob_unused_r2', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), movr(0, 2), exit()], [MAIN, G([INT])]));
line('glob_first', 'socket_filter', withBtf([mov(1, 1), pcall('g'), exit(), label('f'), movr(0, 1), exit(), label('g'), pcall('f'), mov(0, 0), exit()], [MAIN, G([INT]), { name: 'g', label: 'g', global: true, params: [INT] }]), 'log=1');
line('static_ptr_arg', 'socket_filter', withBtf([stdw(10, -8, 0), movr(1, 10), add(1, -8), pcall('f'), exit(), label('f'), ldxw(0, 1, 0), exit()], [MAIN, { name: 'f', label: 'f', params: [PAIRP] }]), 'log=1');
line('static_no_btf_ok', 'socket_filter', `insns=${hex([mov(1, 1), pcall('f'), exit(), label('f'), movr(0, 1), exit()]).hex}`);
line('finfo_count', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), movr(0, 1), exit()], [MAIN]));
line('tailcall_subprog_nobtf', 'socket_filter', `insns=${hex([pcall('f'), exit(), label('f'), ldmap(2, 0), mov(3, 0), call(12), mov(0, 0), exit()]).hex}`, 'maps=prog1');
line('tailcall_subprog_void', 'socket_filter', withBtf([pcall('f'), exit(), label('f'), ldmap(2, 0), mov(3, 0), call(12), mov(0, 0), exit()], [MAIN, { name: 'f', label: 'f', ret: VOIDP, params: [] }]), 'maps=prog1');
line('glob_calls_loop', 'socket_filter', withBtf([mov(1, 3), pcall('f'), exit(), label('f'), stdw(10, -8, 0), mov(1, 4), ldfunc(2, 'cb'), movr(3, 10), add(3, -8), mov(4, 0), call(181), exit(), label('cb'), mov(0, 0), exit()], [MAIN, G([INT]), CB2()]), 'log=1');

line('loop_nested', 'socket_filter', withBtf([LOOP, RET0, label('cb'), stdw(10, -8, 0), mov(1, 2), ldfunc(2, 'cb2'), movr(3, 10), add(3, -8), mov(4, 0), call(181), mov(0, 0), exit(), label('cb2'), ldxdw(0, 2, 0), mov(0, 1), exit()], [MAIN, CB2(), { name: 'cb2', label: 'cb2', params: [UINT, VOIDP] }]), 'log=1');
line('loop_two_sites', 'socket_filter', withBtf([LOOP, mov(1, 2), ldfunc(2, 'cb'), mov(3, 0), mov(4, 0), call(181), RET0, label('cb'), ldxdw(0, 2, 0), mov(0, 0), exit()], [MAIN, CB2()]), 'log=1');
line('loop_cb_is_main', 'socket_filter', withBtf([label('main'), stdw(10, -8, 0), mov(1, 4), ldfunc(2, 'main'), mov(3, 0), mov(4, 0), call(181), RET0], [{ name: 'main', label: 'main', params: [VOIDP] }]));
line('loop_flags_scalar_ptr', 'socket_filter', withBtf([LOOP.slice(0, -2), movr(4, 10), call(181), RET0, label('cb'), mov(0, 0), exit()], [MAIN, CB2()]));
line('loop_ok_log2', 'socket_filter', withBtf([LOOP, movr(0, 0), exit(), label('cb'), ldxdw(3, 2, 0), add(3, 1), insn(0x7b, 2, 3, 0, 0), mov(0, 0), exit()], [MAIN, CB2()]), 'log=2');
line('glob_ok_log2', 'socket_filter', withBtf([mov(1, 21), pcall('f'), exit(), label('f'), movr(0, 1), mul(0, 2), exit()], [MAIN, G([INT])]), 'log=2');

line('glob_then_main_fails', 'socket_filter', withBtf([mov(1, 21), pcall('f'), movr(0, 6), exit(), label('f'), movr(0, 1), exit()], [MAIN, G([INT])]), 'log=1');
line('glob_ret_stack', 'socket_filter', withBtf([mov(1, 1), pcall('f'), mov(0, 0), exit(), label('f'), movr(0, 10), exit()], [MAIN, G([INT])]), 'log=1');
line('glob_ret_ctxptr', 'socket_filter', withBtf([pcall('f'), mov(0, 0), exit(), label('f'), movr(0, 1), exit()], [{ name: 'main', params: [SKBP] }, G([SKBP])]), 'log=1');
line('glob_6_args', 'socket_filter', withBtf([mov(1, 1), pcall('f'), exit(), label('f'), mov(0, 0), exit()], [MAIN, G([INT, INT, INT, INT, INT, INT])]));
line('glob_mem_passthrough', 'socket_filter', withBtf([stdw(10, -8, 0), movr(1, 10), add(1, -8), pcall('f'), exit(), label('f'), pcall('g'), exit(), label('g'), mov(0, 0), exit()], [MAIN, G([PAIRP]), { name: 'g', label: 'g', global: true, params: [PAIRP] }]), 'log=1');
line('glob_ctx_sched_cls', 'sched_cls', withBtf([pcall('f'), exit(), label('f'), ldxw(0, 1, 0), exit()], [{ name: 'main', params: [SKBP] }, G([SKBP])]));
line('glob_ctx_wrong_type', 'xdp', withBtf([pcall('f'), exit(), label('f'), mov(0, 2), exit()], [{ name: 'main', params: [VOIDP] }, G([SKBP])]), 'log=1');
line('each_ctx_not_stack', 'socket_filter', withBtf([stdw(10, -8, 0), ldmap(1, 0), ldfunc(2, 'cb'), ldmap(3, 0), mov(4, 0), call(164), RET0, label('cb'), mov(0, 0), exit()], [MAIN, CB4]), 'maps=map_hash_8b');
line('loop_in_spin_lock_free', 'socket_filter', withBtf([LOOP, RET0, label('cb'), pcall('h'), mov(0, 0), exit(), label('h'), mov(0, 0), exit()], [MAIN, CB2(), { name: 'h', label: 'h', params: [] }]), 'log=1');

line('vma_read', 'kprobe', withBtf([FV, RET0, label('cb'), ldxdw(0, 2, 0), ldxdw(0, 2, 8), mov(0, 0), exit()], [MAIN, CB3]), 'log=1');
line('vma_task_read', 'kprobe', withBtf([FV, RET0, label('cb'), ldxw(0, 1, 0), mov(0, 0), exit()], [MAIN, CB3]));
line('vma_write', 'kprobe', withBtf([FV, RET0, label('cb'), stdw(2, 0, 0), mov(0, 0), exit()], [MAIN, CB3]));

line('loop_stack_combined', 'socket_filter', withBtf([stdw(10, -304, 0), LOOP, RET0, label('cb'), stdw(10, -304, 0), mov(0, 0), exit()], [MAIN, CB2()]));
line('timer_stack_separate', 'sched_cls', withBtf([stdw(10, -304, 0), TIMER(), label('cb'), stdw(10, -304, 0), mov(0, 0), exit()], [MAIN, CB3]), 'maps=map_timer');
line('timer_stack_too_big', 'sched_cls', withBtf([stdw(10, -304, 0), TIMER(), label('cb'), stdw(10, -304, 0), pcall('h'), mov(0, 0), exit(), label('h'), stdw(10, -256, 0), mov(0, 0), exit()], [MAIN, CB3, { name: 'h', label: 'h', params: [] }]), 'maps=map_timer');

const URCB = { name: 'cb', label: 'cb', params: [VOIDP, VOIDP] };
line('uring_dynptr_read', 'socket_filter', withBtf([UR, RET0, label('cb'), movr(3, 1), movr(1, 10), add(1, -8), mov(2, 8), mov(4, 0), mov(5, 0), call(201), mov(0, 0), exit()], [MAIN, URCB]), 'maps=user_ringbuf:0:0:4096 log=1');
line('uring_dynptr_data', 'socket_filter', withBtf([UR, RET0, label('cb'), mov(2, 0), mov(3, 8), call(203), jeq0(0, 'out'), ldxdw(0, 0, 0), label('out'), mov(0, 0), exit()], [MAIN, URCB]), 'maps=user_ringbuf:0:0:4096 log=1');
line('uring_dynptr_data_oob', 'socket_filter', withBtf([UR, RET0, label('cb'), mov(2, 0), mov(3, 8), call(203), jeq0(0, 'out'), ldxdw(0, 0, 4), label('out'), mov(0, 0), exit()], [MAIN, URCB]), 'maps=user_ringbuf:0:0:4096 log=1');
line('uring_dynptr_write_stack', 'socket_filter', withBtf([UR, RET0, label('cb'), stdw(1, 0, 0), mov(0, 0), exit()], [MAIN, URCB]), 'maps=user_ringbuf:0:0:4096 log=1');

// func_info records that do not fit the program (BPF_PROG_LOAD's own checks).
const GOK = withBtf([mov(1, 1), pcall('f'), exit(), label('f'), movr(0, 1), exit()], [MAIN, G([INT])]);
line('finfo_first_nonzero', 'socket_filter', GOK.replace(/func_info=\S+/, 'func_info=1:9,3:11'));
line('finfo_not_increasing', 'socket_filter', GOK.replace(/func_info=\S+/, 'func_info=0:9,0:11'));
line('finfo_layout', 'socket_filter', GOK.replace(/func_info=\S+/, 'func_info=0:9,2:11'));
line('finfo_bad_type', 'socket_filter', GOK.replace(/func_info=\S+/, 'func_info=0:9,3:8'));

// A reference of the caller (ringbuf memory spilled into the callback's ctx) released inside the callback.
const RB_CALLER = [ldmap(1, 0), mov(2, 8), mov(3, 0), call(131), jeq0(0, 'out'), insn(0x7b, 10, 0, -8, 0),
  mov(1, 1), ldfunc(2, 'cb'), movr(3, 10), add(3, -8), mov(4, 0), call(181), ldxdw(1, 10, -8), mov(2, 0), call(132), label('out'), mov(0, 0), exit()];
line('loop_release_caller_ref', 'socket_filter', withBtf([RB_CALLER, label('cb'), ldxdw(1, 2, 0), mov(2, 0), call(132), mov(0, 0), exit()], [MAIN, CB2()]), 'maps=map_ringbuf log=1');
line('loop_caller_ref_ok', 'socket_filter', withBtf([RB_CALLER, label('cb'), ldxdw(1, 2, 0), stdw(1, 0, 7), mov(0, 0), exit()], [MAIN, CB2()]), 'maps=map_ringbuf log=1');

console.log('# bpfvm callback / global function batch for Linux 6.1, generated by gen-manifest.mjs');
console.log('defaults pkthex=00112233445566778899aabb08004500001c0000000040110000c0a80001c0a80002');
for (const l of lines) console.log(l);
