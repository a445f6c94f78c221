/**
 * A small WebAssembly binary encoder: just what the BPF compiler emits (one memory import, function
 * imports, one function, mutable globals, exports). Code is appended to a growable byte buffer.
 */

export const enum T {
  I32 = 0x7f,
  I64 = 0x7e,
  F64 = 0x7c,
  VOID = 0x40,
}

/** The opcodes the compiler uses. */
export const enum W {
  unreachable = 0x00, block = 0x02, loop = 0x03, if_ = 0x04, else_ = 0x05, end = 0x0b, br = 0x0c, br_if = 0x0d,
  br_table = 0x0e, return_ = 0x0f, call = 0x10, drop = 0x1a, select = 0x1b,
  local_get = 0x20, local_set = 0x21, local_tee = 0x22, global_get = 0x23, global_set = 0x24,
  i32_load = 0x28, i64_load = 0x29, f64_load = 0x2b, i64_load8_s = 0x30, i64_load8_u = 0x31, i64_load16_s = 0x32,
  i64_load16_u = 0x33, i64_load32_s = 0x34, i64_load32_u = 0x35, i32_store = 0x36, i64_store = 0x37, f64_store = 0x39,
  i64_store8 = 0x3c, i64_store16 = 0x3d, i64_store32 = 0x3e,
  i32_const = 0x41, i64_const = 0x42,
  i32_eqz = 0x45, i32_eq = 0x46, i32_ne = 0x47, i32_lt_s = 0x48, i32_lt_u = 0x49, i32_gt_s = 0x4a, i32_gt_u = 0x4b,
  i32_le_s = 0x4c, i32_le_u = 0x4d, i32_ge_s = 0x4e, i32_ge_u = 0x4f,
  i64_eqz = 0x50, i64_eq = 0x51, i64_ne = 0x52, i64_lt_s = 0x53, i64_lt_u = 0x54, i64_gt_s = 0x55, i64_gt_u = 0x56,
  i64_le_s = 0x57, i64_le_u = 0x58, i64_ge_s = 0x59, i64_ge_u = 0x5a,
  i32_add = 0x6a, i32_sub = 0x6b, i32_mul = 0x6c, i32_div_s = 0x6d, i32_div_u = 0x6e, i32_rem_s = 0x6f, i32_rem_u = 0x70,
  i32_and = 0x71, i32_or = 0x72, i32_xor = 0x73, i32_shl = 0x74, i32_shr_s = 0x75, i32_shr_u = 0x76, i32_rotl = 0x77,
  i32_rotr = 0x78,
  i64_add = 0x7c, i64_sub = 0x7d, i64_mul = 0x7e, i64_div_s = 0x7f, i64_div_u = 0x80, i64_rem_s = 0x81, i64_rem_u = 0x82,
  i64_and = 0x83, i64_or = 0x84, i64_xor = 0x85, i64_shl = 0x86, i64_shr_s = 0x87, i64_shr_u = 0x88,
  i32_wrap_i64 = 0xa7, i64_trunc_f64_s = 0xb0, i64_extend_i32_s = 0xac, i64_extend_i32_u = 0xad,
  f64_convert_i64_s = 0xb9,
  i32_extend8_s = 0xc0, i32_extend16_s = 0xc1, i64_extend8_s = 0xc2, i64_extend16_s = 0xc3, i64_extend32_s = 0xc4,
}

/** A growable byte buffer with LEB128 writers. */
export class Bytes {
  buf = new Uint8Array(256);
  len = 0;

  byte(b: number): this {
    if (this.len === this.buf.length) {
      const nb = new Uint8Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    this.buf[this.len++] = b;
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    this.reserve(b.length);
    if (b instanceof Uint8Array) {
      this.buf.set(b, this.len);
      this.len += b.length;
    } else for (let i = 0; i < b.length; i++) this.buf[this.len++] = b[i]!;
    return this;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }

  u32(v: number): this {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  s32(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return this;
      }
      this.byte(b | 0x80);
    }
  }

  s64(v: bigint): this {
    // the signed LEB128 of an i64 in the i32 range is that of the i32
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.s32(Number(v));
    v = BigInt.asIntN(64, v);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return this;
      }
      this.byte(b | 0x80);
    }
  }

  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.bytes(b);
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** A length-prefixed copy of `b`. */
  vec(b: Bytes): this {
    this.u32(b.len);
    return this.bytes(b.buf.subarray(0, b.len));
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

export interface FuncType {
  params: readonly T[];
  results: readonly T[];
}

export interface ModuleSpec {
  types: readonly FuncType[];
  /** Imported functions (module "env"): name and type index. */
  imports: readonly { name: string; type: number }[];
  /** Imported memory "env.mem" with this many pages minimum. */
  memoryPages: number;
  /** The module's one function: type index, extra locals (by type, in order), body (without the final end). */
  func: { type: number; locals: readonly { count: number; type: T }[]; body: Bytes };
  /** Mutable globals, each exported under its name. */
  globals: readonly { name: string; type: T.I32 | T.I64 }[];
  /** Export name of the function. */
  funcName: string;
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id).vec(content);
}

/** The binary module for `spec`. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const out = new Bytes();
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes().u32(spec.types.length);
  for (const t of spec.types) {
    types.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
  }
  section(out, 1, types);
  const imports = new Bytes().u32(spec.imports.length + 1);
  imports.name('env').name('mem').byte(0x02).byte(0x00).u32(spec.memoryPages);
  for (const im of spec.imports) imports.name('env').name(im.name).byte(0x00).u32(im.type);
  section(out, 2, imports);
  section(out, 3, new Bytes().u32(1).u32(spec.func.type));
  const globals = new Bytes().u32(spec.globals.length);
  for (const g of spec.globals) {
    globals.byte(g.type).byte(0x01);
    if (g.type === T.I32) globals.byte(W.i32_const).s32(0);
    else globals.byte(W.i64_const).s64(0n);
    globals.byte(W.end);
  }
  section(out, 6, globals);
  const fIndex = spec.imports.length;
  const exports = new Bytes().u32(spec.globals.length + 1);
  exports.name(spec.funcName).byte(0x00).u32(fIndex);
  spec.globals.forEach((g, i) => exports.name(g.name).byte(0x03).u32(i));
  section(out, 7, exports);
  const fn = new Bytes().u32(spec.func.locals.length);
  for (const l of spec.func.locals) fn.u32(l.count).byte(l.type);
  fn.bytes(spec.func.body.buf.subarray(0, spec.func.body.len));
  fn.byte(W.end);
  section(out, 10, new Bytes().u32(1).vec(fn));
  return out.view().slice();
}
