// Going through a long list: marking micrographs reviewed or excluded from export, the order the
// list is gone through in, and going to the next one not reviewed.
import { samePickParams, type PickParams } from '../../core/params';
import { describeSettings } from '../../core/tuning';
import { displayPicksOf } from '../editing';
import { listed, sortedByPicks, type ListOrder } from '../list-order';
import { countEdits, keptPicks } from '../picks-merge';
import { failedToOpen, reviewableMicrographs, workMicrographs, type MicrographEntry } from '../store';
import { mic, store } from './context';

export function toggleFlag(key: string | undefined, flag: 'reviewed' | 'excluded'): void {
  const m = key ? mic(key) : undefined;
  // A file that never opened holds nothing to review (r on it would mark nothing checked).
  if (!m || (flag === 'reviewed' && !m.reviewed && failedToOpen(m))) return;
  if (flag === 'reviewed' && !m.reviewed) return markReviewed(m);
  store().change(flag === 'reviewed' ? 'mark reviewed' : 'exclude from export', { [m.key]: { [flag]: !m[flag] } });
}

/**
 * Marks a micrograph reviewed with the picks it shows. Where those were made with other
 * parameters than it has and nothing is picking it now (a setting for all micrographs whose
 * re-pick has not reached it), it takes back the parameters of the picks the user checked,
 * which a reviewed micrograph keeps; otherwise that re-pick would replace them later.
 */
function markReviewed(m: MicrographEntry): void {
  const picking = m.status === 'detecting' || m.status === 'picking';
  const shown = m.pickedWith && !m.preview && !picking && !samePickParams(m.pickedWith, m.params) ? m.pickedWith : undefined;
  if (!store().change('mark reviewed', { [m.key]: { reviewed: true, ...(shown ? { params: { ...shown } } : {}) } }) || !shown) return;
  const unpicked = Object.fromEntries(Object.entries(m.params).filter(([k, v]) => shown[k as keyof PickParams] !== v));
  store().notify(
    `${m.name}: marked reviewed with the picks on screen and the parameters they were picked with; its new ${describeSettings(unpicked, 'labels')} had not been picked yet.`,
  );
}

/** Goes to the next micrograph of the user's work not marked reviewed (after the current one in
 * the list's order, wrapping round); the bundled demos are skipped once the user has micrographs of their own,
 * and files that failed and micrographs left out of the export always. */
export function nextUnreviewed(): void {
  const s = store();
  const list = reviewableMicrographs(listed(s.micrographs, s.listOrder, s.listKeys));
  const i = list.findIndex((m) => m.key === s.currentKey);
  for (let d = 1; d <= list.length; d++) {
    const m = list[(i + d + list.length) % list.length];
    if (!m.reviewed && !m.excluded) {
      if (m.key !== s.currentKey) s.setCurrent(m.key);
      return;
    }
  }
  s.notify(
    workMicrographs(s.micrographs).length < s.micrographs.length
      ? 'Every micrograph of yours is marked reviewed or left out of the export.'
      : 'Every micrograph is marked reviewed or left out of the export.',
  );
}

/** Sorts the list (and n, p, u) by `order`, with the picks shown now; micrographs added later go after them. */
export function sortList(order: ListOrder): void {
  // Not known: never picked (nor given picks by hand or from a file), or failed to open.
  const picksOf = (m: MicrographEntry) =>
    failedToOpen(m) || (!m.pickedWith && !countEdits(m.edits)) ? undefined : keptPicks(displayPicksOf(m)).length;
  const byPicks = order === 'fewest' || order === 'most';
  store().set({ listOrder: order, listKeys: byPicks ? sortedByPicks(store().micrographs, order, picksOf) : undefined });
}
