import { describe, expect, it } from 'vitest';
import { CancelledError, MicrographError } from '../core/errors';
import { errorMessage, isCancelled } from './error-text';

describe('error text', () => {
  it('keeps the message of errors, worker errors (plain objects) and anything else', () => {
    expect(errorMessage(new MicrographError('truncated', 'the file ends early', 'a.mrc'))).toBe('a.mrc: the file ends early');
    expect(errorMessage({ message: 'from a worker' })).toBe('from a worker');
    expect(errorMessage(7)).toBe('7');
  });
  it('recognises a cancel by class, by the name comlink keeps, or by code', () => {
    expect(isCancelled(new CancelledError())).toBe(true);
    expect(isCancelled(Object.assign(new Error('cancelled'), { name: 'CancelledError' }))).toBe(true);
    expect(isCancelled({ code: 'cancelled' })).toBe(true);
    expect(isCancelled(new Error('cancelled'))).toBe(false);
    expect(isCancelled(undefined)).toBe(false);
  });
});
