/**
 * The soundness suite: generated verifier-friendly programs for socket filters, XDP and tc (packet bounds
 * checks with constant and variable offsets, map lookups with NULL checks and variable-offset value
 * accesses, spills and fills of scalars and pointers, ALU and branch mixes, bounded loops, helpers that
 * invalidate packet pointers), verified as Linux 6.1 would, and every accepted program run on random
 * packets. Property: a program the verifier accepts never hits a run-time violation.
 */
import fc from 'fast-check';
import { assemble } from '../../src/asm/assemble.js';
import { loadProgram } from '../../src/api/collection.js';
import { Kernel } from '../../kernel-sim/kernel.js';
import { createMap, type BpfMap } from '../../kernel-sim/maps/index.js';
import { FuzzFailure, KNOWN_CLASSES, outcomeOf, type Suite } from './harness.js';
import { guarded } from './suites.js';

export type SoundType = 'socket' | 'xdp' | 'tc';
export const SOUND_TYPES: readonly SoundType[] = ['socket', 'xdp', 'tc'];

const VALUE_SIZE = 64;

/** A deterministic chooser over the drawn numbers (fast-check shrinks them). */
class Choices {
  private i = 0;
  private x: number;
  constructor(private readonly xs: readonly number[]) {
    this.x = xs.reduce((a, b) => (Math.imul(a, 31) + b) >>> 0, 0x9e3779b9);
  }
  next(n: number): number {
    const drawn = this.xs[this.i++];
    if (drawn !== undefined) return drawn % n;
    this.x = (Math.imul(this.x, 1103515245) + 12345) >>> 0;
    return (this.x >>> 8) % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.next(xs.length)]!;
  }
  get exhausted(): boolean {
    return this.i >= this.xs.length;
  }
}

type Slot = 'scalar' | 'pkt' | 'ctx';

interface State {
  /** Registers holding scalars (readable). */
  scalars: Set<number>;
  /** r7 = data, r8 = data_end are valid (XDP, tc). */
  pkt: boolean;
  /** Stack slots (by 8-byte index 1…8 below r10) written, and with what. */
  stack: Map<number, Slot>;
}

const SCALAR_REGS = [0, 1, 2, 3, 4, 5, 9];

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

class Builder {
  lines: string[] = [];
  private label = 0;
  constructor(readonly type: SoundType, readonly c: Choices) {}

  fresh(): string {
    return `l${this.label++}`;
  }

  emit(s: string): void {
    this.lines.push(s);
  }

  scalar(s: State): number {
    const regs = [...s.scalars];
    if (regs.length === 0) {
      this.emit('r9 = 7');
      s.scalars.add(9);
      return 9;
    }
    return this.c.pick(regs);
  }

  /** A register to write a scalar to (never r6/r7/r8, the ctx and packet pointers). */
  target(): number {
    return this.c.pick(SCALAR_REGS);
  }

  alu(s: State): void {
    const d = this.target();
    const ops = ['+=', '-=', '*=', '|=', '&=', '^=', '<<=', '>>=', 's>>=', '/=', '%=', '='];
    const op = this.c.pick(ops);
    const w32 = this.c.next(4) === 0;
    const r = (n: number) => (w32 ? `w${n}` : `r${n}`);
    if (op !== '=' && !s.scalars.has(d)) this.emit(`${r(d)} = ${this.c.next(100)}`);
    if (this.c.next(2) === 0 && s.scalars.size > 0 && !op.includes('<') && !op.includes('>')) {
      this.emit(`${r(d)} ${op} ${r(this.scalar(s))}`);
    } else {
      const shift = op.includes('<') || op.includes('>');
      const imm = shift ? this.c.next(w32 ? 32 : 64) : this.c.pick(op === '/=' || op === '%=' ? [1, 3, 7, -1, 0x7fffffff] : [0, 1, 3, 7, 0xff, -1, -8, 0x7fffffff, 100, 63]);
      this.emit(`${r(d)} ${op} ${imm}`);
    }
    s.scalars.add(d);
  }

