import type { BtfExt } from '../btf/index.js';
import { Shn, Stb, Stt, type Relocation } from '../elf/index.js';
import { LoadError } from '../errors.js';
import { CallSrc, Cls, JmpOp, lookupOp, Op, Pseudo, UNKNOWN, type Insn } from '../isa/index.js';
import type { Func } from './functions.js';
import type { MapSlot } from './maps.js';
import type { ExternRef, MapRef, ProgramCoreRelo, ProgramSpec } from './types.js';

const CALL_OPCODE = Cls.JMP | JmpOp.CALL;

/** What linking needs to know about the object. */
export interface LinkContext {
  funcs: Map<number, Func[]>;
  maps: MapSlot[];
  /** Offsets of `.kconfig` externs in the `.kconfig` map, and that map's index. */
  kconfig: { mapIndex: number; offsets: Map<string, number> } | undefined;
  ext: BtfExt | undefined;
}

type Linked = Pick<ProgramSpec, 'insns' | 'funcInfo' | 'lineInfo' | 'coreRelos' | 'mapRefs' | 'externs'>;

/** A call or function pointer still to be fixed up once every function has its place. */
interface Pending { slot: number; target: Func; targetSlot: number }

/**
 * Link one program as libbpf does: its own instructions, then each subprogram it reaches, appended
 * in the order first met (depth first); relocations applied, call immediates fixed up, and
 * .BTF.ext records mapped onto the final instruction indexes.
 */
export function linkProgram(main: Func, ctx: LinkContext): Linked {
  const insns: Insn[] = [];
  const placed = new Map<Func, number>();
  const pending: Pending[] = [];
  const mapRefs: MapRef[] = [];
  const externs: ExternRef[] = [];

  const place = (f: Func): void => {
    const base = insns.length;
    placed.set(f, base);
    insns.push(...f.insns.map((i) => ({ ...i })));
    const targets: Func[] = [];
    for (let i = 0; i < f.insns.length; i++) {
      const at = base + i;
      const where = { section: f.sec.name, symbol: f.name, insn: i };
      const r = f.relocs.get(i);
      const ref = r !== undefined ? relocate(insns, at, r, ctx, where, mapRefs, externs) : localRef(insns[at]!, f, i);
      if (ref === undefined) continue;
      const target = funcAt(ctx, ref.secIdx, ref.slot);
      if (target === undefined) throw new LoadError(`call target ${ref.slot} is not in any function`, where);
      pending.push({ slot: at, target, targetSlot: ref.slot });
      if (!placed.has(target) && !targets.includes(target)) targets.push(target);
    }
    for (const t of targets) if (!placed.has(t)) place(t);
  };
  place(main);

  for (const p of pending) {
    const targetAt = placed.get(p.target)! + (p.targetSlot - p.target.start);
    const rel = targetAt - p.slot - 1;
    patch(insns, p.slot, { imm: rel });
    // A function's address (lddw src 4): the 64-bit value the disassembler prints is the offset too.
    if (insns[p.slot]!.imm64 !== undefined) insns[p.slot]!.imm64 = BigInt(rel >>> 0);
  }
  return { insns, ...mapExtInfo(placed, ctx.ext), mapRefs, externs };
}

/** A call target inside the object: section and slot in that section. */
interface CodeRef { secIdx: number; slot: number }

/** A bpf-to-bpf call the compiler already resolved (no relocation): relative to the same section. */
function localRef(insn: Insn, f: Func, i: number): CodeRef | undefined {
  if (insn.opcode !== CALL_OPCODE || insn.src !== CallSrc.LOCAL) return undefined;
  return { secIdx: f.sec.index, slot: f.start + i + insn.imm + 1 };
}

function funcAt(ctx: LinkContext, secIdx: number, slot: number): Func | undefined {
  return ctx.funcs.get(secIdx)?.find((f) => slot >= f.start && slot < f.start + f.insns.length);
}

