/**
 * bpf_kptr_xchg(void *map_value, void *ptr) — helper 194 in 6.1: moves the program's reference `ptr`
 * (or NULL) into a referenced kptr slot and hands the slot's previous object back as a new reference
 * acquired at this call (NULL when the slot was empty). The program's pointer is dead afterwards:
 * its reference now belongs to the map.
 */
import { HelperFault, type HelperFn } from '../../vm/machine.js';
import { hex } from '../../vm/address-space.js';
import { checkLivePointer } from './args.js';
import type { RunState } from './dispatch.js';

export const BPF_FUNC_kptr_xchg = 194;

export function kptrXchg(s: RunState): HelperFn {
  return (ctx, dst, ptr) => {
    const { heap, kptrs } = s.world;
    checkLivePointer(heap.space, dst, 'bpf_kptr_xchg: R1');
    const slot = kptrs.slotAt(dst);
    if (slot === undefined || !slot.field.ref) {
      throw new HelperFault('helper-error', `bpf_kptr_xchg: R1=${hex(dst)} is not a referenced kptr field of a map value`);
    }
    let incoming = null;
    if (ptr !== 0n) {
      checkLivePointer(heap.space, ptr, 'bpf_kptr_xchg: R2');
      const at = heap.windowAt(ptr);
      const ref = at === undefined ? undefined : s.refs.lookup(at.window);
      if (at === undefined || ref === undefined) {
        throw new HelperFault('release-unacquired', `bpf_kptr_xchg: R2=${hex(ptr)} is not an acquired reference`);
      }
      if (at.offset !== 0 || at.window.type !== slot.field.btfName) {
        throw new HelperFault('helper-error',
          `bpf_kptr_xchg: R2 must point to the start of a struct ${slot.field.btfName} (has struct ${at.window.type}, offset ${at.offset})`);
      }
      s.refs.end(ref, 'was moved into a map by bpf_kptr_xchg');
      incoming = at.window.object;
    }
    const old = kptrs.exchange(slot, incoming);
    if (old === null) return 0n;
    const w = heap.window(old, 'reference', { type: slot.field.btfName });
    s.refs.acquire(w, ctx.pc, 'bpf_kptr_xchg');
    return w.region.base;
  };
}
