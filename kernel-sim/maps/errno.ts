/** The errno table lives with the other uapi names (src/uapi/errno.ts); re-exported for the simulated kernel's files. */
export { ERRNO, errnoName, type ErrnoName } from '../../src/uapi/errno.js';
