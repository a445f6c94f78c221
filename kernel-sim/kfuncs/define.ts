/**
 * Defining a kfunc (the document's chapter 2, for TypeScript): a C prototype and an implementation.
 *
 *   const memzero = defineKfunc('void bpf_memzero(void *mem, int mem__sz)', (call) => { call.mem(0).fill(0); });
 *   registry.register('TRACING', kfuncSet('my_module', [idFlags(memzero)]));
 */
import type { KfuncParam } from '../../src/platform/platform.js';
import type { KfuncDef, KfuncImpl, KfuncSet, KfuncSetEntry } from './types.js';
import { KfuncDefinitionError } from './registry.js';

/** Parse `ret name(type a, type b__sz)` into a definition with `impl`. */
export function defineKfunc(prototype: string, impl: KfuncImpl, extra: Pick<KfuncDef, 'onInjectedNull'> = {}): KfuncDef {
  const m = /^\s*(.*?[\s*])(\w+)\s*\((.*)\)\s*;?\s*$/s.exec(prototype);
  if (m === null) throw new KfuncDefinitionError(prototype, 'is not a C prototype `ret name(params)`');
  const name = m[2]!;
  const ret = m[1]!.trim();
  const list = m[3]!.trim();
  const params: KfuncParam<string>[] = list === '' || list === 'void' ? [] : list.split(',').map((p) => {
    const pm = /^(.*?[\s*])(\w+)\s*$/s.exec(p.trim());
    if (pm === null) throw new KfuncDefinitionError(name, `parameter '${p.trim()}' needs a type and a name`);
    return { type: pm[1]!.trim(), name: pm[2]! };
  });
  return { name, ret, params, impl, ...extra };
}

/** A BTF_SET8 with its owner's name. */
export function kfuncSet(owner: string, entries: readonly KfuncSetEntry[]): KfuncSet {
  return { owner, entries };
}
