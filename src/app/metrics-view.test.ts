import { describe, expect, it } from 'vitest';
import { micrographMetrics, pooledMetrics } from './metrics-view';

describe('metrics view', () => {
  it('counts a pick within half a diameter of a truth centre as a match', () => {
    const truth = [
      { x: 100, y: 100 },
      { x: 500, y: 500 },
    ];
    const m = micrographMetrics([{ x: 140, y: 100 }, { x: 900, y: 900 }], truth, 100);
    expect([m.tp, m.fp, m.fn]).toEqual([1, 1, 1]);
    expect(m.f1).toBeCloseTo(0.5);
  });

  it('pools counts over micrographs rather than averaging F1', () => {
    const a = { tp: 9, fp: 1, fn: 0, recall: 1, precision: 0.9, f1: 0.947 };
    const b = { tp: 0, fp: 0, fn: 1, recall: 0, precision: 0, f1: 0 };
    const p = pooledMetrics([a, b]);
    expect([p.tp, p.fp, p.fn]).toEqual([9, 1, 1]);
    expect(p.recall).toBeCloseTo(0.9);
    expect(p.precision).toBeCloseTo(0.9);
    expect(p.f1).toBeCloseTo(0.9);
    expect(pooledMetrics([]).f1).toBe(0);
  });
});
