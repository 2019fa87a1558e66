// Waiting for picks in progress to settle, so that an export writes what the settings give, not
// the preview a slider move shows for a moment (a tester exported 259 picks where 258 followed).
import { picksInProgress } from './picking';

/** How often the wait looks again (ms): a pick that is superseded or cancelled changes nothing in the store to wake it. */
const POLL_MS = 50;

/** Resolves true once none of these micrographs has picks in progress, false after timeoutMs (then some still have). */
export function whenPicksSettle(keys: readonly string[], timeoutMs: number): Promise<boolean> {
  const busy = (): boolean => keys.some(picksInProgress);
  if (!busy()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const settled = !busy();
      if (!settled && Date.now() - started < timeoutMs) return;
      clearInterval(timer);
      resolve(settled);
    }, POLL_MS);
  });
}
