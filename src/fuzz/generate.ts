/**
 * A generator of well-formed programs biased toward where verifiers go wrong (grown from the soundness
 * suite of bench/fuzz): bounds learned from branches on packet and map data, pointer arithmetic with
 * variable offsets (packet, map value, stack), ALU32 and sign extension, jmp32, spills and fills of
 * pointers and scalars, partial stack writes, helper calls with memory arguments and variable sizes, map
 * lookups with NULL checks, bpf-to-bpf calls, bounded loops, and helpers that invalidate packet pointers.
 *
 * A program is assembler text (src/asm's pseudo-C), one statement a line, so a reproducer is readable and
 * delta debugging can drop lines. Registers: r6 = ctx, r7 = data, r8 = data_end (XDP, tc); scalars live in
 * r0…r5 and r9. Bounds are often put at an edge (the exact limit, one below, one above), so both accepted
 * and rejected programs are near the verifier's decisions.
 */
import { Rng } from './rng.js';

export type FuzzProgType = 'socket' | 'xdp' | 'tc';
export const FUZZ_PROG_TYPES: readonly FuzzProgType[] = ['socket', 'xdp', 'tc'];
/** The kfuncs a program's `call kfunc N` names (loadProgram's kfuncNames; `bpfvm run --kfuncs`). */
export const KFUNCS: Record<FuzzProgType, readonly string[]> = {
  socket: [],
  xdp: ['bpf_xdp_ct_alloc', 'bpf_ct_insert_entry', 'bpf_ct_release'],
  tc: ['bpf_skb_ct_alloc', 'bpf_ct_insert_entry', 'bpf_ct_release'],
};
/** The program type names loadProgram takes. */
export const LOAD_TYPE: Record<FuzzProgType, string> = { socket: 'socket_filter', xdp: 'xdp', tc: 'sched_cls' };

/** Size of the values of both maps (map_fd(0): array, map_fd(1): hash; 4-byte keys). */
export const VALUE_SIZE = 64;

type Slot = 'scalar' | 'pkt' | 'ctx';

interface State {
  /** Registers holding scalars (readable). */
  scalars: Set<number>;
  /** r7 = data, r8 = data_end are valid (XDP, tc). */
  pkt: boolean;
  /** Stack slots (by 8-byte index 1…8 below r10) fully written, and with what. */
  stack: Map<number, Slot>;
}

const SCALAR_REGS = [0, 1, 2, 3, 4, 5, 9];
const SZ: Record<number, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

function copy(s: State): State {
  return { scalars: new Set(s.scalars), pkt: s.pkt, stack: new Map(s.stack) };
}

function meet(a: State, b: State): State {
  return {
    scalars: new Set([...a.scalars].filter((r) => b.scalars.has(r))),
    pkt: a.pkt && b.pkt,
    stack: new Map([...a.stack].filter(([k, v]) => b.stack.get(k) === v)),
  };
}

/** Subprograms a program may call (emitted after the main program's exit when used). */
const SUBPROGS: Record<string, string[]> = {
  // a bounded scalar of r1
  sub_mask: ['r0 = r1', 'r0 &= 63', 'exit'],
  // a bound learned from a branch, returned: r0 <= 15 on both paths
  sub_clamp: ['if r1 > 15 goto sub_clamp_big', 'r0 = r1', 'exit', 'sub_clamp_big:', 'r0 = 0', 'exit'],
  // writes r2 to the caller's stack through r1
  sub_store: ['*(u64 *)(r1 + 0) = r2', 'r0 = 0', 'exit'],
  // ALU32 in a callee: zero extension of the result
  sub_w32: ['w0 = w1', 'w0 += -1', 'w0 >>= 28', 'exit'],
};

class Builder {
  lines: string[] = [];
  private label = 0;
  readonly used = new Set<string>();
  constructor(readonly type: FuzzProgType, readonly c: Rng) {}

  fresh(): string {
    return `l${this.label++}`;
  }

  emit(s: string): void {
    this.lines.push(s);
  }

  scalar(s: State): number {
    const regs = [...s.scalars];
    if (regs.length === 0) {
      this.emit(`r9 = ${this.c.pick([7, 0, -1, 255])}`);
      s.scalars.add(9);
      return 9;
    }
    return this.c.pick(regs);
  }

