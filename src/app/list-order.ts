// The order of the micrograph list, which n, p and u follow. Sorting by picks finds the
// micrographs worth a look first in a long session (thick ice or carbon: many picks; empty
// or failed: few). A sort by picks is taken when chosen, not kept live: rejecting picks on the
// micrograph on screen would otherwise move it under the reviewer, and n would skip.
import type { MicrographEntry } from './store';

export const LIST_ORDERS = {
  added: 'as added',
  name: 'by name',
  fewest: 'fewest picks first',
  most: 'most picks first',
} as const;

export type ListOrder = keyof typeof LIST_ORDERS;

export function isListOrder(x: unknown): x is ListOrder {
  return typeof x === 'string' && Object.hasOwn(LIST_ORDERS, x);
}

/**
 * Names in name order, numbers in names compared as numbers (mic_9 before mic_10), as a folder
 * lists them. One collator: localeCompare with options builds one per comparison (~15x slower).
 */
export const compareNames = new Intl.Collator('en', { numeric: true }).compare;

function byName(a: MicrographEntry, b: MicrographEntry): number {
  return compareNames(a.name, b.name);
}

/**
 * The keys of a sort by picks; `picksOf` gives a micrograph's picks shown, undefined where none
 * are known yet (not picked, or failed): those go last, in the order added. Ties keep the order added.
 */
export function sortedByPicks(
  micrographs: readonly MicrographEntry[],
  order: 'fewest' | 'most',
  picksOf: (m: MicrographEntry) => number | undefined,
): string[] {
  const sign = order === 'fewest' ? 1 : -1;
  const counted = micrographs.map((m) => ({ key: m.key, n: picksOf(m) }));
  const known = counted.filter((c): c is { key: string; n: number } => c.n !== undefined).sort((a, b) => sign * (a.n - b.n));
  return [...known, ...counted.filter((c) => c.n === undefined)].map((c) => c.key);
}

/**
 * The micrographs as the list shows them: by name (names do not change: sorted as they come), or
 * in `keys` (a sort by picks taken earlier) with those added since after them, as added.
 */
export function listed(micrographs: readonly MicrographEntry[], order: ListOrder, keys: readonly string[] | undefined): MicrographEntry[] {
  if (order === 'name') return [...micrographs].sort(byName);
  if (order === 'added' || !keys) return [...micrographs];
  const rank = new Map(keys.map((k, i) => [k, i]));
  const at = (m: MicrographEntry) => rank.get(m.key) ?? keys.length;
  // Array.prototype.sort is stable: those added since keep their order.
  return [...micrographs].sort((a, b) => at(a) - at(b));
}
