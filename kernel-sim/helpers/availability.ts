/**
 * `(progType, helper id, capabilities) → prototype`: what the program type's `get_func_proto` returns in
 * Linux 6.1 (undefined where the kernel returns NULL, so the verifier prints `unknown func bpf_x#N`).
 * Evaluates the step data of availability-6.1.ts.
 */
import type { AttachTypeName, ProgTypeName } from '../../src/object/bpf-enums.js';
import { bpfCapable, perfmonCapable, type Capability } from '../../src/platform/caps.js';
import type { Answer, Cond, Step } from './availability-types.js';
import { FUNC_PROTOS_6_1, PROG_TYPE_FUNC_PROTO_6_1, type FuncProtoName } from './availability-6.1.js';
import { helperName, VARIANTS_6_1, type HelperVariant } from './catalogue.js';
import type { ProtoName } from './protos-6.1.js';

/** What beyond the program type decides a prototype. */
export interface ProtoQuery {
  /** prog->expected_attach_type (none by default). */
  attachType?: AttachTypeName;
  /** LSM programs: the hook attached to, as its BTF function name (`bpf_lsm_socket_post_create`). */
  lsmHook?: string;
  /** STRUCT_OPS programs: the tcp_congestion_ops member implemented (`cong_avoid`, `release`…). */
  structOpsMember?: string;
  /** TRACE_ITER programs: the iterator target (`tcp`, `unix`, `task`…). */
  iterTarget?: string;
  /** EXT programs: the type of the program they extend (their helpers are its helpers). */
  extTarget?: ProgTypeName;
}

interface Env extends ProtoQuery {
  progType: ProgTypeName;
  caps: ReadonlySet<Capability>;
}

const TRAMPOLINE_ATTACH: readonly AttachTypeName[] = ['TRACE_FENTRY', 'TRACE_FEXIT', 'MODIFY_RETURN'];

function holds(c: Cond, env: Env): boolean {
  if ('cap' in c) {
    return c.cap === 'bpf' ? bpfCapable(env.caps) : c.cap === 'perfmon' ? perfmonCapable(env.caps) : env.caps.has('CAP_SYS_ADMIN');
  }
  if ('attach' in c) return env.attachType !== undefined && c.attach.includes(env.attachType);
  if ('trampoline' in c) {
    return (env.progType === 'TRACING' && env.attachType !== undefined && TRAMPOLINE_ATTACH.includes(env.attachType))
      || (env.progType === 'LSM' && env.attachType === 'LSM_MAC');
  }
  if ('lsmHook' in c) return env.lsmHook !== undefined && c.lsmHook.includes(env.lsmHook);
  if ('structOpsMember' in c) return env.structOpsMember === c.structOpsMember;
  if ('iterTarget' in c) return env.iterTarget !== undefined && c.iterTarget.includes(env.iterTarget);
  return !holds(c.not, env);
}

function answer(a: Answer, env: Env): ProtoName | null {
  if (a === null || typeof a === 'string') return a as ProtoName | null;
  return answer(holds(a.if, env) ? a.then : a.else, env);
}

/** Run one `*_func_proto` function: a prototype name, or null (NULL). */
function evaluate(fn: FuncProtoName, helper: string, env: Env): ProtoName | null {
  for (const step of FUNC_PROTOS_6_1[fn] as readonly Step[]) {
    if ('cases' in step) {
      if (Object.hasOwn(step.cases, helper)) return answer(step.cases[helper]!, env);
    } else if ('gate' in step) {
      if (!holds(step.gate, env)) return null;
    } else if (step.when === undefined || holds(step.when, env)) {
      const r = evaluate(step.call as FuncProtoName, helper, env);
      if (r !== null) return r;
    }
  }
  return null;
}

/** The prototype program type `progType` gets for helper `id` in 6.1, or undefined (unknown func). */
export function helperProto(progType: ProgTypeName, id: number, caps: ReadonlySet<Capability>,
  query: ProtoQuery = {}): HelperVariant | undefined {
  const name = helperName(id);
  if (name === undefined || id === 0) return undefined;
  const type = progType === 'EXT' ? query.extTarget : progType;
  const fn = type === undefined ? undefined : PROG_TYPE_FUNC_PROTO_6_1[type];
  if (fn === undefined) return undefined;
  const proto = evaluate(fn, name.slice(4), { ...query, progType: type!, caps });
  return proto === null ? undefined : VARIANTS_6_1.get(proto);
}

/** Every helper id program type `progType` may call (with these capabilities), ascending. */
export function availableHelpers(progType: ProgTypeName, caps: ReadonlySet<Capability>, query: ProtoQuery = {}): number[] {
  const out: number[] = [];
  for (let id = 1; helperName(id) !== undefined; id++) if (helperProto(progType, id, caps, query) !== undefined) out.push(id);
  return out;
}
