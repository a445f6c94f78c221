/**
 * CO-RE relocations resolved as libbpf 1.x resolves them (libbpf.c's bpf_object__relocate_core and
 * bpf_core_resolve_relo, relo_core.c's bpf_core_calc_relo_insn and bpf_core_patch_insn): for each
 * relocation, in the order of .BTF.ext, the local access spec is parsed from the object's BTF; the
 * candidates are the target types of a compatible kind with the same essential name (cached per local
 * type and pruned to those that matched, as libbpf's candidate cache is); each candidate's spec is
 * matched; all matching candidates must agree; the instruction is patched, or poisoned (`call
 * 0xbad2310`) where libbpf poisons. What libbpf refuses is a LoadError in libbpf's words, naming the
 * relocation (`prog 'p': relo #3: ...`). The log has libbpf's debug lines for the same relocations.
 *
 * Pure: the target BTF (the kernel's) is passed in.
 */
import type { Btf, BtfType, CoreReloKind } from '../btf/index.js';
import { CORE_RELO_KINDS } from '../btf/index.js';
import { LoadError } from '../errors.js';
import type { Insn } from '../isa/index.js';
import { calcRelo, type CoreRes } from './core-calc.js';
import { candidatesOf } from './core-cands.js';
import { typesCompat, typesMatch } from './core-compat.js';
import { patchInsn, type PatchOutcome } from './core-patch.js';
import { accessPath, CoreFail, formatSpec, matchSpec, parseSpec, type Spec } from './core-spec.js';
import { kindStr, typeAt } from './core-btf.js';
import { EINVAL } from '../uapi/errno.js';
import type { ProgramCoreRelo } from './types.js';

export { CORE_POISON_IMM, type PatchOutcome } from './core-patch.js';
export { essentialName } from './core-btf.js';
export { candidatesOf, type Candidates, type CoreNameIndex } from './core-cands.js';

/** What one relocation resolved to. */
export interface CoreReloResult {
  /** libbpf's number for it: the record's index among its section's records. */
  index: number;
  section: string | undefined;
  /** The (sub)program it is in and the instruction there (libbpf's `prog '...'` and `insn #K`). */
  func: string;
  funcInsn: number;
  /** The instruction slot in the linked program. */
  insn: number;
  kind: CoreReloKind;
  typeId: number;
  /** The raw access string (`0:12:3`). */
  access: string;
  /** libbpf's text for the local spec, and a C-like path (`struct task_struct::real_parent.tgid`); null if it did not parse. */
  local: string | null;
  path: string | null;
  /** Target candidates considered (ids), and the first that matched. */
  candidates: number[];
  target: { typeId: number; name: string; spec: string; path: string; raw: string } | null;
  outcome: PatchOutcome | { kind: 'error'; message: string };
}

export interface CoreRelocated {
  insns: Insn[];
  /** Poisoned instructions: slot index → why (naming the relocation). */
  poisoned: Map<number, string>;
  /** libbpf's log lines for these relocations (debug and warnings, without the `libbpf: ` prefix). */
  log: string[];
  relos: CoreReloResult[];
}

/**
 * libbpf's candidate cache for one object: candidates by local type id, pruned as relocations match. A
 * load of several programs of one object shares one (libbpf resolves the whole object's relocations in
 * one pass); applyCoreRelos makes a fresh one when none is given.
 */
export class CoreCache {
  readonly lists = new Map<number, number[]>();
  constructor(readonly local: Btf, readonly target: Btf) {}
}

export interface CoreOptions {
  cache?: CoreCache;
  /** Record a relocation libbpf refuses in `relos` and go on (listings), instead of throwing. */
  keepGoing?: boolean;
}

const describe = (t: BtfType) => `${kindStr(t)} ${t.name === '' ? '<anon>' : t.name}`;

