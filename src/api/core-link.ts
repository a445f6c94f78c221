/**
 * The loader's last step before an Image exists, as libbpf's bpf_object__relocate and
 * bpf_object__resolve_externs do it against a running kernel: CO-RE relocations resolved against the
 * simulated kernel's BTF, `__ksym` kfuncs by name to their BTF ids, and `__ksym` variables to the
 * addresses of the simulated kernel's symbols (typed ones through its BTF, untyped ones as kallsyms).
 */
import { LoadError } from '../errors.js';
import type { Insn } from '../isa/insn.js';
import { Pseudo } from '../isa/opcodes.js';
import { applyCoreRelos, coreTypesCompat } from '../object/core.js';
import type { ObjectFile, ProgramSpec } from '../object/index.js';
import type { KfuncRegistry } from '../../kernel-sim/kfuncs/index.js';
import type { KernelWorld } from '../../kernel-sim/objects/world.js';
import { percpuObject } from '../../kernel-sim/objects/percpu.js';
import { fillKconfig } from '../object/kconfig.js';
import type { Kernel } from '../../kernel-sim/kernel.js';
import { linuxVirtualExtern } from '../../kernel-sim/kconfig.js';
import { kallsymsLookup } from '../../kernel-sim/kallsyms.js';

/** A symbol of the simulated kernel that `__ksym` variables resolve to. */
export interface KernelSymbol {
  name: string;
  address: bigint;
  /** BTF id of its type in the kernel's BTF (typed `__ksym` externs must match it). */
  type: number;
  /** A variable of vmlinux BTF (pahole encodes the per-CPU ones): only these resolve typed. */
  percpu: boolean;
}

/**
 * The simulated kallsyms: the variables of vmlinux BTF (`bpf_prog_active`, `runqueues`, x86's
 * `current_task`, …; each made on first use) and the static objects of the world (`init_task`, 6.1's
 * `prog_test_struct`).
 */
export function kernelSymbol(world: KernelWorld, name: string): KernelSymbol | undefined {
  const types = world.heap.types;
  if (name === 'init_task') return { name, address: world.initTask.home.region.base, type: types.idOf('struct task_struct'), percpu: false };
  if (name === 'prog_test_struct') {
    return { name, address: world.progTestStruct.home.region.base, type: types.idOf('struct prog_test_ref_kfunc'), percpu: false };
  }
  const v = percpuObject(world, name);
  if (v !== undefined) return { name, address: v.address, type: v.type, percpu: true };
  // a kernel function: kallsyms has every function vmlinux BTF lists, at an address of kernel text
  const fn = types.base.idByName(name, 'FUNC');
  if (fn !== undefined) return { name, address: kernelTextAddress(fn), type: fn, percpu: false };
  // a data symbol BTF does not describe (`bpf_link_fops`, `__start_BTF`): the reference kernel's System.map
  const k = kallsymsLookup(name);
  if (k !== undefined && 'address' in k) return { name, address: k.address, type: 0, percpu: false };
  return undefined;
}

/** Where the simulated kernel's text puts a function (outside every mapped region: code is not data). */
export const KERNEL_TEXT_BASE = 0xffffffff81000000n;

/** The kallsyms address of the function whose vmlinux FUNC has this id (16 bytes apart, in id order). */
export function kernelTextAddress(funcId: number): bigint {
  return KERNEL_TEXT_BASE + BigInt(funcId) * 16n;
}

/** The address of the kernel variable whose vmlinux VAR has BTF id `varId` (an ld_imm64 of BPF_PSEUDO_BTF_ID). */
export function ksymResolver(registry: KfuncRegistry, world: WorldRef): (varId: number) => bigint | undefined {
  return (varId) => {
    const v = registry.btf.varById(varId);
    return v === undefined ? undefined : kernelSymbol(worldOf(world), v.name)?.address;
  };
}

/**
 * The kernel world, or how to get it: a world is made (and the kernel's BTF read) only when a program
 * names a kernel symbol.
 */
export type WorldRef = KernelWorld | (() => KernelWorld);
const worldOf = (w: WorldRef): KernelWorld => (typeof w === 'function' ? w() : w);

export interface KernelLinked {
  insns: Insn[];
  /** Instructions CO-RE poisoned, with the relocation that did it. */
  poisoned: Map<number, string>;
  /** lddw slots of `__ksym` variables → the address they load. */
  ksyms: Map<number, bigint>;
  coreLog: string[];
}

/**
 * The object with its `.kconfig` map filled, as bpf_object__resolve_externs fills it from the kernel's
 * config file and libbpf's virtual LINUX_* externs (a LoadError when libbpf would refuse).
 */
export function withKconfig(object: ObjectFile, kernel: Kernel): ObjectFile {
  const kc = object.kconfig;
  if (kc === undefined) return object;
  const spec = object.maps[kc.mapIndex]!;
  const initialData = fillKconfig(kc.vars, spec.valueSize, { configText: kernel.kconfig, virtual: (name) => linuxVirtualExtern(name) });
  const maps = object.maps.slice();
  maps[kc.mapIndex] = { ...spec, initialData };
  return { ...object, maps };
}

