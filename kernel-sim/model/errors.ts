/** Errors in a kernel model or an event the user describes: typed, naming the object and field. */
import { BpfError } from '../../src/errors.js';

/** A kernel-model specification that cannot be applied (unknown type, field or path); names where. */
export class ModelError extends BpfError {
  constructor(detail: string, where: { object?: string; field?: string } = {}) {
    const at = [where.object !== undefined ? `object "${where.object}"` : '', where.field !== undefined ? `field "${where.field}"` : '']
      .filter((s) => s !== '').join(' ');
    super('input', at === '' ? `kernel model: ${detail}` : `kernel model: ${at}: ${detail}`);
  }
}
