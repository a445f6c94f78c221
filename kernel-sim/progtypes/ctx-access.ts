/**
 * `ctxAccess`: may a program of this type load or store `size` bytes at context offset `off`, and what
 * does a load yield? The verifier asks it through the Platform; the run-time contexts ask it on every
 * access, so both enforce the same 6.1 rules (access-rules.ts).
 */
import { BpfRegType, type RegTypeBits } from '../../src/uapi/reg-types.js';
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import { ACCESS_MODELS, type AccessModel, type FieldModel, type RawModel, type SizeRule } from './access-rules.js';
import { CtxRulesMissingError } from './errors.js';
import { fieldAt } from './layouts.js';
import { progTypeRow } from './table.js';

export type AccessKind = 'read' | 'write';

export type CtxAccess =
  | {
      ok: true;
      /** The field accessed (`args` / `bytes` for raw contexts). */
      field: string;
      /** The size the kernel records for the field (ctx_field_size): a smaller load is a narrow load. */
      fieldSize: number;
      /** Whether the field may be read narrower than fieldSize. */
      narrowOk: boolean;
      /** What a load of it yields, when not a scalar. */
      regType?: RegTypeBits;
    }
  | { ok: false; reason: string };

export interface CtxAccessOptions {
  /** The loader holds CAP_BPF (bpf_capable()); true by default. */
  capBpf?: boolean;
  /**
   * The program's expected attach type (name without `BPF_`; attach type 0 is `CGROUP_INET_INGRESS`), for
   * rules that depend on it; rules that name attach types are not checked when it is not given.
   */
  attachType?: string;
}

/**
 * The expected attach type BPF_PROG_LOAD leaves a program with: bpf_prog_load_fixup_attach_type gives
 * CGROUP_SOCK and SK_REUSEPORT programs loaded without one their historical default; otherwise attach
 * type 0 (`CGROUP_INET_INGRESS`).
 */
export function loadAttachType(progType: ProgTypeName, given: string | undefined): string {
  if (given !== undefined) return given;
  if (progType === 'CGROUP_SOCK') return 'CGROUP_INET_SOCK_CREATE';
  if (progType === 'SK_REUSEPORT') return 'SK_REUSEPORT_SELECT';
  return 'CGROUP_INET_INGRESS';
}

/** The access model of a program type; throws CtxRulesMissingError where the table has none. */
export function accessModel(progType: ProgTypeName): AccessModel {
  const row = progTypeRow(progType);
  if (row.access === null) throw new CtxRulesMissingError(progType);
  return ACCESS_MODELS[row.access];
}

export function ctxAccess(
  progType: ProgTypeName, off: number, size: number, kind: AccessKind, opts: CtxAccessOptions = {},
): CtxAccess {
  return checkAccess(accessModel(progType), off, size, kind, opts);
}

/** ctxAccess against a model directly (the run-time contexts hold theirs). */
export function checkAccess(model: AccessModel, off: number, size: number, kind: AccessKind, opts: CtxAccessOptions = {}): CtxAccess {
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return refuse(`invalid access size ${size}`);
  const total = model.kind === 'raw' ? model.size : model.layout.size;
  if (off < 0 || off >= total) return refuse(`offset ${off} is outside the context (${total} bytes)`);
  if (off % size !== 0) return refuse(`offset ${off} is not aligned to the access size ${size}`);
  return model.kind === 'raw' ? checkRaw(model, off, size, kind) : checkField(model, off, size, kind, opts.capBpf ?? true, opts.attachType);
}

function refuse(reason: string): CtxAccess {
  return { ok: false, reason };
}

function checkRaw(m: RawModel, off: number, size: number, kind: AccessKind): CtxAccess {
  if (m.tpBufferArg0 === true && off === 0) {
    if (size !== 8 || kind !== 'read') return refuse('args[0] (the tracepoint buffer) is read only, as 8 bytes');
    return { ok: true, field: 'arg0', fieldSize: 8, narrowOk: false, regType: BpfRegType.PTR_TO_TP_BUFFER };
  }
  if (kind === 'write' && !m.write) return refuse('the context is read-only');
  if (off < m.minOff) return refuse(`offsets below ${m.minOff} are not accessible`);
  if (off % m.offAlign !== 0) return refuse(`offset ${off} is not a multiple of ${m.offAlign}`);
  if (off + size > m.size) return refuse(`access past the end of the context (${m.size} bytes)`);
  return { ok: true, field: m.offAlign === 8 ? `arg${off / 8}` : 'bytes', fieldSize: size, narrowOk: true };
}

function checkField(m: FieldModel, off: number, size: number, kind: AccessKind, capBpf: boolean, attachType?: string): CtxAccess {
  const hit = fieldAt(m.layout, off);
  if (hit === undefined) return refuse(`offset ${off} is padding in ${m.layout.struct}`);
  const { field } = hit;
  const name = field.count === undefined ? field.name : `${field.name}[${hit.index}]`;
  const rule = m.rules[field.name];
  const sizeRule = kind === 'read' ? rule?.read : rule?.write;
  if (rule === undefined || sizeRule === undefined) {
    return refuse(`${m.layout.struct}.${name} is not ${kind === 'read' ? 'readable' : 'writable'} here`);
  }
  // A caller that does not know the attach type (a run-time context not told it) does not check it.
  if (rule.attach !== undefined && attachType !== undefined && !rule.attach.includes(attachType)) {
    return refuse(`${m.layout.struct}.${name} is not accessible with attach type ${attachType ?? 'none'}`);
  }
  if (kind === 'write' && rule.writeAttach !== undefined && attachType !== undefined && !rule.writeAttach.includes(attachType)) {
    return refuse(`${m.layout.struct}.${name} is not writable with attach type ${attachType}`);
  }
  if (kind === 'read' && rule.minSize !== undefined && size < rule.minSize) {
    return refuse(`${m.layout.struct}.${name}: reads narrower than ${rule.minSize} bytes are not allowed`);
  }
  if (!capBpf && (rule.capBpf === 'both' || rule.capBpf === kind)) {
    return refuse(`${m.layout.struct}.${name}: ${kind} needs CAP_BPF`);
  }
  const inside = off + size <= field.off + field.size * (field.count ?? 1);
  const atStart = off === field.off + hit.index * field.size;
  const fieldSize = sizeRule === 'narrow-at-start' && !atStart ? undefined : sizeFits(sizeRule, size, field.size, inside, (field.count ?? 1) > 1);
  if (fieldSize === undefined) return refuse(`${m.layout.struct}.${name}: ${size}-byte ${kind} not allowed`);
  const ok: CtxAccess = {
    ok: true, field: name, fieldSize,
    narrowOk: sizeRule === 'narrow' || sizeRule === 'u32-or-narrow' || sizeRule === 'narrow-or-wide' || sizeRule === 'narrow-at-start',
  };
  return rule.regType === undefined || kind === 'write' ? ok : { ...ok, regType: rule.regType };
}

/** The recorded field size when `size` fits the rule, else undefined. */
function sizeFits(rule: SizeRule, size: number, elem: number, inside: boolean, array: boolean): number | undefined {
  const wide = size === 8 && array && inside;
  switch (rule) {
    case 'narrow-or-wide': return wide ? 8 : size <= elem ? elem : undefined;
    case 'exact-or-wide': return wide ? 8 : size === elem ? elem : undefined;
    case 'exact': return size === elem ? elem : undefined;
    case 'narrow': case 'narrow-at-start': return size <= elem ? elem : undefined;
    case 'u32-or-narrow': return size === 4 ? 4 : size <= elem ? elem : undefined;
    case 'span': return inside ? size : undefined;
  }
}