/** CO-RE, kfunc and ksym resolution of one program against the simulated kernel. */
export function linkAgainstKernel(spec: ProgramSpec, object: ObjectFile, registry: KfuncRegistry, world: WorldRef): KernelLinked {
  let insns = spec.insns.slice();
  let poisoned = new Map<number, string>();
  let coreLog: string[] = [];
  if (spec.coreRelos.length > 0) {
    if (object.btf === undefined) throw new LoadError('CO-RE relocations without .BTF', { section: '.BTF.ext' });
    ({ insns, poisoned, log: coreLog } = applyCoreRelos(spec.name, insns, spec.coreRelos, object.btf, registry.btf.btf));
  }
  const ksyms = resolveExterns(spec, object, registry, world, insns);
  return { insns, poisoned, ksyms, coreLog };
}

/**
 * bpf_object__resolve_externs for one program's `__ksym` externs: kfuncs by name to their BTF ids (in
 * `insns`, changed in place), variables to the simulated kernel's symbols. Returns the lddw slots of the
 * variables with the addresses they load; a non-weak extern the kernel lacks is a LoadError.
 */
export function resolveExterns(spec: ProgramSpec, object: ObjectFile, registry: KfuncRegistry, world: WorldRef,
  insns: Insn[] = spec.insns.slice()): Map<number, bigint> {
  const ksyms = new Map<number, bigint>();
  for (const e of spec.externs) {
    if (e.kind === 'kconfig') continue;
    if (e.kind === 'kfunc') {
      const id = registry.idOf(e.name);
      if (id === undefined) {
        if (e.weak) continue; // libbpf leaves a weak kfunc's call at imm 0; a program must not reach it
        throw new LoadError(`extern (func ksym) '${e.name}': not found in kernel or module BTFs`, { insn: e.insn });
      }
      insns[e.insn] = { ...insns[e.insn]!, imm: id };
      continue;
    }
    resolveKsymVar(e.name, e.insn, e.weak ?? false, insns, ksyms, object, registry, world);
  }
  return ksyms;
}

/**
 * A `__ksym` variable. Typed (`extern const int bpf_prog_active __ksym;`): it must be a per-CPU variable of
 * vmlinux BTF with a compatible type; the lddw keeps src BPF_PSEUDO_BTF_ID with the id of its VAR. Untyped
 * (`extern const void x __ksym;`): its kallsyms address, loaded as a plain 64-bit constant. A weak
 * extern the kernel lacks loads 0.
 */
function resolveKsymVar(name: string, at: number, weak: boolean, insns: Insn[], ksyms: Map<number, bigint>,
  object: ObjectFile, registry: KfuncRegistry, world: WorldRef): void {
  const btf = object.btf;
  const varId = btf?.idsByName(name).find((id) => { const t = btf.type(id); return t.kind === 'VAR' && t.linkage === 2; }) ?? -1;
  const localType = varId > 0 ? btf!.resolve((btf!.type(varId) as { type: number }).type) : 0;
  const typed = localType !== 0;
  const sym = kernelSymbol(worldOf(world), name);
  const k = sym === undefined && !typed ? kallsymsLookup(name) : undefined;
  if (k !== undefined && 'ambiguous' in k) {
    const [a, b] = k.ambiguous.map((x) => '0x' + x.toString(16));
    throw new LoadError(`extern (ksym) '${name}': resolution is ambiguous: ${a} or ${b}`, { insn: at });
  }
  const setImm = (src: number, value: bigint, btfId = 0) => {
    const lo = Number(BigInt.asIntN(32, value & 0xffffffffn));
    const hi = Number(BigInt.asIntN(32, value >> 32n));
    insns[at] = { ...insns[at]!, src, imm: src === Pseudo.BTF_ID ? btfId : lo, imm64: src === Pseudo.BTF_ID ? BigInt(btfId) : value };
    insns[at + 1] = { ...insns[at + 1]!, imm: src === Pseudo.BTF_ID ? 0 : hi };
  };
  if (sym === undefined || (typed && !sym.percpu)) {
    if (weak) {
      setImm(0, 0n);
      return;
    }
    throw new LoadError(typed ? `extern (var ksym) '${name}': not found in kernel BTF` : `extern (ksym) '${name}': not found in kallsyms`, { insn: at });
  }
  if (!typed) {
    setImm(0, sym.address);
    return;
  }
  const kbtf = registry.btf.btf;
  const targetId = kbtf.resolve(sym.type);
  const kernelVarId = registry.btf.varId(name);
  if (kernelVarId === undefined || !coreTypesCompat(btf!, localType, kbtf, targetId)) {
    throw new LoadError(`extern (var ksym) '${name}': incompatible types, expected [${localType}] ${btf!.typeName(localType)}, but kernel has [${targetId}] ${kbtf.typeName(targetId)}`, { insn: at });
  }
  // libbpf puts the kernel VAR's id in imm (insn[1].imm: the BTF object fd, 0 for vmlinux)
  setImm(Pseudo.BTF_ID, 0n, kernelVarId);
  ksyms.set(at, sym.address);
}
