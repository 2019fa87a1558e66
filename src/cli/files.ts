// File-system helpers shared by the CLI commands.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ByteReader } from '../core/io/byte-reader';
import { MicrographError } from '../core/errors';
import { toArrayBuffer } from '../core/io/micrograph';

/** Expands files and folders (one level deep) into the files whose names pass `accept`, sorted. */
export async function expandInputs(inputs: string[], accept: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const st = await fs.stat(input).catch(() => undefined);
    if (!st) throw new Error(`${input}: no such file or folder`);
    if (st.isDirectory()) {
      const names = (await fs.readdir(input)).filter(accept).sort();
      out.push(...names.map((n) => path.join(input, n)));
    } else {
      out.push(input);
    }
  }
  return out;
}

/** Reads a whole file into an ArrayBuffer of exactly its size (no copy unless Node pooled it). */
export async function readArrayBuffer(file: string): Promise<ArrayBuffer> {
  return toArrayBuffer(await fs.readFile(file));
}

/**
 * Memory that file readers read into, grown as needed and shared by the readers given it: a
 * batch that streams micrograph after micrograph allocates it once, not once per micrograph,
 * which leaves the allocator less to fragment over a long run. A read larger than KEEP_BYTES
 * (a TIFF read whole) gets memory of its own, so one large file does not stay held for the
 * rest of the batch.
 */
export class ReadBuffer {
  static readonly KEEP_BYTES = 16 * 2 ** 20;
  private bytes = new Uint8Array(0);

  take(length: number): Uint8Array {
    if (length > ReadBuffer.KEEP_BYTES) return new Uint8Array(length);
    if (this.bytes.byteLength < length) this.bytes = new Uint8Array(length);
    return this.bytes.subarray(0, length);
  }
}

/** A file opened for random reads (a streamed micrograph); close it when done. What a read
 * returns lies in `buffer`, valid until the next read by any reader sharing that buffer. */
export async function openFileReader(file: string, buffer = new ReadBuffer()): Promise<ByteReader & { close(): Promise<void> }> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      async read(offset, length) {
        const buf = buffer.take(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
          if (bytesRead === 0) throw new MicrographError('truncated', `the file ended at byte ${offset + got} while ${length} bytes were read from byte ${offset} (was it changed while being read?)`, file);
          got += bytesRead;
        }
        return buf;
      },
      close: () => handle.close(),
    };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/**
 * The temporary name a file is written under before it is renamed into place: hidden, in the
 * same folder (so the rename is atomic), unique per process and call, and ending in `.tmp`,
 * so no reader's pattern (`*_autopick.star`, `*.box`, micrograph extensions) ever matches it.
 * A temporary left by a killed job is inert: nothing reads it and no later write reuses it.
 */
export function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes through a temporary file, flushed to disk, and a rename, so a reader (or a job that
 * resumes after this one was killed) sees either the whole new file or no file at all.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = temporaryName(file);
  try {
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** True when every one of these files exists. */
export async function allExist(files: readonly string[]): Promise<boolean> {
  for (const f of files) {
    const st = await fs.stat(f).catch(() => undefined);
    if (!st?.isFile()) return false;
  }
  return true;
}
