/**
 * Types a user (or a simulated module) adds to the kernel's, as data: structs, unions, enums and typedefs
 * written with C type texts (`u32`, `struct task_struct *`, `char[16]`). KernelTypes lays them out with
 * the x86-64 C rules over the kernel's BTF and gives them ids after vmlinux's.
 */

/** A member: its name ('' for an anonymous one) and its type — a C type text or an inline anonymous composite. */
export type MemberDef = readonly [name: string, type: string | InlineComposite];
export interface InlineComposite {
  kind: 'struct' | 'union';
  members: readonly MemberDef[];
}
export interface CompositeDef extends InlineComposite {
  name: string;
}
export interface EnumDef {
  kind: 'enum';
  name: string;
  values: readonly (readonly [string, number])[];
}
export interface TypedefDef {
  kind: 'typedef';
  name: string;
  type: string;
}
export type TypeDef = CompositeDef | EnumDef | TypedefDef;

/** A malformed type text or definition, naming it. */
export class CTypeError extends Error {
  constructor(readonly type: string, message: string) {
    super(`type '${type}': ${message}`);
  }
}
