// Reading a dropped file's bytes in the worker. A File handle keeps only a reference: the file
// moved, changed or removed on disk since it was dropped (or a permission lost) fails the read
// with a DOMException that names no file, so it is said here with the file's name.
import { MicrographError } from '../src/core/errors';
import type { MicrographSource } from './engine-api';

export async function readSource(source: MicrographSource, name: string): Promise<ArrayBuffer> {
  try {
    return await source.arrayBuffer();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new MicrographError(
      'decode-failed',
      `the file could not be read (${why}); it may have been moved, changed or removed since it was added: add it again`,
      name,
    );
  }
}
