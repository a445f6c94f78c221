/**
 * One case of the verifier corpus as the corpus files hold it (the kernel selftests' test_verifier cases with
 * the real kernel's answers), the harness's fixup maps, and what a kptr field of one of those maps says.
 * Read by the corpus loader, the verifier side (runner) and the run side (run).
 */

export interface CorpusExpect {
  result: 'ACCEPT' | 'REJECT';
  msgs: string[];
  runs: { retval: number | null; data_hex: string }[];
}

export interface CorpusKernel {
  verdict: 'accepted' | 'rejected';
  errno: number;
  message: string;
  processed: number;
  runs_checked: boolean;
}

export interface CorpusCase {
  id: string;
  prog_type: string;
  expected_attach_type: string | null;
  attach_to: string | null;
  prog_flags: (string | number)[];
  insns: string[] | null;
  /** Filled by the loader for insns_file cases. */
  bytes?: Uint8Array;
  fixups: { insn: number; kind: string; map?: string; name?: string }[] | null;
  expect: { priv: CorpusExpect; unpriv: CorpusExpect | null };
  /** Program BTF: `[insn_off, type_id]` records, the raw type section (0xdeadbeef-terminated), the strings. */
  func_info?: [number, number][] | null;
  btf_types?: number[] | null;
  btf_strings_hex?: string | null;
  kernel: { priv: CorpusKernel; unpriv: CorpusKernel | null };
  /** Instruction patterns (16 hex digits a slot) that must / must not occur in the rewritten program. */
  expected_xlated?: string[] | null;
  unexpected_xlated?: string[] | null;
}

export interface FixupSpec {
  maps: Record<string, {
    map_type: { value: number }; key_size: number; value_size: number; max_entries: number; map_flags: { value: number } | number;
    btf: unknown; map_name?: string; special_fields?: { kind: string; offset: number; kptr_kind?: string; pointee?: string }[]; inner_map?: { map_type: { value: number }; key_size: number; value_size: number; max_entries: number };
    prefill?: { key_u32: number; value_hex: string } | null;
  }>;
  prog_arrays?: Record<string, { max_entries: number; slots: { index: number | number[]; program: string | null }[] }>;
  dummy_programs?: Record<string, { insns?: string[]; insns_for_slot_1?: string[] }>;
}

export type Mode = 'priv' | 'unpriv';

export type SpecialField = { kind: string; offset: number; kptr_kind?: string; pointee?: string };

/** A kptr special field is referenced (`__kptr_ref`, BPF_KPTR_REF) or not. */
export function kptrIsRef(f: SpecialField): boolean {
  return f.kind === 'kptr_ref' || (f.kptr_kind ?? '').startsWith('ref');
}

/** The struct a kptr field points to (`struct prog_test_member (vmlinux BTF)` → prog_test_member). */
export function kptrPointee(f: SpecialField): string {
  return /struct\s+(\w+)/.exec(f.pointee ?? '')?.[1] ?? 'prog_test_ref_kfunc';
}
