// Two tabs: one edits the session, another only shows it (following what the first saves) and
// can take it over.
import { engine } from '../engine-bridge';
import * as persist from '../persist';
import { applySnapshot } from '../store';
import { releaseSession, waitForSession } from '../tab-lock';
import { store } from './context';
import { cancelBatch, cancelRepicks } from './picking';
import { autosave, registerStoredFiles } from './session';
import { queueThumbnail } from './viewing';

export const READ_ONLY_ELSEWHERE = 'this session is open for editing in another tab; this tab only shows it';
export const READ_ONLY_MOVED = 'this session was taken over by another tab; this tab only shows it';

/** A tab that only looks follows what the editing tab saves. */
export async function mirrorSavedSession(): Promise<void> {
  const snap = await persist.loadSession().catch(() => undefined);
  if (!snap || !store().readOnly) return;
  const { currentKey, readOnly, listOrder, listKeys } = store();
  const known = new Set(store().micrographs.map((m) => m.key));
  applySnapshot(snap);
  const keys = new Set(store().micrographs.map((m) => m.key));
  // The order this tab's list was sorted in is its own, as the micrograph it shows is (the other tab saves often).
  store().set({ readOnly, listOrder, listKeys, currentKey: currentKey && keys.has(currentKey) ? currentKey : store().currentKey });
  for (const k of known) if (!keys.has(k)) engine.unregister(k);
  await registerStoredFiles(store().micrographs);
  for (const m of store().micrographs) if (!known.has(m.key)) queueThumbnail(m.key);
}

/** The editing tab, asked by another to hand over: saves, stops its work and only looks from now on. */
export async function handOver(): Promise<void> {
  if (store().readOnly) return;
  cancelBatch();
  cancelRepicks();
  await autosave.flush();
  // An open question about dropped coordinates goes with the session (undecidedCoordinates): the new tab asks it.
  store().set({ readOnly: READ_ONLY_MOVED, coordinatePrompt: undefined });
  releaseSession();
}

/** Takes the session over from the tab that edits it: that tab saves and lets go, then this one reloads and edits. */
export async function takeOver(): Promise<void> {
  store().set({ takingOver: true });
  await waitForSession();
  location.reload();
}
