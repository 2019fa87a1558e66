// The tuning grid and the choice from match counts (tuning.ts).
import { describe, expect, it } from 'vitest';
import { MODEL_PICK_SETTING_KEYS } from './model/model-io';
import { DEFAULT_PICK_PARAMS, isValidParam, type ParamKey } from './params';
import { bestTuning, describeSettings, leaveOneOutTuning, tunedPart, tuningCandidates, TUNING_GRID } from './tuning';

const DEFAULTS = tunedPart(DEFAULT_PICK_PARAMS);

describe('tuning candidates', () => {
  it('start with the current settings, hold every grid combination once, each valid', () => {
    const all = tuningCandidates(DEFAULTS);
    expect(all[0]).toEqual(DEFAULTS);
    const n = TUNING_GRID.threshold.length * TUNING_GRID.cutoff.length * TUNING_GRID.calibrate.length;
    expect(all).toHaveLength(n); // the defaults are in the grid
    expect(new Set(all.map((s) => JSON.stringify(s))).size).toBe(n);
    for (const s of all) {
      expect(Object.keys(s).sort()).toEqual([...MODEL_PICK_SETTING_KEYS].sort()); // all a detector may carry, nothing else
      for (const [k, v] of Object.entries(s)) expect(isValidParam(k as ParamKey, v), `${k} ${v}`).toBe(true);
    }
    const off = { threshold: 5, cutoff: 0.3, calibrate: false };
    expect(tuningCandidates(off)[0]).toEqual(off);
    expect(tuningCandidates(off)).toHaveLength(n + 1);
  });
});

describe('bestTuning', () => {
  const candidates = tuningCandidates(DEFAULTS).slice(0, 3);
  it('pools the counts over micrographs and keeps the best F1, the current settings on a tie', () => {
    // Micrograph 1 favours candidate 2, micrograph 2 candidate 1; pooled, candidate 1 wins.
    const counts = [
      [
        { tp: 5, fp: 5, fn: 5 },
        { tp: 6, fp: 4, fn: 4 },
        { tp: 9, fp: 1, fn: 1 },
      ],
      [
        { tp: 50, fp: 50, fn: 50 },
        { tp: 90, fp: 10, fn: 10 },
        { tp: 50, fp: 50, fn: 50 },
      ],
    ];
    const r = bestTuning(candidates, counts);
    expect(r.settings).toBe(candidates[1]);
    expect(r.current).toMatchObject({ tp: 55, fp: 55, fn: 55, f1: 0.5 });
    expect(r.tuned).toMatchObject({ tp: 96, fp: 14, fn: 14 });
    const tie = bestTuning(candidates, [
      [
        { tp: 1, fp: 1, fn: 1 },
        { tp: 1, fp: 1, fn: 1 },
        { tp: 0, fp: 0, fn: 2 },
      ],
    ]);
    expect(tie.settings).toBe(candidates[0]);
  });
  it('leaving each micrograph out in turn: each is picked with what the others chose', () => {
    const c = (tp: number, errors: number) => ({ tp, fp: errors, fn: errors });
    // Micrographs 1 and 2 favour candidate 1, micrograph 3 candidate 2.
    const counts = [
      [c(10, 10), c(18, 2), c(12, 8)],
      [c(10, 10), c(17, 3), c(11, 9)],
      [c(10, 10), c(9, 11), c(19, 1)],
    ];
    const r = leaveOneOutTuning(candidates, counts);
    // On all three candidate 1 wins (44 of 60), but left out, micrograph 1 is picked with what 2
    // and 3 choose (candidate 2), 2 with what 1 and 3 choose (2), and 3 with what 1 and 2 choose (1).
    expect(bestTuning(candidates, counts).settings).toBe(candidates[1]);
    expect(r.current).toMatchObject({ tp: 30, fp: 30, fn: 30 });
    expect(r.tuned).toMatchObject({ tp: 12 + 11 + 9, fp: 8 + 9 + 11, fn: 8 + 9 + 11 });
    expect(() => leaveOneOutTuning(candidates, [counts[0]])).toThrow(RangeError);
  });
  it('writes settings as the logs do, or as the panel names them', () => {
    expect(describeSettings({ threshold: 0.5, cutoff: 1, calibrate: true })).toBe('threshold 0.5, cutoff 1, calibrate true');
    expect(describeSettings({ cutoff: 0.95, calibrate: false }, 'labels')).toBe('Classifier cutoff 0.95, Calibrate per micrograph off');
  });
});
