/**
 * Program type names as people write them: libbpf SEC() prefixes (`socket`, `tc`, `kprobe/do_sys_open`,
 * `cgroup/connect4`), kernel and libbpf type names (`socket_filter`, `sched_cls`) and uapi names
 * (`BPF_PROG_TYPE_XDP`), case-insensitively.
 */
import { ProgTypeError } from './errors.js';
import { PROG_TYPE_TABLE, type ProgTypeRow } from './table.js';

const BY_NAME: ReadonlyMap<string, ProgTypeRow> = (() => {
  const m = new Map<string, ProgTypeRow>();
  const add = (key: string, row: ProgTypeRow): void => {
    const prev = m.get(key);
    if (prev !== undefined && prev !== row) throw new Error(`program type name '${key}' is ambiguous`);
    m.set(key, row);
  };
  for (const row of PROG_TYPE_TABLE) {
    add(row.name.toLowerCase(), row);
    add(`bpf_prog_type_${row.name.toLowerCase()}`, row);
    for (const s of row.sections) add(s, row);
  }
  return m;
})();

/** Every accepted spelling (lower case), for messages and completion. */
export const PROG_TYPE_NAMES: readonly string[] = [...BY_NAME.keys()].sort();

/**
 * The program type a name selects. A section path (`kprobe/do_sys_open`, `tp/syscalls/sys_enter_open`)
 * selects by its longest known prefix. Throws ProgTypeError listing the valid names.
 */
export function parseProgType(name: string): ProgTypeRow {
  const key = name.trim().toLowerCase();
  const parts = key.split('/');
  for (let n = parts.length; n >= 1; n--) {
    const row = BY_NAME.get(parts.slice(0, n).join('/'));
    if (row !== undefined) return row;
  }
  throw new ProgTypeError(name, PROG_TYPE_NAMES);
}
