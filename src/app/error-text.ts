// Errors as the UI shows them. Errors thrown in a worker arrive through comlink as plain
// Error objects with the typed error's name, message, code, file and line
// (workers/typed-errors.ts); the class itself is not rebuilt.

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** A worker that died (its script failed to load, or it crashed): no file's fault. */
export class WorkerFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerFailedError';
  }
}

/** True for a CancelledError, here or from a worker. */
export function isCancelled(e: unknown): boolean {
  const x = e as { name?: unknown; code?: unknown } | null;
  return !!x && (x.name === 'CancelledError' || x.code === 'cancelled');
}
