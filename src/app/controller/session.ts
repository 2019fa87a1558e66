// The session: saved as it changes (autosave), restored on the next visit, cleared for a new one.
import { createAutosave } from '../autosave';
import { engine } from '../engine-bridge';
import * as persist from '../persist';
import { applySnapshot, toSnapshot, useWorkbench, type MicrographEntry } from '../store';
import { announce, sessionLocksWork } from '../tab-lock';
import { mic, MISSING_FILE, refusedReadOnly, storage, store } from './context';
import { cancelBatch, cancelRepicks } from './picking';
import { forgetAllViews } from './viewing';

/** Quiet time before autosave writes (short: a reload right after an edit should find it). */
const AUTOSAVE_DELAY_MS = 250;
/** The longest a change waits while the state keeps changing (a batch's progress). */
const AUTOSAVE_MAX_WAIT_MS = 2000;
/** Failed writes in a row before saving is given up for this tab (with a warning). */
const AUTOSAVE_TRIES = 4;

export const autosave = createAutosave(
  async () => {
    if (!storage.session || store().readOnly) return;
    const savedAt = Date.now();
    await persist.saveSession({ ...toSnapshot(store()), savedAt });
    persist.dropJournal(savedAt); // unless the page went, and wrote it, after this state
    announce({ type: 'saved' });
  },
  AUTOSAVE_DELAY_MS,
  {
    onError: (e, failures) => {
      // A full quota stays full; anything else (an aborted transaction) may pass: try again a few times.
      if (!persist.isQuotaError(e) && failures < AUTOSAVE_TRIES) return true;
      storage.session = false;
      store().set({ storageWarning: persist.storageProblem(e), saveState: 'off' });
      return false;
    },
    onPending: (pending) => {
      if (storage.session) store().set({ saveState: pending ? 'saving' : 'saved' });
    },
  },
  AUTOSAVE_MAX_WAIT_MS,
);

/** Registers the stored files of the micrographs in the snapshot that are not registered yet. */
export async function registerStoredFiles(micrographs: readonly MicrographEntry[]): Promise<void> {
  const fresh = micrographs.filter((m) => !engine.isRegistered(m.key));
  // With its thumbnail back, a micrograph whose header is known is not opened again only to show the list (viewing.ts).
  // Read side by side, not one round trip per micrograph before the engine starts.
  const thumbnails = await Promise.all(fresh.map((m) => persist.loadThumbnail(m.key).catch(() => undefined)));
  for (const [i, m] of fresh.entries()) {
    const f = await persist.loadFile(m.key);
    if (f) engine.register(m.key, f.name, f.blob);
    else if (m.status !== 'error') store().updateMic(m.key, { error: `${m.name}: ${MISSING_FILE}` });
    const thumbnail = thumbnails[i];
    if (f && thumbnail && mic(m.key) && !store().images[m.key]?.thumbnail) store().setImages(m.key, { thumbnail });
  }
}

/** Restores the previous session (files included). Returns false when there was none. */
export async function restoreSession(): Promise<boolean> {
  try {
    const snap = persist.newestSession(await persist.loadSession(), persist.readJournal());
    if (!snap || !snap.micrographs.length) {
      void dropFilesOutside(new Set());
      return false;
    }
    applySnapshot(snap);
    await registerStoredFiles(store().micrographs);
    void dropFilesOutside(new Set(snap.micrographs.map((m) => m.key)));
    return true;
  } catch (e) {
    storage.session = false;
    store().set({ storageWarning: persist.storageProblem(e), saveState: 'off' });
    return false;
  }
}

/**
 * Deletes stored files (and thumbnails) of micrographs neither the saved session nor this page holds (a page
 * closed before its session was written), which would only take up the quota. Only a tab that
 * edits alone does it: without Web Locks every tab edits, and another may be storing a file its
 * session does not list yet. Errors leave the files where they are.
 */
async function dropFilesOutside(saved: ReadonlySet<string>): Promise<void> {
  if (store().readOnly || !sessionLocksWork()) return;
  try {
    const stored = new Set([...(await persist.storedFileKeys()), ...(await persist.storedThumbnailKeys())]);
    // Read now: files dropped while the session was being restored are the page's too.
    const held = new Set(store().micrographs.map((m) => m.key));
    for (const key of stored) if (!saved.has(key) && !held.has(key)) await persist.deleteFile(key);
  } catch {
    // a file kept too many is no harm
  }
}

export function startAutosave(): void {
  void persist.requestPersistence();
  useWorkbench.subscribe((s, prev) => {
    if (s.readOnly) return;
    if (
      s.micrographs !== prev.micrographs ||
      s.currentKey !== prev.currentKey ||
      s.defaultParams !== prev.defaultParams ||
      s.diameter !== prev.diameter ||
      s.fallbackPixelSize !== prev.fallbackPixelSize ||
      s.pixelSizeOverHeaders !== prev.pixelSizeOverHeaders ||
      s.waitingCoordinates !== prev.waitingCoordinates ||
      s.undecidedCoordinates !== prev.undecidedCoordinates ||
      s.relionProject !== prev.relionProject ||
      s.autoPick !== prev.autoPick ||
      s.showPicks !== prev.showPicks ||
      s.listOrder !== prev.listOrder ||
      s.listKeys !== prev.listKeys ||
      s.lowpass !== prev.lowpass ||
      s.showHeatmap !== prev.showHeatmap ||
      s.contrastLow !== prev.contrastLow ||
      s.contrastHigh !== prev.contrastHigh ||
      s.heatmapOpacity !== prev.heatmapOpacity ||
      s.backendChoice !== prev.backendChoice ||
      s.workersChoice !== prev.workersChoice
    ) {
      autosave.schedule();
    }
  });
  addEventListener('pagehide', leaving);
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') leaving();
  });
  // Restored from the journal (a change made as the page went): IndexedDB gets it too.
  if (persist.readJournal()) autosave.schedule();
}

/** The page may be going: what waits to be saved goes to the journal at once, and to IndexedDB as it can. */
function leaving(): void {
  if (!autosave.pending || !storage.session || store().readOnly) return;
  persist.writeJournal(toSnapshot(store()));
  void autosave.flush();
}

/** Clears everything (memory, worker state, IndexedDB). The caller confirms first. */
export async function newSession(): Promise<void> {
  if (refusedReadOnly()) return;
  cancelBatch();
  cancelRepicks();
  for (const m of store().micrographs) engine.unregister(m.key);
  forgetAllViews();
  // The particle size set is kept: micrographs dropped next are most often of the same data set, and
  // the table's 140 px would pick them at another size unless the user remembers to set it again.
  const { diameter, defaultParams, fallbackPixelSize, pixelSizeOverHeaders } = store();
  store().reset();
  // As entered or shown: not the unit switch it came from, made with micrographs now gone. A pixel
  // size entered over the headers goes with a diameter in Å: without it, the next binned files of
  // the same data set would be picked at their headers' size, silently.
  store().set({
    fallbackPixelSize,
    pixelSizeOverHeaders,
    diameter: { value: diameter.value, unit: diameter.unit },
    defaultParams: { ...store().defaultParams, diameter: defaultParams.diameter },
  });
  try {
    await persist.clearAll();
    storage.session = true;
    storage.files = true;
    store().set({ storageWarning: undefined, saveState: 'saved' });
  } catch (e) {
    store().set({ storageWarning: persist.storageProblem(e) });
  }
}