/** Apply a program's CO-RE relocations against `target` (the kernel's BTF). */
export function applyCoreRelos(prog: string, insns: readonly Insn[], relos: readonly ProgramCoreRelo[], local: Btf,
  target: Btf, opts: CoreOptions = {}): CoreRelocated {
  const out = insns.slice();
  const poisoned = new Map<number, string>();
  const log: string[] = [];
  const results: CoreReloResult[] = [];
  const cache = opts.cache !== undefined && opts.cache.local === local && opts.cache.target === target ? opts.cache : new CoreCache(local, target);
  const order = relos.map((r, i) => ({ r, i })).sort((a, b) => (a.r.record?.ordinal ?? a.i) - (b.r.record?.ordinal ?? b.i));
  for (const { r: relo, i } of order) {
    const rec = relo.record;
    const where = { prog: rec?.func ?? prog, index: rec?.index ?? i, insnIdx: rec?.funcInsn ?? relo.insn, secInsn: rec?.secInsn ?? relo.insn };
    const warnings: string[] = [];
    const warn = (line: string) => {
      warnings.push(line);
      log.push(line);
    };
    const debug = (line: string) => log.push(line);
    const result: CoreReloResult = {
      index: where.index, section: rec?.section, func: where.prog, funcInsn: where.insnIdx, insn: relo.insn, kind: relo.kind,
      typeId: relo.typeId, access: relo.access, local: null, path: null, candidates: [], target: null,
      outcome: { kind: 'error', message: '' },
    };
    results.push(result);
    const pre = `prog '${where.prog}': relo #${where.index}:`;
    let stage = 'relocate';
    try {
      const r = resolve(relo, local, target, cache, { ...where, warn, debug }, result);
      stage = 'patch';
      result.outcome = patchInsn(out, relo.insn, r.res, { prog: where.prog, index: where.index, insnIdx: where.insnIdx, debug, warn },
        (reason) => poisonWhy(r.local, where.index, reason));
      if (result.outcome.kind === 'poisoned') for (const s of result.outcome.slots) poisoned.set(s, result.outcome.why);
    } catch (e) {
      if (!(e instanceof CoreFail)) throw e;
      warn(stage === 'relocate' ? `${pre} failed to relocate: ${e.errno}` : `${pre} failed to patch insn #${where.insnIdx}: ${e.errno}`);
      const message = warnings.join('; ');
      result.outcome = { kind: 'error', message };
      if (!opts.keepGoing) throw new LoadError(message, { insn: relo.insn, section: '.BTF.ext' });
    }
  }
  return { insns: out, poisoned, log, relos: results };
}

/** Why a poisoned instruction is poisoned, starting with what libbpf's verifier-log fixup says. */
function poisonWhy(local: Spec, index: number, reason: string): string {
  return `failed to resolve CO-RE relocation ${formatSpec(local)} (relo #${index}: ${reason}; libbpf poisoned this instruction)`;
}

interface Where { prog: string; index: number; insnIdx: number; secInsn: number; warn: (l: string) => void; debug: (l: string) => void }

