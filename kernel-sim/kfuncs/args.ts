/**
 * Run-time checks of kfunc arguments against their BTF prototype: NULL and released pointers, pointers
 * to kernel objects of the right type, the program context, and memory that must be readable over its
 * size (the pointee's size, or the `__sz` parameter's value). `__k` constants are checked per call site.
 */
import { PERM_R, hex, type AddressSpace } from '../../vm/address-space.js';
import { MemoryFault } from '../../vm/address-space.js';
import { HelperFault } from '../../vm/machine.js';
import type { Btf } from '../../src/btf/index.js';
import { ObjectWindow, type KernelHeap } from '../objects/heap.js';
import type { KptrTable } from '../objects/kptr.js';
import type { KfuncPlan, ParamPlan } from './plan.js';
import type { KfuncArg } from './types.js';

export interface ArgEnv {
  name: string;
  plan: KfuncPlan;
  btf: Btf;
  heap: KernelHeap;
  kptrs: KptrTable;
  /** KF_KPTR_GET: argument 0 is a kptr slot. */
  kptrGet: boolean;
  /** KF_RELEASE: a released pointer passed again is a double release. */
  release: boolean;
  /** Strict type match (KF_TRUSTED_ARGS, or a release argument): no walking to a member at offset 0. */
  strict: boolean;
  pc: number;
  /** Per call site and argument: the value a `__k` argument had first. */
  constants: Map<string, bigint>;
}

/** Stop the run unless `addr` is a live pointer: released → use-after-release, freed → use-after-free. */
export function checkLivePointer(space: AddressSpace, addr: bigint, what: string): void {
  const r = space.regionAt(addr);
  if (r?.dead != null) throw new HelperFault(r.dead.kind, `${what} ${hex(addr)}: ${r.name} ${r.dead.reason}`);
}

export function checkArgs(env: ArgEnv, regs: readonly bigint[]): KfuncArg[] {
  return env.plan.params.map((p, i) => (p.kind === 'scalar' ? scalarArg(env, p, i, regs[i]!) : pointerArg(env, p, i, regs)));
}

function scalarArg(env: ArgEnv, p: Extract<ParamPlan, { kind: 'scalar' }>, i: number, v: bigint): KfuncArg {
  const value = BigInt.asUintN(p.size * 8, v);
  if (p.constant) {
    const key = `${env.pc}:${i}`;
    const first = env.constants.get(key);
    if (first === undefined) env.constants.set(key, value);
    else if (first !== value) {
      throw new HelperFault('helper-error',
        `${env.name} arg#${i} (${p.name}) must be a known constant, but this call passed ${first} before and ${value} now`);
    }
  }
  return { kind: 'scalar', value: p.signed ? BigInt.asIntN(p.size * 8, value) : value };
}

function pointerArg(env: ArgEnv, p: Extract<ParamPlan, { kind: 'pointer' }>, i: number, regs: readonly bigint[]): KfuncArg {
  const value = BigInt.asUintN(64, regs[i]!);
  const R = `R${i + 1}`;
  const where = `${env.name} arg#${i} (${p.name})`;
  if (value < 4096n) throw new HelperFault('null-dereference', `${where}: ${R} is NULL (${hex(value)}), not a pointer to ${p.pointee}`);
  const region = env.heap.space.regionAt(value);
  if (region === undefined) throw new HelperFault('out-of-bounds', `${where}: ${R}=${hex(value)} points to no memory`);
  if (region.dead !== null) {
    const kind = env.release && region.dead.kind === 'use-after-release' ? 'double-release' : region.dead.kind;
    throw new HelperFault(kind, `${where}: ${R}=${hex(value)}: ${region.name} ${region.dead.reason}`);
  }
  const offset = Number(value & 0xffffffffn);
  if (env.kptrGet && i === 0) {
    const slot = env.kptrs.slotAt(value);
    if (slot === undefined || !slot.field.ref) {
      throw new HelperFault('helper-error', `${where}: no referenced kptr at ${region.name} offset ${offset}`);
    }
    return { kind: 'kptr', value, slot: slot.region.dv, offset: slot.at };
  }
  const owner = region.owner;
  if (owner instanceof ObjectWindow && owner.role !== 'memory') {
    if (p.struct === undefined || p.ctx) {
      throw new HelperFault('helper-error', `${where}: pointer type ${p.pointee} is not supported for ${R}, a pointer to struct ${owner.type}`);
    }
    // A trusted or released pointer with an offset is refused by the flag's own check, after this.
    if (!(env.strict && offset !== 0) && !structMatches(env.btf, owner.type, offset, p.struct, env.strict)) {
      throw new HelperFault('helper-error',
        `kernel function ${env.name} args#${i} expected pointer to STRUCT ${p.struct} but ${R} has a pointer to STRUCT ${owner.type}${offset ? ` (offset ${offset})` : ''}`);
    }
    return { kind: 'object', value, window: owner, offset };
  }
  if (p.ctx) {
    if (region.kind !== 'ctx') throw new HelperFault('helper-error', `${where}: arg#${i} expected pointer to ctx, but ${R} points to ${region.name}`);
    return { kind: 'ctx', value };
  }
  const size = p.sizedBy !== undefined ? sizeArg(env, p.sizedBy, regs[p.sizedBy]!) : p.memSize;
  if (typeof size === 'string') throw new HelperFault('helper-error', `${env.name}: ${size}`);
  if (size > 0) {
    try {
      env.heap.space.check(region, offset, size, PERM_R, value);
    } catch (e) {
      if (!(e instanceof MemoryFault)) throw e;
      throw new HelperFault(e.kind, `${where}: memory, len pair leads to invalid memory access: ${e.message}`);
    }
  }
  return { kind: 'mem', value, size, bytes: region.bytes.subarray(offset, offset + size) };
}

function sizeArg(env: ArgEnv, i: number, v: bigint): number {
  const p = env.plan.params[i]!;
  const bits = p.kind === 'scalar' ? p.size * 8 : 64;
  const size = BigInt.asIntN(bits, v);
  if (size < 0n) throw new HelperFault('out-of-bounds', `${env.name} arg#${i} (${p.name}): R${i + 1} size ${size} is negative`);
  if (size > 0xffffffffn) throw new HelperFault('out-of-bounds', `${env.name} arg#${i} (${p.name}): R${i + 1} size ${size} is too large`);
  return Number(size);
}

/**
 * btf_struct_ids_match: the pointer's struct is the wanted one; or, unless strict, the wanted struct is
 * nested in it at the pointer's offset.
 */
function structMatches(btf: Btf, have: string, offset: number, want: string, strict: boolean): boolean {
  if (offset === 0 && have === want) return true;
  if (strict) return false;
  const id = btf.idByName(have, 'STRUCT');
  return id !== undefined && nestedAt(btf, id, offset, want, 0);
}

function nestedAt(btf: Btf, id: number, offset: number, want: string, depth: number): boolean {
  const t = btf.type(btf.resolve(id));
  if (t.kind !== 'STRUCT' || depth > 8) return false;
  if (offset === 0 && t.name === want) return true;
  return t.members.some((m) => {
    const at = m.bitOffset / 8;
    const size = btf.sizeOf(m.type);
    return offset >= at && offset < at + Math.max(size, 1) && nestedAt(btf, m.type, offset - at, want, depth + 1);
  });
}
