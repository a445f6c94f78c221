/**
 * The part of the WebAssembly JS API the tier uses, typed here: the project compiles against ES2022 and
 * Node's types, which do not declare it. `WA` is undefined where an engine has no WebAssembly.
 */
export interface WasmGlobal {
  value: bigint | number;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (mod: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  CompileError: new (...a: never[]) => Error;
  validate(bytes: Uint8Array): boolean;
}
export const WA: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
