/**
 * The address space moved to vm/address-space.ts (the machine's memory; the simulated kernel maps its
 * regions into it). This re-export remains only for vm/wasm/tier.ts, whose import moves with the wasm work.
 */
export * from '../vm/address-space.js';