  /** A constant-offset packet access guarded by `if rX > r8` (XDP, tc). */
  pktConst(s: State): void {
    if (!s.pkt) return this.alu(s);
    const size = this.c.pick([1, 2, 4, 8]);
    const off = this.c.next(48);
    const end = off + size + this.c.next(4);
    const skip = this.fresh();
    this.emit('r1 = r7');
    this.emit(`r1 += ${end}`);
    this.emit(`if r1 > r8 goto ${skip}`);
    const d = this.c.pick([0, 2, 3, 4, 5, 9]);
    const sz = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' }[size];
    if (this.c.next(3) === 0) {
      this.emit(`*(${sz} *)(r7 + ${off}) = ${this.c.next(256)}`);
    } else {
      this.emit(`r${d} = *(${sz} *)(r7 + ${off})`);
    }
    this.emit(`${skip}:`);
    s.scalars.delete(1);
    s.scalars.delete(d); // written on one path only
  }

  /** A variable-offset packet access: an index masked to a range, added to data, checked against data_end. */
  pktVar(s: State): void {
    if (!s.pkt) return this.alu(s);
    const idx = this.scalar(s);
    const mask = this.c.pick([7, 15, 31, 63]);
    const size = this.c.pick([1, 2, 4]);
    const sz = { 1: 'u8', 2: 'u16', 4: 'u32' }[size];
    const skip = this.fresh();
    this.emit(`r3 = r${idx}`);
    this.emit(`r3 &= ${mask}`);
    this.emit('r1 = r7');
    this.emit('r1 += r3');
    this.emit('r2 = r1');
    this.emit(`r2 += ${size}`);
    this.emit(`if r2 > r8 goto ${skip}`);
    if (this.c.next(2) === 0) this.emit(`r4 = *(${sz} *)(r1 + 0)`);
    else this.emit(`*(${sz} *)(r1 + 0) = r3`);
    this.emit(`${skip}:`);
    for (const r of [1, 2, 3, 4]) s.scalars.delete(r);
    s.scalars.add(3);
  }

  /** A map lookup with a NULL check; the value is read, written or atomically added at a constant or masked offset. */
  mapAccess(s: State): void {
    const key = this.c.next(3) === 0 ? `r${this.scalar(s)}` : `${this.c.next(6)}`;
    const map = this.c.next(2);
    this.emit(key.startsWith('r') ? `*(u32 *)(r10 - 4) = w${key.slice(1)}` : `*(u32 *)(r10 - 4) = ${key}`);
    this.emit(`r1 = map_fd(${map}) ll`);
    this.emit('r2 = r10');
    this.emit('r2 += -4');
    this.emit('call 1');
    const skip = this.fresh();
    this.emit(`if r0 == 0 goto ${skip}`);
    const kind = this.c.next(4);
    if (kind === 0) {
      this.emit(`r1 = *(u64 *)(r0 + ${8 * this.c.next(VALUE_SIZE / 8)})`);
    } else if (kind === 1) {
      this.emit(`*(u32 *)(r0 + ${4 * this.c.next(VALUE_SIZE / 4)}) = ${this.c.next(1000)}`);
    } else if (kind === 2) {
      this.emit('r1 = 1');
      this.emit(`lock *(u64 *)(r0 + ${8 * this.c.next(VALUE_SIZE / 8)}) += r1`);
    } else {
      this.emit(`r1 = r${this.c.pick([6, 10]) === 6 ? 0 : 0}`); // keep r1 a copy of the value pointer
      this.emit('r2 = *(u32 *)(r0 + 0)');
      this.emit(`r2 &= ${this.c.pick([7, 15, 31])}`);
      this.emit('r2 <<= 1');
      this.emit('r1 += r2');
      this.emit(`r3 = *(u${this.c.pick([8, 16])} *)(r1 + 0)`);
    }
    this.emit(`${skip}:`);
    for (const r of [0, 1, 2, 3, 4, 5]) s.scalars.delete(r);
    s.stack.set(1, 'scalar'); // the key's slot: 4 bytes written, read as u32 only — keep fills 8-byte aligned below it
    s.stack.delete(1);
  }

