// The one undo history of the workbench: pick edits, parameter changes (one micrograph's or
// all of them at once), ground truth loaded or unloaded, review flags and the session's
// diameter are all steps of it. A step keeps, for each micrograph it touched, the values the
// changed fields had before; undo puts them back and keeps what it replaced for redo. Pure:
// the store (store.ts) holds the stacks and applies the values.
import { samePickParams, type PickParams } from '../core/params';
import type { Particle } from '../core/coords/types';
import type { PickEdits } from './picks-merge';
import type { MicrographEntry } from './store';

/**
 * A reviewed micrograph's automatic picks as the user checked them. A step that changes its
 * parameters keeps them with the old values, so undo gives back the picks reviewed, not a new
 * pick by the models in use by then (a tester's undo after a model change lost 6 checked picks).
 */
export type CheckedPicks = Pick<MicrographEntry, (typeof CHECKED_KEYS)[number]>;

/** The fields of CheckedPicks: kept in a step, given up together (limitCheckedPicks). */
const CHECKED_KEYS = ['auto', 'pickedWith', 'preview', 'pickedBy', 'calibration'] as const;

/** The fields of a micrograph that the user changes (and undo restores); a reviewed one's picks go with its parameters. */
export interface TrackedFields extends Partial<CheckedPicks> {
  params: PickParams;
  edits: PickEdits;
  truth?: Particle[];
  truthName?: string;
  reviewed?: boolean;
  excluded?: boolean;
}

export type TrackedKey = keyof TrackedFields;

export interface HistoryStep<S> {
  /** What the step did, in words ("parameters", "edit picks", "apply to all"). */
  label: string;
  /** Per micrograph key, the values its changed fields had before the step. */
  before: Record<string, Partial<TrackedFields>>;
  /** The session settings before the step, when it changed them. */
  session?: S;
  /** Steps with the same merge key made in quick succession are one step (one slider drag). */
  mergeKey?: string;
  /** When the step was last extended (ms). */
  at: number;
  /** A step that set the session's particle size: the micrographs there when it was made (those added later took the size on arrival). */
  present?: string[];
}

/**
 * Steps kept for undo: a tester's review of two micrographs made 263 edits, past the 200 kept
 * before. Each step holds the changed fields' old values (a micrograph's edits), some tens of MB
 * at most for a thousand steps of a long review, in memory only.
 */
export const HISTORY_LIMIT = 1000;
/** Changes with the same merge key closer than this (ms) are one undo step. */
export const MERGE_WINDOW_MS = 1000;

function sameMarks(a: readonly { x: number; y: number; id?: string }[], b: readonly { x: number; y: number; id?: string }[]): boolean {
  return a.length === b.length && a.every((m, i) => m.x === b[i].x && m.y === b[i].y && m.id === b[i].id);
}

/** Whether two edit sets say the same (the same marks in the same order). */
export function sameEdits(a: PickEdits, b: PickEdits): boolean {
  return (
    a === b ||
    (sameMarks(a.manual, b.manual) &&
      sameMarks(a.rejected, b.rejected) &&
      sameMarks(a.accepted, b.accepted) &&
      sameMarks(a.moved ?? [], b.moved ?? []) &&
      a.autoSetAside === b.autoSetAside)
  );
}

/** Whether a field's new value differs from the old one (by content for params and edits). */
export function fieldChanged<K extends TrackedKey>(key: K, before: TrackedFields[K], after: TrackedFields[K]): boolean {
  if (before === after) return false;
  if (before === undefined || after === undefined) return true;
  if (key === 'params') return !samePickParams(before as PickParams, after as PickParams);
  if (key === 'edits') return !sameEdits(before as PickEdits, after as PickEdits);
  return true;
}

/**
 * What a patch really changes of a micrograph: the fields whose value differs, with their old
 * values (undefined when nothing changes).
 */
