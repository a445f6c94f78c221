/**
 * Validation of the options the public API takes: each bad value is a UsageError naming the option,
 * never a RangeError, a hang or a silent default.
 */
import { UsageError } from './errors.js';

/** An integer option in [min, max]; undefined passes through. */
export function intOption(name: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`option ${name}: expected an integer from ${min} to ${max}, got ${describe(v)}`);
  }
  return v;
}

/** A boolean option. */
export function boolOption(name: string, v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new UsageError(`option ${name}: expected true or false, got ${describe(v)}`);
  return v;
}

/** A byte-array option. */
export function bytesOption(name: string, v: unknown): Uint8Array | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) throw new UsageError(`option ${name}: expected a Uint8Array, got ${describe(v)}`);
  return v;
}

/** A string option. */
export function stringOption(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`option ${name}: expected a string, got ${describe(v)}`);
  return v;
}

/** One of a fixed set of strings. */
export function choiceOption<T extends string>(name: string, v: unknown, choices: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new UsageError(`option ${name}: expected one of ${choices.join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** A bigint option in [min, max]. */
export function bigintOption(name: string, v: unknown, min: bigint, max: bigint): bigint | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'bigint' || v < min || v > max) throw new UsageError(`option ${name}: expected a bigint from ${min} to ${max}, got ${describe(v)}`);
  return v;
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (v instanceof Uint8Array) return `a Uint8Array of ${v.length} bytes`;
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'function' ? 'a function' : 'an object';
}
