import type { Btf, CoreReloKind } from '../btf/index.js';
import type { Insn } from '../isa/index.js';
import type { EnumValue } from './bpf-enums.js';
import type { StructOpsRef, StructOpsSpec } from './struct-ops.js';

/** A map as the object file declares it (libbpf's open stage: nothing is created yet). */
export interface MapSpec {
  name: string;
  /** The ELF section it came from: `.maps`, `maps`, or a global data section. */
  section: string;
  type: EnumValue;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  numaNode?: number;
  /** LIBBPF_PIN_* (BTF maps). */
  pinning?: number;
  mapExtra?: bigint;
  /** BTF type ids of key and value, when the map was declared with BTF. */
  btfKeyType?: number;
  btfValueType?: number;
  /** The inner map's definition, for array/hash of maps. */
  inner?: MapSpec;
  /** Initial contents (.data, .rodata, .kconfig once the loader filled it). */
  initialData?: Uint8Array;
  /** The loader freezes it after filling it (libbpf: `.rodata*` and `.kconfig`): its contents never change. */
  frozen?: boolean;
}

/**
 * An instruction that refers to a map: until a loader creates the maps, the lddw's imm holds the
 * index in `ObjectFile.maps` (src = BPF_PSEUDO_MAP_FD, or BPF_PSEUDO_MAP_VALUE with the offset in the
 * second slot's imm).
 */
export interface MapRef {
  insn: number;
  map: string;
  mapIndex: number;
}

/** An unresolved reference to a kernel symbol, resolved later by the simulated kernel. */
export interface ExternRef {
  insn: number;
  name: string;
  /**
   * kfunc: `call` with src = BPF_PSEUDO_KFUNC_CALL, imm 0 until resolved. ksym: a `__ksym` variable,
   * lddw src = BPF_PSEUDO_BTF_ID. kconfig: a `.kconfig` variable, lddw into the `.kconfig` map.
   */
  kind: 'kfunc' | 'ksym' | 'kconfig';
  /** A weak extern (`__weak`): left unresolved (zero) when the kernel lacks it, as libbpf does. */
  weak?: boolean;
}

export interface ProgramFuncInfo { insn: number; typeId: number }
export interface ProgramLineInfo { insn: number; fileName: string; source: string; line: number; column: number }
/** Where a CO-RE relocation record came from, as libbpf numbers and orders relocations. */
export interface CoreReloRecord {
  /** The code section and the record's index among that section's .BTF.ext records (libbpf's `relo #N`). */
  section: string;
  index: number;
  /** Position over all of .BTF.ext (sections in their order there): the order libbpf resolves them in. */
  ordinal: number;
  /** The function the instruction is in, and the instruction's index in it and in the section. */
  func: string;
  funcInsn: number;
  secInsn: number;
}
export interface ProgramCoreRelo { insn: number; typeId: number; access: string; kind: CoreReloKind; record?: CoreReloRecord }

export interface ProgramSpec {
  /** The function symbol's name. */
  name: string;
  section: string;
  type: EnumValue;
  attachType?: EnumValue;
  /** What the section names after its prefix (`kprobe/do_sys_open` → `do_sys_open`). */
  attachTo?: string;
  sleepable: boolean;
  autoload: boolean;
  /** STRUCT_OPS: the struct_ops map member that points at this program. */
  structOps?: StructOpsRef;
  /** Instruction slots: the program followed by the subprograms it calls, calls fixed up. */
  insns: Insn[];
  funcInfo: ProgramFuncInfo[];
  lineInfo: ProgramLineInfo[];
  coreRelos: ProgramCoreRelo[];
  mapRefs: MapRef[];
  externs: ExternRef[];
}

export interface ObjectFile {
  license: string;
  /** The `version` section (legacy kprobe programs), when present. */
  kernVersion?: number;
  programs: ProgramSpec[];
  maps: MapSpec[];
  /** `extern … __kconfig` variables: the `.kconfig` map (its index in `maps`) the loader fills with their values. */
  kconfig?: { mapIndex: number; vars: KconfigVar[] };
  /** `.struct_ops` / `.struct_ops.link` variables (libbpf's struct_ops maps). */
  structOps?: StructOpsSpec[];
  btf?: Btf;
}

/** How libbpf stores a `__kconfig` extern (find_kcfg_type). */
export type KconfigType = 'char' | 'bool' | 'int' | 'tristate' | 'char_arr';

/** One `extern … __kconfig` variable and its place in the `.kconfig` map. */
export interface KconfigVar {
  name: string;
  offset: number;
  size: number;
  type: KconfigType;
  signed: boolean;
  /** Declared `__weak`: left zero when neither the config nor libbpf knows it. */
  weak: boolean;
}