function relocate(
  insns: Insn[], at: number, r: Relocation, ctx: LinkContext, where: { section: string; symbol: string; insn: number },
  mapRefs: MapRef[], externs: ExternRef[],
): CodeRef | undefined {
  const insn = insns[at]!;
  const sym = r.symbol;
  const isCall = insn.opcode === CALL_OPCODE;
  const isLddw = insn.code === Op.LDDW;
  function fail(detail: string): never {
    throw new LoadError(`relocation against "${sym.name || `#${sym.index}`}": ${detail}`, where);
  }
  if (!isCall && !isLddw) fail(`instruction 0x${insn.opcode.toString(16)} is neither a call nor a valid lddw`);
  if (sym.shndx === Shn.UNDEF) {
    if (sym.name === '') fail('undefined symbol without a name');
    if (isCall) {
      patch(insns, at, { src: CallSrc.KFUNC, imm: 0 });
      externs.push({ insn: at, name: sym.name, kind: 'kfunc', ...(sym.bind === Stb.WEAK && { weak: true }) });
      return undefined;
    }
    const kc = ctx.kconfig?.offsets.get(sym.name);
    if (ctx.kconfig !== undefined && kc !== undefined) {
      setLddw(insns, at, Pseudo.MAP_VALUE, ctx.kconfig.mapIndex, kc);
      mapRefs.push({ insn: at, map: '.kconfig', mapIndex: ctx.kconfig.mapIndex });
      externs.push({ insn: at, name: sym.name, kind: 'kconfig' });
    } else {
      setLddw(insns, at, Pseudo.BTF_ID, 0, 0);
      externs.push({ insn: at, name: sym.name, kind: 'ksym', ...(sym.bind === Stb.WEAK && { weak: true }) });
    }
    return undefined;
  }
  const symOff = sym.value + (sym.type === Stt.SECTION ? insn.imm : 0);
  if (ctx.funcs.has(sym.shndx)) {
    if (isCall) {
      if (insn.src !== CallSrc.LOCAL) fail('call relocated against code is not a bpf-to-bpf call (src 1)');
      if (sym.value % 8 !== 0) fail(`call relocated against offset ${sym.value} of section #${sym.shndx}, which is not an instruction boundary`);
      return { secIdx: sym.shndx, slot: sym.value / 8 + insn.imm + 1 };
    }
    if ((sym.value + insn.imm) % 8 !== 0) fail(`function address relocated against offset ${sym.value}+${insn.imm} of section #${sym.shndx}, which is not an instruction boundary`);
    setLddw(insns, at, Pseudo.FUNC, 0, 0);
    return { secIdx: sym.shndx, slot: (sym.value + insn.imm) / 8 };
  }
  if (!isLddw) fail('a call against a non-code section');
  const slot = ctx.maps.find((m) => m.secIdx === sym.shndx && (m.data || m.offset === symOff));
  if (slot === undefined) fail(`no map at offset ${symOff} of section #${sym.shndx}`);
  const mapIndex = ctx.maps.indexOf(slot);
  if (slot.data) setLddw(insns, at, Pseudo.MAP_VALUE, mapIndex, sym.value + insn.imm);
  else setLddw(insns, at, Pseudo.MAP_FD, mapIndex, 0);
  mapRefs.push({ insn: at, map: slot.spec.name, mapIndex });
  return undefined;
}

/** Rewrite fields of one slot and recompute which operation it is. */
function patch(insns: Insn[], at: number, fields: Partial<Pick<Insn, 'src' | 'imm'>>): void {
  const i = { ...insns[at]!, ...fields };
  i.code = lookupOp(i.opcode, i.src, i.off, i.imm)?.code ?? UNKNOWN;
  insns[at] = i;
}

function setLddw(insns: Insn[], at: number, src: number, lo: number, hi: number): void {
  patch(insns, at, { src, imm: lo });
  insns[at + 1] = { ...insns[at + 1]!, imm: hi | 0 };
  insns[at]!.imm64 = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function mapExtInfo(placed: Map<Func, number>, ext: BtfExt | undefined): Pick<Linked, 'funcInfo' | 'lineInfo' | 'coreRelos'> {
  const out: Pick<Linked, 'funcInfo' | 'lineInfo' | 'coreRelos'> = { funcInfo: [], lineInfo: [], coreRelos: [] };
  if (ext === undefined) return out;
  for (const [f, base] of placed) {
    const local = <T extends { insnOff: number }>(recs: Map<string, T[]>): (Omit<T, 'insnOff'> & { insn: number })[] =>
      (recs.get(f.sec.name) ?? []).flatMap(({ insnOff, ...rest }) => {
        const slot = insnOff / 8 - f.start;
        return Number.isInteger(slot) && slot >= 0 && slot < f.insns.length ? [{ ...rest, insn: base + slot }] : [];
      });
    out.funcInfo.push(...local(ext.funcInfo));
    out.lineInfo.push(...local(ext.lineInfo));
    out.coreRelos.push(...coreRecords(f, base, ext));
  }
  for (const list of [out.funcInfo, out.lineInfo, out.coreRelos]) list.sort((a, b) => a.insn - b.insn);
  return out;
}

/** A function's CO-RE relocation records, each with where libbpf would say it is. */
function coreRecords(f: Func, base: number, ext: BtfExt): ProgramCoreRelo[] {
  let ordinal = 0;
  for (const [sec, recs] of ext.coreRelos) {
    if (sec === f.sec.name) break;
    ordinal += recs.length;
  }
  return (ext.coreRelos.get(f.sec.name) ?? []).flatMap(({ insnOff, ...rest }, index) => {
    const secInsn = insnOff / 8;
    const slot = secInsn - f.start;
    if (!Number.isInteger(slot) || slot < 0 || slot >= f.insns.length) return [];
    const record = { section: f.sec.name, index, ordinal: ordinal + index, func: f.name, funcInsn: slot, secInsn };
    return [{ ...rest, insn: base + slot, record }];
  });
}
