// Metrics for the panel and list, from src/core/metrics (one-to-one matching within a radius).
import type { Pick } from '../core/coords/types';
import { matchPicks, precisionRecallCurve } from '../core/metrics';

export interface MetricsSummary {
  tp: number;
  fp: number;
  fn: number;
  recall: number;
  precision: number;
  f1: number;
}

/** Matching radius: half the particle diameter (a pick inside the particle counts). */
export function matchingRadius(diameter: number): number {
  return diameter / 2;
}

export function micrographMetrics(picks: Pick[], truth: Pick[], diameter: number): MetricsSummary {
  const m = matchPicks(picks, truth, matchingRadius(diameter));
  return { tp: m.tp, fp: m.fp, fn: m.fn, recall: m.recall, precision: m.precision, f1: m.f1 };
}

/** Pools counts over micrographs (micro-average), the way the paper's Table 4 counts. */
export function pooledMetrics(parts: MetricsSummary[]): MetricsSummary {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of parts) {
    tp += p.tp;
    fp += p.fp;
    fn += p.fn;
  }
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const f1 = recall + precision ? (2 * recall * precision) / (recall + precision) : 0;
  return { tp, fp, fn, recall, precision, f1 };
}

export interface PrPoint {
  recall: number;
  precision: number;
}

/** Precision-recall points over the score threshold of scored picks. */
export function prCurve(picks: Pick[], truth: Pick[], diameter: number): PrPoint[] {
  return precisionRecallCurve(picks, truth, matchingRadius(diameter)).map((p) => ({ recall: p.recall, precision: p.precision }));
}
