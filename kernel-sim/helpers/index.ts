/** The simulated kernel's helpers: the 6.1 catalogue, availability per program type, implementations. */
import type { ProgTypeName } from '../../src/object/bpf-enums.js';
import type { HelperFn } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { availableHelpers, helperProto, type ProtoQuery } from './availability.js';
import { IMPLEMENTATIONS } from './implementations.js';

export { availableHelpers, helperProto, type ProtoQuery } from './availability.js';
export { helperId, helperName, helperVariants, MAX_HELPER_ID_6_1, VARIANTS_6_1, type HelperVariant } from './catalogue.js';
export { IMPLEMENTATIONS } from './implementations.js';
export type { LoadedProgram } from './control.js';
export { isPacketContext, SimplePacket, XDP_FRAME_SIZE, XDP_PACKET_HEADROOM, type PacketContext } from './packet.js';

export interface HelperTableOptions {
  /** What besides the program type decides the prototypes (attach type, hook…). */
  query?: ProtoQuery;
  /** Helpers to add or replace, by id (another module's implementations). */
  extra?: ReadonlyMap<number, HelperFn>;
}

/**
 * The helpers a program of `progType` can call on `kernel`: for each id its `get_func_proto` offers (with
 * the kernel's capabilities), the implementation of the variant it gets, where one exists; then `extra`.
 */
export function helperTable(kernel: Kernel, progType: ProgTypeName, opts: HelperTableOptions = {}): Map<number, HelperFn> {
  const table = new Map<number, HelperFn>();
  for (const id of availableHelpers(progType, kernel.caps, opts.query)) {
    const make = IMPLEMENTATIONS[helperProto(progType, id, kernel.caps, opts.query)!.proto];
    if (make !== undefined) table.set(id, make(kernel));
  }
  for (const [id, fn] of opts.extra ?? []) table.set(id, fn);
  return table;
}