/** bpf_core_resolve_relo + bpf_core_calc_relo_insn. */
function resolve(relo: ProgramCoreRelo, local: Btf, target: Btf, cache: CoreCache, w: Where, result: CoreReloResult): { res: CoreRes; local: Spec } {
  const pre = `prog '${w.prog}': relo #${w.index}:`;
  const localType = typeAt(local, relo.typeId);
  if (localType === undefined) throw new CoreFail(-EINVAL);
  let cands: number[] | undefined;
  if (relo.kind !== 'TYPE_ID_LOCAL') {
    cands = cache.lists.get(relo.typeId);
    if (cands === undefined) {
      if (localType.name === '') {
        w.warn(`${pre} target candidate search failed for [${relo.typeId}] ${kindStr(localType)} : -${EINVAL}`);
        throw new CoreFail(-EINVAL);
      }
      const found = candidatesOf(target, localType);
      cands = found.ids;
      for (const id of cands) {
        w.debug(`CO-RE relocating [${relo.typeId}] ${kindStr(localType)} ${localType.name}: found target candidate [${id}] ${kindStr(target.type(id))} ${target.type(id).name} in [${found.where}]`);
      }
      cache.lists.set(relo.typeId, cands);
    }
    result.candidates = cands.slice();
  }
  let localSpec: Spec;
  try {
    localSpec = parseSpec(local, relo.typeId, relo.access, relo.kind, (l) => w.warn(`prog '${w.prog}': ${l}`));
  } catch (e) {
    if (!(e instanceof CoreFail)) throw e;
    w.warn(`${pre} parsing [${relo.typeId}] ${describe(localType)} + ${relo.access} failed: ${e.errno}`);
    throw new CoreFail(-EINVAL);
  }
  result.local = formatSpec(localSpec);
  result.path = accessPath(localSpec);
  w.debug(`${pre} ${result.local}`);
  if (relo.kind === 'TYPE_ID_LOCAL') {
    const id = BigInt(relo.typeId);
    return { res: { orig: id, value: id, poison: false, validate: false, origSz: 0, newSz: 0, failMemsz: false }, local: localSpec };
  }
  const calcWhere = { prog: w.prog, index: w.index, kindNo: CORE_RELO_KINDS.indexOf(relo.kind), secInsn: w.secInsn, warn: w.warn };
  let found: { res: CoreRes; spec: Spec } | null = null;
  const kept: number[] = [];
  cands!.forEach((id, i) => {
    const cand: Spec = { btf: target, rootTypeId: id, kind: relo.kind, spec: [], raw: [], bitOffset: 0 };
    let matched: 0 | 1;
    try {
      matched = matchSpec(localSpec, target, id, cand);
    } catch (e) {
      if (!(e instanceof CoreFail)) throw e;
      w.warn(`${pre} error matching candidate #${i} ${formatSpec(cand)}: ${e.errno}`);
      throw e;
    }
    w.debug(`${pre} ${matched ? 'matching' : 'non-matching'} candidate #${i} ${formatSpec(cand)}`);
    if (!matched) return;
    const res = calcRelo(relo.kind, localSpec, cand, calcWhere);
    if (found === null) {
      found = { res, spec: cand };
      const t = target.type(id);
      result.target = { typeId: id, name: describe(t), spec: formatSpec(cand), path: accessPath(cand), raw: cand.raw.join(':') };
    } else if (cand.bitOffset !== found.spec.bitOffset) {
      w.warn(`${pre} field offset ambiguity: ${cand.bitOffset >>> 0} != ${found.spec.bitOffset >>> 0}`);
      throw new CoreFail(-EINVAL);
    } else if (res.poison !== found.res.poison || res.value !== found.res.value) {
      w.warn(`${pre} relocation decision ambiguity: ${res.poison ? 'failure' : 'success'} ${res.value} != ${found.res.poison ? 'failure' : 'success'} ${found.res.value}`);
      throw new CoreFail(-EINVAL);
    }
    kept.push(id);
  });
  // libbpf keeps only the candidates that matched, for the next relocation of this type
  if (kept.length > 0) cands!.splice(0, cands!.length, ...kept);
  const f = found as { res: CoreRes; spec: Spec } | null;
  if (f === null) {
    w.debug(`${pre} no matching targets found`);
    return { res: calcRelo(relo.kind, localSpec, null, calcWhere), local: localSpec };
  }
  return { res: f.res, local: localSpec };
}

/** bpf_core_types_are_compat: what typed `__ksym` externs require. */
export function coreTypesCompat(local: Btf, localId: number, target: Btf, targetId: number): boolean {
  return typesCompat(local, localId, target, targetId, 32) > 0;
}

/** bpf_core_types_match (`bpf_core_type_matches`). */
export function coreTypesMatch(local: Btf, localId: number, target: Btf, targetId: number): boolean {
  return typesMatch(local, localId, target, targetId, false, 32) > 0;
}
