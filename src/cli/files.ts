// File-system helpers shared by the CLI commands.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import type { ByteReader } from '../core/io/byte-reader';
import { MicrographError } from '../core/errors';
import { extensionOf } from '../core/file-names';
import { micrographExtensionList } from '../core/io/formats';
import { isMicrographFileName, toArrayBuffer } from '../core/io/micrograph';
import { UsageError } from './args';

/**
 * A file-system problem said in words, naming the path: what `drpnet` prints instead of Node's
 * `EEXIST: file already exists, mkdir ...`. `reason` is the words alone.
 */
export class FileSystemError extends Error {
  readonly file: string;
  readonly reason: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'FileSystemError';
    this.file = file;
    this.reason = reason;
  }
}

/** What a system error code means, in words (codes from errno(3); Node sets `code`). */
export function fileSystemReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EEXIST':
      return 'something of that name is already there';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device (the disk is full)';
    case 'EDQUOT':
      return 'your disk quota is used up';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open';
    case 'EIO':
      return 'input/output error (a failing disk or network file system)';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/** `<file>: <what is wrong>` for a system error about `file` (which the error may not name: ENOSPC). */
export function describeFileSystemError(e: unknown, file: string): string {
  return `${file}: ${fileSystemReason(e)}`;
}

/** Why something that is there is not a regular file, in words. */
export function notRegularReason(st: Stats): string {
  const kind = st.isDirectory()
    ? 'a folder'
    : st.isFIFO()
      ? 'a named pipe'
      : st.isSocket()
        ? 'a socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device'
          : 'something else';
  return `not a regular file (${kind})`;
}

/**
 * Why a path cannot be opened as a regular file, in words, or undefined when it can: missing,
 * a dangling link or a loop of links (told apart with lstat), not a regular file (a folder, a
 * named pipe that would block a reader forever), or another system error.
 */
export async function whyNotAFile(file: string): Promise<string | undefined> {
  let st: Stats;
  try {
    st = await fs.stat(file);
  } catch (e) {
    const link = await fs.lstat(file).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') return 'a loop of symbolic links';
      const target = await fs.readlink(file).catch(() => '?');
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return `a symbolic link to ${path.resolve(path.dirname(file), target)}, which does not exist`;
    }
    return fileSystemReason(e);
  }
  return st.isFile() ? undefined : notRegularReason(st);
}

/** One input named on the command line that cannot be picked (missing, a named pipe, ...). */
export interface InputProblem {
  file: string;
  message: string;
}

export interface ExpandedInputs {
  /** Files to read: regular files, files in folders, and links to them; sorted within a folder. */
  files: string[];
  /** Inputs named on the command line that cannot be read: each fails on its own. */
  failed: InputProblem[];
  /** Entries of a folder whose names pass `accept` but that are not regular files: skipped. */
  skipped: InputProblem[];
  /** Folders inside the named folders: not searched, but named when nothing was found. */
  subfolders: string[];
  /** The named folders that were listed. */
  folders: string[];
  /** The files of those folders that `accept` passes over, counted by extension (fileKindLabel). */
  otherKinds: Map<string, number>;
  /** Those subfolders that hold files `accept` takes, each said as a warning once something was found: micrographs a user would otherwise lose unseen. */
  unsearched: InputProblem[];
}

/** The path with links resolved, or made absolute where it cannot be resolved (it does not exist). */
export async function realPath(p: string): Promise<string> {
  return fs.realpath(p).catch(() => path.resolve(p));
}

