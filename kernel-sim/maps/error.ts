import { BpfError, type ErrorKind } from '../../src/errors.js';
import { errnoName } from './errno.js';

/**
 * A map that cannot be created (kind `load`: map_create refused it), or a host-side call that failed or had
 * the wrong shape (kind `usage`). Carries the map's name and the kernel's errno, negative as the kernel
 * returns it.
 */
export class MapError extends BpfError {
  readonly map: string;
  readonly errno: number;

  constructor(map: string, errno: number, detail: string, kind: ErrorKind = 'usage') {
    super(kind, `map "${map}": ${detail} (${errnoName(errno)})`);
    this.map = map;
    this.errno = errno;
  }
}
