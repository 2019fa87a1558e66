// Coalesces rapid state changes into one write after `delayMs` of quiet, never two writes at
// once, and says when everything scheduled is on disk (the toolbar's "saved" mark). A change
// waits at most `maxWaitMs`: a batch's progress changes the state more often than `delayMs`,
// and without the limit nothing done during a batch reached the disk before it ended.

export interface AutosaveHooks {
  /**
   * A write failed (`failures` in a row). Return true to keep the change and try again after a
   * back-off (a passing IndexedDB abort); otherwise the change is dropped from the queue.
   */
  onError(e: unknown, failures: number): boolean | void;
  /** pending: a change is waiting or being written; false once all of it is written. */
  onPending?(pending: boolean): void;
}

export interface Autosave {
  schedule(): void;
  /** Writes now what is waiting (page hide). */
  flush(): Promise<void>;
  readonly pending: boolean;
}

/** The longest back-off between retries of a failed write. */
const RETRY_MAX_MS = 10_000;

export function createAutosave(write: () => Promise<void>, delayMs: number, hooks: AutosaveHooks, maxWaitMs = 8 * delayMs): Autosave {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest change not yet being written was made. */
  let since: number | undefined;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let reported = false;
  let failures = 0;

  const report = (pending: boolean): void => {
    if (pending !== reported) {
      reported = pending;
      hooks.onPending?.(pending);
    }
  };

  let due = 0;
  const fire = (): void => {
    const wait = due - Date.now();
    if (wait > 0) timer = setTimeout(fire, wait);
    else void run();
  };

  const run = async (): Promise<void> => {
    timer = undefined;
    if (writing) await writing; // one write at a time; this one starts after
    if (!dirty) {
      // Written by a run that took this change with it: say so once nothing else waits.
      if (!writing && timer === undefined) report(false);
      return;
    }
    dirty = false;
    since = undefined;
    let retry = false;
    writing = write().then(
      () => void (failures = 0),
      (e) => void (retry = hooks.onError(e, ++failures) === true),
    );
    await writing;
    writing = undefined;
    if (retry) {
      // Kept: written by the next change's write, or by this retry, whichever comes first.
      dirty = true;
      if (timer === undefined) timer = setTimeout(() => void run(), Math.min(RETRY_MAX_MS, delayMs * 2 ** failures));
      return;
    }
    if (!dirty && timer === undefined) report(false);
  };

  return {
    schedule() {
      const now = Date.now();
      since ??= now;
      dirty = true;
      report(true);
      // One timer for a burst of changes: moving the deadline costs no clearTimeout/setTimeout pair per change.
      due = Math.max(now, Math.min(now + delayMs, since + maxWaitMs));
      if (timer === undefined) timer = setTimeout(fire, due - now);
    },
    async flush() {
      if (timer !== undefined) clearTimeout(timer);
      await run();
    },
    get pending() {
      return reported;
    },
  };
}