/** Folder entries in name order (by code unit, so every machine agrees). */
export function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Whether a folder entry is a folder or a link to one (RELION's Import links Movies/). */
export async function isFolderEntry(parent: string, d: Dirent): Promise<boolean> {
  return d.isDirectory() || (d.isSymbolicLink() && !!(await fs.stat(path.join(parent, d.name)).catch(() => undefined))?.isDirectory());
}

/** How many entries of a folder `accept` takes (0 when it cannot be listed). */
export async function countAccepted(folder: string, accept: (name: string) => boolean): Promise<number> {
  return (await fs.readdir(folder).catch(() => [] as string[])).filter(accept).length;
}

/** Lists a few names and how many more. */
export function someOf(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** A file's kind as a message says it: its extension, with the one before when that is a
 * micrograph's (".mrc.bz2", a compressed micrograph); undefined for a name without one. */
export function fileKindLabel(name: string): string | undefined {
  const ext = extensionOf(name);
  if (!ext) return undefined;
  const inner = name.slice(0, -(ext.length + 1));
  return isMicrographFileName(inner) ? `.${extensionOf(inner)}.${ext}` : `.${ext}`;
}

/** Why nothing was found, naming the folders: what else they hold (.eer movies, .dm4, a
 * compressed .mrc.bz2), or that their micrographs sit a level down (a RELION job's Movies/), which is not searched. */
export function nothingFoundMessage(expanded: ExpandedInputs): string {
  const { folders, otherKinds, subfolders } = expanded;
  const one = folders.length === 1;
  const kinds = [...otherKinds].map(([kind, n]) => `${kind} (${n})`).join(', ');
  const others = kinds ? `; ${one ? 'it holds' : 'they hold'} ${kinds} files, which drpnet does not read` : '';
  const below = subfolders.length
    ? `; ${one ? 'its' : 'their'} subfolders are not searched (${someOf(subfolders)}): name the folder that holds the micrographs`
    : '';
  return `no micrograph files (${micrographExtensionList()}) found in ${someOf(folders)}${others}${below}`;
}

/** What a STAR file named where micrographs go is (RELION's micrograph lists are STAR files). */
export const STAR_NOT_MICROGRAPH = 'a STAR file, not a micrograph';

/** True for a .star file name. */
export function isStarFile(name: string): boolean {
  return /\.star$/i.test(name);
}

/**
 * The micrographs `--micrographs` and the positional inputs name, for a command that learns
 * from them: training on part of what was named would go unnoticed, so a missing input or a
 * STAR file stops it here (UsageError); skipped entries and unsearched subfolders are logged.
 */
export async function trainingInputs(inputs: string[], log: (line: string) => void): Promise<string[]> {
  const expanded = await expandInputs(inputs, isMicrographFileName);
  if (expanded.failed.length) throw new UsageError(`--micrographs: ${expanded.failed.map((f) => f.message).join('; ')}`);
  for (const s of expanded.skipped) log(`warning: skipped ${s.message}`);
  if (!expanded.files.length) throw new UsageError(nothingFoundMessage(expanded));
  for (const s of expanded.unsearched) log(`warning: ${s.message}`);
  const stars = expanded.files.filter(isStarFile);
  if (stars.length)
    throw new UsageError(`--micrographs: ${someOf(stars)}: ${STAR_NOT_MICROGRAPH}; name the micrographs (or their folder) instead`);
  return expanded.files;
}

/**
 * Expands files and folders (one level deep) into the files whose names pass `accept`. A named
 * input that is missing (a typo, a glob that matched nothing, a dangling link) fails on its own
 * instead of stopping the others; an entry of a folder that is not a regular file (a named pipe
 * called *.mrc would block its reader forever) is skipped. A folder's dangling links stay in
 * the list: the reader fails them one at a time.
 */
export async function expandInputs(inputs: string[], accept: (name: string) => boolean): Promise<ExpandedInputs> {
  const out: ExpandedInputs = { files: [], failed: [], skipped: [], folders: [], otherKinds: new Map(), subfolders: [], unsearched: [] };
  /** The named folders' real paths: a subfolder named too (or a link to one) is searched, not unsearched. */
  const namedFolders = new Set<string>();
  for (const input of inputs) {
    const st = await fs.stat(input).catch(() => undefined);
    if (!st?.isDirectory()) {
      const why = await whyNotAFile(input);
      if (why === undefined) out.files.push(input);
      else out.failed.push({ file: input, message: `${input}: ${why}` });
      continue;
    }
    namedFolders.add(await realPath(input));
    let entries: Dirent[];
    try {
      entries = await fs.readdir(input, { withFileTypes: true });
    } catch (e) {
      out.failed.push({ file: input, message: `${describeFileSystemError(e, input)} (cannot list the folder)` });
      continue;
    }
    out.folders.push(input);
    for (const d of entries.filter((e) => !accept(e.name)).sort(byName)) {
      const kind = fileKindLabel(d.name);
      if (await isFolderEntry(input, d)) out.subfolders.push(path.join(input, d.name));
      else if (kind !== undefined) out.otherKinds.set(kind, (out.otherKinds.get(kind) ?? 0) + 1);
    }
    for (const entry of entries.filter((d) => accept(d.name)).sort(byName)) {
      const file = path.join(input, entry.name);
      if (entry.isFile()) {
        out.files.push(file);
        continue;
      }
      const target = entry.isSymbolicLink() ? await fs.stat(file).catch(() => undefined) : undefined;
      if (entry.isSymbolicLink() && (!target || target.isFile())) out.files.push(file);
      else out.skipped.push({ file, message: `${file}: ${notRegularReason(target ?? (await fs.lstat(file)))}` });
    }
  }
  const named = await Promise.all(out.subfolders.map(async (folder) => namedFolders.has(await realPath(folder))));
  out.subfolders = out.subfolders.filter((_, i) => !named[i]);
  for (const folder of out.subfolders) {
    const held = await countAccepted(folder, accept);
    if (held)
      out.unsearched.push({
        file: folder,
        message: `${folder} holds ${held} micrograph file(s), not read: subfolders are not searched (name it too)`,
      });
  }
  return out;
}

/**
 * Creates `dir` when needed and checks that a file can be written into it, before any work: an
 * output folder that cannot be written is found now, not after every micrograph was picked.
 * Throws a FileSystemError that says why in words.
 */
export async function checkWritableFolder(dir: string): Promise<void> {
  try {
    await makeFolders(dir);
  } catch (e) {
    throw new FileSystemError(dir, `cannot create the folder: ${await whyNoFolder(dir, e)}`);
  }
  const probe = temporaryName(path.join(dir, 'write-check'));
  try {
    await fs.writeFile(probe, '', { flag: 'wx' });
  } catch (e) {
    throw new FileSystemError(dir, `cannot write into the folder: ${fileSystemReason(e)}`);
  } finally {
    await fs.rm(probe, { force: true });
  }
}

/**
 * `mkdir -p dir`, one folder at a time from the nearest existing one. Node's recursive mkdir
 * never returns where the system answers ENOENT for a folder under an existing one (under
 * /proc, some network mounts), so a job would hang instead of failing.
 */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while (!(await fs.stat(at).catch(() => undefined)) && path.dirname(at) !== at) {
    missing.push(at);
    at = path.dirname(at);
  }
  for (const folder of missing.reverse())
    await fs.mkdir(folder).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e; // another job of the same array made it meanwhile
    });
  if (!(await fs.stat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'EEXIST' });
}

