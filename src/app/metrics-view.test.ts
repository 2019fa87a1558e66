import { describe, expect, it } from 'vitest';
import { DEFAULT_PICK_PARAMS } from '../core/params';
import { micrographMetrics, noPooledNote, pooledMetrics, pooledPrCurve, pooledWithTruth, prCurve } from './metrics-view';
import { newEntry, type MicrographEntry } from './store';

describe('metrics view', () => {
  it('counts a pick within half a diameter of a truth centre as a match', () => {
    const truth = [
      { x: 100, y: 100 },
      { x: 500, y: 500 },
    ];
    const m = micrographMetrics(
      [
        { x: 140, y: 100 },
        { x: 900, y: 900 },
      ],
      truth,
      100,
    );
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

describe('pooled precision-recall curve', () => {
  const truthA = [
    { x: 100, y: 100 },
    { x: 300, y: 100 },
  ];
  const picksA = [
    { x: 102, y: 100, score: 0.9 },
    { x: 700, y: 700, score: 0.8 },
    { x: 301, y: 99, score: 0.5 },
  ];
  it('with one micrograph it is that micrograph’s curve', () => {
    expect(pooledPrCurve([{ picks: picksA, truth: truthA, diameter: 40 }])).toEqual(prCurve(picksA, truthA, 40));
  });
  it('never matches a pick to another micrograph’s truth, and uses each micrograph’s radius', () => {
    // B's pick lies exactly on A's truth position, but belongs to B (whose truth is elsewhere).
    const b = { picks: [{ x: 100, y: 100, score: 0.95 }], truth: [{ x: 900, y: 900 }], diameter: 400 };
    const curve = pooledPrCurve([{ picks: picksA, truth: truthA, diameter: 40 }, b]);
    const last = curve[curve.length - 1];
    expect(last.recall).toBeCloseTo(2 / 3);
    expect(last.precision).toBeCloseTo(2 / 4);
    expect(curve[0]).toEqual({ recall: 0, precision: 0 }); // B's top-scored pick is a miss
    // With B's large radius (200 px) its pick at distance ~1131 px still misses; at 1200 px diameter it matches.
    const near = pooledPrCurve([{ ...b, diameter: 2400 }]);
    expect(near[0].recall).toBe(1);
  });
});

describe('pooled metrics', () => {
  it("pools the user's own micrographs with truth, not the demo data beside them; a session of demos only pools the demos", () => {
    const entry = (key: string, demo: boolean): MicrographEntry => ({
      ...newEntry(key, `${key}.mrc`, DEFAULT_PICK_PARAMS),
      status: 'picked',
      pickedWith: DEFAULT_PICK_PARAMS,
      truth: [{ x: 1, y: 1 }],
      demo: demo || undefined,
    });
    const demos = [entry('d1', true), entry('d2', true)];
    expect(pooledWithTruth(demos).map((m) => m.key)).toEqual(['d1', 'd2']);
    const own = [entry('k1', false), { ...entry('k2', false), truth: undefined }];
    expect(pooledWithTruth([...demos, ...own]).map((m) => m.key)).toEqual(['k1']);
    expect(noPooledNote([...demos, ...own])).toBeUndefined();
  });

  it('says why nothing is pooled: truth only on the demos, left out beside own micrographs; or truth not picked yet', () => {
    const entry = (key: string, demo: boolean, truth: boolean): MicrographEntry => ({
      ...newEntry(key, `${key}.mrc`, DEFAULT_PICK_PARAMS),
      status: 'picked',
      pickedWith: DEFAULT_PICK_PARAMS,
      truth: truth ? [{ x: 1, y: 1 }] : undefined,
      demo: demo || undefined,
    });
    // Everything picked, truth only on the demos: not "pick to compare".
    const note = noPooledNote([entry('d1', true, true), entry('k1', false, false)]);
    expect(note).toMatch(/^Only the demo micrographs have ground truth, and the pooled metrics leave them out/);
    expect(note).toContain('answer "Ground truth (for scoring)"');
    expect(noPooledNote([entry('d1', true, true), { ...entry('k1', false, true), pickedWith: undefined }])).toMatch(/not picked yet/);
  });
});
