// Metrics for the panel and list, from src/core/metrics (one-to-one matching within a radius).
import type { Particle } from '../core/coords/types';
import { aggregate, matchingRadius, matchPicks, precisionRecallCurve, scoresFromCounts, type Scores } from '../core/metrics';
import { workMicrographs, type MicrographEntry } from './store';

/** TP/FP/FN with recall, precision and F1 (the core's Scores, without the matched pairs). */
export type MetricsSummary = Scores;

export function micrographMetrics(picks: Particle[], truth: Particle[], diameter: number): MetricsSummary {
  return scoresFromCounts(matchPicks(picks, truth, matchingRadius(diameter)));
}

/** Pools counts over micrographs (micro-average), the way the paper's Table 4 counts. */
export function pooledMetrics(parts: MetricsSummary[]): MetricsSummary {
  return scoresFromCounts(aggregate(parts));
}

/** The micrographs the pooled "all" metrics count: the user's work, picked, with ground truth. */
export function pooledWithTruth(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  return workMicrographs(micrographs).filter((m) => m.truth && m.pickedWith && m.status !== 'error');
}

/**
 * What the metrics panel says when nothing is pooled (undefined when something is): ground truth
 * held only by the demo micrographs, which the pooled metrics leave out beside the user's own,
 * or truth on micrographs not picked yet.
 */
export function noPooledNote(micrographs: readonly MicrographEntry[]): string | undefined {
  if (pooledWithTruth(micrographs).length) return undefined;
  const work = workMicrographs(micrographs);
  if (work.some((m) => m.truth)) return 'Ground truth is loaded on micrographs not picked yet; pick them to compare.';
  if (micrographs.some((m) => m.truth && m.demo))
    return (
      'Only the demo micrographs have ground truth, and the pooled metrics leave them out now that ' +
      'the session holds micrographs of your own (a demo on screen is still scored). To score yours, ' +
      'drop their coordinate files (.star, .box, ...) and answer "Ground truth (for scoring)".'
    );
  return undefined;
}

export interface PrPoint {
  recall: number;
  precision: number;
}

/** Precision-recall points over the score threshold of scored picks. */
export function prCurve(picks: Particle[], truth: Particle[], diameter: number): PrPoint[] {
  return precisionRecallCurve(picks, truth, matchingRadius(diameter)).map((p) => ({ recall: p.recall, precision: p.precision }));
}

export interface CurveInput {
  picks: Particle[];
  truth: Particle[];
  diameter: number;
}

/**
 * One precision-recall curve over several micrographs: picks of all of them ranked by score
 * together, each matched only within its own micrograph (each micrograph is moved to its own
 * far-away strip of the plane, so no match can cross), each with its own matching radius
 * (coordinates are scaled so every radius becomes 1).
 */
export function pooledPrCurve(items: readonly CurveInput[]): PrPoint[] {
  const picks: Particle[] = [];
  const truth: Particle[] = [];
  let offset = 0;
  for (const it of items) {
    const r = matchingRadius(it.diameter);
    const xs = [...it.picks, ...it.truth].map((p) => p.x / r);
    if (!xs.length) continue;
    const lo = Math.min(...xs);
    const shift = offset - lo;
    for (const p of it.picks) picks.push({ x: p.x / r + shift, y: p.y / r, score: p.score });
    for (const t of it.truth) truth.push({ x: t.x / r + shift, y: t.y / r });
    offset += Math.max(...xs) - lo + 10;
  }
  return precisionRecallCurve(picks, truth, 1).map((p) => ({ recall: p.recall, precision: p.precision }));
}
