export { ACCESS_MODELS, type AccessModel, type AccessModelName, type FieldRule, type SizeRule } from './access-rules.js';
export { accessModel, checkAccess, ctxAccess, loadAttachType, type AccessKind, type CtxAccess, type CtxAccessOptions } from './ctx-access.js';
export { CtxRulesMissingError, ProgTypeError, TEST_RUN_ERRNO, TestRunError, type TestRunErrno } from './errors.js';
export { BPF_CGROUP_DEV_CTX, BPF_SOCK, BPF_SOCK_OPS, BPF_SOCKOPT, BPF_SYSCTL, LIRC_SAMPLE, SK_REUSEPORT_MD } from './layouts-cgroup.js';
export { BPF_SOCK_ADDR, FLOW_KEYS, PERF_EVENT_DATA, PT_REGS, SK_BUFF, SK_LOOKUP, SK_MSG_MD, XDP_MD, fieldAt, type CtxField, type CtxLayout } from './layouts.js';
export { PROG_TYPE_NAMES, parseProgType } from './names.js';
export { PacketBuffer } from './packet.js';
export { PROG_TYPE_TABLE, progTypeRow, type ProgTypeRow, type TestRunKind } from './table.js';
export { testRun, type TestRunOptions, type TestRunResult, type TracingAttach } from './test-run.js';
