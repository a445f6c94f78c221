/**
 * What the verifier knows of one subprogram (struct bpf_subprog_info): found by the control-flow pass
 * (cfg), held by the environment (env).
 */
export interface SubprogInfo {
  start: number;
  hasTailCall: boolean;
  hasLdAbs: boolean;
  stackDepth: number;
  isAsyncCb: boolean;
  isCallback: boolean;
  tailCallReachable: boolean;
}
