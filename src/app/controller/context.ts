// The workbench's controller: the actions that involve the engine or storage (loading files,
// picking on arrival, on parameter changes and in batches, undo with the re-picks it needs,
// backend switches, session restore and the hand-over between tabs). Components call these; the
// numeric work happens in the workers, reached only through engine-bridge.ts. A module a
// concern: engine-lifecycle.ts, viewing.ts, picking.ts, undo.ts, session-diameter.ts, review-flags.ts,
// files.ts, session.ts, two-tabs.ts and boot.ts; this one holds what they share.
import { samePickParams } from '../../core/params';
import type { ActiveModels } from '../../../workers/training-api';
import { errorMessage, WorkerFailedError } from '../error-text';
import { useWorkbench, type MicrographEntry } from '../store';

export const store = useWorkbench.getState;

/** What autosave may still write: a full quota stops file storage first, the session last. */
export const storage = { session: true, files: true };

export function mic(key: string): MicrographEntry | undefined {
  return store().micrographs.find((m) => m.key === key);
}

/** Marks a micrograph failed; a file that could not be opened is also said in a notice (not when its worker died: no file's fault). */
export function fail(key: string, e: unknown): void {
  const before = mic(key);
  const message = errorMessage(e);
  store().updateMic(key, { status: 'error', error: message, progress: undefined });
  if (before && before.status !== 'error' && !before.info && !(e instanceof WorkerFailedError)) noteUnopened(message);
}

/**
 * A notice for what comes in bursts (files dropped together, micrographs reopening one by one
 * after a reload): the lines given until none came for `quietMs` are said in one notice, by
 * `say`, rather than one notice each.
 */
export function burstNotice(
  say: (lines: readonly string[]) => string,
  opts: { tone?: 'info' | 'error'; quietMs?: number } = {},
): (line: string) => void {
  const lines: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (line) => {
    lines.push(line);
    clearTimeout(timer);
    timer = setTimeout(() => {
      store().notify(say(lines), opts.tone ?? 'error');
      lines.length = 0;
    }, opts.quietMs ?? 300);
  };
}

// Files that failed to open: their rows may be out of sight at the end of a long list, and a
// folder of bad files should not bring a notice each.
const noteUnopened = burstNotice((lines) => {
  const n = lines.length;
  const more = n > 1 ? ` (and ${n - 1} more; each row marked ERROR says why)` : '';
  return `${n === 1 ? 'A file' : `${n} files`} could not be opened: ${lines[0]}${more}`;
});

/**
 * Whether picks made by the models `made` are what the models `inUse` would make. Unknown on
 * either side (picks saved before micrographs kept their models, an engine not started) counts
 * as the same.
 */
export function sameModels(made: ActiveModels | undefined, inUse: ActiveModels | undefined): boolean {
  return !made || !inUse || (made.fcrn === inUse.fcrn && made.classifier === inUse.classifier);
}

/**
 * Whether a micrograph's automatic picks lag its parameters: made with others, or a preview on
 * show whose exact pick is still to come (even when an undo brought the parameters back).
 */
export function picksBehindParams(m: MicrographEntry): boolean {
  return !!m.preview || !samePickParams(m.pickedWith, m.params);
}

/**
 * Whether a micrograph's automatic picks are up to date: made with its parameters, by the models
 * the workers use now. One marked reviewed keeps its picks when the models change: they are what
 * the user checked (and what a retrained model learnt from); a change of its own parameters
 * still picks it again (a change of the cutoff alone on the candidates it holds: picking.ts recutInPlace).
 */
export function pickedUpToDate(m: MicrographEntry): boolean {
  return !picksBehindParams(m) && (!!m.reviewed || sameModels(m.pickedBy, store().backendInfo?.models));
}

/** True (and says so) when this tab may only look. */
export function refusedReadOnly(): boolean {
  const why = store().readOnly;
  if (why) store().notify(`Not done: ${why}`, 'error');
  return !!why;
}

export const MISSING_FILE = 'the file is not stored in this browser; drop it again to reopen it (picks and edits are kept)';

/** The first few of a list of names for a notice: `a, b, c, ...`. */
export function someNames(names: readonly string[], separator = ', '): string {
  return `${names.slice(0, 3).join(separator)}${names.length > 3 ? `${separator}...` : ''}`;
}
