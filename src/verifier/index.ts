/** The verifier's public surface. */
export { verify, verifyOrThrow, VerifierError, type VerifierResult, type VerifyOptions } from './verifier.js';
export { lastMessage, isStatsLine } from './log.js';
export { PROFILES, PROFILE_6_1, type KernelProfile } from './profile.js';
export { createTestPlatform, type TestPlatformOptions } from './test-platform/index.js';
export type { VState, FuncState } from './state.js';