  /** A register to write a scalar to (never r6/r7/r8, the ctx and packet pointers). */
  target(): number {
    return this.c.pick(SCALAR_REGS);
  }

  /** An edge value near `limit`: the limit itself, one below or one above. */
  edge(limit: number): number {
    return limit + this.c.pick([-1, 0, 0, 0, 1]);
  }

  alu(s: State): void {
    const d = this.target();
    const ops = ['+=', '-=', '*=', '|=', '&=', '^=', '<<=', '>>=', 's>>=', '/=', '%=', '=', 'neg'];
    const op = this.c.pick(ops);
    const w32 = this.c.chance(3);
    const r = (n: number) => (w32 ? `w${n}` : `r${n}`);
    if (op !== '=' && !s.scalars.has(d)) this.emit(`${r(d)} = ${this.c.next(100)}`);
    if (op === 'neg') {
      this.emit(`${r(d)} = -${r(d)}`);
    } else if (this.c.chance(2) && s.scalars.size > 0 && !op.includes('<') && !op.includes('>')) {
      this.emit(`${r(d)} ${op} ${r(this.scalar(s))}`);
    } else {
      const shift = op.includes('<') || op.includes('>');
      const imm = shift ? this.c.next(w32 ? 32 : 64) : this.c.pick(op === '/=' || op === '%=' ? [1, 3, 7, -1, 0x7fffffff] : [0, 1, 3, 7, 0xff, -1, -8, 0x7fffffff, -0x80000000, 100, 63]);
      this.emit(`${r(d)} ${op} ${imm}`);
    }
    s.scalars.add(d);
  }

  /** Sign and zero extension: a 32-bit move, a shift pair, an arithmetic shift of a negative value. */
  extend(s: State): void {
    const d = this.target();
    const x = this.scalar(s);
    const k = this.c.next(4);
    if (k === 0) {
      this.emit(`r${d} = r${x}`);
      this.emit(`r${d} <<= 32`);
      this.emit(`r${d} s>>= ${this.c.pick([32, 32, 31, 56])}`);
    } else if (k === 1) {
      this.emit(`w${d} = w${x}`); // zero-extends
    } else if (k === 2) {
      this.emit(`w${d} = ${this.c.pick([-1, -8, 0x7fffffff, -0x80000000])}`);
      this.emit(`r${d} s>>= ${this.c.next(64)}`);
    } else {
      this.emit(`r${d} = r${x}`);
      this.emit(`w${d} s>>= ${this.c.pick([1, 31, 7])}`);
      this.emit(`r${d} += ${this.c.pick([1, -1, 0x7fffffff])}`);
    }
    s.scalars.add(d);
  }

  /** A constant-offset packet access guarded by `if rX > r8` (XDP, tc). */
  pktConst(s: State): void {
    if (!s.pkt) return this.alu(s);
    const size = this.c.pick([1, 2, 4, 8]);
    const off = this.c.next(48);
    const end = this.edge(off + size);
    const skip = this.fresh();
    this.emit('r1 = r7');
    this.emit(`r1 += ${end}`);
    this.emit(this.c.chance(4) ? `if r8 < r1 goto ${skip}` : `if r1 > r8 goto ${skip}`);
    const d = this.c.pick([0, 2, 3, 4, 5, 9]);
    if (this.c.chance(3)) this.emit(`*(${SZ[size]} *)(r7 + ${off}) = ${this.c.next(256)}`);
    else this.emit(`r${d} = *(${SZ[size]} *)(r7 + ${off})`);
    this.emit(`${skip}:`);
    s.scalars.delete(1);
    s.scalars.delete(d); // written on one path only
  }

