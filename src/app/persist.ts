// Autosave to IndexedDB (idb): the session snapshot (picks, edits, parameters), the
// original micrograph files as Blobs, so a reload reopens everything without a new drop, and
// their list thumbnails, so a reload shows the list without decoding every file again.
// Writes are coalesced by autosave.ts; a failed write (quota) is reported and the session stays in memory.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { GreyImage } from '../../workers/engine-api';
import type { SessionSnapshot } from './store';

interface WorkbenchDB extends DBSchema {
  files: { key: string; value: { name: string; blob: Blob } };
  session: { key: string; value: SessionSnapshot };
}

/** List thumbnails by their file's key, written when the file is first opened. A database of their own: a
 * new object store in the first would need a version upgrade, which a tab of an older build left open blocks. */
interface ThumbnailDB extends DBSchema {
  thumbnails: { key: string; value: GreyImage };
}

const DB_NAME = 'drpnet-workbench';
const SESSION_KEY = 'current';

let dbPromise: Promise<IDBPDatabase<WorkbenchDB>> | undefined;

function db(): Promise<IDBPDatabase<WorkbenchDB>> {
  dbPromise ??= openDB<WorkbenchDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('files');
      d.createObjectStore('session');
    },
  });
  return dbPromise;
}

let thumbnailDbPromise: Promise<IDBPDatabase<ThumbnailDB>> | undefined;

function thumbnailDb(): Promise<IDBPDatabase<ThumbnailDB>> {
  thumbnailDbPromise ??= openDB<ThumbnailDB>(`${DB_NAME}-thumbnails`, 1, {
    upgrade(d) {
      d.createObjectStore('thumbnails');
    },
  });
  return thumbnailDbPromise;
}

/** Explains a storage failure in user terms; `what` is what could not be kept. */
/** Whether a storage error is the browser's quota being full. */
export function isQuotaError(e: unknown): boolean {
  return (e instanceof DOMException || e instanceof Error) && e.name === 'QuotaExceededError';
}

export function storageProblem(e: unknown, what: 'session' | 'files' = 'session'): string {
  const consequence =
    what === 'files'
      ? 'micrograph files are no longer stored in this browser (picks, edits and parameters still are); after a reload, drop the files again to reopen them.'
      : 'this session is kept in memory only and will be lost on reload. Export your picks.';
  if (isQuotaError(e)) return `Browser storage is full: ${consequence}`;
  const msg = e instanceof Error ? e.message : String(e);
  return `Browser storage is unavailable (${msg}): ${consequence}`;
}

/** Fraction of the origin's quota micrograph files may fill, leaving room for the session. */
const FILE_QUOTA_SHARE = 0.8;

/** Whether `bytes` more fit in the browser's quota for this origin (true when it cannot tell). */
export async function hasRoomFor(bytes: number): Promise<boolean> {
  try {
    const est = await navigator.storage?.estimate?.();
    if (!est?.quota) return true;
    return (est.usage ?? 0) + bytes <= est.quota * FILE_QUOTA_SHARE;
  } catch {
    return true;
  }
}

export async function saveFile(key: string, name: string, blob: Blob): Promise<void> {
  await (await thumbnailDb()).delete('thumbnails', key); // a file stored again under its key: its old thumbnail goes
  await (await db()).put('files', { name, blob }, key);
}

export async function loadFile(key: string): Promise<{ name: string; blob: Blob } | undefined> {
  return (await db()).get('files', key);
}

export async function deleteFile(key: string): Promise<void> {
  await (await db()).delete('files', key);
  await (await thumbnailDb()).delete('thumbnails', key);
}

export async function saveThumbnail(key: string, image: GreyImage): Promise<void> {
  await (await thumbnailDb()).put('thumbnails', image, key);
}

export async function loadThumbnail(key: string): Promise<GreyImage | undefined> {
  return (await thumbnailDb()).get('thumbnails', key);
}

/** The keys of every stored thumbnail. */
export async function storedThumbnailKeys(): Promise<string[]> {
  return (await (await thumbnailDb()).getAllKeys('thumbnails')).map(String);
}

/** The keys of every stored micrograph file. */
export async function storedFileKeys(): Promise<string[]> {
  return (await (await db()).getAllKeys('files')).map(String);
}

/**
 * The session as the page goes (pagehide, hidden): kept in localStorage, whose writes are
 * synchronous, because Chromium aborts an IndexedDB write begun then (a tester's 'r' pressed up
 * to 200 ms before a reload was lost). Read at the next start where it is newer than what
 * IndexedDB holds; dropped once IndexedDB has a newer state. A session too large for it is not
 * kept there (IndexedDB's write may still land).
 */
const JOURNAL_KEY = 'drpnet-workbench-journal';
/** localStorage holds about 5 million characters per site in Chromium and Firefox. */
const JOURNAL_MAX_CHARS = 4_000_000;

export interface Journal {
  /** When it was written (ms since the epoch), against SessionSnapshot.savedAt. */
  at: number;
  snapshot: SessionSnapshot;
}

export function writeJournal(snapshot: SessionSnapshot): void {
  try {
    const text = JSON.stringify({ at: Date.now(), snapshot } satisfies Journal);
    if (text.length <= JOURNAL_MAX_CHARS) localStorage.setItem(JOURNAL_KEY, text);
    else localStorage.removeItem(JOURNAL_KEY);
  } catch {
    // no localStorage (a sandboxed frame) or full: IndexedDB's write is all there is
  }
}

export function readJournal(): Journal | undefined {
  try {
    const text = localStorage.getItem(JOURNAL_KEY);
    return text ? (JSON.parse(text) as Journal) : undefined;
  } catch {
    return undefined;
  }
}

/** Drops the journal, or with `savedAt` only when IndexedDB's state written then is as new as it
 * (a write begun before the page went may land after the journal was written). */
export function dropJournal(savedAt?: number): void {
  try {
    if (savedAt === undefined || !journalNewer(readJournal(), savedAt)) localStorage.removeItem(JOURNAL_KEY);
  } catch {
    // nothing to drop
  }
}

/** Whether the journal holds a later state than IndexedDB's, written at `savedAt`. */
export function journalNewer(journal: Journal | undefined, savedAt: number | undefined): boolean {
  return !!journal?.snapshot?.micrographs && (savedAt ?? 0) < journal.at;
}

/** The state to restore: the journal where it is newer than the session IndexedDB holds. */
export function newestSession(stored: SessionSnapshot | undefined, journal: Journal | undefined): SessionSnapshot | undefined {
  return journalNewer(journal, stored?.savedAt) ? journal!.snapshot : stored;
}

export async function saveSession(snapshot: SessionSnapshot): Promise<void> {
  await (await db()).put('session', snapshot, SESSION_KEY);
}

export async function loadSession(): Promise<SessionSnapshot | undefined> {
  return (await db()).get('session', SESSION_KEY);
}

export async function clearAll(): Promise<void> {
  dropJournal();
  const d = await db();
  const tx = d.transaction(['files', 'session'], 'readwrite');
  await Promise.all([tx.objectStore('files').clear(), tx.objectStore('session').clear(), tx.done]);
  await (await thumbnailDb()).clear('thumbnails');
}

/** Asks the browser not to evict our data under storage pressure (best effort). */
export async function requestPersistence(): Promise<void> {
  try {
    await navigator.storage?.persist?.();
  } catch {
    // Not granted or unsupported: autosave still works, eviction is just possible.
  }
}
