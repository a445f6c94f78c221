/**
 * Every reproducer the fuzz suites found in the loader, BTF, decoder and assembler, kept as a test. Each is
 * a project fixture with named fields set (bench/fuzz/elf-mutate.ts `withFields`), as the fuzzer left it.
 */
import { describe, expect, it } from 'vitest';
import { BpfError, LoadError } from '../src/errors.js';
import { loadObject } from '../src/api/collection.js';
import { withFields } from '../bench/fuzz/elf-mutate.js';
import { fixture } from './fixtures/paths.js';
import { fuzzOne } from '../src/fuzz/campaign.js';
import { FUZZ_PROG_TYPES } from '../src/fuzz/generate.js';

function loadError(bytes: Uint8Array): LoadError {
  try {
    loadObject(bytes, { budget: 1000 });
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    expect((e as BpfError).where.section ?? (e as BpfError).where.offset).toBeDefined();
    return e as LoadError;
  }
  throw new Error('loaded');
}

describe('fuzz reproducers: loader', () => {
  it('a bpf-to-bpf call relocated against a symbol off an instruction boundary is a LoadError, not a fractional call offset', () => {
    // found: RangeError "The number -17.375 cannot be converted to a BigInt" from the VM's image
    const e = loadError(withFields(fixture('subprog.bpf.o'), { 'sym[2].st_value': 4 }));
    expect(e.message).toMatch(/section "socket": .*call relocated against offset 4 of section #2, which is not an instruction boundary/);
  });

  it('a function address (lddw) relocated off an instruction boundary is a LoadError', () => {
    const e = loadError(withFields(fixture('libbpf/task_iter.linked.bpf.o'), { '.reliter/task[1].r_info.sym': 9 }));
    expect(e.message).toMatch(/function address relocated against offset 0\+13 of section #\d+, which is not an instruction boundary/);
  });
});

describe('fuzz reproducers: the state checker (bpfvm fuzz --seed 2026)', () => {
  // Each program seed was a false `escape` of the check-states checker, not a verifier bug: a callee's state
  // matched on a path through another call site (RecordedState.calls), linked scalars holding different
  // values, a pruned path's dead or imprecise registers counted as compared, a register–register jump
  // narrowing by a don't-care operand. Each program is accepted and its runs now stay inside the states.
  // 3877674722: r2, clobbered by a helper call (NOT_INIT to the verifier, the argument still in the
  // machine's register), entered a callee and was held to the callee's state of another path, where the
  // kernel too had pruned it as dead (the same log); clobbered registers are now "don't care" until written.
  for (const seed of [3137165038, 337154995, 957690166, 2283564131, 12833015, 1869588180, 3190733172, 3877674722]) {
    it(`program seed ${seed}: accepted, its runs contained`, () => {
      const r = fuzzOne(FUZZ_PROG_TYPES, seed);
      expect(r.accepted).toBe(true);
      expect(r.finding?.kind).toBeUndefined();
    });
  }
});
