import { describe, expect, it } from 'vitest';
import type { ClassifierSample } from '../../core/train/classifier-samples';
import {
  applyClick,
  detectorTruth,
  kept,
  packXY,
  reviewCounts,
  sampleAt,
  seededSubset,
  selectClassifierSamples,
  selectDetectorSamples,
  type ReviewSample,
} from './review';

const sample = (x: number, y: number, label: 0 | 1, reason = 'strict-candidate'): ReviewSample => ({ x, y, label, reason, removed: false });
const cs = (x: number, label: 0 | 1): ClassifierSample => ({
  x,
  y: 10,
  label,
  reason: label ? 'strict-candidate' : 'loose-candidate',
  level: 1,
  mean: 0,
  std: 1,
});

describe('review of training samples', () => {
  it('finds the sample whose box holds a point, nearest centre first', () => {
    const s = [sample(100, 100, 1), sample(130, 100, 0)];
    expect(sampleAt(s, 112, 100, 40)).toBe(0);
    expect(sampleAt(s, 118, 100, 40)).toBe(1);
    expect(sampleAt(s, 100, 125, 40)).toBe(-1);
  });

  it('flips labels, removes and restores samples, and counts them', () => {
    let s = [sample(0, 0, 1), sample(50, 0, 0)];
    s = applyClick(s, 0, 'flip');
    expect(s[0].label).toBe(0);
    s = applyClick(s, 1, 'remove');
    expect(s[1].removed).toBe(true);
    expect(kept(s)).toHaveLength(1);
    // A click of either kind on a removed sample brings it back, label unchanged.
    s = applyClick(s, 1, 'flip');
    expect(s[1]).toMatchObject({ removed: false, label: 0 });
    s = applyClick(s, 1, 'remove');
    expect(reviewCounts({ a: s, b: [sample(1, 1, 1)], c: [] })).toEqual({ particles: 1, background: 1, removed: 1, micrographs: 2 });
  });

  it('packs points as x,y pairs', () => {
    expect(
      Array.from(
        packXY([
          { x: 1.5, y: 2 },
          { x: 3, y: 4 },
        ]),
      ),
    ).toEqual([1.5, 2, 3, 4]);
  });

  it('takes seeded subsets in their original order', () => {
    const a = seededSubset([5, 6, 7, 8, 9, 10], 3, 1);
    expect(a).toHaveLength(3);
    expect(a).toEqual([...a].sort((x, y) => x - y));
    expect(seededSubset([5, 6, 7, 8, 9, 10], 3, 1)).toEqual(a);
    expect(seededSubset([1, 2], 5, 1)).toEqual([1, 2]);
  });

  it('balances classes over all micrographs, then caps each class', () => {
    const byMic = {
      m1: [cs(1, 1), cs(2, 1), cs(3, 0), cs(4, 0), cs(5, 0), cs(6, 0)],
      m2: [cs(7, 1), cs(8, 0), cs(9, 0), cs(10, 0)],
    };
    const all = selectClassifierSamples(byMic, 100, 4);
    const c = reviewCounts(all);
    expect(c.particles).toBe(3);
    expect(c.background).toBe(3);
    expect(all.m2.some((s) => s.x === 7)).toBe(true); // every sample of the minority class stays
    const capped = reviewCounts(selectClassifierSamples(byMic, 2, 4));
    expect([capped.particles, capped.background]).toEqual([2, 2]);
  });

  it('caps the user picks for the detector over all micrographs', () => {
    const set = selectDetectorSamples(
      {
        a: [
          { x: 1, y: 1 },
          { x: 2, y: 2 },
          { x: 3, y: 3 },
        ],
        b: [{ x: 4, y: 4 }],
      },
      3,
      1,
    );
    expect(reviewCounts(set)).toMatchObject({ particles: 3, background: 0 });
    expect(
      Object.values(set)
        .flat()
        .every((s) => s.reason === 'user-pick'),
    ).toBe(true);
  });

  it('puts kept detector samples first as patch centres, with every other pick still a particle', () => {
    const samples = [sample(10, 10, 1), { ...sample(50, 50, 1), removed: true }];
    const picks = [
      { x: 11, y: 10 },
      { x: 50, y: 50 },
      { x: 90, y: 90 },
    ];
    const t = detectorTruth(samples, picks, 40);
    expect(t.centres).toBe(1);
    expect(t.truth).toEqual([
      { x: 10, y: 10 },
      { x: 50, y: 50 },
      { x: 90, y: 90 },
    ]);
  });
});
