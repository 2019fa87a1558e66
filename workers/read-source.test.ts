import { describe, expect, it } from 'vitest';
import { readSource } from './read-source';

/** A File handle whose bytes can no longer be read (the file changed on disk after it was dropped). */
class StaleBlob extends Blob {
  override arrayBuffer(): Promise<ArrayBuffer> {
    const e = new Error('The requested file could not be read, typically due to permission problems.');
    return Promise.reject(Object.assign(e, { name: 'NotReadableError' }));
  }
}

describe('reading a dropped file in the worker', () => {
  it('names the file and gives a typed error when its bytes can no longer be read', async () => {
    await expect(readSource(new StaleBlob([new Uint8Array(8)]), 'stack_0042.mrc')).rejects.toMatchObject({
      name: 'MicrographError',
      code: 'decode-failed',
      file: 'stack_0042.mrc',
      message: expect.stringMatching(/^stack_0042\.mrc: the file could not be read \(The requested file .*\); .*add it again$/),
    });
    expect((await readSource(new Blob([new Uint8Array(8)]), 'a.mrc')).byteLength).toBe(8);
  });
});
