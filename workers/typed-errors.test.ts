import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { CoordinateFileError, MicrographError } from '../src/core/errors';
import { keepErrorTypes } from './typed-errors';

describe('errors thrown in a worker', () => {
  const ports: MessagePort[] = [];
  afterEach(() => ports.splice(0).forEach((p) => p.close()));

  async function thrownThrough(e: Error): Promise<Record<string, unknown>> {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    Comlink.expose({ fail: () => Promise.reject(e) }, port1);
    const remote = Comlink.wrap<{ fail(): Promise<void> }>(port2);
    try {
      await remote.fail();
    } catch (got) {
      return got as Record<string, unknown>;
    }
    throw new Error('did not throw');
  }

  it('arrive with their code, file and line, not only a message', async () => {
    keepErrorTypes();
    const mrc = await thrownThrough(new MicrographError('truncated', 'header says 4 MB, file holds 2 MB', 'a.mrc'));
    expect(mrc).toBeInstanceOf(Error);
    expect(mrc).toMatchObject({
      name: 'MicrographError',
      code: 'truncated',
      file: 'a.mrc',
      message: 'a.mrc: header says 4 MB, file holds 2 MB',
    });
    expect(await thrownThrough(new CoordinateFileError('not a number', 'b.star', 7))).toMatchObject({ code: 'bad-coordinates', line: 7 });
    // A plain Error is sent as before.
    const plain = await thrownThrough(new RangeError('out of range'));
    expect(plain).toMatchObject({ name: 'RangeError', message: 'out of range' });
    expect(plain.code).toBeUndefined();
  });
});
