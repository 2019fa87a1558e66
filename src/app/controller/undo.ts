// Undo and redo of the workbench's one history (store.ts, history.ts), with what follows them:
// micrographs whose parameters moved are picked again, the session size's notes are brought up
// to date, and a step that changed more than the micrograph on screen says what it undid.
import type { HistoryEntry } from '../store';
import { store } from './context';
import { repickStale } from './picking';
import { refreshDiameterNotes } from './session-diameter';

export function undo(): void {
  const step = store().past.at(-1);
  travelled(step, 'Undone', store().undo());
}

export function redo(): void {
  const step = store().future.at(-1);
  travelled(step, 'Redone', store().redo());
}

function travelled(step: HistoryEntry | undefined, verb: string, keys: readonly string[]): void {
  repickStale(keys);
  if (!step) return;
  if (step.session) refreshDiameterNotes();
  // One micrograph's step brings it on screen; one of the session or of several is said (a tester's
  // Ctrl+Z after removing a micrograph undid a diameter set earlier, seen only in a tooltip).
  if (step.session || keys.length > 1) store().notify(`${verb}: ${step.label}${keys.length > 1 ? ` (${keys.length} micrographs)` : ''}.`);
}
