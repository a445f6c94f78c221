/**
 * The names of program return codes, per program type, from the uapi enums that define them
 * (include/uapi/linux/bpf.h: enum xdp_action, enum sk_action, enum bpf_ret_code; pkt_cls.h: TC_ACT_*).
 * Types whose return code is a length or a plain allow/deny bit have no names.
 */
import type { ProgTypeName } from './enums.js';

export const XDP_ACTION = { XDP_ABORTED: 0, XDP_DROP: 1, XDP_PASS: 2, XDP_TX: 3, XDP_REDIRECT: 4 } as const;
export const SK_ACTION = { SK_DROP: 0, SK_PASS: 1 } as const;
/** TC_ACT_UNSPEC is -1: a u32 retval of 0xffffffff. */
export const TC_ACT = {
  TC_ACT_UNSPEC: -1, TC_ACT_OK: 0, TC_ACT_RECLASSIFY: 1, TC_ACT_SHOT: 2, TC_ACT_PIPE: 3, TC_ACT_STOLEN: 4,
  TC_ACT_QUEUED: 5, TC_ACT_REPEAT: 6, TC_ACT_REDIRECT: 7, TC_ACT_TRAP: 8,
} as const;
export const BPF_RET_CODE = { BPF_OK: 0, BPF_DROP: 2, BPF_REDIRECT: 7, BPF_LWT_REROUTE: 128, BPF_FLOW_DISSECTOR_CONTINUE: 129 } as const;

type Names = Readonly<Record<string, number>>;
const pick = (o: Names, ...keys: string[]): Names => Object.fromEntries(keys.map((k) => [k, o[k]!]));

const BY_TYPE: Partial<Record<ProgTypeName, Names>> = {
  XDP: XDP_ACTION,
  SCHED_CLS: TC_ACT,
  SCHED_ACT: TC_ACT,
  SK_SKB: SK_ACTION,
  SK_MSG: SK_ACTION,
  SK_REUSEPORT: SK_ACTION,
  SK_LOOKUP: SK_ACTION,
  LWT_IN: pick(BPF_RET_CODE, 'BPF_OK', 'BPF_DROP', 'BPF_LWT_REROUTE'),
  LWT_OUT: pick(BPF_RET_CODE, 'BPF_OK', 'BPF_DROP'),
  LWT_XMIT: pick(BPF_RET_CODE, 'BPF_OK', 'BPF_DROP', 'BPF_REDIRECT', 'BPF_LWT_REROUTE'),
  LWT_SEG6LOCAL: pick(BPF_RET_CODE, 'BPF_OK', 'BPF_DROP', 'BPF_REDIRECT'),
  FLOW_DISSECTOR: pick(BPF_RET_CODE, 'BPF_OK', 'BPF_DROP', 'BPF_FLOW_DISSECTOR_CONTINUE'),
};

/** The name of a program type's return code (`XDP_DROP`, `TC_ACT_OK`, `SK_PASS`…), if the uapi names it. */
export function retvalName(type: ProgTypeName, retval: number): string | undefined {
  const names = BY_TYPE[type];
  if (names === undefined) return undefined;
  const signed = retval | 0;
  for (const [name, v] of Object.entries(names)) if (v === retval || v === signed) return name;
  return undefined;
}