/**
 * Why `mkdir -p dir` failed. Node reports a recursive mkdir's failure by the deepest missing
 * folder (ENOENT on a read-only file system, EEXIST when a file is in the way): the nearest
 * existing ancestor, and a plain mkdir of the next folder below it, tell the real cause.
 */
async function whyNoFolder(dir: string, e: unknown): Promise<string> {
  const target = path.resolve(dir);
  let child = target;
  let at = target;
  let st = await fs.stat(at).catch(() => undefined);
  while (!st && path.dirname(at) !== at) {
    child = at;
    at = path.dirname(at);
    st = await fs.stat(at).catch(() => undefined);
  }
  if (!st) return fileSystemReason(e);
  if (!st.isDirectory()) return `${at === target ? 'it' : at} is a file, not a folder`;
  if (at === target) return fileSystemReason(e);
  try {
    await fs.mkdir(child);
    await fs.rmdir(child);
  } catch (e2) {
    return `cannot create ${child}: ${fileSystemReason(e2)}`;
  }
  return fileSystemReason(e);
}

/** Reads a whole file into an ArrayBuffer of exactly its size (no copy unless Node pooled it). */
export async function readArrayBuffer(file: string): Promise<ArrayBuffer> {
  try {
    return toArrayBuffer(await fs.readFile(file));
  } catch (e) {
    // In words, as pick says it: a dangling link names its target, not ENOENT.
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new FileSystemError(file, (await whyNotAFile(file)) ?? fileSystemReason(e));
  }
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

/** Opening a named pipe for reading waits for a writer, forever if none comes; opened
 * non-blocking it returns at once, and is then refused as not a regular file. (O_NONBLOCK does
 * nothing to a regular file's reads; it is undefined, so 0, on Windows.) */
const OPEN_FOR_READING = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** A file opened for random reads (a streamed micrograph); close it when done. What a read
 * returns lies in `buffer`, valid until the next read by any reader sharing that buffer. */
export async function openFileReader(file: string, buffer = new ReadBuffer()): Promise<ByteReader & { close(): Promise<void> }> {
  const handle = await fs.open(file, OPEN_FOR_READING);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FileSystemError(file, notRegularReason(st));
    const { size } = st;
    return {
      size,
      async read(offset, length) {
        const buf = buffer.take(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
          if (bytesRead === 0)
            throw new MicrographError(
              'truncated',
              `the file ended at byte ${offset + got} while ${length} bytes were read from byte ${offset} (was it changed while being read?)`,
              file,
            );
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
  try {
    await makeFolders(path.dirname(file));
  } catch (e) {
    throw new FileSystemError(file, `cannot create its folder: ${await whyNoFolder(path.dirname(file), e)}`);
  }
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
    // Errors from the temporary (ENOSPC names no file at all) are said of the file meant.
    throw new FileSystemError(file, `cannot write the file: ${fileSystemReason(e)}`);
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
