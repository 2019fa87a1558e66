// Before and after a retrained model: each picked micrograph's pick count, and its F1 where
// ground truth is loaded, with the model in use and with the new one. The user keeps the new
// model or discards it from this (a retrained model is never switched on by itself). Pure.
import type { Particle } from '../../core/coords/types';
import { micrographMetrics, pooledMetrics, type MetricsSummary } from '../metrics-view';

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
}

export function sideOf(kept: Particle[], truth: Particle[] | undefined, diameter: number): Side {
  return truth ? { picks: kept.length, metrics: micrographMetrics(kept, truth, diameter) } : { picks: kept.length };
}

/** Pick counts summed, metrics pooled over the micrographs with truth (undefined without any). */
export function total(rows: readonly ComparisonRow[], which: 'before' | 'after'): Side {
  const withTruth = rows.map((r) => r[which].metrics).filter((m): m is MetricsSummary => !!m);
  const picks = rows.reduce((n, r) => n + r[which].picks, 0);
  return withTruth.length ? { picks, metrics: pooledMetrics(withTruth) } : { picks };
}

/** F1 differences smaller than this (0.5 points) count as no change. */
export const F1_TOLERANCE = 0.005;

/** What the truth says about the new model: better, worse, about the same, or nothing (no truth). */
export function verdict(rows: readonly ComparisonRow[]): 'better' | 'worse' | 'same' | 'unknown' {
  const a = total(rows, 'before').metrics;
  const b = total(rows, 'after').metrics;
  if (!a || !b) return 'unknown';
  if (b.f1 > a.f1 + F1_TOLERANCE) return 'better';
  if (b.f1 < a.f1 - F1_TOLERANCE) return 'worse';
  return 'same';
}
