/**
 * kfunc registration as the kfunc document describes it: sets of kfuncs with per-function flags,
 * registered per program type (`register_btf_kfunc_id_set`). The registry owns the kernel's types and
 * builds the simulated vmlinux BTF from them and from every registered kfunc's prototype, so a kfunc's
 * BTF id is the id of its FUNC there.
 */
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { KfuncFlag } from '../../src/platform/types.js';
import type { Btf } from '../../src/btf/index.js';
import type { TypeDef } from '../btf/ctypes.js';
import { defaultKernelBtf } from '../btf/kernel-btf.js';
import { KernelTypes } from '../btf/kernel-types.js';
import { MODULE_TYPES } from '../btf/module-types.js';
import { VmlinuxBtf } from '../btf/vmlinux.js';
import { HOOK_OF_PROG_TYPE, progTypesOf, type KfuncHook } from './hooks.js';
import type { KfuncDef, KfuncSet } from './types.js';

/** A kfunc definition or registration the model refuses, naming the kfunc (and parameter). */
export class KfuncDefinitionError extends Error {
  constructor(readonly kfunc: string, message: string, readonly param?: string) {
    super(`kfunc ${kfunc}${param === undefined ? '' : ` parameter '${param}'`}: ${message}`);
  }
}

/** MAX_BPF_FUNC_REG_ARGS. */
export const MAX_KFUNC_ARGS = 5;

export interface KfuncInfo {
  name: string;
  btfId: number;
  flags: KfuncFlag[];
  progTypes: ProgTypeName[];
  /** `ret name(params)` as C. */
  prototype: string;
}

interface Registered {
  def: KfuncDef;
  /** Flags per hook it is registered for (BTF_ID_FLAGS of the set registered there). */
  hooks: Map<KfuncHook, readonly KfuncFlag[]>;
}

export interface KfuncRegistryOptions {
  /** The kernel's vmlinux BTF (Linux 6.1's by default): kernel types and kfunc ids come from it. */
  kernelBtf?: Btf;
}

/** The kfuncs a kernel offers: their definitions (TypeScript implementations) and the hooks and flags each is registered with. */
export class KfuncRegistry {
  private kernelTypes: KernelTypes | null = null;
  private readonly pendingTypes: TypeDef[] = [];
  private readonly kernelBtf: Btf | undefined;
  private readonly uncheckedTypes = new Set<KfuncDef>();
  private readonly byName = new Map<string, Registered>();
  private built: VmlinuxBtf | null = null;
  private idIndex: Map<number, Registered> | null = null;

  constructor(opts: KfuncRegistryOptions = {}) {
    this.kernelBtf = opts.kernelBtf;
  }

  /** The kernel's types (vmlinux BTF, loaded on first use, and the simulation's additions). */
  get types(): KernelTypes {
    if (this.kernelTypes === null) {
      const base = this.kernelBtf ?? defaultKernelBtf();
      const t = new KernelTypes(base);
      for (const d of MODULE_TYPES) if (!t.has(d.kind === 'typedef' ? d.name : `${d.kind} ${d.name}`)) t.define(d);
      for (const d of this.pendingTypes) t.define(d);
      this.kernelTypes = t;
    }
    return this.kernelTypes;
  }

  /** Add a kernel type (a struct a user's kfunc takes or returns) that the kernel's BTF does not have. */
  defineType(def: TypeDef): void {
    if (this.kernelTypes === null) this.pendingTypes.push(def);
    else this.kernelTypes.define(def);
    this.invalidate();
  }

  /**
   * register_btf_kfunc_id_set(prog_type, set). A kfunc's types are checked against the kernel's BTF at
   * once (which loads it), unless `deferTypeCheck` (the built-in catalogue: checked when the BTF is first
   * needed, so a program that uses no kernel type never loads it).
   */
  register(progType: ProgTypeName, set: KfuncSet, opts: { deferTypeCheck?: boolean } = {}): void {
    const hook = HOOK_OF_PROG_TYPE[progType];
    if (hook === undefined) {
      throw new KfuncDefinitionError(set.owner, `program type ${progType} has no kfunc hook (6.1: xdp, sched_cls, struct_ops, tracing/lsm, syscall)`);
    }
    for (const { kfunc, flags } of set.entries) {
      const known = this.byName.get(kfunc.name);
      if (known !== undefined && known.def !== kfunc) throw new KfuncDefinitionError(kfunc.name, 'is defined twice with different implementations');
      if (known?.hooks.has(hook)) throw new KfuncDefinitionError(kfunc.name, `is registered twice for the ${hook} hook`);
      if (known === undefined) {
        this.validate(kfunc, flags);
        if (opts.deferTypeCheck) this.uncheckedTypes.add(kfunc);
        else this.checkTypes(kfunc);
      }
      const r = known ?? { def: kfunc, hooks: new Map() };
      r.hooks.set(hook, [...flags]);
      this.byName.set(kfunc.name, r);
    }
    this.invalidate();
  }

