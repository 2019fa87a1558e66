import { describe, expect, it } from 'vitest';
import type { ScoredPick } from '../../../workers/engine-api';
import { DEFAULT_PICK_PARAMS } from '../../core/params';
import { addManual, EMPTY_EDITS } from '../picks-merge';
import { newEntry, type MicrographEntry } from '../store';
import { micrographMetrics } from '../metrics-view';
import { heldOutLabels, modelPicks, rescoredRows, sideOf, total, trainingFitNote, verdict, type ComparisonRow } from './comparison';

const D = 100;
const auto: ScoredPick[] = [
  { x: 100, y: 100, score: 0.9, kept: true, peakHeight: 1 },
  { x: 400, y: 400, score: 0.8, kept: true, peakHeight: 1 },
  { x: 700, y: 700, score: 0.1, kept: false, peakHeight: 1 },
];

function mic(key: string, patch: Partial<MicrographEntry> = {}): MicrographEntry {
  return { ...newEntry(key, `${key}.mrc`, { ...DEFAULT_PICK_PARAMS, diameter: D }), status: 'picked', auto, ...patch };
}

describe('before / after comparison of a retrained model', () => {
  it("never scores a micrograph the model learnt from, not even on its ground truth; a reviewed one's picks are labels", () => {
    const reviewed = mic('a', { reviewed: true, edits: addManual(EMPTY_EDITS, 900, 900, 'm1') });
    const withTruth = mic('b', { truth: [{ x: 100, y: 100 }] });
    const plain = mic('c');
    const trainedOn = new Set(['a']);
    expect(heldOutLabels(reviewed, trainedOn)).toBeUndefined();
    expect(heldOutLabels(withTruth, trainedOn)).toEqual([{ x: 100, y: 100 }]);
    expect(heldOutLabels(plain, trainedOn)).toBeUndefined();
    expect(heldOutLabels(reviewed, new Set())).toEqual([
      { x: 100, y: 100, score: 0.9 },
      { x: 400, y: 400, score: 0.8 },
      { x: 900, y: 900 },
    ]);
    expect(heldOutLabels(withTruth, new Set(['b']))).toBeUndefined();
    // A run that learnt from no user's picks (the unsupervised classifier) is scored on ground truth everywhere.
    expect(heldOutLabels(withTruth, new Set(['b']), true)).toEqual([{ x: 100, y: 100 }]);
    expect(heldOutLabels(reviewed, trainedOn, true)).toBeUndefined();
  });

  it("scores the model's own picks, without the user's edits", () => {
    expect(modelPicks(auto, D)).toEqual([
      { x: 100, y: 100, score: 0.9 },
      { x: 400, y: 400, score: 0.8 },
    ]);
  });

  it('judges by the held-out micrographs alone; none with labels: no verdict', () => {
    const labels = [{ x: 100, y: 100 }];
    const trained: ComparisonRow = {
      key: 'a',
      name: 'a.mrc',
      before: sideOf(modelPicks(auto, D), undefined, D),
      after: sideOf([], undefined, D),
      trainedOn: true,
    };
    expect(verdict([trained])).toBe('unknown');
    const heldOut: ComparisonRow = {
      key: 'b',
      name: 'b.mrc',
      before: sideOf(modelPicks(auto, D), labels, D),
      after: sideOf([{ x: 100, y: 100 }], labels, D),
    };
    expect(verdict([trained, heldOut])).toBe('better');
    expect(total([trained, heldOut], 'before')).toMatchObject({ picks: 4, metrics: { tp: 1, fp: 1 } });
  });

  it('without a held-out check, says how many of the picks checked where it learnt the new model finds, and advises against one under half', () => {
    const checked = [
      { x: 100, y: 100 },
      { x: 400, y: 400 },
      { x: 700, y: 700 },
      { x: 900, y: 100 },
    ];
    const row = (after: typeof checked): ComparisonRow => ({
      key: 'a',
      name: 'a.mrc',
      before: { picks: 4 },
      after: { picks: after.length },
      trainedOn: true,
      reviewed: true,
      fit: micrographMetrics(after, checked, D),
    });
    expect(trainingFitNote([row([checked[0], { x: 300, y: 900 }])])).toBe(
      ' On the 1 reviewed micrograph(s) it learnt from, it finds 1 of the 4 picks you checked there, with 1 others: under half of what it learnt from; discarding it is advised.',
    );
    expect(trainingFitNote([row(checked.slice(0, 3))])).toMatch(
      /finds 3 of the 4 picks .* \(its own training data: no held-out check\)\.$/,
    );
    expect(trainingFitNote([{ ...row(checked), fit: undefined }])).toBe('');
  });

  it('scores a waiting comparison again when ground truth arrives for a held-out micrograph, and not one it learnt from', () => {
    const before = [{ x: 100, y: 100 }];
    const after = [
      { x: 100, y: 100 },
      { x: 400, y: 400 },
    ];
    const rows: ComparisonRow[] = [
      { key: 'a', name: 'a.mrc', before: { picks: 1 }, after: { picks: 2 }, picks: { before, after, diameter: D } },
      { key: 'b', name: 'b.mrc', before: { picks: 1 }, after: { picks: 2 }, trainedOn: true, picks: { before, after, diameter: D } },
    ];
    expect(verdict(rows)).toBe('unknown');
    const truth = [
      { x: 100, y: 100 },
      { x: 400, y: 400 },
    ];
    const now = new Map([
      ['a', mic('a', { truth })],
      ['b', mic('b', { truth })],
    ]);
    expect(rescoredRows(rows, now, new Set(), false)).toBe(rows); // nothing changed: the same rows
    const next = rescoredRows(rows, now, new Set(['a', 'b']), false);
    expect(next[0].before.metrics?.f1).toBeCloseTo(2 / 3);
    expect(next[0].after.metrics?.f1).toBe(1);
    expect(next[1]).toBe(rows[1]);
    expect(verdict(next)).toBe('better');
    expect(rescoredRows(next, now, new Set(['a']), false)).toBe(next);
  });
});
