// Pick-editing actions on the current micrograph: merge rule from picks-merge.ts, state and
// undo history from the store.
import type { Particle } from '../core/coords/types';
import * as M from './picks-merge';
import { currentMic, useWorkbench, type MicrographEntry } from './store';

const store = useWorkbench.getState;

// Entries are replaced, never changed in place, so an entry's merged picks can be kept with it:
// the list, the score panel and the export each ask for every micrograph's on every store change.
const merged = new WeakMap<MicrographEntry, M.DisplayPick[]>();

export function displayPicksOf(m: MicrographEntry): readonly M.DisplayPick[] {
  let picks = merged.get(m);
  if (!picks) merged.set(m, (picks = M.mergePicks(m.auto, m.edits, m.params.diameter)));
  return picks;
}

function withCurrent(fn: (m: MicrographEntry, picks: readonly M.DisplayPick[]) => M.PickEdits): void {
  const m = currentMic(store());
  if (!m) return;
  store().commitEdits(m.key, fn(m, displayPicksOf(m)));
}

function find(picks: readonly M.DisplayPick[], id: string | undefined): M.DisplayPick | undefined {
  return id ? picks.find((p) => p.id === id) : undefined;
}

/**
 * A click on a pick: the first click selects it (nothing changes); a click on the selected
 * pick rejects it, or accepts it when it is rejected. Delete rejects the selected pick.
 */
export function clickPick(id: string): void {
  if (store().selectedPickId === id) togglePickById(id);
  else store().set({ selectedPickId: id });
}

export function togglePickById(id: string): void {
  withCurrent((m, picks) => {
    const p = find(picks, id);
    return p ? M.togglePick(m.edits, p, m.params.diameter) : m.edits;
  });
  store().set({ selectedPickId: id });
}

export function addManualPick(x: number, y: number): void {
  const id = store().newManualId();
  withCurrent((m) => M.addManual(m.edits, x, y, id));
  store().set({ selectedPickId: id });
}

export function movePickById(id: string, x: number, y: number): void {
  const newId = store().newManualId();
  let moved: string | undefined;
  withCurrent((m, picks) => {
    const p = find(picks, id);
    if (!p) return m.edits;
    moved = p.state === 'manual' ? p.id : newId;
    return M.movePick(m.edits, p, x, y, newId, m.params.diameter);
  });
  if (moved) store().set({ selectedPickId: moved });
}

/** Rejects the selected auto pick (it stays selected, shown rejected) or deletes the selected manual pick. */
export function deleteSelected(): void {
  const id = store().selectedPickId;
  let manual = false;
  withCurrent((m, picks) => {
    const p = find(picks, id);
    manual = p?.state === 'manual';
    return p ? M.rejectPick(m.edits, p, m.params.diameter) : m.edits;
  });
  if (manual) store().set({ selectedPickId: undefined });
}

export function rejectBox(box: M.Box): void {
  withCurrent((m, picks) => M.rejectInBox(m.edits, picks, box, m.params.diameter));
}

export function acceptAllPicks(): void {
  withCurrent((m, picks) => M.acceptAll(m.edits, picks, m.params.diameter));
}

/**
 * Picks for a precision-recall curve: every engine candidate the user did not reject (ones the
 * classifier or screens dropped too, ranked by their score) and manual picks, which are always
 * kept whatever the threshold (score +Infinity), but for those loaded from a file with their
 * picker's score (crYOLO's confidence), which rank by it.
 */
export function curvePicks(m: MicrographEntry): Particle[] {
  const all = M.mergePicks(
    m.auto.map((p) => (p.kept ? p : { ...p, kept: true })),
    m.edits,
    m.params.diameter,
  );
  const score = (p: M.DisplayPick) => (p.state === 'manual' && !(p.imported && p.score !== undefined) ? Infinity : p.score);
  return all.filter((p) => p.state !== 'rejected').map((p) => ({ x: p.x, y: p.y, score: score(p) }));
}
