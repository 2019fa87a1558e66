// Review flags: marking micrographs reviewed or excluded from export, and going to the next one
// not reviewed.
import { failedToOpen, reviewableMicrographs, workMicrographs } from '../store';
import { mic, store } from './context';

export function toggleFlag(key: string | undefined, flag: 'reviewed' | 'excluded'): void {
  const m = key ? mic(key) : undefined;
  // A file that never opened holds nothing to review (r on it would mark nothing checked).
  if (!m || (flag === 'reviewed' && !m.reviewed && failedToOpen(m))) return;
  store().change(flag === 'reviewed' ? 'mark reviewed' : 'exclude from export', { [m.key]: { [flag]: !m[flag] } });
}

/** Goes to the next micrograph of the user's work not marked reviewed (after the current one,
 * wrapping round); the bundled demos are skipped once the user has micrographs of their own,
 * and files that failed and micrographs left out of the export always. */
export function nextUnreviewed(): void {
  const s = store();
  const list = reviewableMicrographs(s.micrographs);
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
