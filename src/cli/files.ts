// File-system helpers shared by the CLI commands.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
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
