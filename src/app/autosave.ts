// Coalesces rapid state changes into one write after `delayMs` of quiet, never two writes at
// once, and says when everything scheduled is on disk (the toolbar's "saved" mark).

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

export function createAutosave(write: () => Promise<void>, delayMs: number, hooks: AutosaveHooks): Autosave {
  let timer: ReturnType<typeof setTimeout> | undefined;
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
    if (!dirty) return;
    dirty = false;
    writing = write().catch((e) => hooks.onError(e));
    await writing;
    writing = undefined;
    if (!dirty && timer === undefined) report(false);
  };

  return {
    schedule() {
      dirty = true;
      report(true);
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void run(), delayMs);
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