export function changedBefore(current: TrackedFields, patch: Partial<TrackedFields>): Partial<TrackedFields> | undefined {
  const out: Partial<TrackedFields> = {};
  let any = false;
  for (const k of Object.keys(patch) as TrackedKey[]) {
    if (fieldChanged(k, current[k], patch[k] as never)) {
      (out as Record<string, unknown>)[k] = current[k];
      any = true;
    }
  }
  return any ? out : undefined;
}

/** The picks of a micrograph as they are, every field named (an undefined one is put back as undefined). */
export function checkedPicks(m: CheckedPicks): CheckedPicks {
  return Object.fromEntries(CHECKED_KEYS.map((k) => [k, m[k]])) as CheckedPicks;
}

/**
 * The past stack after a new step: appended, or folded into the last step when both have the
 * same merge key within MERGE_WINDOW_MS (the last step keeps its older "before" values).
 */
export function pushStep<S>(past: readonly HistoryStep<S>[], step: HistoryStep<S>): HistoryStep<S>[] {
  const last = past[past.length - 1];
  if (last && step.mergeKey && last.mergeKey === step.mergeKey && step.at - last.at <= MERGE_WINDOW_MS) {
    const before = { ...step.before };
    for (const [key, fields] of Object.entries(last.before)) before[key] = { ...before[key], ...fields };
    return [...past.slice(0, -1), { ...last, before, session: last.session ?? step.session, at: step.at }];
  }
  return [...past, step].slice(-HISTORY_LIMIT);
}

/** The values a step's fields have now: what undo replaces, kept for redo (and the other way round). */
export function currentValues<S>(step: HistoryStep<S>, fieldsOf: (key: string) => TrackedFields | undefined, session: S): HistoryStep<S> {
  const before: Record<string, Partial<TrackedFields>> = {};
  for (const [key, fields] of Object.entries(step.before)) {
    const now = fieldsOf(key);
    if (!now) continue;
    const out: Partial<TrackedFields> = {};
    for (const k of Object.keys(fields) as TrackedKey[]) (out as Record<string, unknown>)[k] = now[k];
    before[key] = out;
  }
  return { label: step.label, before, session: step.session === undefined ? undefined : session, at: step.at };
}

/** The steps without a micrograph that left the session; steps left with nothing to undo go (an undo of them did nothing, a tester saw). */
export function withoutMicrograph<S>(steps: readonly HistoryStep<S>[], key: string): HistoryStep<S>[] {
  return steps.flatMap((step) => {
    if (!(key in step.before)) return [step];
    const { [key]: _, ...before } = step.before;
    return Object.keys(before).length || step.session !== undefined ? [{ ...step, before }] : [];
  });
}

/** At most this many automatic picks held for reviewed micrographs in the steps (about 50 MB); older steps give theirs up. */
export const CHECKED_PICKS_LIMIT = 500_000;

/**
 * The steps with their checked picks (CheckedPicks) kept only in the newest ones, up to `limit`
 * picks in all: an undo of an older step then picks its reviewed micrographs again, as undo did
 * before steps kept them, rather than the history growing with every re-pick of many micrographs.
 */
export function limitCheckedPicks<S>(steps: readonly HistoryStep<S>[], limit = CHECKED_PICKS_LIMIT): HistoryStep<S>[] {
  let held = 0;
  const out = [...steps];
  for (let i = out.length - 1; i >= 0; i--) {
    const entries = Object.values(out[i].before);
    const here = entries.reduce((n, f) => n + (f.auto?.length ?? 0), 0);
    if (!here) continue;
    held += here;
    if (held <= limit) continue;
    const before: Record<string, Partial<TrackedFields>> = {};
    for (const [key, fields] of Object.entries(out[i].before)) {
      const kept = { ...fields };
      for (const k of CHECKED_KEYS) delete kept[k];
      before[key] = kept;
    }
    out[i] = { ...out[i], before };
  }
  return out;
}