  /** A variable-offset packet access: an index bounded by a mask or a branch, added to data, checked against data_end. */
  pktVar(s: State): void {
    if (!s.pkt) return this.alu(s);
    const idx = this.scalar(s);
    const size = this.c.pick([1, 2, 4]);
    const skip = this.fresh();
    this.emit(`r3 = r${idx}`);
    if (this.c.chance(2)) this.emit(`r3 &= ${this.c.pick([7, 15, 31, 63, 0xff])}`);
    else {
      this.emit(`if r3 > ${this.edge(this.c.pick([16, 32, 64]))} goto ${skip}`);
      if (this.c.chance(3)) this.emit(`if r3 s< 0 goto ${skip}`);
    }
    this.emit('r1 = r7');
    this.emit('r1 += r3');
    this.emit('r2 = r1');
    this.emit(`r2 += ${this.edge(size)}`);
    this.emit(`if r2 > r8 goto ${skip}`);
    if (this.c.chance(2)) this.emit(`r4 = *(${SZ[size]} *)(r1 + 0)`);
    else this.emit(`*(${SZ[size]} *)(r1 + 0) = r3`);
    this.emit(`${skip}:`);
    for (const r of [1, 2, 3, 4]) s.scalars.delete(r);
  }

  /** A bound learned from packet data: a byte of the packet, checked, used as an offset into the packet. */
  pktLearned(s: State): void {
    if (!s.pkt) return this.alu(s);
    const skip = this.fresh();
    const hdr = 1 + this.c.next(8);
    this.emit('r1 = r7');
    this.emit(`r1 += ${hdr}`);
    this.emit(`if r1 > r8 goto ${skip}`);
    this.emit(`r2 = *(u8 *)(r7 + ${this.c.next(hdr)})`);
    const lim = this.edge(this.c.pick([8, 16, 40]));
    const cond = this.c.pick([`if r2 > ${lim} goto ${skip}`, `if r2 >= ${lim} goto ${skip}`, `if w2 > ${lim} goto ${skip}`, `if r2 s> ${lim} goto ${skip}`]);
    this.emit(cond);
    if (this.c.chance(3)) this.emit('r2 <<= 1');
    this.emit('r1 = r7');
    this.emit('r1 += r2');
    const size = this.c.pick([1, 2, 4]);
    this.emit('r3 = r1');
    this.emit(`r3 += ${size}`);
    this.emit(`if r3 > r8 goto ${skip}`);
    this.emit(`r0 = *(${SZ[size]} *)(r1 + 0)`);
    this.emit(`${skip}:`);
    for (const r of [0, 1, 2, 3]) s.scalars.delete(r);
  }