  spill(s: State): void {
    const slot = 2 + this.c.next(6);
    const what = this.c.next(4);
    if (what === 0) {
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = r6`);
      s.stack.set(slot, 'ctx');
    } else if (what === 1 && s.pkt) {
      this.emit(`*(u64 *)(r10 - ${8 * slot}) = r7`);
      s.stack.set(slot, 'pkt');
    } else {
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
      const narrow = this.c.next(3) === 0;
      this.emit(narrow ? `r${d} = *(u32 *)(r10 - ${8 * slot})` : `r${d} = *(u64 *)(r10 - ${8 * slot})`);
      s.scalars.add(d);
    } else if (kind === 'ctx') {
      this.emit(`r6 = *(u64 *)(r10 - ${8 * slot})`);
    } else {
      this.emit(`r7 = *(u64 *)(r10 - ${8 * slot})`);
    }
  }

  /** A conditional jump over a nested block; the state after is what both paths agree on. */
  branch(s: State, depth: number): State {
    const a = this.scalar(s);
    const cond = this.c.pick(['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&']);
    const rhs = this.c.next(2) === 0 && s.scalars.size > 1 ? `r${this.scalar(s)}` : `${this.c.pick([0, 1, 5, 100, -1, 0x7fffffff])}`;
    const skip = this.fresh();
    this.emit(`if ${this.c.next(4) === 0 && !rhs.startsWith('r') ? `w${a}` : `r${a}`} ${cond} ${rhs} goto ${skip}`);
    const inner = copy(s);
    this.block(inner, depth + 1, 1 + this.c.next(3));
    this.emit(`${skip}:`);
    return meet(s, inner);
  }

  /** A bounded loop: a counter to N, a scalar updated each turn. */
  loop(s: State): void {
    const n = 1 + this.c.next(8);
    const top = this.fresh();
    const acc = this.c.pick([0, 2, 3, 4, 5]);
    this.emit('r9 = 0');
    if (!s.scalars.has(acc)) this.emit(`r${acc} = 1`);
    this.emit(`${top}:`);
    this.emit(`r${acc} += r9`);
    this.emit('r9 += 1');
    this.emit(`if r9 < ${n} goto ${top}`);
    s.scalars.add(9);
    s.scalars.add(acc);
  }

  /** A helper call: random numbers, time, and (XDP, tc) one that moves the packet, after which data and data_end are read again. */
  helper(s: State): void {
    const k = this.c.next(this.type === 'socket' ? 3 : 4);
    if (k === 0) this.emit('call 7'); // bpf_get_prandom_u32
    else if (k === 1) this.emit('call 5'); // bpf_ktime_get_ns
    else if (k === 2) {
      if (this.type === 'socket') {
        // bpf_skb_load_bytes(ctx, off, stack, len)
        const len = 1 + this.c.next(16);
        this.emit('r1 = r6');
        this.emit(`r2 = ${this.c.next(40)}`);
        this.emit('r3 = r10');
        this.emit('r3 += -64');
        this.emit(`r4 = ${len}`);
        this.emit('call 26');
        // bytes r10-64 … r10-64+len: slots 8 and 7 hold scalars where fully written, are unknown where partly
        if (len >= 8) s.stack.set(8, 'scalar'); else s.stack.delete(8);
        if (len >= 16) s.stack.set(7, 'scalar'); else s.stack.delete(7);
      } else {
        this.emit('call 8'); // bpf_get_smp_processor_id
      }
    } else {
      // helpers that change packet data (bpf_helper_changes_pkt_data): every packet pointer is invalid after them.
      // (tc's bpf_skb_pull_data is left out: kernel-sim does not implement it — see the fuzz report.)
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
      for (const [slot, kind] of s.stack) if (kind === 'pkt') s.stack.set(slot, 'scalar');
      this.loadPkt(s);
    }
    for (const r of [1, 2, 3, 4, 5]) s.scalars.delete(r);
    s.scalars.add(0);
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
    else if (this.c.next(2) === 0) this.emit(`r${d} = *(u32 *)(r6 + ${this.c.pick([0, 4, 8, 16, 20, 36, 40])})`);
    else {
      const sz = this.c.pick(['u8', 'u16', 'u32']);
      if (this.c.next(2) === 0) this.emit(`r0 = *(${sz} *)skb[${this.c.next(64)}]`);
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
      const k = this.c.next(depth > 2 ? 9 : 10);
      switch (k) {
        case 0: case 1: this.alu(s); break;
        case 2: this.pktConst(s); break;
        case 3: this.pktVar(s); break;
        case 4: this.mapAccess(s); break;
        case 5: this.spill(s); break;
        case 6: this.fill(s); break;
        case 7: this.c.next(2) === 0 ? this.helper(s) : this.ctxRead(s); break;
        case 8: this.c.next(3) === 0 ? this.loop(s) : this.alu(s); break;
        default: {
          const after = this.branch(s, depth);
          s.scalars = after.scalars; s.pkt = after.pkt; s.stack = after.stack;
        }
      }
    }
  }
}

/** The text of one generated program of `type`. */
export function soundProgram(type: SoundType, choices: readonly number[], blocks: number): string {
  const b = new Builder(type, new Choices(choices));
  const s: State = { scalars: new Set(), pkt: false, stack: new Map() };
  b.emit('r6 = r1');
  if (type !== 'socket') b.loadPkt(s);
  b.block(s, 0, blocks);
  const ret = type === 'xdp' ? b.c.pick([1, 2, 3]) : b.c.pick([0, 1, 2, 0xffff]);
  if (b.c.next(3) === 0 && s.scalars.size > 0) {
    b.emit(`r0 = r${b.scalar(s)}`);
    b.emit(`r0 &= ${type === 'xdp' ? 3 : 0xffff}`);
    if (type === 'xdp') b.emit('r0 |= 1');
  } else {
    b.emit(`r0 = ${ret}`);
  }
  b.emit('exit');
  return b.lines.join('\n') + '\n';
}

export interface SoundInput { type: number; choices: number[]; blocks: number; packets: Uint8Array[] }

export const soundInputArb: fc.Arbitrary<SoundInput> = fc.record({
  type: fc.nat(SOUND_TYPES.length - 1),
  choices: fc.array(fc.nat(), { maxLength: 120 }),
  blocks: fc.integer({ min: 1, max: 14 }),
  packets: fc.array(fc.uint8Array({ minLength: 14, maxLength: 160 }), { minLength: 1, maxLength: 3 }),
});

function mapsOf(kernel: Kernel): BpfMap[] {
  return [
    createMap(kernel.maps, { type: 'array', name: 'arr', keySize: 4, valueSize: VALUE_SIZE, maxEntries: 4 }),
    createMap(kernel.maps, { type: 'hash', name: 'hash', keySize: 4, valueSize: VALUE_SIZE, maxEntries: 8 }),
  ];
}

const PROG_TYPE: Record<SoundType, string> = { socket: 'socket_filter', xdp: 'xdp', tc: 'sched_cls' };

/** Verifies one generated program; if accepted, runs it on each packet. Returns the outcome class. */
export function soundStep(input: SoundInput, stats?: { accepted: number; runs: number }): string {
  const type = SOUND_TYPES[input.type % SOUND_TYPES.length]!;
  const text = soundProgram(type, input.choices, input.blocks);
  return outcomeOf(() => {
    const kernel = new Kernel();
    const maps = mapsOf(kernel);
    // a hash element for some keys, so lookups both hit and miss
    maps[1]!.updateSys(new Uint8Array([1, 0, 0, 0]), new Uint8Array(VALUE_SIZE).fill(3));
    const p = loadProgram(assemble(text), PROG_TYPE[type], { kernel, maps, budget: 100_000 });
    const v = p.verify({ logLevel: 0 });
    if (v.verdict !== 'accepted') return `${type}:rejected`;
    if (stats) stats.accepted++;
    for (const pkt of input.packets) {
      const g = guarded(pkt);
      const r = p.run({ data: g.view });
      if (stats) stats.runs++;
      if (r.violations.length > 0) {
        throw new FuzzFailure('unsound', `${type}: the verifier accepted a program that then hit ${r.violations[0]!.kind}: ${r.violations[0]!.message}\n${text}`);
      }
      if (!g.intact()) throw new FuzzFailure('guard', `${type}: a store reached the guard bytes around the packet\n${text}`);
    }
    return `${type}:accepted`;
  }, KNOWN_CLASSES);
}

export function soundnessSuite(stats?: { accepted: number; runs: number }): Suite<SoundInput> {
  return {
    name: 'soundness',
    arbitrary: soundInputArb,
    step: (i) => soundStep(i, stats),
    show: (i) => soundProgram(SOUND_TYPES[i.type % SOUND_TYPES.length]!, i.choices, i.blocks),
  };
}
