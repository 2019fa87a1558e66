// Undo and redo of the workbench's one history (store.ts, history.ts), with what follows them:
// micrographs whose parameters moved are picked again, the session size's notes are brought up
// to date, and a step that changed more than the micrograph on screen says what it undid.
import type { HistoryEntry } from '../store';
import { store } from './context';
import { repickStale } from './picking';
import { keepPickedSizeUnconverted, refreshDiameterNotes } from './session-diameter';

export function undo(): void {
  travel('Undone', store().past.at(-1), () => store().undo());
}

export function redo(): void {
  travel('Redone', store().future.at(-1), () => store().redo());
}

function travel(verb: string, step: HistoryEntry | undefined, go: () => string[]): void {
  if (!step) return;
  const before = store();
  const sizeBefore = { diameter: before.diameter, fallbackPixelSize: before.fallbackPixelSize, over: before.pixelSizeOverHeaders };
  const keys = go();
  if (store().readOnly) return; // refused, and said so
  const s = store();
  const sizeChanged =
    s.diameter !== sizeBefore.diameter ||
    s.fallbackPixelSize !== sizeBefore.fallbackPixelSize ||
    s.pixelSizeOverHeaders !== sizeBefore.over;
  if (sizeChanged) keepPickedSizeUnconverted(keys);
  repickStale(keys);
  if (sizeChanged) refreshDiameterNotes();
  // One micrograph's step brings it on screen; one of the session's size or of several is said (a
  // tester's Ctrl+Z after removing a micrograph undid a diameter set earlier, seen only in a tooltip).
  if (sizeChanged || keys.length > 1) s.notify(`${verb}: ${step.label}${keys.length > 1 ? ` (${keys.length} micrographs)` : ''}.`);
}
