// Before and after a retrained model: each picked micrograph's pick count, and its F1 where it
// is a held-out check with labels (ground truth, or the user's reviewed picks), with the model
// in use and with the new one. The user keeps the new model or discards it from this (a
// retrained model is never switched on by itself). Pure.
import type { ScoredPick } from '../../../workers/engine-api';
import type { Particle } from '../../core/coords/types';
import { displayPicksOf } from '../editing';
import { micrographMetrics, pooledMetrics, type MetricsSummary } from '../metrics-view';
import { EMPTY_EDITS, keptPicks, mergePicks } from '../picks-merge';
import type { MicrographEntry } from '../store';

export interface Side {
  picks: number;
  /** Against ground truth, when the micrograph has it. */
  metrics?: MetricsSummary;
}

export interface ComparisonRow {
  key: string;
  name: string;
  before: Side;
  after: Side;
  /** The new model learnt from this micrograph: it is no held-out check and has no F1. */
  trainedOn?: boolean;
  /** It shows picks loaded from this file: the counts are its automatic picks, set aside, which a kept model changes unseen. */
  shownFrom?: string;
  /** Marked reviewed: it keeps the picks the user checked whichever model is kept; its counts are each model's own picks. */
  reviewed?: boolean;
  /** Learnt from and marked reviewed: the new model's picks against the picks the user checked there (no held-out check). */
  fit?: MetricsSummary;
  /** Each model's own picks and the diameter they are scored at, kept to score them again when labels arrive while the comparison waits. */
  picks?: { before: Particle[]; after: Particle[]; diameter: number };
}

/** What the verdict says when no micrograph can judge the new model. */
export const NO_HELD_OUT =
  'No held-out micrograph with picks or ground truth to compare on: review or load truth for one more micrograph (one the new model did not learn from).';

/**
 * What a micrograph's picks are scored against: its ground truth, else the picks of a micrograph
 * the user marked reviewed; nothing for one the new model learnt from (its own training labels
 * would make it look perfect). With `truthHeldOut` (a run whose labels came from no user's
 * picks: the classifier's unsupervised labelling) ground truth scores every micrograph: such a
 * run never saw it, and with its default scope it learns from all of them.
 */
export function heldOutLabels(m: MicrographEntry, trainedOn: ReadonlySet<string>, truthHeldOut = false): Particle[] | undefined {
  if (truthHeldOut && m.truth) return m.truth;
  if (trainedOn.has(m.key)) return undefined;
  return m.truth ?? reviewedPicks(m);
}

/** The picks the user checked on a micrograph marked reviewed (every one kept there), else none. */
function reviewedPicks(m: MicrographEntry): Particle[] | undefined {
  return m.reviewed ? keptPicks(displayPicksOf(m)) : undefined;
}

/** A model's own picks, the user's edits left out (reviewed picks may be the labels). */
export function modelPicks(auto: readonly ScoredPick[], diameter: number): Particle[] {
  return keptPicks(mergePicks(auto, EMPTY_EDITS, diameter));
}

export function sideOf(kept: Particle[], labels: Particle[] | undefined, diameter: number): Side {
  return labels ? { picks: kept.length, metrics: micrographMetrics(kept, labels, diameter) } : { picks: kept.length };
}

/**
 * The rows scored again against what labels their micrographs have now (ground truth loaded, or
 * a review marked, while the comparison waits for keep or discard); only rows whose micrograph
 * is in `changed`. The same array when no score moved.
 */
export function rescoredRows(
  rows: readonly ComparisonRow[],
  micrographs: ReadonlyMap<string, MicrographEntry>,
  changed: ReadonlySet<string>,
  truthHeldOut: boolean,
): readonly ComparisonRow[] {
  let moved = false;
  const next = rows.map((r) => {
    const m = changed.has(r.key) ? micrographs.get(r.key) : undefined;
    if (!m || !r.picks) return r;
    const labels = heldOutLabels(m, new Set(r.trainedOn ? [r.key] : []), truthHeldOut);
    const before = sideOf(r.picks.before, labels, r.picks.diameter);
    const after = sideOf(r.picks.after, labels, r.picks.diameter);
    if (JSON.stringify([before, after]) === JSON.stringify([r.before, r.after])) return r;
    moved = true;
    return { ...r, before, after };
  });
  return moved ? next : rows;
}

/** Pick counts summed, metrics pooled over the held-out micrographs with labels (undefined without any). */
export function total(rows: readonly ComparisonRow[], which: 'before' | 'after'): Side {
  const withTruth = rows.map((r) => r[which].metrics).filter((m): m is MetricsSummary => !!m);
  const picks = rows.reduce((n, r) => n + r[which].picks, 0);
  return withTruth.length ? { picks, metrics: pooledMetrics(withTruth) } : { picks };
}

/** The picks a micrograph the new model learnt from was checked to hold: its reviewed picks, else none. */
export function trainingLabels(m: MicrographEntry, trainedOn: ReadonlySet<string>): Particle[] | undefined {
  return trainedOn.has(m.key) ? reviewedPicks(m) : undefined;
}

/** A new model that finds under this share of the picks checked where it learnt has not learnt them. */
const FIT_RECALL = 0.5;

/**
 * Where no held-out micrograph judges a new model: how many of the picks the user checked on the
 * reviewed micrographs it learnt from it finds. Not a held-out check (a model fits its training
 * data; the models in use are not compared, since those picks are theirs, edited), but a model
 * that finds under half of them has not learnt them. The sentence to say, or '' without such micrographs.
 */
export function trainingFitNote(rows: readonly ComparisonRow[]): string {
  const fits = rows.map((r) => r.fit).filter((f): f is MetricsSummary => !!f);
  if (!fits.length) return '';
  const m = pooledMetrics(fits);
  const checked = m.tp + m.fn;
  return (
    ` On the ${fits.length} reviewed micrograph(s) it learnt from, it finds ${m.tp} of the ${checked} picks you checked there, with ${m.fp} others` +
    (m.recall < FIT_RECALL
      ? ': under half of what it learnt from; discarding it is advised.'
      : ' (its own training data: no held-out check).')
  );
}

/** F1 differences smaller than this (0.5 points) count as no change. */
export const F1_TOLERANCE = 0.005;

/** What the held-out labels say about the new model: better, worse, about the same, or nothing (none). */
export function verdict(rows: readonly ComparisonRow[]): 'better' | 'worse' | 'same' | 'unknown' {
  const a = total(rows, 'before').metrics;
  const b = total(rows, 'after').metrics;
  if (!a || !b) return 'unknown';
  if (b.f1 > a.f1 + F1_TOLERANCE) return 'better';
  if (b.f1 < a.f1 - F1_TOLERANCE) return 'worse';
  return 'same';
}