  /** A map lookup with a NULL check; the value is read, written, atomically added, or reached at an offset learned from its own data. */
  mapAccess(s: State): void {
    const key = this.c.chance(3) ? `r${this.scalar(s)}` : `${this.c.next(6)}`;
    const map = this.c.next(2);
    this.emit(key.startsWith('r') ? `*(u32 *)(r10 - 4) = w${key.slice(1)}` : `*(u32 *)(r10 - 4) = ${key}`);
    this.emit(`r1 = map_fd(${map}) ll`);
    this.emit('r2 = r10');
    this.emit('r2 += -4');
    this.emit('call 1');
    const skip = this.fresh();
    const nullCheck = this.c.pick([`if r0 == 0 goto ${skip}`, `if r0 == 0 goto ${skip}`, `if r0 != 0 goto +1`, '']);
    if (nullCheck === '' && !this.c.chance(3)) this.emit(`if r0 == 0 goto ${skip}`);
    else if (nullCheck === '') {
      // no NULL check at all (the verifier must refuse the access)
    } else if (nullCheck.startsWith('if r0 != 0')) {
      // the other spelling: jump over an early exit
      this.emit(nullCheck);
      this.emit(`goto ${skip}`);
    } else this.emit(nullCheck);
    const kind = this.c.next(7);
    if (kind === 0) {
      this.emit(`r1 = *(u64 *)(r0 + ${8 * this.c.next(VALUE_SIZE / 8)})`);
    } else if (kind === 1) {
      this.emit(`*(u32 *)(r0 + ${4 * this.c.next(VALUE_SIZE / 4)}) = ${this.c.next(1000)}`);
    } else if (kind === 2) {
      this.emit('r1 = 1');
      this.emit(`lock *(u64 *)(r0 + ${8 * this.c.next(VALUE_SIZE / 8)}) += r1`);
    } else if (kind === 3) {
      this.emit('r1 = r0');
      this.emit('r2 = *(u32 *)(r0 + 0)');
      this.emit(`r2 &= ${this.c.pick([7, 15, 31, 63])}`);
      if (this.c.chance(2)) this.emit('r2 <<= 1');
      this.emit('r1 += r2');
      this.emit(`r3 = *(u${this.c.pick([8, 16])} *)(r1 + 0)`);
    } else if (kind === 4) {
      // a bound from the value's own data, at the edge of the value's size
      const size = this.c.pick([1, 2, 4, 8]);
      const w = this.c.chance(3);
      const off = 8 * this.c.next(VALUE_SIZE / 8);
      const op = this.c.pick(['>', '>=']);
      const lim = this.edge(VALUE_SIZE - size);
      // sometimes the data is first set to the largest value the branch lets through (the verifier sees an unknown read)
      if (this.c.chance(2)) this.emit(`*(u64 *)(r0 + ${off}) = ${op === '>' ? lim : lim - 1}`);
      this.emit(`r2 = *(u${this.c.pick([8, 32, 64])} *)(r0 + ${off})`);
      this.emit(`if ${w ? 'w2' : 'r2'} ${op} ${lim} goto ${skip}`);
      if (this.c.chance(3)) this.emit(`if r2 s< 0 goto ${skip}`);
      this.emit('r0 += r2');
      if (this.c.chance(2)) this.emit(`r1 = *(${SZ[size]} *)(r0 + 0)`);
      else this.emit(`*(${SZ[size]} *)(r0 + 0) = 7`);
    } else if (kind === 5) {
      // a signed bound: both ends checked, or only one
      this.emit('r2 = *(u64 *)(r0 + 8)');
      this.emit(`if r2 s> ${this.edge(VALUE_SIZE - 4)} goto ${skip}`);
      this.emit(`if r2 s< ${this.c.pick([0, 0, -1, 1])} goto ${skip}`);
      this.emit('r0 += r2');
      this.emit('r1 = *(u32 *)(r0 + 0)');
    } else {
      // the value pointer spilled and filled back
      const slot = 2 + this.c.next(6);
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = r0`);
      this.emit(`r3 = *(u64 *)(r10 - ${8 * slot})`);
      this.emit(`r1 = *(u32 *)(r3 + ${4 * this.c.next(VALUE_SIZE / 4)})`);
      s.stack.delete(slot); // a map value pointer on one path only
    }
    this.emit(`${skip}:`);
    for (const r of [0, 1, 2, 3, 4, 5]) s.scalars.delete(r);
    s.stack.delete(1); // the key's slot: 4 bytes written
  }

  spill(s: State): void {
    const slot = 2 + this.c.next(6);
    const what = this.c.next(5);
    if (what === 0) {
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = r6`);
      s.stack.set(slot, 'ctx');
    } else if (what === 1 && s.pkt) {
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = r7`);
      s.stack.set(slot, 'pkt');
    } else if (what === 2) {
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = ${this.c.pick([0, -1, 42, 0x7fffffff])}`);
      s.stack.set(slot, 'scalar');
    } else {
      // a 32-bit spill of a scalar into a fresh slot is partial: read back only at its own size
      if (this.c.chance(3) && !s.stack.has(slot)) {
        const x = this.scalar(s);
        const d = this.target();
        this.emit(`*(u32 *)(r10 - ${8 * slot}) = w${x}`);
        this.emit(`r${d} = *(u32 *)(r10 - ${8 * slot})`);
        s.scalars.add(d);
        return;
      }
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = r${this.scalar(s)}`);
      s.stack.set(slot, 'scalar');
    }
  }

  fill(s: State): void {
    const slots = [...s.stack];
    if (slots.length === 0) return this.spill(s);
    const [slot, kind] = this.c.pick(slots);
    if (kind === 'scalar') {
      const d = this.target();
      const size = this.c.pick([8, 8, 4, 2, 1]);
      const off = 8 * slot - this.c.next(8 / size) * size;
      this.emit(`r${d} = *(${SZ[size]} *)(r10 - ${off})`);
      s.scalars.add(d);
    } else if (kind === 'ctx') {
      this.emit(`r6 = *(u64 *)(r10 - ${8 * slot})`);
    } else {
      this.emit(`r7 = *(u64 *)(r10 - ${8 * slot})`);
    }
  }

  /** Partial writes into a written slot (it stays readable, and a spilled pointer there becomes bytes). */
  partialStack(s: State): void {
    const slots = [...s.stack];
    if (slots.length === 0) return this.spill(s);
    const [slot] = this.c.pick(slots);
    const size = this.c.pick([1, 2, 4]);
    const off = 8 * slot - this.c.next(8 / size) * size;
    if (this.c.chance(2)) this.emit(`*(${SZ[size]} *)(r10 - ${off}) = ${this.c.pick([0, 1, 0xff, -1])}`);
    else this.emit(`*(${SZ[size]} *)(r10 - ${off}) = r${this.scalar(s)}`);
    s.stack.set(slot, 'scalar');
  }

  /** A stack access at a variable offset: two slots zeroed, a masked index into them. */
  stackVar(s: State): void {
    const lo = 3 + this.c.next(4); // slots lo and lo+1
    this.emit(`*(u64 *)(r10 - ${8 * lo}) = 0`);
    this.emit(`*(u64 *)(r10 - ${8 * (lo + 1)}) = 0`);
    const size = this.c.pick([1, 2, 4]);
    this.emit(`r2 = r${this.scalar(s)}`);
    // the stack is always checked for alignment: the index keeps the access's alignment
    this.emit(`r2 &= ${this.c.pick([7, 7, 15, 3]) & ~(size - 1)}`);
    this.emit('r1 = r10');
    this.emit(`r1 += -${8 * (lo + 1)}`);
    this.emit('r1 += r2');
    if (this.c.chance(2)) this.emit(`*(${SZ[size]} *)(r1 + 0) = ${this.c.next(256)}`);
    else this.emit(`r3 = *(${SZ[size]} *)(r1 + 0)`);
    for (const r of [1, 2, 3]) s.scalars.delete(r);
    s.stack.set(lo, 'scalar');
    s.stack.set(lo + 1, 'scalar');
  }

  /** A conditional jump over a nested block; the state after is what both paths agree on. */
  branch(s: State, depth: number): State {
    const a = this.scalar(s);
    const cond = this.c.pick(['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&']);
    const regRhs = this.c.chance(2) && s.scalars.size > 1;
    const w = this.c.chance(3);
    const rhs = regRhs ? `${w ? 'w' : 'r'}${this.scalar(s)}` : `${this.c.pick([0, 1, 5, 100, -1, 0x7fffffff, -0x80000000, 255, 256])}`;
    const skip = this.fresh();
    this.emit(`if ${w ? 'w' : 'r'}${a} ${cond} ${rhs} goto ${skip}`);
    const inner = copy(s);
    this.block(inner, depth + 1, 1 + this.c.next(3));
    this.emit(`${skip}:`);
    return meet(s, inner);
  }

  /** A bounded loop: a counter to N, a scalar updated each turn (sometimes a 32-bit counter). */
  loop(s: State): void {
    const n = 1 + this.c.next(8);
    const top = this.fresh();
    const acc = this.c.pick([0, 2, 3, 4, 5]);
    const w = this.c.chance(3);
    this.emit('r9 = 0');
    if (!s.scalars.has(acc)) this.emit(`r${acc} = 1`);
    this.emit(`${top}:`);
    this.emit(`r${acc} ${this.c.pick(['+=', '^=', '*='])} r9`);
    this.emit(w ? 'w9 += 1' : 'r9 += 1');
    this.emit(`if ${w ? 'w9' : 'r9'} < ${n} goto ${top}`);
    s.scalars.add(9);
    s.scalars.add(acc);
  }

  /** Helpers with memory arguments: sizes constant or bounded by a mask, at or near the buffer's edge. */
  helperMem(s: State): void {
    let k = this.c.next(this.type === 'xdp' ? 3 : 4);
    if (this.type === 'socket' && k === 1) k = 3; // bpf_csum_diff is not a socket filter's
    if (k === 0) {
      // bpf_map_update_elem(map, &key, &value on the stack, BPF_ANY)
      for (let slot = 1; slot <= 8; slot++) this.emit(`*(u64 *)(r10 - ${8 * slot}) = ${slot === 1 ? this.c.next(6) : this.c.next(100)}`);
      this.emit(`r1 = map_fd(${this.c.next(2)}) ll`);
      this.emit('r2 = r10');
      this.emit('r2 += -8');
      this.emit('r3 = r10');
      this.emit(`r3 += -${VALUE_SIZE}`);
      this.emit('r4 = 0');
      this.emit('call 2');
      for (let slot = 1; slot <= 8; slot++) s.stack.set(slot, 'scalar');
    } else if (k === 1) {
      // bpf_csum_diff(from, from_size, to, to_size, seed): sizes multiples of 4
      this.emit('*(u64 *)(r10 - 16) = 1');
      this.emit('*(u64 *)(r10 - 8) = 2');
      this.emit('r1 = r10');
      this.emit('r1 += -16');
      this.emit(`r2 = ${this.c.pick([4, 8, 16, 16])}`);
      this.emit('r3 = r10');
      this.emit('r3 += -8');
      this.emit(`r4 = ${this.c.pick([0, 4, 8])}`);
      this.emit(`r5 = ${this.c.next(1000)}`);
      this.emit('call 28');
      s.stack.set(1, 'scalar');
      s.stack.set(2, 'scalar');
    } else if (k === 2) {
      // bpf_probe_read_kernel(dst on the stack, variable size, src = a stack buffer)
      this.emit('*(u64 *)(r10 - 8) = 5');
      this.emit('*(u64 *)(r10 - 16) = 6');
      this.emit(`r2 = r${this.scalar(s)}`);
      this.emit(`r2 &= ${this.c.pick([7, 15, 31, 31])}`);
      if (this.c.chance(2)) this.emit('r2 += 1');
      this.emit('r1 = r10');
      this.emit(`r1 += -${this.c.pick([16, 32, 32])}`);
      this.emit('r3 = r10');
      this.emit('r3 += -16');
      this.emit('call 113');
      s.stack.set(3, 'scalar');
      s.stack.set(4, 'scalar');
      s.stack.set(1, 'scalar');
      s.stack.set(2, 'scalar');
      for (const slot of [3, 4]) s.stack.delete(slot); // written only as far as the size reached
    } else {
      // bpf_skb_load_bytes(ctx, off, stack, len) with a variable length
      this.emit('r1 = r6');
      this.emit(`r2 = ${this.c.next(40)}`);
      this.emit('r3 = r10');
      this.emit(`r3 += -${this.c.pick([64, 64, 32, 16])}`);
      if (this.c.chance(2)) {
        this.emit(`r4 = r${this.scalar(s)}`);
        this.emit(`r4 &= ${this.c.pick([7, 15, 31])}`);
        this.emit('r4 += 1');
      } else this.emit(`r4 = ${this.edge(16)}`);
      this.emit('call 26');
      s.stack.delete(8);
      s.stack.delete(7);
    }
    for (const r of [1, 2, 3, 4, 5]) s.scalars.delete(r);
    s.scalars.add(0);
  }

  /** A helper call: random numbers, time, and (XDP, tc) one that moves the packet, after which data and data_end are read again. */
  helper(s: State): void {
    const k = this.c.next(this.type === 'socket' ? 3 : 4);
    if (k === 0) this.emit('call 7'); // bpf_get_prandom_u32
    else if (k === 1) this.emit('call 5'); // bpf_ktime_get_ns
    else if (k === 2) this.emit('call 8'); // bpf_get_smp_processor_id
    else {
      // helpers that change packet data (bpf_helper_changes_pkt_data): every packet pointer is invalid after them.
      this.emit('r1 = r6');
      const h = this.c.next(3);
      if (this.type === 'xdp') {
        // bpf_xdp_adjust_head (44), bpf_xdp_adjust_tail (65) or bpf_xdp_adjust_meta (54)
        const [deltas, helper] = h === 0 ? [[-16, -4, 0, 4, 14], 44] : h === 1 ? [[-16, -1, 0, 8], 65] : [[-8, -4, 0, 4], 54];
        this.emit(`r2 = ${this.c.pick(deltas)}`);
        this.emit(`call ${helper}`);
      } else if (h === 0) {
        this.emit(`r2 = ${this.c.pick([0, 4, 14, 32])}`); this.emit('r3 = 0'); this.emit('call 43'); // bpf_skb_change_head
      } else if (h === 1) {
        this.emit('r2 = 129'); this.emit(`r3 = ${this.c.next(4096)}`); this.emit('call 18'); // bpf_skb_vlan_push(ETH_P_8021Q)
      } else {
        this.emit(`r2 = ${this.c.pick([14, 24, 40])}`); this.emit(`r3 = ${this.c.next(65536)}`); this.emit(`r4 = ${this.c.next(65536)}`);
        this.emit('r5 = 2'); this.emit('call 10'); // bpf_l3_csum_replace
      }
      for (const [slot, kind] of s.stack) if (kind === 'pkt') s.stack.delete(slot);
      // sometimes data and data_end are not read again: a later use of the stale r7 must be refused
      if (!this.c.chance(6)) this.loadPkt(s);
    }
    for (const r of [1, 2, 3, 4, 5]) s.scalars.delete(r);
    s.scalars.add(0);
  }

  /**
   * A kfunc acquire/release chain (XDP, tc): bpf_*_ct_alloc (may return NULL: NULL injection makes it),
   * bpf_ct_insert_entry (releases the new entry, acquires the inserted one), bpf_ct_release; sometimes the
   * released pointer is used after the release (the verifier must refuse that).
   */
  ctPair(s: State): void {
    if (this.type === 'socket') return this.mapAccess(s);
    const skip = this.fresh();
    this.emit(`*(u32 *)(r10 - 48) = ${this.c.next(0x7fffffff)}`);
    this.emit(`*(u32 *)(r10 - 44) = ${this.c.next(0x7fffffff)}`);
    this.emit(`*(u64 *)(r10 - 40) = ${this.c.next(0x7fffffff)}`);
    this.emit('*(u32 *)(r10 - 24) = -1'); // opts.netns_id: the current one
    this.emit('*(u32 *)(r10 - 20) = 0');
    this.emit(`*(u64 *)(r10 - 16) = ${this.c.pick([6, 6, 17])}`); // opts.l4proto: TCP or UDP
    this.emit('r1 = r6');
    this.emit('r2 = r10');
    this.emit('r2 += -48');
    this.emit('r3 = 12');
    this.emit('r4 = r10');
    this.emit('r4 += -24');
    this.emit('r5 = 12');
    this.emit('call kfunc 0');
    if (!this.c.chance(10)) this.emit(`if r0 == 0 goto ${skip}`);
    this.emit('r1 = r0');
    this.emit('call kfunc 1');
    this.emit(`if r0 == 0 goto ${skip}`);
    this.emit('r9 = r0');
    if (this.c.chance(2)) this.emit(`r2 = *(u${this.c.pick([8, 32])} *)(r0 + ${this.c.pick([0, 4, 8])})`);
    this.emit('r1 = r0');
    this.emit('call kfunc 2');
    const after = this.c.next(6);
    if (after === 0) this.emit('r0 = *(u32 *)(r9 + 0)');
    else if (after === 1) { this.emit('r1 = r9'); this.emit('call kfunc 2'); }
    this.emit(`${skip}:`);
    for (const r of [0, 1, 2, 3, 4, 5, 9]) s.scalars.delete(r);
    for (const slot of [1, 2, 3, 4, 5, 6]) s.stack.delete(slot);
    s.stack.set(2, 'scalar');
    s.stack.set(3, 'scalar');
    s.stack.set(5, 'scalar');
  }

  /** A bpf-to-bpf call. */
  call(s: State): void {
    const name = this.c.pick(Object.keys(SUBPROGS));
    this.used.add(name);
    if (name === 'sub_store') {
      const slot = 2 + this.c.next(6);
      this.emit('r1 = r10');
      this.emit(`r1 += -${8 * slot}`);
      this.emit(`r2 = r${this.scalar(s)}`);
      this.emit(`call ${name}`);
      s.stack.set(slot, 'scalar');
    } else {
      this.emit(`r1 = r${this.scalar(s)}`);
      this.emit(`call ${name}`);
    }
    for (const r of [1, 2, 3, 4, 5]) s.scalars.delete(r);
    s.scalars.add(0);
    // the result as an offset: into the packet or the stack
    if (name !== 'sub_store' && this.c.chance(2)) {
      if (s.pkt) {
        const skip = this.fresh();
        this.emit('r1 = r7');
        this.emit('r1 += r0');
        this.emit('r2 = r1');
        this.emit('r2 += 1');
        this.emit(`if r2 > r8 goto ${skip}`);
        this.emit('r3 = *(u8 *)(r1 + 0)');
        this.emit(`${skip}:`);
      } else {
        this.emit('*(u64 *)(r10 - 64) = 0');
        this.emit('*(u64 *)(r10 - 56) = 0');
        this.emit('*(u64 *)(r10 - 48) = 0');
        this.emit('*(u64 *)(r10 - 40) = 0');
        this.emit('r1 = r10');
        this.emit('r1 += -64');
        this.emit('r0 &= 15');
        this.emit('r1 += r0');
        this.emit('r3 = *(u8 *)(r1 + 0)');
        for (const slot of [5, 6, 7, 8]) s.stack.set(slot, 'scalar');
      }
      for (const r of [1, 2, 3]) s.scalars.delete(r);
    }
  }

  loadPkt(s: State): void {
    if (this.type === 'xdp') {
      this.emit('r7 = *(u32 *)(r6 + 0)');
      this.emit('r8 = *(u32 *)(r6 + 4)');
    } else {
      this.emit('r7 = *(u32 *)(r6 + 76)');
      this.emit('r8 = *(u32 *)(r6 + 80)');
    }
    s.pkt = true;
  }

  /** Context fields and the socket filter's packet loads (LD_ABS / LD_IND). */
  ctxRead(s: State): void {
    const d = this.target();
    if (this.type === 'xdp') this.emit(`r${d} = *(u32 *)(r6 + ${this.c.pick([12, 16])})`); // ingress_ifindex, rx_queue_index
    else if (this.c.chance(2)) this.emit(`r${d} = *(u32 *)(r6 + ${this.c.pick([0, 4, 8, 16, 20, 36, 40])})`);
    else {
      const sz = this.c.pick(['u8', 'u16', 'u32']);
      if (this.c.chance(2)) this.emit(`r0 = *(${sz} *)skb[${this.c.next(64)}]`);
      else {
        const x = this.scalar(s);
        if (x === 0) return;
        this.emit(`r0 = *(${sz} *)skb[r${x} + ${this.c.next(20)}]`);
      }
      for (const r of [1, 2, 3, 4, 5]) s.scalars.delete(r);
      s.scalars.add(0);
      return;
    }
    s.scalars.add(d);
  }

  block(s: State, depth: number, n: number): void {
    for (let i = 0; i < n; i++) {
      const k = this.c.next(depth > 2 ? 19 : 21);
      switch (k) {
        case 0: case 1: this.alu(s); break;
        case 2: this.extend(s); break;
        case 3: this.pktConst(s); break;
        case 4: this.pktVar(s); break;
        case 5: this.pktLearned(s); break;
        case 6: case 7: this.mapAccess(s); break;
        case 8: this.spill(s); break;
        case 9: this.fill(s); break;
        case 10: this.partialStack(s); break;
        case 11: this.stackVar(s); break;
        case 12: this.helper(s); break;
        case 13: this.helperMem(s); break;
        case 14: this.ctxRead(s); break;
        case 15: this.loop(s); break;
        case 16: this.call(s); break;
        case 17: this.alu(s); break;
        case 18: this.ctPair(s); break;
        default: {
          const after = this.branch(s, depth);
          s.scalars = after.scalars; s.pkt = after.pkt; s.stack = after.stack;
        }
      }
    }
  }
}

/** The assembler text of the program `seed` makes for `type` (deterministic). */
export function generateProgram(type: FuzzProgType, seed: number): string {
  const c = new Rng(seed);
  const b = new Builder(type, c);
  const s: State = { scalars: new Set(), pkt: false, stack: new Map() };
  b.emit('r6 = r1');
  if (type !== 'socket') b.loadPkt(s);
  b.block(s, 0, 2 + c.next(14));
  if (c.chance(3) && s.scalars.size > 0) {
    b.emit(`r0 = r${b.scalar(s)}`);
    b.emit(`r0 &= ${type === 'xdp' ? 3 : 0xffff}`);
    if (type === 'xdp') b.emit('r0 |= 1');
  } else {
    b.emit(`r0 = ${type === 'xdp' ? c.pick([1, 2, 3]) : c.pick([0, 1, 2, 0xffff])}`);
  }
  b.emit('exit');
  for (const name of Object.keys(SUBPROGS)) {
    if (!b.used.has(name)) continue;
    b.emit(`${name}:`);
    for (const l of SUBPROGS[name]!) b.emit(l);
  }
  return b.lines.join('\n') + '\n';
}
