// Coalesces rapid state changes into one write after `delayMs` of quiet, never two writes at
// once, and says when everything scheduled is on disk (the toolbar's "saved" mark). A change
// waits at most `maxWaitMs`: a batch's progress changes the state more often than `delayMs`,
// and without the limit nothing done during a batch reached the disk before it ended.

export interface AutosaveHooks {
  onError(e: unknown): void;
  /** pending: a change is waiting or being written; false once all of it is written. */
  onPending?(pending: boolean): void;
}

export interface Autosave {
  schedule(): void;
  /** Writes now what is waiting (page hide). */
  flush(): Promise<void>;
  readonly pending: boolean;
}

export function createAutosave(write: () => Promise<void>, delayMs: number, hooks: AutosaveHooks, maxWaitMs = 8 * delayMs): Autosave {
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the oldest change not yet being written was made. */
  let since: number | undefined;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let reported = false;

  const report = (pending: boolean): void => {
    if (pending !== reported) {
      reported = pending;
      hooks.onPending?.(pending);
    }
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
    writing = write().catch((e) => hooks.onError(e));
    await writing;
    writing = undefined;
    if (!dirty && timer === undefined) report(false);
  };

  return {
    schedule() {
      const now = Date.now();
      since ??= now;
      dirty = true;
      report(true);
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void run(), Math.max(0, Math.min(delayMs, since + maxWaitMs - now)));
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
