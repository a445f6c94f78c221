/** Option values the commands share: integers that name their option, attach types, the program type list. */
import { UsageError } from '../errors.js';
import { ATTACH_TYPES, type AttachTypeName } from '../uapi/enums.js';
import { PROG_TYPE_NAMES, parseProgType } from '../../kernel-sim/progtypes/names.js';
import { parseCaps, type Capability } from '../platform/caps.js';

/** Runs a parser of an option's value; its error becomes a UsageError naming the option. */
function named<T>(flag: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const m = (e as Error).message;
    throw new UsageError(m.startsWith(flag) ? m : `${flag}: ${m}`);
  }
}

/** `--caps LIST`. */
export function capsOption(list: string): Set<Capability> {
  return named('--caps', () => parseCaps(list));
}

/** A program type option (`--prog-type`, `--target-prog-type`), checked; the name is returned as given. */
export function progTypeOption(flag: string, name: string | undefined): string | undefined {
  if (name !== undefined) named(flag, () => parseProgType(name));
  return name;
}

/** A commander parser for a positive integer option; its errors name the option. */
export function count(flag: string, opts: { min?: number; max?: number; what?: string } = {}): (v: string) => number {
  const min = opts.min ?? 1;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const what = opts.what ?? (min === 0 ? 'a non-negative integer' : 'a positive integer');
  return (v: string) => {
    const n = /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag}: expected ${what}, got '${v}'`);
    return n;
  };
}

/** A commander parser for a positive number (seconds…); its errors name the option. */
export function positiveNumber(flag: string): (v: string) => number {
  return (v: string) => {
    const n = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a positive number, got '${v}'`);
    return n;
  };
}

/** `--expected-attach-type`: a 6.1 uapi attach type, with or without `BPF_`, any case. */
export function attachTypeOf(v: string | undefined): AttachTypeName | undefined {
  if (v === undefined) return undefined;
  const name = v.trim().toUpperCase().replace(/^BPF_/, '');
  if (!(ATTACH_TYPES as readonly string[]).includes(name)) {
    throw new UsageError(`--expected-attach-type: unknown attach type '${v}'; valid names include BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_GETSOCKOPT, BPF_XDP, BPF_TRACE_FENTRY (${ATTACH_TYPES.length} in all: see \`bpfvm run --help\`)`);
  }
  return name as AttachTypeName;
}

/** The help text's list of every accepted program type and attach type name. */
export function namesHelp(): string {
  return `\nProgram types (--prog-type, --target-prog-type):\n  ${wrap(PROG_TYPE_NAMES)}\n` +
    `\nAttach types (--expected-attach-type; BPF_ optional):\n  ${wrap(ATTACH_TYPES.map((a) => `BPF_${a}`))}\n`;
}

function wrap(names: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    if (line !== '' && line.length + n.length + 2 > 100) {
      lines.push(line + ',');
      line = n;
    } else line = line === '' ? n : `${line}, ${n}`;
  }
  lines.push(line);
  return lines.join('\n  ');
}
