// Errors keep their type across the worker boundary. Comlink's own handler sends a thrown
// Error's name, message and stack only, so the app could not tell a file's fault (a truncated
// MRC) from the engine's (a model that failed to load), nor read which file. This adds the typed
// fields of a DrpnetError; comlink's receiving side copies every field onto the Error it throws.
import * as Comlink from 'comlink';
import { DrpnetError } from '../src/core/errors';

/** What a DrpnetError adds to an Error, sent beside its name and message. */
function typedFields(e: unknown): Record<string, unknown> {
  if (!(e instanceof DrpnetError)) return {};
  const line = (e as { line?: unknown }).line;
  return { code: e.code, ...(e.file !== undefined ? { file: e.file } : {}), ...(line !== undefined ? { line } : {}) };
}

/** Registers the handler (in the worker that throws; the default one receives). Idempotent. */
export function keepErrorTypes(): void {
  const base = Comlink.transferHandlers.get('throw')!;
  if ((base as { typed?: boolean }).typed) return;
  const handler = {
    typed: true,
    canHandle: base.canHandle,
    serialize(thrown: unknown): [unknown, Transferable[]] {
      const [sent, transfer] = base.serialize(thrown);
      const s = sent as { isError?: boolean; value?: Record<string, unknown> };
      if (s.isError && s.value) s.value = { ...s.value, ...typedFields((thrown as { value: unknown }).value) };
      return [sent, transfer];
    },
    deserialize: base.deserialize,
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
}
