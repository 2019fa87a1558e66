// Turns a drop (files and whole folders) or a file-input selection into plain files.
// Folders are walked with DataTransferItem.webkitGetAsEntry (File and Directory Entries API).
import type { InputFile } from './controller/files';

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns the listing in chunks; an empty chunk means the end.
  return new Promise((resolve, reject) => {
    const next = (): void =>
      reader.readEntries((batch) => {
        if (!batch.length) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, out: InputFile[]): Promise<void> {
  if (entry.isFile) {
    const f = await entryFile(entry as FileSystemFileEntry);
    out.push({ name: f.name, blob: f });
  } else if (entry.isDirectory) {
    for (const child of await readAllEntries(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

/** Every file under the given entries (folders walked recursively), in listing order. */
export async function filesFromEntries(entries: readonly FileSystemEntry[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  for (const e of entries) await walk(e, out);
  return out;
}

export async function filesFromDrop(dt: DataTransfer): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) plain.push(f);
    }
  }
  // Entries must be collected synchronously above: the DataTransfer empties after the event.
  out.push(...(await filesFromEntries(entries)));
  for (const f of plain) out.push({ name: f.name, blob: f });
  if (!entries.length && !plain.length) for (const f of Array.from(dt.files)) out.push({ name: f.name, blob: f });
  return out;
}

export function filesFromInput(list: FileList | null): InputFile[] {
  return list ? Array.from(list, (f) => ({ name: f.name, blob: f })) : [];
}
