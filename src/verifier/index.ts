/** The verifier's public surface. */
export { verify, verifyOrThrow, VerifierError, type VerifierResult, type VerifyOptions } from './verifier.js';
export { lastMessage, isStatsLine } from './log.js';
export { PROFILES, PROFILE_6_1, type KernelProfile } from './profile.js';
export type { VState, FuncState } from './state.js';
export type { RecordedStates, RecordedState, RecordedSlot, PrunedPath } from './record.js';
