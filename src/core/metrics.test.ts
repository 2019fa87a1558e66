import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Particle } from './coords/types';
import { aggregate, averagePrecision, matchPicks, precisionRecallCurve, scoresFromCounts } from './metrics';

const pt = (x: number, y = 0, score?: number): Particle => (score === undefined ? { x, y } : { x, y, score });

/** Reference: the size of a maximum matching by plain augmenting paths (Kuhn), for small inputs. */
function maximumMatchingSize(picks: Particle[], truth: Particle[], radius: number): number {
  const near = picks.map((p) =>
    truth.map((t, j) => ((t.x - p.x) ** 2 + (t.y - p.y) ** 2 <= radius * radius ? j : -1)).filter((j) => j >= 0),
  );
  const owner = new Array<number>(truth.length).fill(-1);
  const tryPick = (i: number, seen: boolean[]): boolean => {
    for (const j of near[i]) {
      if (seen[j]) continue;
      seen[j] = true;
      if (owner[j] < 0 || tryPick(owner[j], seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  let n = 0;
  for (let i = 0; i < picks.length; i++) if (tryPick(i, new Array<boolean>(truth.length).fill(false))) n++;
  return n;
}

describe('scoresFromCounts', () => {
  it('recall = tp/(tp+fn), precision = tp/(tp+fp), F1 their harmonic mean; 0 where nothing is counted', () => {
    const s = scoresFromCounts({ tp: 3, fp: 2, fn: 1 });
    expect(s.recall).toBe(0.75);
    expect(s.precision).toBe(0.6);
    expect(s.f1).toBeCloseTo((2 * 0.75 * 0.6) / 1.35, 12);
    expect(scoresFromCounts({ tp: 0, fp: 0, fn: 0 })).toEqual({ tp: 0, fp: 0, fn: 0, recall: 0, precision: 0, f1: 0 });
    expect(scoresFromCounts({ tp: 0, fp: 4, fn: 2 })).toMatchObject({ recall: 0, precision: 0, f1: 0 });
  });
});

describe('matchPicks', () => {
  it('is one-to-one: two picks on one particle give one TP and one FP', () => {
    const m = matchPicks([pt(100, 100), pt(102, 101)], [pt(101, 100)], 10);
    expect([m.tp, m.fp, m.fn]).toEqual([1, 1, 0]);
    expect(m.pairs).toHaveLength(1);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(1);
  });

  it('finds the largest matching where greedy nearest-first matching would not', () => {
    // radius 2. Distances: P0-T0 1, P0-T1 1.9, P1-T0 1.9, P1-T1 4.8 (too far).
    // Nearest first takes P0-T0 (1), then P1 can only reach T0: 1 TP. The maximum is 2: P0-T1, P1-T0.
    const picks = [pt(0), pt(2.9)];
    const truth = [pt(1), pt(-1.9)];
    const m = matchPicks(picks, truth, 2);
    expect([m.tp, m.fp, m.fn]).toEqual([2, 0, 0]);
    expect(m.pairs.sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    // The score sweep is greedy by rank, as detection benchmarks are: the same two picks give 1 TP there.
    const curve = precisionRecallCurve([pt(0, 0, 0.9), pt(2.9, 0, 0.8)], truth, 2);
    expect(curve.at(-1)).toMatchObject({ tp: 1, fp: 1 });
  });

  it('counts a pick exactly at the radius as matched, and one just beyond as not', () => {
    expect(matchPicks([pt(3, 4)], [pt(0, 0)], 5).tp).toBe(1);
    expect(matchPicks([pt(3, 4)], [pt(0, 0)], 4.999).tp).toBe(0);
    // across grid cells and negative coordinates
    expect(matchPicks([pt(-15, -20)], [pt(-10, -20)], 5).tp).toBe(1);
    expect(matchPicks([pt(15.0001, 0)], [pt(10, 0)], 5).tp).toBe(0);
  });

  it('handles empty inputs', () => {
    expect(matchPicks([], [pt(1), pt(2)], 5)).toMatchObject({ tp: 0, fp: 0, fn: 2, recall: 0, precision: 0, f1: 0, pairs: [] });
    expect(matchPicks([pt(1)], [], 5)).toMatchObject({ tp: 0, fp: 1, fn: 0, recall: 0, precision: 0, f1: 0 });
    expect(matchPicks([], [], 5)).toMatchObject({ tp: 0, fp: 0, fn: 0, f1: 0 });
  });

  it('handles duplicates in picks and in truth', () => {
    expect(matchPicks([pt(5, 5)], [pt(5, 5), pt(5, 5)], 3)).toMatchObject({ tp: 1, fp: 0, fn: 1 });
    expect(matchPicks([pt(5, 5), pt(5, 5)], [pt(5, 5), pt(5, 5)], 3)).toMatchObject({ tp: 2, fp: 0, fn: 0 });
    expect(matchPicks([pt(5, 5), pt(5, 5), pt(5, 5)], [pt(5, 5)], 3)).toMatchObject({ tp: 1, fp: 2, fn: 0 });
  });

  it('never matches non-finite coordinates', () => {
    expect(matchPicks([pt(NaN, NaN), pt(Infinity, 0)], [pt(NaN, NaN), pt(Infinity, 0)], 5).tp).toBe(0);
  });

  it('refuses a radius that is not positive', () => {
    for (const r of [0, -1, NaN]) {
      expect(() => matchPicks([], [], r)).toThrow(RangeError);
      expect(() => precisionRecallCurve([], [], r)).toThrow(RangeError);
    }
  });

  it('matches as many as a maximum bipartite matching, with valid one-to-one pairs (random fields)', () => {
    const coord = fc.integer({ min: 0, max: 60 }).map((v) => v / 2);
    const points = fc.array(fc.record({ x: coord, y: coord }), { maxLength: 14 });
    fc.assert(
      fc.property(points, points, fc.integer({ min: 1, max: 8 }), (picks, truth, radius) => {
        const m = matchPicks(picks, truth, radius);
        expect(m.tp).toBe(maximumMatchingSize(picks, truth, radius));
        expect(m.tp + m.fp).toBe(picks.length);
        expect(m.tp + m.fn).toBe(truth.length);
        expect(new Set(m.pairs.map(([i]) => i)).size).toBe(m.tp);
        expect(new Set(m.pairs.map(([, j]) => j)).size).toBe(m.tp);
        for (const [i, j] of m.pairs) {
          expect(Math.hypot(picks[i].x - truth[j].x, picks[i].y - truth[j].y)).toBeLessThanOrEqual(radius);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stays fast on a crowded micrograph', () => {
    const truth = Array.from({ length: 4000 }, (_, i) => pt((i % 64) * 30, Math.floor(i / 64) * 30));
    const picks = truth.flatMap((t, i) => [pt(t.x + 8, t.y), pt(t.x - 8 + (i % 3), t.y + 9)]);
    const t0 = performance.now();
    const m = matchPicks(picks, truth, 15);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(m.tp).toBe(4000);
  });
});

describe('aggregate', () => {
  it('pools counts over micrographs before taking ratios (not a mean of F1)', () => {
    const a = matchPicks([pt(0), pt(10), pt(20), pt(500)], [pt(0), pt(10), pt(20)], 2); // tp 3, fp 1, fn 0
    const b = { tp: 0, fp: 0, fn: 3 };
    const pooled = aggregate([a, b]);
    expect([pooled.tp, pooled.fp, pooled.fn]).toEqual([3, 1, 3]);
    expect(pooled.recall).toBe(0.5);
    expect(pooled.precision).toBe(0.75);
    expect(pooled.f1).toBeCloseTo(0.6, 12);
    expect(pooled.f1).not.toBeCloseTo((a.f1 + 0) / 2, 3);
    expect(aggregate([])).toEqual({ tp: 0, fp: 0, fn: 0, recall: 0, precision: 0, f1: 0, pairs: [] });
  });
});

describe('precisionRecallCurve and averagePrecision', () => {
  // Truth at 0, 100, 200 (radius 10). A hits 0; B hits nothing; C and D (tied scores) hit 100 and 200;
  // E has no score and hits nothing.
  const truth = [pt(0), pt(100), pt(200)];
  const picks = [pt(1, 0, 0.9), pt(50, 0, 0.8), pt(101, 0, 0.7), pt(199, 0, 0.7), pt(300)];

  it('gives one point per distinct score, highest first, missing scores last', () => {
    expect(precisionRecallCurve(picks, truth, 10)).toEqual([
      { threshold: 0.9, tp: 1, fp: 0, recall: 1 / 3, precision: 1 },
      { threshold: 0.8, tp: 1, fp: 1, recall: 1 / 3, precision: 0.5 },
      { threshold: 0.7, tp: 3, fp: 1, recall: 1, precision: 0.75 },
      { threshold: -Infinity, tp: 3, fp: 2, recall: 1, precision: 0.6 },
    ]);
  });

  it('does not depend on the order of the picks, and treats a NaN score as missing', () => {
    const curve = precisionRecallCurve(picks, truth, 10);
    expect(precisionRecallCurve([...picks].reverse(), truth, 10)).toEqual(curve);
    const withNaN = picks.map((p) => (p.score === undefined ? { ...p, score: NaN } : p));
    expect(precisionRecallCurve(withNaN, truth, 10)).toEqual(curve);
  });

  it('average precision: interpolated precision summed over recall steps (VOC all-point)', () => {
    // recall 0 -> 1/3 at interpolated precision 1, 1/3 -> 1 at 0.75: 1/3 + 2/3 * 0.75.
    expect(averagePrecision(precisionRecallCurve(picks, truth, 10))).toBeCloseTo(1 / 3 + 0.5, 12);
    expect(averagePrecision([])).toBe(0);
    const perfect = truth.map((t, i) => ({ ...t, score: 1 - i / 10 }));
    expect(averagePrecision(precisionRecallCurve(perfect, truth, 10))).toBeCloseTo(1, 12);
    expect(averagePrecision(precisionRecallCurve(picks, [], 10))).toBe(0);
  });

  it('empty picks give an empty curve', () => {
    expect(precisionRecallCurve([], truth, 10)).toEqual([]);
  });

  it('recall never falls, thresholds fall strictly, and the last point counts every pick (random fields)', () => {
    const coord = fc.integer({ min: 0, max: 40 });
    const score = fc.option(
      fc.integer({ min: 0, max: 5 }).map((s) => s / 5),
      { nil: undefined },
    );
    const picksArb = fc.array(fc.record({ x: coord, y: coord, score }), { maxLength: 20 });
    const truthArb = fc.array(fc.record({ x: coord, y: coord }), { maxLength: 20 });
    fc.assert(
      fc.property(picksArb, truthArb, fc.integer({ min: 1, max: 6 }), (ps, ts, r) => {
        const ps2: Particle[] = ps.map((p) => (p.score === undefined ? { x: p.x, y: p.y } : p));
        const curve = precisionRecallCurve(ps2, ts, r);
        for (let i = 1; i < curve.length; i++) {
          expect(curve[i].recall).toBeGreaterThanOrEqual(curve[i - 1].recall);
          expect(curve[i].threshold).toBeLessThan(curve[i - 1].threshold);
          expect(curve[i].tp + curve[i].fp).toBeGreaterThan(curve[i - 1].tp + curve[i - 1].fp);
        }
        if (ps2.length) {
          const last = curve[curve.length - 1];
          expect(last.tp + last.fp).toBe(ps2.length);
          // Greedy by rank never beats the maximum matching.
          expect(last.tp).toBeLessThanOrEqual(matchPicks(ps2, ts, r).tp);
        }
        const ap = averagePrecision(curve);
        expect(ap).toBeGreaterThanOrEqual(0);
        expect(ap).toBeLessThanOrEqual(1 + 1e-12);
      }),
      { numRuns: 400 },
    );
  });
});