  /** The simulated vmlinux BTF (rebuilt after a registration: ids are final once runtimes are made). */
  get btf(): VmlinuxBtf {
    if (this.built === null) {
      // a built-in kfunc whose types this kernel's BTF lacks is not this kernel's (another kernel's BTF)
      for (const k of this.uncheckedTypes) {
        try {
          this.checkTypes(k);
        } catch (e) {
          if (!(e instanceof KfuncDefinitionError)) throw e;
          this.byName.delete(k.name);
        }
      }
      this.uncheckedTypes.clear();
      this.built = new VmlinuxBtf(this.types, [...this.byName.values()].map((r) => r.def));
    }
    return this.built;
  }

  /** The kfunc whose FUNC has this BTF id. */
  byId(btfId: number): { def: KfuncDef; hooks: ReadonlyMap<KfuncHook, readonly KfuncFlag[]> } | undefined {
    if (this.idIndex === null) {
      const btf = this.btf;
      this.idIndex = new Map([...this.byName.values()].map((r) => [btf.funcId(r.def.name)!, r]));
    }
    return this.idIndex.get(btfId);
  }

  /** BTF id of a kfunc by name (what `__ksym` externs and `--kfuncs` lists resolve to). */
  idOf(name: string): number | undefined {
    return this.byName.has(name) ? this.btf.funcId(name) : undefined;
  }

  /** Flags of a kfunc for a program type, or undefined when it is not registered there. */
  flagsFor(name: string, progType: ProgTypeName): readonly KfuncFlag[] | undefined {
    const hook = HOOK_OF_PROG_TYPE[progType];
    return hook === undefined ? undefined : this.byName.get(name)?.hooks.get(hook);
  }

  /** Every registered kfunc with its id, flags and program types, by BTF id. */
  list(): KfuncInfo[] {
    const btf = this.btf;
    return [...this.byName.values()].map((r) => {
      const id = btf.funcId(r.def.name)!;
      const flags = [...new Set([...r.hooks.values()].flat())];
      return {
        name: r.def.name,
        btfId: id,
        flags,
        progTypes: [...r.hooks.keys()].flatMap(progTypesOf),
        prototype: btf.btf.typeName(id),
      };
    }).sort((a, b) => a.btfId - b.btfId);
  }

  private checkTypes(k: KfuncDef): void {
    for (const t of [k.ret, ...k.params.map((p) => p.type)]) {
      if (!this.types.has(t)) throw new KfuncDefinitionError(k.name, `uses type '${t}' that is neither in the kernel's BTF nor defined (defineType)`);
    }
  }

  private validate(k: KfuncDef, flags: readonly KfuncFlag[]): void {
    if (!/^[A-Za-z_]\w*$/.test(k.name)) throw new KfuncDefinitionError(k.name, 'is not a C identifier');
    if (k.params.length > MAX_KFUNC_ARGS) {
      throw new KfuncDefinitionError(k.name, `has ${k.params.length} > ${MAX_KFUNC_ARGS} args`);
    }
    k.params.forEach((p, i) => {
      const pointer = p.type.includes('*');
      if ((p.name.endsWith('__sz') || p.name.endsWith('__k')) && pointer) {
        throw new KfuncDefinitionError(k.name, 'annotations __sz and __k apply to scalar parameters only', p.name);
      }
      if (p.name.endsWith('__sz') && (i === 0 || !k.params[i - 1]!.type.includes('*'))) {
        throw new KfuncDefinitionError(k.name, 'a __sz parameter must follow the pointer whose size it gives', p.name);
      }
    });
    if (flags.includes('KF_KPTR_GET') && !(flags.includes('KF_ACQUIRE') && flags.includes('KF_RET_NULL'))) {
      throw new KfuncDefinitionError(k.name, 'KF_KPTR_GET goes with KF_ACQUIRE and KF_RET_NULL');
    }
    if (flags.includes('KF_KPTR_GET') && !/\*\s*\*\s*$/.test(k.params[0]?.type ?? '')) {
      throw new KfuncDefinitionError(k.name, 'KF_KPTR_GET takes a pointer to a kptr (a double pointer) first');
    }
    if (flags.includes('KF_RELEASE') && flags.includes('KF_RET_NULL') && k.onInjectedNull === undefined) {
      throw new KfuncDefinitionError(k.name, 'a KF_RELEASE | KF_RET_NULL kfunc needs onInjectedNull (what failing does to the released object)');
    }
    if ((flags.includes('KF_ACQUIRE') || flags.includes('KF_RET_NULL')) && !k.ret.includes('*')) {
      throw new KfuncDefinitionError(k.name, 'KF_ACQUIRE and KF_RET_NULL kfuncs return a pointer');
    }
  }

  private invalidate(): void {
    this.built = null;
    this.idIndex = null;
  }
}
